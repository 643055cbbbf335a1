// Copyright 2026 The Colony Authors.
//
// Channel<T> and Select() from tasks, from threads and mixed, over every
// channel shape and several worker counts. The stress tests count every
// value: each one sent is received exactly once, close drains what is
// left, and cancelled or timed-out waits lose nothing.

#include "sync/channel/channel.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "sync/channel/select.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::kTsanBuild;
using ::colony::testing::StartScheduler;
using ::colony::testing::Watchdog;

class ChannelTest : public testing::WorkersTest {};

// Checks that every value in [0, total) was seen exactly once.
void ExpectEachOnce(const std::vector<std::atomic<int>>& seen,
                    const std::string& what) {
  int bad = 0;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i].load() != 1 && ++bad <= 5) {
      ADD_FAILURE() << what << ": value " << i << " seen " << seen[i].load()
                    << " times";
    }
  }
  EXPECT_EQ(bad, 0) << what;
}

const size_t kShapes[] = {0, 1, 16, kUnbounded};

// Many producers (tasks and a thread) and consumers (tasks and a thread)
// over every channel shape: each value arrives exactly once, and after
// Close() the consumers drain what is left and see the end.
TEST_P(ChannelTest, DeliversEachValueOnce) {
  const int kPerProducer = kTsanBuild ? 300 : 3000;
  constexpr int kTaskProducers = 4;
  constexpr int kProducers = kTaskProducers + 1;
  for (size_t capacity : kShapes) {
    Channel<int> ch(capacity);
    const int total = kProducers * kPerProducer;
    std::vector<std::atomic<int>> seen(total);
    auto produce = [&](int p) {
      for (int i = 0; i < kPerProducer; ++i) {
        ASSERT_TRUE(ch.Send(p * kPerProducer + i));
      }
    };
    auto consume = [&] {
      while (std::optional<int> v = ch.Recv()) seen[*v].fetch_add(1);
    };
    std::vector<JoinHandle<void>> producers, consumers;
    for (int p = 0; p < kTaskProducers; ++p) {
      producers.push_back(s_->Spawn([&, p] { produce(p); }));
    }
    for (int c = 0; c < 3; ++c) consumers.push_back(s_->Spawn(consume));
    std::thread thread_producer(produce, kTaskProducers);
    std::thread thread_consumer(consume);
    for (auto& h : producers) ASSERT_TRUE(h.Join().completed());
    thread_producer.join();
    ch.Close();
    for (auto& h : consumers) ASSERT_TRUE(h.Join().completed());
    thread_consumer.join();
    ExpectEachOnce(seen, "capacity " + std::to_string(capacity));
    EXPECT_FALSE(ch.Send(1));
    EXPECT_FALSE(ch.Recv().has_value());
  }
}

// One producer's values arrive in the order sent.
TEST_P(ChannelTest, KeepsOneSendersOrder) {
  const int kCount = kTsanBuild ? 2000 : 20000;
  for (size_t capacity : kShapes) {
    Channel<int> ch(capacity);
    auto producer = s_->Spawn([&] {
      for (int i = 0; i < kCount; ++i) ch.Send(i);
      ch.Close();
    });
    int expected = 0;
    while (std::optional<int> v = ch.Recv()) {
      ASSERT_EQ(*v, expected) << "capacity " << capacity;
      ++expected;
    }
    EXPECT_EQ(expected, kCount);
    EXPECT_TRUE(producer.Join().completed());
  }
}

TEST_P(ChannelTest, TryAndTimedOperations) {
  Channel<int> bounded(1);
  EXPECT_TRUE(bounded.TrySend(1));
  EXPECT_FALSE(bounded.TrySend(2));  // full
  EXPECT_FALSE(bounded.SendFor(3, absl::Milliseconds(1)));
  EXPECT_EQ(bounded.size(), 1u);
  EXPECT_EQ(bounded.TryRecv(), 1);
  EXPECT_FALSE(bounded.TryRecv().has_value());
  EXPECT_FALSE(bounded.RecvFor(absl::Milliseconds(1)).has_value());
  Channel<int> rendezvous;
  EXPECT_FALSE(rendezvous.TrySend(1));  // nobody receiving
  auto receiver =
      s_->Spawn([&] { return rendezvous.RecvFor(absl::Seconds(30)); });
  ASSERT_TRUE(rendezvous.SendFor(7, absl::Seconds(30)));
  EXPECT_EQ(receiver.Join().value(), 7);
  // Timed out in a task, too.
  auto timed =
      s_->Spawn([&] { return rendezvous.RecvFor(absl::Milliseconds(2)); });
  EXPECT_FALSE(timed.Join().value().has_value());
  auto timed_send =
      s_->Spawn([&] { return rendezvous.SendFor(1, absl::Milliseconds(2)); });
  EXPECT_FALSE(timed_send.Join().value());
  Channel<std::unique_ptr<int>> move_only(kUnbounded);
  EXPECT_TRUE(move_only.Send(std::make_unique<int>(5)));
  EXPECT_EQ(*move_only.Recv().value(), 5);
}

