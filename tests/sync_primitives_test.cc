// Copyright 2026 The Colony Authors.
//
// SharedMutex, Barrier and Once from tasks, from threads and mixed,
// parameterised over worker counts: exact counts with invariant checks,
// FIFO hand-off and withdrawal, timed waits, cancellation racing
// wake-ups, and stress loops hunting lost wake-ups.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "sync/barrier.h"
#include "sync/event.h"
#include "sync/mutex.h"
#include "sync/once.h"
#include "sync/semaphore.h"
#include "sync/shared_mutex.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::kTsanBuild;
using ::colony::testing::Spin;
using ::colony::testing::StartScheduler;

class SyncPrimitivesTest : public testing::WorkersTest {};

// Eventually() yields (a task to its worker's other tasks, a thread to the
// OS) until `pred` holds; false if it still does not after a minute.
template <typename Pred>
bool Eventually(Pred pred) {
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (!pred()) {
    if (absl::Now() > give_up) return false;
    Yield();
  }
  return true;
}

// An ordered log of events shared by tasks and threads.
class Log {
 public:
  void Add(std::string event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
  }
  std::vector<std::string> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

// ---------------------------------------------------------------------------
// SharedMutex

// Tasks and threads mix shared and exclusive holds (std::shared_lock,
// std::unique_lock), holding them across suspensions: a writer is always
// alone, readers never see a write in progress, and no write is lost.
TEST_P(SyncPrimitivesTest, SharedMutexReadersAndWritersKeepInvariant) {
  constexpr int kTasks = 24;
  constexpr int kThreads = 2;
  const int kIters = kTsanBuild ? 150 : 1500;
  SharedMutex mu;
  std::atomic<int> readers{0};
  std::atomic<int> writers{0};
  std::atomic<int> violations{0};
  std::atomic<int64_t> writes{0};
  std::atomic<int64_t> reads{0};
  int64_t value = 0;  // written under the exclusive lock only
  auto body = [&](int id) {
    for (int i = 0; i < kIters; ++i) {
      if ((i + id) % 4 == 0) {
        std::unique_lock lock(mu);
        if (writers.fetch_add(1) != 0 || readers.load() != 0) ++violations;
        ++value;
        if (i % 16 == 0) Yield();  // hold it across a suspension
        writers.fetch_sub(1);
        writes.fetch_add(1);
      } else {
        std::shared_lock lock(mu);
        readers.fetch_add(1);
        if (writers.load() != 0) ++violations;
        const int64_t seen = value;
        if (i % 16 == 1) Yield();
        if (value != seen) ++violations;
        readers.fetch_sub(1);
        reads.fetch_add(1);
      }
    }
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t) hs.push_back(s_->Spawn([&, t] { body(t); }));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, kTasks + t);
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(writes.load() + reads.load(), int64_t{kTasks + kThreads} * kIters);
  EXPECT_EQ(value, writes.load());
  EXPECT_EQ(mu.waiters(), 0u);
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

// Readers hold the lock together: every reader (tasks and a thread) is
// inside at the same moment, and a writer cannot get in meanwhile.
TEST_P(SyncPrimitivesTest, SharedMutexReadersHoldTogether) {
  constexpr int kReaderTasks = 6;
  constexpr int kReaders = kReaderTasks + 1;
  SharedMutex mu;
  std::atomic<int> inside{0};
  std::atomic<bool> leave{false};
  auto reader = [&] {
    std::shared_lock lock(mu);
    inside.fetch_add(1);
    const bool all = Eventually([&] { return leave.load(); });
    inside.fetch_sub(1);
    return all;
  };
  std::vector<JoinHandle<bool>> hs;
  for (int i = 0; i < kReaderTasks; ++i) hs.push_back(s_->Spawn(reader));
  bool thread_ok = false;
  std::thread t([&] { thread_ok = reader(); });
  ASSERT_TRUE(Eventually([&] { return inside.load() == kReaders; }));
  EXPECT_FALSE(mu.try_lock());
  EXPECT_FALSE(mu.try_lock_for(std::chrono::milliseconds(1)));
  auto writer = s_->Spawn([&] {
    std::scoped_lock lock(mu);
    return inside.load();
  });
  leave = true;
  for (auto& h : hs) EXPECT_TRUE(h.Join().value());
  t.join();
  EXPECT_TRUE(thread_ok);
  EXPECT_EQ(writer.Join().value(), 0);
}

// Release hands the lock to the head of the queue: first the run of
// readers at its head (together), then the writer behind them, then the
// reader that queued behind the writer.
TEST_P(SyncPrimitivesTest, SharedMutexFifoHandOff) {
  SharedMutex mu;
  Log log;
  std::atomic<int> pair_inside{0};
  auto reader = [&](std::string name, bool pair) {
    return [&, name, pair] {
      std::shared_lock lock(mu);
      log.Add(name + "+");
      if (pair) {
        pair_inside.fetch_add(1);
        if (!Eventually([&] { return pair_inside.load() == 2; })) {
          log.Add(name + " alone");
        }
      }
      log.Add(name + "-");
    };
  };
  mu.lock();
  auto r1 = s_->Spawn(reader("r1", true));
  ASSERT_TRUE(Eventually([&] { return mu.waiters() == 1; }));
  auto r2 = s_->Spawn(reader("r2", true));
  ASSERT_TRUE(Eventually([&] { return mu.waiters() == 2; }));
  std::thread w([&] {
    std::unique_lock lock(mu);
    log.Add("w+");
    log.Add("w-");
  });
  ASSERT_TRUE(Eventually([&] { return mu.waiters() == 3; }));
  auto r3 = s_->Spawn(reader("r3", false));
  ASSERT_TRUE(Eventually([&] { return mu.waiters() == 4; }));
  // Nobody barges past the queue.
  EXPECT_FALSE(mu.try_lock_shared());
  EXPECT_FALSE(mu.try_lock());
  mu.unlock();
  ASSERT_TRUE(r1.Join().completed());
  ASSERT_TRUE(r2.Join().completed());
  w.join();
  ASSERT_TRUE(r3.Join().completed());
  const std::vector<std::string> events = log.events();
  ASSERT_EQ(events.size(), 8u) << ::testing::PrintToString(events);
  // r1 and r2 entered before either left.
  EXPECT_EQ(events[0].back(), '+');
  EXPECT_EQ(events[1].back(), '+');
  EXPECT_EQ(events[2].back(), '-');
  EXPECT_EQ(events[3].back(), '-');
  EXPECT_EQ(events[4], "w+");
  EXPECT_EQ(events[5], "w-");
  EXPECT_EQ(events[6], "r3+");
  EXPECT_EQ(events[7], "r3-");
}

// A writer waiting behind a continuous stream of readers (tasks and a
// thread, their holds overlapping) gets in: readers arriving after it
// queue behind it.
TEST_P(SyncPrimitivesTest, SharedMutexWriterNotStarvedByReaders) {
  constexpr int kReaderTasks = 4;
  SharedMutex mu;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> reads{0};
  std::atomic<int> writers_in{0};
  std::atomic<int> violations{0};
  auto reader = [&] {
    while (!stop.load()) {
      std::shared_lock lock(mu);
      if (writers_in.load() != 0) ++violations;
      reads.fetch_add(1);
      Yield();
    }
  };
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < kReaderTasks; ++i) hs.push_back(s_->Spawn(reader));
  std::thread reader_thread(reader);
  ASSERT_TRUE(Eventually([&] { return reads.load() > 100; }));
  auto write = [&] {
    if (!mu.TryLockFor(absl::Seconds(60))) return false;
    writers_in.fetch_add(1);
    Yield();
    writers_in.fetch_sub(1);
    mu.unlock();
    return true;
  };
  // From a task, then from a thread, then both at once.
  EXPECT_TRUE(s_->Spawn(write).Join().value());
  EXPECT_TRUE(write());
  auto task_writer = s_->Spawn(write);
  EXPECT_TRUE(write());
  EXPECT_TRUE(task_writer.Join().value());
  stop = true;
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  reader_thread.join();
  EXPECT_EQ(violations.load(), 0);
}

