// Copyright 2026 The Colony Authors.
//
// SharedMutex from tasks, from threads and mixed, parameterised over worker
// counts, with stress tests that count every operation.

#include "sync/locks/shared_mutex.h"

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
#include "sync/locks/mutex.h"
#include "tests/scheduler_test_util.h"
#include "tests/sync_test_util.h"
#include "tests/workers_fixture.h"

// These tests hand locks between threads and tasks on purpose (locked in one
// function, released in another), which a static lock analysis cannot
// follow.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::kTsanBuild;
using ::colony::testing::Spin;

class SharedMutexTest : public testing::WorkersTest {};

// Tasks and threads mix shared and exclusive holds (std::shared_lock,
// std::unique_lock), holding them across suspensions: a writer is always
// alone, readers never see a write in progress, and no write is lost.
TEST_P(SharedMutexTest, ReadersAndWritersKeepInvariant) {
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
TEST_P(SharedMutexTest, ReadersHoldTogether) {
  constexpr int kReaderTasks = 6;
  constexpr int kReaders = kReaderTasks + 1;
  SharedMutex mu;
  std::atomic<int> inside{0};
  std::atomic<bool> leave{false};
  auto reader = [&] {
    std::shared_lock lock(mu);
    inside.fetch_add(1);
    const bool all = testing::YieldUntil([&] { return leave.load(); });
    inside.fetch_sub(1);
    return all;
  };
  std::vector<JoinHandle<bool>> hs;
  for (int i = 0; i < kReaderTasks; ++i) hs.push_back(s_->Spawn(reader));
  bool thread_ok = false;
  std::thread t([&] { thread_ok = reader(); });
  ASSERT_TRUE(testing::YieldUntil([&] { return inside.load() == kReaders; }));
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
TEST_P(SharedMutexTest, FifoHandOff) {
  SharedMutex mu;
  testing::EventLog log;
  std::atomic<int> pair_inside{0};
  auto reader = [&](std::string name, bool pair) {
    return [&, name, pair] {
      std::shared_lock lock(mu);
      log.Add(name + "+");
      if (pair) {
        pair_inside.fetch_add(1);
        if (!testing::YieldUntil([&] { return pair_inside.load() == 2; })) {
          log.Add(name + " alone");
        }
      }
      log.Add(name + "-");
    };
  };
  mu.lock();
  auto r1 = s_->Spawn(reader("r1", true));
  ASSERT_TRUE(testing::YieldUntil([&] { return mu.waiters() == 1; }));
  auto r2 = s_->Spawn(reader("r2", true));
  ASSERT_TRUE(testing::YieldUntil([&] { return mu.waiters() == 2; }));
  std::thread w([&] {
    std::unique_lock lock(mu);
    log.Add("w+");
    log.Add("w-");
  });
  ASSERT_TRUE(testing::YieldUntil([&] { return mu.waiters() == 3; }));
  auto r3 = s_->Spawn(reader("r3", false));
  ASSERT_TRUE(testing::YieldUntil([&] { return mu.waiters() == 4; }));
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
TEST_P(SharedMutexTest, WriterNotStarvedByReaders) {
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
  ASSERT_TRUE(testing::YieldUntil([&] { return reads.load() > 100; }));
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
TEST_P(SharedMutexTest, TimedWaitsExpire) {
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
  ASSERT_TRUE(testing::YieldUntil([&] { return mu.waiters() == 2; }));
  mu.unlock();
  EXPECT_TRUE(waiter.Join().value());
  t.join();
  EXPECT_TRUE(thread_got);
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

// A writer that leaves the queue (timeout or cancellation) while the lock
// is read-held lets the readers queued behind it in at once.
TEST_P(SharedMutexTest, WithdrawnWriterAdmitsReaders) {
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
    ASSERT_TRUE(testing::YieldUntil(
        [&] { return mu.waiters() == 1 || writer.Done(); }));
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
    ASSERT_TRUE(testing::YieldUntil([&] {
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
TEST_P(SharedMutexTest, WithdrawnReaderKeepsQueue) {
  SharedMutex mu;
  mu.lock();
  auto reader =
      s_->Spawn([&] { return mu.TryLockSharedFor(absl::Milliseconds(100)); });
  ASSERT_TRUE(
      testing::YieldUntil([&] { return mu.waiters() == 1 || reader.Done(); }));
  std::atomic<bool> writer_in{false};
  auto writer = s_->Spawn([&] {
    std::scoped_lock lock(mu);
    writer_in = true;
  });
  EXPECT_FALSE(reader.Join().value());
  EXPECT_FALSE(writer_in.load());
  ASSERT_TRUE(testing::YieldUntil([&] { return mu.waiters() == 1; }));
  mu.unlock();
  ASSERT_TRUE(writer.Join().completed());
  EXPECT_TRUE(writer_in.load());
  EXPECT_TRUE(mu.try_lock_shared());
  mu.unlock_shared();
}

// std::scoped_lock over several locks (it locks one and try-locks the
// others, backing off), std::unique_lock and std::shared_lock with their
// deferred, try and timed forms.
TEST_P(SharedMutexTest, WorksWithStdLocks) {
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
TEST_P(SharedMutexTest, CancelRacingHandOff) {
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
TEST_P(SharedMutexTest, CancelRacingRelease) {
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
    ASSERT_TRUE(testing::YieldUntil([&] { return mu.waiters() == 1; }));
    auto behind = s_->Spawn([&] { std::shared_lock lock(mu); });
    ASSERT_TRUE(testing::YieldUntil([&] { return mu.waiters() == 2; }));
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

INSTANTIATE_TEST_SUITE_P(Workers, SharedMutexTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