TEST_P(ChannelTest, CloseWakesWaitersAndDrains) {
  Channel<int> ch;  // rendezvous
  Channel<int> full(1);
  ASSERT_TRUE(full.TrySend(0));
  std::atomic<int> parked{0};
  auto r = s_->Spawn([&] {
    parked.fetch_add(1);
    return ch.Recv();
  });
  auto s = s_->Spawn([&] {
    parked.fetch_add(1);
    return full.Send(1);
  });
  std::thread thread_receiver([&] { EXPECT_FALSE(ch.Recv().has_value()); });
  while (parked.load() < 2) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(2));
  ch.Close();
  full.Close();
  ch.Close();  // idempotent
  EXPECT_TRUE(ch.closed());
  EXPECT_FALSE(r.Join().value().has_value());
  EXPECT_FALSE(s.Join().value());
  thread_receiver.join();
  EXPECT_EQ(full.Recv(), 0);  // drained after close
  EXPECT_FALSE(full.Recv().has_value());
  EXPECT_FALSE(full.TrySend(2));
}

// A task cancelled while waiting unwinds; the channel still works and
// nothing it would have received is lost.
TEST_P(ChannelTest, CancelledWaiterLeavesChannelConsistent) {
  Channel<int> ch;
  std::atomic<bool> started{false};
  auto receiver = s_->Spawn([&] {
    started = true;
    return ch.Recv();
  });
  while (!started.load()) std::this_thread::yield();
  absl::SleepFor(absl::Milliseconds(1));
  receiver.Cancel("no longer needed");
  EXPECT_TRUE(receiver.Join().cancelled());
  auto r2 = s_->Spawn([&] { return ch.Recv(); });
  ASSERT_TRUE(ch.Send(5));
  EXPECT_EQ(r2.Join().value(), 5);
}

// Receivers are cancelled while producers send: every value whose Send()
// returned true is received by exactly one receiver or is still queued.
TEST_P(ChannelTest, CancelRacingSendLosesNothing) {
  const int kRounds = kTsanBuild ? 20 : 100;
  for (size_t capacity : {size_t{0}, size_t{4}}) {
    for (int round = 0; round < kRounds; ++round) {
      Channel<int> ch(capacity);
      constexpr int kReceivers = 8;
      std::atomic<int> received{0};
      std::vector<JoinHandle<void>> rs;
      for (int i = 0; i < kReceivers; ++i) {
        rs.push_back(s_->Spawn([&] {
          while (std::optional<int> v = ch.Recv()) received.fetch_add(1);
        }));
      }
      int sent = 0;
      for (int i = 0; i < kReceivers; ++i) {
        if (ch.SendFor(i, absl::Milliseconds(1))) ++sent;
        rs[i].Cancel("racing");
      }
      for (auto& h : rs) h.Join();
      ch.Close();
      int left = 0;
      while (ch.Recv()) ++left;
      ASSERT_EQ(received.load() + left, sent)
          << "capacity " << capacity << " round " << round;
    }
  }
}

// Close() while producers and consumers are busy: values sent before the
// close are all received once; sends after it fail and are not received.
TEST_P(ChannelTest, CloseUnderLoadDrainsExactly) {
  const int kPerProducer = kTsanBuild ? 500 : 5000;
  for (size_t capacity : kShapes) {
    Channel<int> ch(capacity);
    constexpr int kProducers = 4;
    std::vector<std::atomic<int>> seen(kProducers * kPerProducer);
    std::vector<std::atomic<int>> accepted(kProducers * kPerProducer);
    std::vector<JoinHandle<void>> hs;
    for (int p = 0; p < kProducers; ++p) {
      hs.push_back(s_->Spawn([&, p] {
        for (int i = 0; i < kPerProducer; ++i) {
          const int v = p * kPerProducer + i;
          if (!ch.Send(v)) return;
          accepted[v] = 1;
        }
      }));
    }
    std::vector<JoinHandle<void>> cs;
    for (int c = 0; c < 2; ++c) {
      cs.push_back(s_->Spawn([&] {
        while (std::optional<int> v = ch.Recv()) seen[*v].fetch_add(1);
      }));
    }
    absl::SleepFor(absl::Microseconds(300));
    ch.Close();
    for (auto& h : hs) ASSERT_TRUE(h.Join().completed());
    for (auto& h : cs) ASSERT_TRUE(h.Join().completed());
    for (size_t i = 0; i < seen.size(); ++i) {
      ASSERT_EQ(seen[i].load(), accepted[i].load())
          << "capacity " << capacity << " value " << i;
    }
  }
}