// Timed acquisitions expire, from a thread and from a task, with std::chrono
// and absl time; an expired deadline is a try; a timed wait is handed the
// lock when it is released in time.
TEST_P(SyncPrimitivesTest, SharedMutexTimedWaitsExpire) {
  SharedMutex mu;
  auto probe = [&] {
    int got = 0;
    got += mu.try_lock();
    got += mu.try_lock_shared();
    got += mu.try_lock_for(std::chrono::milliseconds(2));
    got += mu.TryLockFor(absl::Milliseconds(2));
    got += mu.TryLockUntil(absl::Now() + absl::Milliseconds(2));
    got += mu.try_lock_until(std::chrono::steady_clock::now() +
                             std::chrono::milliseconds(2));
    got += mu.try_lock_shared_for(std::chrono::milliseconds(2));
    got += mu.TryLockSharedFor(absl::Milliseconds(2));
    got += mu.TryLockSharedUntil(absl::Now() + absl::Milliseconds(2));
    got += mu.try_lock_shared_until(std::chrono::system_clock::now() +
                                    std::chrono::milliseconds(2));
    got += mu.TryLockFor(absl::ZeroDuration());
    got += mu.TryLockSharedUntil(absl::InfinitePast());
    return got;
  };
  mu.lock();
  EXPECT_EQ(probe(), 0);
  EXPECT_EQ(s_->Spawn(probe).Join().value(), 0);
  EXPECT_EQ(mu.waiters(), 0u);
  mu.unlock();
  // Read-held: readers still get in, a writer times out.
  mu.lock_shared();
  EXPECT_TRUE(mu.TryLockSharedFor(absl::Milliseconds(2)));
  mu.unlock_shared();
  EXPECT_FALSE(mu.try_lock_for(std::chrono::milliseconds(2)));
  EXPECT_FALSE(s_->Spawn([&] { return mu.TryLockFor(absl::Milliseconds(2)); })
                   .Join()
                   .value());
  mu.unlock_shared();
  // Handed over before the deadline, to a task and to a thread.
  mu.lock();
  auto waiter = s_->Spawn([&] {
    const bool got = mu.TryLockSharedFor(absl::Seconds(60));
    if (got) mu.unlock_shared();
    return got;
  });
  bool thread_got = false;
  std::thread t([&] {
    thread_got = mu.TryLockUntil(absl::Now() + absl::Seconds(60));
    if (thread_got) mu.unlock();
  });
  ASSERT_TRUE(Eventually([&] { return mu.waiters() == 2; }));
  mu.unlock();
  EXPECT_TRUE(waiter.Join().value());
  t.join();
  EXPECT_TRUE(thread_got);
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

// A writer that leaves the queue (timeout or cancellation) while the lock
// is read-held lets the readers queued behind it in at once.
TEST_P(SyncPrimitivesTest, SharedMutexWithdrawnWriterAdmitsReaders) {
  for (const bool cancel : {false, true}) {
    SCOPED_TRACE(cancel ? "cancelled writer" : "timed-out writer");
    SharedMutex mu;
    std::atomic<int> drops{0};
    mu.lock_shared();
    auto writer = s_->Spawn([&] {
      DropCounter guard(&drops);
      if (cancel) {
        mu.LockCancellable();
        mu.unlock();
        return true;
      }
      return mu.TryLockFor(absl::Milliseconds(200));
    });
    // (A timed-out writer may be gone before this thread looks.)
    ASSERT_TRUE(Eventually([&] { return mu.waiters() == 1 || writer.Done(); }));
    std::atomic<int> readers_in{0};
    auto reader_task = s_->Spawn([&] {
      std::shared_lock lock(mu);
      readers_in.fetch_add(1);
    });
    std::thread reader_thread([&] {
      std::shared_lock lock(mu);
      readers_in.fetch_add(1);
    });
    // Both readers queued behind the writer (or, if the writer already
    // timed out, got in directly).
    ASSERT_TRUE(Eventually([&] {
      return mu.waiters() + readers_in.load() == 3 ||
             (!cancel && readers_in.load() == 2);
    }));
    if (cancel) {
      writer.Cancel("withdraw");
      TaskResult<bool> r = writer.Join();
      EXPECT_TRUE(r.cancelled());
      EXPECT_EQ(drops.load(), 1);
    } else {
      EXPECT_FALSE(writer.Join().value());
    }
    // Admitted while this thread still holds the lock shared.
    ASSERT_TRUE(reader_task.Join().completed());
    reader_thread.join();
    EXPECT_EQ(readers_in.load(), 2);
    EXPECT_EQ(mu.waiters(), 0u);
    EXPECT_FALSE(mu.try_lock());
    mu.unlock_shared();
    EXPECT_TRUE(mu.try_lock());
    mu.unlock();
  }
}

// A reader that leaves the head of the queue while a writer holds the lock
// leaves the writer behind it first in line.
TEST_P(SyncPrimitivesTest, SharedMutexWithdrawnReaderKeepsQueue) {
  SharedMutex mu;
  mu.lock();
  auto reader =
      s_->Spawn([&] { return mu.TryLockSharedFor(absl::Milliseconds(100)); });
  ASSERT_TRUE(Eventually([&] { return mu.waiters() == 1 || reader.Done(); }));
  std::atomic<bool> writer_in{false};
  auto writer = s_->Spawn([&] {
    std::scoped_lock lock(mu);
    writer_in = true;
  });
  EXPECT_FALSE(reader.Join().value());
  EXPECT_FALSE(writer_in.load());
  ASSERT_TRUE(Eventually([&] { return mu.waiters() == 1; }));
  mu.unlock();
  ASSERT_TRUE(writer.Join().completed());
  EXPECT_TRUE(writer_in.load());
  EXPECT_TRUE(mu.try_lock_shared());
  mu.unlock_shared();
}

// std::scoped_lock over several locks (it locks one and try-locks the
// others, backing off), std::unique_lock and std::shared_lock with their
// deferred, try and timed forms.
TEST_P(SyncPrimitivesTest, SharedMutexWorksWithStdLocks) {
  SharedMutex a;
  SharedMutex b;
  Mutex c;
  const int kIters = kTsanBuild ? 200 : 2000;
  int64_t counter = 0;
  auto forward = [&] {
    for (int i = 0; i < kIters; ++i) {
      std::scoped_lock lock(a, b, c);
      ++counter;
      if (i % 50 == 0) Yield();
    }
  };
  auto backward = [&] {
    for (int i = 0; i < kIters; ++i) {
      std::scoped_lock lock(c, b, a);
      ++counter;
    }
  };
  auto t1 = s_->Spawn(forward);
  auto t2 = s_->Spawn(backward);
  std::thread th(forward);
  ASSERT_TRUE(t1.Join().completed());
  ASSERT_TRUE(t2.Join().completed());
  th.join();
  EXPECT_EQ(counter, 3 * kIters);

  std::unique_lock<SharedMutex> w(a, std::defer_lock);
  EXPECT_FALSE(w.owns_lock());
  EXPECT_TRUE(w.try_lock_for(std::chrono::milliseconds(1)));
  {
    std::shared_lock<SharedMutex> r(a, std::try_to_lock);
    EXPECT_FALSE(r.owns_lock());
    EXPECT_FALSE(r.try_lock_for(std::chrono::milliseconds(1)));
  }
  w.unlock();
  std::shared_lock<SharedMutex> r1(a);
  std::shared_lock<SharedMutex> r2(a, std::chrono::milliseconds(1));
  EXPECT_TRUE(r2.owns_lock());
  auto h = s_->Spawn([&] {
    std::shared_lock<SharedMutex> r(a);
    return r.owns_lock();
  });
  EXPECT_TRUE(h.Join().value());
}

// Cancellation racing hand-offs: tasks lock (cancellably, both modes) in
// loops while being cancelled; a thread works alongside. Whatever the
// races, the invariants hold, every hold is released and the queue ends
// empty.
TEST_P(SyncPrimitivesTest, SharedMutexCancelRacingHandOff) {
  const int kTasks = kTsanBuild ? 16 : 64;
  const int kIters = kTsanBuild ? 100 : 400;
  SharedMutex mu;
  std::atomic<int> readers{0};
  std::atomic<int> writers{0};
  std::atomic<int> violations{0};
  std::atomic<int64_t> writes{0};
  int64_t value = 0;
  auto write = [&](bool cancellable, bool yield) {
    if (cancellable) {
      mu.LockCancellable();
    } else {
      mu.lock();
    }
    std::unique_lock lock(mu, std::adopt_lock);
    if (writers.fetch_add(1) != 0 || readers.load() != 0) ++violations;
    ++value;
    writes.fetch_add(1);
    Spin(2'000);  // others queue meanwhile
    writers.fetch_sub(1);
    if (yield) Yield();  // a cancellation point while holding it
  };
  auto read = [&](bool cancellable, bool yield) {
    if (cancellable) {
      mu.LockSharedCancellable();
    } else {
      mu.lock_shared();
    }
    std::shared_lock lock(mu, std::adopt_lock);
    readers.fetch_add(1);
    if (writers.load() != 0) ++violations;
    readers.fetch_sub(1);
    if (yield) Yield();
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t) {
    hs.push_back(s_->Spawn([&, t] {
      for (int i = 0; i < kIters; ++i) {
        if ((i + t) % 3 == 0) {
          write(true, i % 4 == 0);
        } else {
          read(true, i % 4 == 1);
        }
      }
    }));
  }
  std::thread th([&] {
    for (int i = 0; i < kIters; ++i) {
      if (i % 3 == 0) {
        write(false, false);
      } else {
        read(false, false);
      }
    }
  });
  for (int t = 0; t < kTasks; t += 2) {
    for (int spin = 0; spin < 200 * (t % 7); ++spin) {
      std::this_thread::yield();
    }
    hs[t].Cancel("race");
  }
  int cancelled = 0;
  for (auto& h : hs) {
    TaskResult<void> r = h.Join();
    EXPECT_TRUE(r.completed() || r.cancelled());
    cancelled += r.cancelled();
  }
  th.join();
  EXPECT_LE(cancelled, (kTasks + 1) / 2);
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(value, writes.load());
  EXPECT_EQ(mu.waiters(), 0u);
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
  EXPECT_TRUE(mu.try_lock_shared());
  mu.unlock_shared();
}

// Cancellation racing the hand-off itself, round after round: the lock
// (held exclusive or shared) is released to a waiting task (a writer or a
// reader) while another thread cancels it. The task either got the lock
// (and releases it) or withdrew; the reader queued behind it gets in
// either way, and the lock ends free.
TEST_P(SyncPrimitivesTest, SharedMutexCancelRacingRelease) {
  const int kRounds = kTsanBuild ? 100 : 500;
  SharedMutex mu;
  int got = 0;
  int cancelled = 0;
  for (int r = 0; r < kRounds; ++r) {
    const bool exclusive = r % 3 != 1;  // the victim's mode
    const bool held_shared = r % 3 == 2;
    if (held_shared) {
      mu.lock_shared();
    } else {
      mu.lock();
    }
    auto victim = s_->Spawn([&] {
      if (exclusive) {
        mu.LockCancellable();
        mu.unlock();
      } else {
        mu.LockSharedCancellable();
        mu.unlock_shared();
      }
    });
    ASSERT_TRUE(Eventually([&] { return mu.waiters() == 1; }));
    auto behind = s_->Spawn([&] { std::shared_lock lock(mu); });
    ASSERT_TRUE(Eventually([&] { return mu.waiters() == 2; }));
    std::thread canceller([&] {
      Spin((r % 10) * 1'000);
      victim.Cancel("race");
    });
    Spin(((r * 7) % 10) * 5'000);
    if (held_shared) {
      mu.unlock_shared();
    } else {
      mu.unlock();
    }
    canceller.join();
    TaskResult<void> result = victim.Join();
    ASSERT_TRUE(result.completed() || result.cancelled());
    got += result.completed();
    cancelled += result.cancelled();
    ASSERT_TRUE(behind.Join().completed());
    ASSERT_EQ(mu.waiters(), 0u);
    ASSERT_TRUE(mu.try_lock());
    mu.unlock();
  }
  EXPECT_EQ(got + cancelled, kRounds);
}

// ---------------------------------------------------------------------------
// Barrier

// Tasks and threads go through many phases: each phase gathers exactly
// `count` arrivals, the completion runs once per phase before anyone is
// released (and before anyone arrives for the next one), and exactly one
// caller per phase is the leader.
TEST_P(SyncPrimitivesTest, BarrierPhasesCountExactlyWithOneLeader) {
  constexpr int kTasks = 6;
  constexpr int kThreads = 2;
  constexpr int kParties = kTasks + kThreads;
  const int kPhases = kTsanBuild ? 60 : 400;
  std::vector<std::atomic<int>> arrived(kPhases + 1);
  std::vector<std::atomic<int>> leaders(kPhases);
  std::atomic<int> completions{0};
  std::atomic<int> bad{0};
  Barrier barrier(kParties, [&] {
    const int p = completions.load();
    if (arrived[p].load() != kParties) ++bad;
    if (arrived[p + 1].load() != 0) ++bad;
    completions.store(p + 1);
  });
  auto party = [&](int id) {
    for (int p = 0; p < kPhases; ++p) {
      arrived[p].fetch_add(1);
      if (barrier.ArriveAndWait()) leaders[p].fetch_add(1);
      if (completions.load() != p + 1) ++bad;
      if (arrived[p].load() != kParties) ++bad;
      if ((p + id) % 7 == 0) Yield();
    }
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t)
    hs.push_back(s_->Spawn([&, t] { party(t); }));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(party, kTasks + t);
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(completions.load(), kPhases);
  EXPECT_EQ(barrier.phase(), static_cast<uint64_t>(kPhases));
  for (int p = 0; p < kPhases; ++p) {
    EXPECT_EQ(leaders[p].load(), 1) << "phase " << p;
  }
}

// The same from tasks only, many small barriers at once: a lost wake-up
// hangs, a double release breaks a count.
TEST_P(SyncPrimitivesTest, BarrierStressManyBarriers) {
  const int kBarriers = kTsanBuild ? 4 : 16;
  constexpr int kParties = 5;
  const int kPhases = kTsanBuild ? 100 : 500;
  struct Group {
    std::atomic<int> in_phase{0};
    std::atomic<int> completions{0};
    std::atomic<int> leaders{0};
    std::atomic<int> bad{0};
    std::unique_ptr<Barrier> barrier;
  };
  std::vector<Group> groups(kBarriers);
  for (Group& g : groups) {
    g.barrier = std::make_unique<Barrier>(kParties, [&g] {
      if (g.in_phase.exchange(0) != kParties) ++g.bad;
      g.completions.fetch_add(1);
    });
  }
  std::vector<JoinHandle<void>> hs;
  for (int b = 0; b < kBarriers; ++b) {
    for (int i = 0; i < kParties; ++i) {
      hs.push_back(s_->Spawn([&, b] {
        Group& g = groups[b];
        for (int p = 0; p < kPhases; ++p) {
          g.in_phase.fetch_add(1);
          if (g.barrier->ArriveAndWait()) g.leaders.fetch_add(1);
          if (g.completions.load() != p + 1) ++g.bad;
        }
      }));
    }
  }
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (Group& g : groups) {
    EXPECT_EQ(g.bad.load(), 0);
    EXPECT_EQ(g.completions.load(), kPhases);
    EXPECT_EQ(g.leaders.load(), kPhases);
  }
}

// Participants leave with ArriveAndDrop() after different numbers of
// phases: each phase waits for exactly the participants still there.
TEST_P(SyncPrimitivesTest, BarrierArriveAndDrop) {
  constexpr int kTasks = 4;
  constexpr int kThreads = 2;
  constexpr int kParties = kTasks + kThreads;
  auto rounds = [](int id) { return 3 + 2 * id; };  // phases before leaving
  const int kLastPhase = rounds(kParties - 1);
  std::vector<int> expected(kLastPhase + 1, 0);
  for (int id = 0; id < kParties; ++id) {
    for (int p = 0; p <= rounds(id); ++p) ++expected[p];
  }
  std::vector<std::atomic<int>> arrived(kLastPhase + 1);
  std::atomic<int> completions{0};
  std::atomic<int> bad{0};
  Barrier barrier(kParties, [&] {
    const int p = completions.load();
    if (arrived[p].load() != expected[p]) ++bad;
    completions.store(p + 1);
  });
  auto party = [&](int id) {
    for (int p = 0; p < rounds(id); ++p) {
      arrived[p].fetch_add(1);
      barrier.ArriveAndWait();
      if (completions.load() != p + 1) ++bad;
    }
    arrived[rounds(id)].fetch_add(1);
    barrier.ArriveAndDrop();
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t)
    hs.push_back(s_->Spawn([&, t] { party(t); }));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(party, kTasks + t);
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(completions.load(), kLastPhase + 1);
  EXPECT_EQ(barrier.phase(), static_cast<uint64_t>(kLastPhase + 1));
}

// Arrive() returns the phase to Wait() on; WaitFor() times out while the
// phase lacks arrivals; a wait on a completed phase returns at once.
TEST_P(SyncPrimitivesTest, BarrierArriveTokenAndTimedWait) {
  std::atomic<int> completions{0};
  Barrier barrier(3, [&] { completions.fetch_add(1); });
  EXPECT_EQ(barrier.phase(), 0u);
  const uint64_t token = barrier.Arrive();
  EXPECT_EQ(token, 0u);
  EXPECT_FALSE(barrier.WaitFor(token, absl::Milliseconds(2)));
  EXPECT_FALSE(
      s_->Spawn([&] { return barrier.WaitFor(token, absl::Milliseconds(2)); })
          .Join()
          .value());
  auto waiter = s_->Spawn([&] {
    barrier.Wait(token);
    return completions.load();
  });
  auto arriver = s_->Spawn([&] { return barrier.ArriveAndWait(); });
  const bool main_leads = barrier.ArriveAndWait();
  // Exactly one of the two waiting arrivals was the last.
  EXPECT_NE(arriver.Join().value(), main_leads);
  EXPECT_EQ(waiter.Join().value(), 1);
  EXPECT_EQ(completions.load(), 1);
  EXPECT_EQ(barrier.phase(), 1u);
  barrier.Wait(token);  // completed: returns at once
  EXPECT_TRUE(barrier.WaitFor(token, absl::ZeroDuration()));
  // Tokens of later phases, and Wait() on a phase not reached yet.
  auto future = s_->Spawn([&] { barrier.Wait(2); });
  for (int i = 0; i < 6; ++i) EXPECT_EQ(barrier.Arrive(), 1u + i / 3);
  ASSERT_TRUE(future.Join().completed());
  EXPECT_EQ(completions.load(), 3);
}

// A phase that completes while the previous phase's completion still runs
// waits for it: completions run one at a time, in phase order (the caller
// running the first runs the second), and each phase's waiters are
// released after its own completion, waiters of the later phase staying
// queued meanwhile.
TEST_P(SyncPrimitivesTest, BarrierCompletionsRunInOrder) {
  Event gate;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::atomic<bool> inside{false};
  std::atomic<int> bad{0};
  Barrier barrier(2, [&] {
    if (inside.exchange(true)) ++bad;
    if (started.fetch_add(1) == 0) gate.Wait();
    inside = false;
    finished.fetch_add(1);
  });
  EXPECT_EQ(barrier.Arrive(), 0u);
  std::thread completer([&] { EXPECT_EQ(barrier.Arrive(), 0u); });
  ASSERT_TRUE(Eventually([&] { return started.load() == 1; }));
  EXPECT_EQ(barrier.phase(), 1u);  // arrivals now count toward phase 1
  auto w0 = s_->Spawn([&] {
    barrier.Wait(0);
    return finished.load();
  });
  auto w1 = s_->Spawn([&] {
    barrier.Wait(1);
    return finished.load();
  });
  ASSERT_TRUE(Eventually([&] { return barrier.waiters() == 2; }));
  EXPECT_EQ(barrier.Arrive(), 1u);
  auto leader = s_->Spawn([&] {
    const bool led = barrier.ArriveAndWait();
    return led && finished.load() == 2;
  });
  ASSERT_TRUE(Eventually([&] { return barrier.waiters() == 3; }));
  EXPECT_EQ(barrier.phase(), 2u);
  EXPECT_EQ(started.load(), 1);  // phase 1's completion waits for phase 0's
  gate.Set();
  completer.join();
  EXPECT_GE(w0.Join().value(), 1);
  EXPECT_EQ(w1.Join().value(), 2);
  EXPECT_TRUE(leader.Join().value());
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(finished.load(), 2);
  EXPECT_EQ(barrier.waiters(), 0u);
}

// A task cancelled in ArriveAndWait() withdraws its arrival: the phase
// still waits for `count` arrivals. A task cancelled in Wait() keeps the
// arrival it made with Arrive().
TEST_P(SyncPrimitivesTest, BarrierCancelledWaiterWithdrawsArrival) {
  std::atomic<int> completions{0};
  Barrier barrier(3, [&] { completions.fetch_add(1); });
  std::atomic<int> drops{0};
  std::atomic<bool> started{false};
  auto quitter = s_->Spawn([&] {
    DropCounter guard(&drops);
    started = true;
    barrier.ArriveAndWait();
  });
  ASSERT_TRUE(Eventually([&] { return started.load(); }));
  ASSERT_TRUE(Eventually([&] { return barrier.waiters() == 1; }));
  quitter.Cancel("leaving");
  EXPECT_TRUE(quitter.Join().cancelled());
  EXPECT_EQ(drops.load(), 1);
  // Two more arrivals do not complete the phase; a third does.
  EXPECT_EQ(barrier.Arrive(), 0u);
  auto second = s_->Spawn([&] { return barrier.ArriveAndWait(); });
  EXPECT_FALSE(barrier.WaitFor(0, absl::Milliseconds(5)));
  EXPECT_EQ(barrier.phase(), 0u);
  EXPECT_EQ(completions.load(), 0);
  std::thread third([&] { barrier.ArriveAndWait(); });
  third.join();
  second.Join();
  EXPECT_EQ(barrier.phase(), 1u);
  EXPECT_EQ(completions.load(), 1);

  // Wait() on a token: the arrival stands after the cancellation.
  const uint64_t token = barrier.Arrive();
  EXPECT_EQ(token, 1u);
  auto waiter = s_->Spawn([&] { barrier.Wait(token); });
  ASSERT_TRUE(Eventually([&] { return barrier.waiters() == 1; }));
  waiter.Cancel("not waiting");
  EXPECT_TRUE(waiter.Join().cancelled());
  EXPECT_EQ(barrier.waiters(), 0u);
  barrier.Arrive();
  barrier.Arrive();
  EXPECT_EQ(barrier.phase(), 2u);
  EXPECT_EQ(completions.load(), 2);
}

// Cancellation racing phase completion: many single-shot waiters, some
// cancelled while phases fill. A waiter either completes (its arrival was
// counted in a completed phase) or is cancelled (its arrival withdrawn):
// completed waiters are exactly `count` per completed phase, one leader
// each, and the phase left open holds no arrival.
TEST_P(SyncPrimitivesTest, BarrierCancelRacingCompletion) {
  constexpr int kParties = 4;
  const int kWaiters = kTsanBuild ? 120 : 600;
  std::atomic<int> completions{0};
  std::atomic<int> completed{0};
  std::atomic<int> leaders{0};
  Barrier barrier(kParties, [&] {
    Spin(20'000);  // a slow completion widens the race
    completions.fetch_add(1);
  });
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < kWaiters; ++i) {
    hs.push_back(s_->Spawn([&] {
      const bool leader = barrier.ArriveAndWait();
      completed.fetch_add(1);
      if (leader) leaders.fetch_add(1);
    }));
    if (i % 3 == 2) {
      Spin((i % 7) * 5'000);
      hs[i - 1 - (i / 3) % 2].Cancel("race");
    }
  }
  // Let the rest settle, then cancel whoever still waits for a phase that
  // cannot fill.
  ASSERT_TRUE(Eventually([&] {
    int done = 0;
    for (auto& h : hs) done += h.Done();
    return kWaiters - done < kParties;
  }));
  for (auto& h : hs) h.Cancel("no phase left");
  int cancelled = 0;
  for (auto& h : hs) {
    TaskResult<void> r = h.Join();
    EXPECT_TRUE(r.completed() || r.cancelled());
    cancelled += r.cancelled();
  }
  EXPECT_EQ(completed.load(), kParties * completions.load());
  EXPECT_EQ(leaders.load(), completions.load());
  EXPECT_EQ(cancelled + completed.load(), kWaiters);
  const uint64_t phase = barrier.phase();
  EXPECT_EQ(phase, static_cast<uint64_t>(completions.load()));
  // The open phase has no arrivals left in it: it needs all `count`.
  for (int i = 0; i < kParties - 1; ++i) barrier.Arrive();
  EXPECT_EQ(barrier.phase(), phase);
  barrier.Arrive();
  EXPECT_EQ(barrier.phase(), phase + 1);
}

// Cancellation racing the last arrival and the completion, round after
// round: the victim either withdrew (the phase then needs a replacement
// arrival) or counts as released and returns normally; each phase gathers
// exactly `count` arrivals and has exactly one leader.
TEST_P(SyncPrimitivesTest, BarrierCancelRacingLastArrival) {
  constexpr int kParties = 3;
  const int kRounds = kTsanBuild ? 100 : 400;
  std::atomic<int> completions{0};
  std::atomic<int> arrivals{0};
  std::atomic<int> bad{0};
  Barrier barrier(kParties, [&] {
    Spin(20'000);  // the victim's cancellation often lands in here
    if (arrivals.exchange(0) != kParties) ++bad;
    completions.fetch_add(1);
  });
  // Each arrival is counted first; main uncounts a withdrawn one before
  // its replacement arrives, so every completion must see `count`.
  auto counted = [&] {
    arrivals.fetch_add(1);
    return barrier.ArriveAndWait();
  };
  for (int r = 0; r < kRounds; ++r) {
    std::vector<JoinHandle<bool>> hs;
    for (int i = 0; i < kParties - 1; ++i) hs.push_back(s_->Spawn(counted));
    ASSERT_TRUE(Eventually([&] { return barrier.waiters() == kParties - 1; }));
    hs.push_back(s_->Spawn(counted));  // the last arrival
    Spin((r % 8) * 5'000);
    hs[r % (kParties - 1)].Cancel("race");
    TaskResult<bool> victim = hs[r % (kParties - 1)].Join();
    ASSERT_TRUE(victim.completed() || victim.cancelled());
    if (victim.cancelled()) {
      // Withdrawn before the phase completed: its arrival no longer counts.
      arrivals.fetch_sub(1);
      hs.push_back(s_->Spawn(counted));
    }
    int leaders = 0;
    for (size_t i = 0; i < hs.size(); ++i) {
      if (i == static_cast<size_t>(r % (kParties - 1))) {
        leaders += victim.completed() && victim.value();
        continue;
      }
      TaskResult<bool> res = hs[i].Join();
      ASSERT_TRUE(res.completed());
      leaders += res.value();
    }
    ASSERT_EQ(leaders, 1) << "round " << r;
    ASSERT_EQ(completions.load(), r + 1);
    ASSERT_EQ(barrier.phase(), static_cast<uint64_t>(r + 1));
    ASSERT_EQ(barrier.waiters(), 0u);
  }
  EXPECT_EQ(bad.load(), 0);
}

// ---------------------------------------------------------------------------
// Once

// Many Once objects, each raced by tasks and threads: every function runs
// exactly once, and every caller returns after it, seeing its effect.
TEST_P(SyncPrimitivesTest, OnceRunsExactlyOnce) {
  const int kOnces = kTsanBuild ? 60 : 400;
  constexpr int kTasks = 8;
  constexpr int kThreads = 2;
  std::vector<Once> onces(kOnces);
  std::vector<std::atomic<int>> runs(kOnces);
  std::vector<int> values(kOnces, 0);
  std::atomic<int> bad{0};
  auto caller = [&](int id) {
    for (int k = 0; k < kOnces; ++k) {
      const int i = (id % 2 == 0) ? k : kOnces - 1 - k;
      onces[i].Call([&, i] {
        runs[i].fetch_add(1);
        if (i % 3 == 0) Yield();  // others come and wait meanwhile
        values[i] = i + 1;
      });
      if (!onces[i].done() || values[i] != i + 1) ++bad;
    }
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t)
    hs.push_back(s_->Spawn([&, t] { caller(t); }));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(caller, kTasks + t);
  for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  for (int i = 0; i < kOnces; ++i) {
    EXPECT_EQ(runs[i].load(), 1) << "once " << i;
    EXPECT_TRUE(onces[i].done());
  }
}

// std::call_once semantics: a throwing call leaves the Once not done and
// the next caller runs it again; afterwards nothing runs. CallOnce()
// forwards arguments.
TEST_P(SyncPrimitivesTest, OnceRetriesAfterException) {
  Once once;
  EXPECT_FALSE(once.done());
  EXPECT_THROW(once.Call([] { throw std::runtime_error("first"); }),
               std::runtime_error);
  EXPECT_FALSE(once.done());
  int value = 0;
  auto h = s_->Spawn([&] {
    CallOnce(
        once, [&](int v) { value = v; }, 7);
    return value;
  });
  EXPECT_EQ(h.Join().value(), 7);
  EXPECT_TRUE(once.done());
  CallOnce(
      once, [&](int v) { value = v; }, 8);
  EXPECT_EQ(value, 7);
}

// Callers waiting while the first attempt runs: it throws to its own
// caller only, one waiter runs the function again and everybody else
// returns after that run.
TEST_P(SyncPrimitivesTest, OnceWaiterTakesOverAfterException) {
  Once once;
  Event gate;
  std::atomic<int> attempts{0};
  int value = 0;
  auto fn = [&] {
    if (attempts.fetch_add(1) == 0) {
      gate.Wait();
      throw std::runtime_error("first attempt");
    }
    value = 42;
  };
  auto call = [&] {
    try {
      once.Call(fn);
    } catch (const std::runtime_error&) {
      return -1;
    }
    return value;
  };
  auto first = s_->Spawn(call);
  ASSERT_TRUE(Eventually([&] { return attempts.load() == 1; }));
  std::vector<JoinHandle<int>> waiters;
  for (int i = 0; i < 4; ++i) waiters.push_back(s_->Spawn(call));
  int thread_result = 0;
  std::thread t([&] { thread_result = call(); });
  ASSERT_TRUE(Eventually([&] { return once.waiters() == 5; }));
  gate.Set();
  EXPECT_EQ(first.Join().value(), -1);
  for (auto& w : waiters) EXPECT_EQ(w.Join().value(), 42);
  t.join();
  EXPECT_EQ(thread_result, 42);
  EXPECT_EQ(attempts.load(), 2);
  EXPECT_TRUE(once.done());
}

// A task cancelled while another caller runs the function unwinds; the
// run goes on and completes the Once for everybody else.
TEST_P(SyncPrimitivesTest, OnceCancelledWaiterUnwinds) {
  Once once;
  Event gate;
  std::atomic<bool> running{false};
  std::atomic<int> runs{0};
  auto fn = [&] {
    runs.fetch_add(1);
    running = true;
    gate.Wait();
  };
  std::thread runner([&] { once.Call(fn); });
  ASSERT_TRUE(Eventually([&] { return running.load(); }));
  std::atomic<int> drops{0};
  std::atomic<bool> started{false};
  auto cancelled = s_->Spawn([&] {
    DropCounter guard(&drops);
    started = true;
    once.Call(fn);
  });
  auto patient = s_->Spawn([&] {
    once.Call(fn);
    return once.done();
  });
  ASSERT_TRUE(Eventually([&] { return started.load(); }));
  ASSERT_TRUE(Eventually([&] { return once.waiters() == 2; }));
  cancelled.Cancel("gave up");
  EXPECT_TRUE(cancelled.Join().cancelled());
  EXPECT_EQ(drops.load(), 1);
  EXPECT_FALSE(once.done());
  EXPECT_EQ(once.waiters(), 1u);
  gate.Set();
  runner.join();
  EXPECT_TRUE(patient.Join().value());
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(once.done());
}

// Stress: functions that fail a few times and are cancelled from inside,
// callers cancelled while waiting; every Once ends done after exactly one
// successful run, and nobody is left waiting.
TEST_P(SyncPrimitivesTest, OnceStressWithFailuresAndCancellation) {
  struct Retry {};
  const int kOnces = kTsanBuild ? 40 : 200;
  const int kTasks = kTsanBuild ? 8 : 16;
  std::vector<Once> onces(kOnces);
  std::vector<std::atomic<int>> attempts(kOnces);
  std::vector<std::atomic<int>> successes(kOnces);
  auto fn = [&](int i) {
    const int a = attempts[i].fetch_add(1);
    Yield();  // a cancellation point inside the function
    if (a < i % 3) throw Retry{};
    successes[i].fetch_add(1);
  };
  auto caller = [&](int id) {
    for (int k = 0; k < kOnces; ++k) {
      const int i = (k * (id + 1)) % kOnces;
      for (;;) {
        try {
          onces[i].Call(fn, i);
          break;
        } catch (const Retry&) {
        }
      }
    }
  };
  std::vector<JoinHandle<void>> hs;
  for (int t = 0; t < kTasks; ++t)
    hs.push_back(s_->Spawn([&, t] { caller(t); }));
  for (int t = 0; t < kTasks; t += 3) {
    for (int spin = 0; spin < 300 * t; ++spin) std::this_thread::yield();
    hs[t].Cancel("race");
  }
  // A thread makes sure every Once is completed.
  std::thread finisher([&] {
    for (int i = 0; i < kOnces; ++i) {
      for (;;) {
        try {
          onces[i].Call(fn, i);
          break;
        } catch (const Retry&) {
        }
      }
    }
  });
  for (auto& h : hs) {
    TaskResult<void> r = h.Join();
    EXPECT_TRUE(r.completed() || r.cancelled());
  }
  finisher.join();
  for (int i = 0; i < kOnces; ++i) {
    EXPECT_TRUE(onces[i].done());
    EXPECT_EQ(successes[i].load(), 1) << "once " << i;
    EXPECT_GE(attempts[i].load(), i % 3 + 1) << "once " << i;
  }
}

// Cancellation racing the end of a run, round after round, for a run that
// returns and for one that throws (the woken waiter then takes over even
// if its cancellation came in the race, and a cancelled takeover leaves
// the Once not done for the next caller).
TEST_P(SyncPrimitivesTest, OnceCancelRacingFinish) {
  const int kRounds = kTsanBuild ? 100 : 400;
  for (int r = 0; r < kRounds; ++r) {
    const bool first_throws = r % 2 == 1;
    Once once;
    std::atomic<int> attempts{0};
    std::atomic<int> successes{0};
    std::atomic<bool> release{false};
    auto fn = [&] {
      const int a = attempts.fetch_add(1);
      if (a == 0 && !Eventually([&] { return release.load(); })) return;
      Yield();  // a cancellation point inside the run
      if (first_throws && a == 0) throw std::runtime_error("first");
      successes.fetch_add(1);
    };
    auto runner = s_->Spawn([&] {
      try {
        once.Call(fn);
      } catch (const std::runtime_error&) {
      }
    });
    ASSERT_TRUE(Eventually([&] { return attempts.load() == 1; }));
    auto victim = s_->Spawn([&] { once.Call(fn); });
    ASSERT_TRUE(Eventually([&] { return once.waiters() == 1; }));
    release = true;
    Spin((r % 10) * 5'000);
    victim.Cancel("race");
    ASSERT_TRUE(runner.Join().completed());
    TaskResult<void> v = victim.Join();
    ASSERT_TRUE(v.completed() || v.cancelled());
    // Whatever happened, the next caller finds it done or completes it.
    once.Call(fn);
    ASSERT_TRUE(once.done());
    ASSERT_EQ(successes.load(), 1) << "round " << r;
    ASSERT_EQ(once.waiters(), 0u);
  }
}

// ---------------------------------------------------------------------------
// Semaphore

// When the waiter at the head of the queue gives up (its timeout, or a
// cancellation), the permits it was waiting for go to the waiters behind
// it.
TEST_P(SyncPrimitivesTest, SemaphoreWaiterGivingUpPassesPermitsOn) {
  for (const bool cancel : {false, true}) {
    SCOPED_TRACE(cancel ? "head cancelled" : "head timed out");
    Semaphore sem(0);
    auto head = s_->Spawn([&] {
      if (cancel) {
        sem.Acquire(2);
        return true;
      }
      return sem.TryAcquireFor(absl::Milliseconds(200), 2);
    });
    // TryAcquire(0) fails exactly while someone waits: the head is queued.
    ASSERT_TRUE(Eventually([&] { return !sem.TryAcquire(0); }));
    auto behind =
        s_->Spawn([&] { return sem.TryAcquireFor(absl::Seconds(20), 1); });
    sem.Release(1);  // not enough for the head, which nobody overtakes
    if (cancel) {
      absl::SleepFor(absl::Milliseconds(50));
      head.Cancel("gave up");
    }
    TaskResult<bool> h = head.Join();
    EXPECT_TRUE(cancel ? h.cancelled() : !h.value()) << h;
    TaskResult<bool> b = behind.Join();
    ASSERT_TRUE(b.completed()) << b;
    EXPECT_TRUE(b.value()) << "the waiter behind never got the free permit";
    EXPECT_EQ(sem.available(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, SyncPrimitivesTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