TEST_P(ChannelTest, SelectTakesTheReadyCase) {
  Channel<int> a(1), b(1);
  ASSERT_TRUE(b.TrySend(42));
  std::optional<int> got;
  const int picked = Select(
      OnRecv(a, [&](std::optional<int>) { ADD_FAILURE() << "a was empty"; }),
      OnRecv(b, [&](std::optional<int> v) { got = v; }));
  EXPECT_EQ(picked, 1);
  EXPECT_EQ(got, 42);
  // A send case with room; the value lands in the channel.
  bool sent = false;
  EXPECT_EQ(Select(OnRecv(b, [](std::optional<int>) {}),
                   OnSend(a, 7, [&](bool ok) { sent = ok; })),
            1);
  EXPECT_TRUE(sent);
  EXPECT_EQ(a.TryRecv(), 7);
  // Nothing ready: the default runs and nothing moves.
  bool defaulted = false;
  EXPECT_EQ(Select(OnRecv(a, [](std::optional<int>) {}),
                   OnDefault([&] { defaulted = true; })),
            1);
  EXPECT_TRUE(defaulted);
  // Nothing ready: the timeout fires, in a task and in a thread.
  auto h = s_->Spawn([&] {
    return Select(OnRecv(a, [](std::optional<int>) {}),
                  OnTimeout(absl::Milliseconds(2), [] {}));
  });
  EXPECT_EQ(h.Join().value(), 1);
  EXPECT_EQ(Select(OnTimeout(absl::Now() + absl::Milliseconds(2), [] {}),
                   OnRecv(a, [](std::optional<int>) {})),
            0);
  EXPECT_EQ(a.size(), 0u);
}

TEST_P(ChannelTest, SelectSeesCloseAsReady) {
  Channel<int> a, b;
  auto h = s_->Spawn([&] {
    bool closed = false;
    bool send_failed = false;
    int picked = Select(
        OnRecv(a, [&](std::optional<int> v) { closed = !v.has_value(); }),
        OnSend(b, 1, [&](bool ok) { send_failed = !ok; }));
    return std::make_pair(picked, picked == 0 ? closed : send_failed);
  });
  absl::SleepFor(absl::Milliseconds(2));
  b.Close();
  auto [picked, outcome] = h.Join().value();
  EXPECT_EQ(picked, 1);
  EXPECT_TRUE(outcome);
  // Both closed and ready: either case may be taken, and both report it.
  a.Close();
  bool saw_end = false;
  Select(OnRecv(a, [&](std::optional<int> v) { saw_end = !v.has_value(); }),
         OnSend(b, 2, [&](bool ok) { saw_end = !ok; }));
  EXPECT_TRUE(saw_end);
}

// Among cases that are always ready, each is taken a fair share of times.
TEST_P(ChannelTest, SelectIsFairAmongReadyCases) {
  Channel<int> a(kUnbounded), b(kUnbounded), c(kUnbounded);
  constexpr int kSelects = 3000;
  for (int i = 0; i < kSelects; ++i) {
    a.TrySend(i);
    b.TrySend(i);
    c.TrySend(i);
  }
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < kSelects; ++i) {
    const int picked = Select(OnRecv(a, [](std::optional<int>) {}),
                              OnRecv(b, [](std::optional<int>) {}),
                              OnRecv(c, [](std::optional<int>) {}));
    ++counts[picked];
  }
  for (int k = 0; k < 3; ++k) {
    // An even split is 1000 each; a starved case would be near 0.
    EXPECT_GT(counts[k], kSelects / 6) << "case " << k;
  }
}

// Two selects meet on one rendezvous channel: one sends, one receives.
TEST_P(ChannelTest, SelectMeetsSelect) {
  Channel<int> ch, never;
  auto receiver = s_->Spawn([&] {
    std::optional<int> got;
    Select(OnRecv(never, [](std::optional<int>) {}),
           OnRecv(ch, [&](std::optional<int> v) { got = v; }));
    return got;
  });
  bool sent = false;
  std::thread sender([&] {
    Select(OnSend(ch, 9, [&](bool ok) { sent = ok; }),
           OnRecv(never, [](std::optional<int>) {}));
  });
  EXPECT_EQ(receiver.Join().value(), 9);
  sender.join();
  EXPECT_TRUE(sent);
}

// Consumers select over two channels fed by many producers, some of them
// also selecting to send: every value is received exactly once.
TEST_P(ChannelTest, SelectStressCountsEveryValue) {
  const int kPerProducer = kTsanBuild ? 300 : 3000;
  for (size_t capacity : {size_t{0}, size_t{8}}) {
    Channel<int> a(capacity), b(capacity);
    constexpr int kProducers = 4;
    const int total = kProducers * kPerProducer;
    std::vector<std::atomic<int>> seen(total);
    std::vector<JoinHandle<void>> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.push_back(s_->Spawn([&, p] {
        for (int i = 0; i < kPerProducer; ++i) {
          const int v = p * kPerProducer + i;
          if (p % 2 == 0) {
            ASSERT_TRUE((p % 4 == 0 ? a : b).Send(v));
          } else {
            bool ok = false;
            Select(OnSend(a, v, [&](bool sent) { ok = sent; }),
                   OnSend(b, v, [&](bool sent) { ok = sent; }));
            ASSERT_TRUE(ok);
          }
        }
      }));
    }
    auto consume = [&] {
      bool a_open = true, b_open = true;
      while (a_open || b_open) {
        auto on = [&](bool& still_open) {
          return [&](std::optional<int> v) {
            if (v) {
              seen[*v].fetch_add(1);
            } else {
              still_open = false;
            }
          };
        };
        if (a_open && b_open) {
          Select(OnRecv(a, on(a_open)), OnRecv(b, on(b_open)));
        } else if (a_open) {
          on(a_open)(a.Recv());
        } else {
          on(b_open)(b.Recv());
        }
      }
    };
    std::vector<JoinHandle<void>> consumers;
    for (int c = 0; c < 3; ++c) consumers.push_back(s_->Spawn(consume));
    std::thread thread_consumer(consume);
    for (auto& h : producers) ASSERT_TRUE(h.Join().completed());
    a.Close();
    b.Close();
    for (auto& h : consumers) ASSERT_TRUE(h.Join().completed());
    thread_consumer.join();
    ExpectEachOnce(seen, "select capacity " + std::to_string(capacity));
  }
}

// A select cancelled while waiting throws and takes nothing: values sent
// around the cancellation are all received elsewhere or still queued.
TEST_P(ChannelTest, CancelledSelectTakesNothing) {
  const int kRounds = kTsanBuild ? 20 : 100;
  for (int round = 0; round < kRounds; ++round) {
    Channel<int> a, b(2);
    std::atomic<int> got{0};
    std::atomic<bool> started{false};
    auto h = s_->Spawn([&] {
      started = true;
      for (;;) {
        Select(OnRecv(a, [&](std::optional<int> v) { got += v.has_value(); }),
               OnRecv(b, [&](std::optional<int> v) { got += v.has_value(); }));
      }
    });
    while (!started.load()) std::this_thread::yield();
    int sent = 0;
    sent += a.SendFor(1, absl::Microseconds(200)) ? 1 : 0;
    h.Cancel("racing");
    sent += b.TrySend(2) ? 1 : 0;
    EXPECT_TRUE(h.Join().cancelled());
    b.Close();
    int left = 0;
    while (b.Recv()) ++left;
    ASSERT_EQ(got.load() + left, sent) << "round " << round;
  }
}

// A value whose move constructor throws when asked to.
struct Fragile {
  int v = 0;
  bool throw_on_move = false;
  Fragile(int value, bool fail) : v(value), throw_on_move(fail) {}
  Fragile(Fragile&& other) : v(other.v) {
    if (other.throw_on_move) throw std::runtime_error("move failed");
  }
  Fragile& operator=(Fragile&&) = default;
};

// A hand-off to a waiting receiver that throws (moving the value failed)
// fails the send, and the receiver keeps waiting for the next value.
TEST_P(ChannelTest, ReceiverSurvivesAHandOffThatThrows) {
  Watchdog dog(std::chrono::seconds(120), "a receiver after a failed hand-off");
  for (const size_t capacity : {size_t{0}, size_t{4}}) {
    SCOPED_TRACE(capacity == 0 ? "rendezvous" : "buffered");
    Channel<Fragile> ch(capacity);
    std::atomic<bool> receiving{false};
    auto receiver = s_->Spawn([&] {
      receiving.store(true);
      std::optional<Fragile> got = ch.RecvFor(absl::Seconds(30));
      return got.has_value() ? got->v : -1;
    });
    while (!receiving.load()) std::this_thread::yield();
    // Let the receiver queue; a late one only misses the failing hand-off.
    absl::SleepFor(absl::Milliseconds(50));
    bool threw = false;
    try {
      ch.Send(Fragile(1, /*fail=*/true));
    } catch (const std::runtime_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
    EXPECT_TRUE(ch.SendFor(Fragile(2, false), absl::Seconds(30)));
    EXPECT_EQ(receiver.Join().value(), 2);
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, ChannelTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
