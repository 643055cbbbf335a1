// Copyright 2026 The Colony Authors.
//
// Service coroutines (SpawnService/UseService), Action<Args, R> and
// AsyncRunner, including the multi-step wizard driven from outside the
// scheduler, synchronously, through a mailbox and through a callback.

#include "sync/service/service.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "scheduler/scheduler.h"
#include "sync/channel/channel.h"
#include "sync/locks/event.h"
#include "sync/service/action.h"
#include "sync/service/async_runner.h"
#include "tests/scheduler_test_util.h"
#include "tests/workers_fixture.h"

namespace colony {
namespace {

using ::colony::testing::DropCounter;
using ::colony::testing::kTsanBuild;
using ::colony::testing::StartScheduler;
using ::colony::testing::Watchdog;

class ServiceTest : public testing::WorkersTest {};

struct Add {
  int64_t amount;
};

// Messages from threads and tasks all reach the service, each sender's in
// order, and Stop() lets it drain the inbox before it ends.
TEST_P(ServiceTest, ServiceDrainsEveryMessageOnStop) {
  const int kPerSender = kTsanBuild ? 500 : 5000;
  int64_t total = 0;
  std::vector<int> last_seen(4, -1);
  bool in_order = true;
  struct Tagged {
    int sender;
    int seq;
  };
  Service<Tagged> service =
      SpawnService<Tagged>(*s_, [&](Inbox<Tagged>& inbox) {
        while (std::optional<Tagged> m = inbox.Recv()) {
          if (m->seq != last_seen[m->sender] + 1) in_order = false;
          last_seen[m->sender] = m->seq;
          total += m->seq;
        }
      });
  ServiceHandle<Tagged> handle = service.handle();
  std::vector<JoinHandle<void>> senders;
  for (int t = 0; t < 2; ++t) {
    senders.push_back(s_->Spawn([handle, t] {
      for (int i = 0; i < kPerSender; ++i) ASSERT_TRUE(handle.Send({t, i}));
    }));
  }
  std::vector<std::thread> threads;
  for (int t = 2; t < 4; ++t) {
    threads.emplace_back([handle, t] {
      for (int i = 0; i < kPerSender; ++i) ASSERT_TRUE(handle.Send({t, i}));
    });
  }
  for (auto& h : senders) h.Join();
  for (auto& t : threads) t.join();
  EXPECT_TRUE(service.Stop().completed());
  EXPECT_TRUE(in_order);
  EXPECT_EQ(total, int64_t{4} * kPerSender * (kPerSender - 1) / 2);
  for (int s = 0; s < 4; ++s) EXPECT_EQ(last_seen[s], kPerSender - 1);
  EXPECT_TRUE(handle.stopped());
  EXPECT_FALSE(handle.Send({0, 0}));        // after the service ended
  EXPECT_TRUE(service.Stop().cancelled());  // idempotent
}

// The handle is found by message type in the spawning task and in the
// tasks it spawns afterwards, however deep; not elsewhere.
TEST_P(ServiceTest, UseServiceFindsTheHandleByMessageType) {
  std::atomic<int64_t> sum{0};
  auto root = s_->Spawn([&] {
    Service<Add> adder =
        SpawnService<Add>(*Scheduler::Current(), [&](Inbox<Add>& inbox) {
          while (std::optional<Add> m = inbox.Recv()) sum += m->amount;
        });
    EXPECT_NE(UseService<Add>(), nullptr);
    EXPECT_EQ(UseService<int>(), nullptr);  // no service for int messages
    auto child = Spawn([] {
      // A grandchild, spawned from the child.
      return Spawn([] {
               std::shared_ptr<const ServiceHandle<Add>> h = UseService<Add>();
               return h != nullptr && h->Send({40});
             })
                 .Join()
                 .value() &&
             UseService<Add>()->Send({2});
    });
    EXPECT_TRUE(child.Join().value());
    return adder.Stop().completed();
  });
  EXPECT_TRUE(root.Join().value());
  EXPECT_EQ(sum.load(), 42);
  // A task that does not descend from the provider does not see it.
  auto stranger = s_->Spawn([] { return UseService<Add>() == nullptr; });
  EXPECT_TRUE(stranger.Join().value());
}

TEST_P(ServiceTest, CancelledServiceRunsItsDestructors) {
  std::atomic<int> drops{0};
  std::atomic<int> received{0};
  Service<Add> service = SpawnService<Add>(
      *s_, [&, guard = std::make_shared<DropCounter>(&drops)](Inbox<Add>& in) {
        DropCounter on_stack(&drops);
        while (in.Recv()) received.fetch_add(1);
      });
  ASSERT_TRUE(service.handle().Send({1}));
  while (received.load() < 1) std::this_thread::yield();
  EXPECT_TRUE(service.Cancel("shutting down").cancelled());
  EXPECT_EQ(drops.load(), 2);  // the stack object and the captured one
}

// A new Call() cancels the pending run; only the latest call publishes.
TEST_P(ServiceTest, ActionCallReplacesThePendingRun) {
  std::atomic<int> cancelled_runs{0};
  std::atomic<int> started{0};
  Event gate;
  Action<int, int> action(*s_, [&](int x) {
    started.fetch_add(1);
    struct OnUnwind {
      std::atomic<int>* n;
      ~OnUnwind() {
        if (std::uncaught_exceptions() > 0) n->fetch_add(1);
      }
    } on_unwind{&cancelled_runs};
    gate.Wait();  // a cancellation point
    return x * 10;
  });
  EXPECT_FALSE(action.Value().has_value());
  EXPECT_FALSE(action.Pending());
  action.Call(1);
  EXPECT_TRUE(action.Pending());
  while (started.load() < 1) std::this_thread::yield();
  action.Call(2);
  while (started.load() < 2) std::this_thread::yield();
  action.Call(3);
  while (started.load() < 3) std::this_thread::yield();
  // Runs 1 and 2 were cancelled while waiting at the gate: they unwind
  // before it opens (an open gate would win the race with a cancellation
  // not yet seen, and the run would return, its result dropped).
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (cancelled_runs.load() < 2 && absl::Now() < deadline) {
    std::this_thread::yield();
  }
  gate.Set();
  std::optional<absl::StatusOr<int>> v = action.Wait();
  ASSERT_TRUE(v.has_value());
  ASSERT_TRUE(v->ok()) << v->status();
  EXPECT_EQ(**v, 30);
  EXPECT_FALSE(action.Pending());
  // Runs 1 and 2 were waiting at the gate and unwound.
  EXPECT_EQ(cancelled_runs.load(), 2);
  // Later calls publish again.
  action.Call(4);
  EXPECT_EQ(*action.Wait().value(), 40);
}

// A Wait() that began while run 1 was pending returns once the call that
// replaced it publishes.
TEST_P(ServiceTest, ActionWaitOutlastsAReplacedRun) {
  Watchdog dog(std::chrono::seconds(60), "Action::Wait() after a new Call()");
  Event gate;  // never set: run 1 waits until it is cancelled
  std::atomic<int> started{0};
  Action<int, int> action(*s_, [&](int x) {
    started.fetch_add(1);
    if (x == 1) gate.Wait();
    return x * 10;
  });
  action.Call(1);
  while (started.load() < 1) std::this_thread::yield();
  std::optional<absl::StatusOr<int>> seen;
  std::thread waiter([&] { seen = action.Wait(); });
  // Let the waiter reach its wait on run 1; a late waiter only makes the
  // test pass without probing the replacement.
  absl::SleepFor(absl::Milliseconds(50));
  action.Call(2);
  waiter.join();
  ASSERT_TRUE(seen.has_value());
  ASSERT_TRUE(seen->ok()) << seen->status();
  EXPECT_EQ(**seen, 20);
}

// A Call() the scheduler refuses (it stopped) publishes kCancelled instead
// of deadlocking.
TEST_P(ServiceTest, ActionCallAfterSchedulerStopped) {
  Action<int, int> action(*s_, [](int x) { return x; });
  ASSERT_TRUE(s_->Stop().ok());
  Watchdog dog(std::chrono::seconds(60), "Action::Call() after Stop()");
  action.Call(1);
  EXPECT_FALSE(action.Pending());
  std::optional<absl::StatusOr<int>> v = action.Wait();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(absl::IsCancelled(v->status())) << v->status();
}

TEST_P(ServiceTest, ActionReportsErrorsAndCancellation) {
  Action<std::string, int> parse(*s_, [](std::string s) -> absl::StatusOr<int> {
    if (s.empty()) return absl::InvalidArgumentError("empty input");
    if (s == "throw") throw std::runtime_error("parser exploded");
    return static_cast<int>(s.size());
  });
  parse.Call("");
  auto v = parse.Wait();
  EXPECT_EQ(v->status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v->status().message(), "empty input");
  parse.Call("throw");
  v = parse.Wait();
  EXPECT_EQ(v->status().code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(v->status().message(), "parser exploded");
  parse.Call("four");
  EXPECT_EQ(*parse.Wait().value(), 4);

  Event never;
  Event running;
  Action<int, int> slow(*s_, [&](int x) {
    running.Set();
    never.Wait();
    return x;
  });
  slow.Call(1);
  // Cancel a run that has started (one cancelled before it starts reports
  // "cancelled before it started" instead).
  running.Wait();
  slow.Cancel("user gave up");
  v = slow.Wait();
  EXPECT_EQ(v->status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(v->status().message(), "user gave up");
  EXPECT_FALSE(slow.Pending());
}

// Destroying an Action cancels its runs and waits for them.
TEST_P(ServiceTest, ActionDestructionStopsItsRuns) {
  std::atomic<int> drops{0};
  std::atomic<int> started{0};
  Event never;
  {
    Action<int, int> action(*s_, [&](int x) {
      DropCounter on_stack(&drops);
      started.fetch_add(1);
      never.Wait();
      return x;
    });
    for (int i = 0; i < 5; ++i) {
      action.Call(i);
      while (started.load() < i + 1) std::this_thread::yield();
    }
  }
  // All five runs started; the destructor returned only after every one
  // of them unwound (replaced ones included).
  EXPECT_EQ(drops.load(), 5);
}

// Rapid calls from a thread: the published value is always the last
// call's, never a replaced one's.
TEST_P(ServiceTest, ActionUnderRapidCallsPublishesTheLatest) {
  const int kCalls = kTsanBuild ? 200 : 2000;
  Action<int, int> action(*s_, [](int x) {
    if (x % 3 == 0) Yield();
    return x;
  });
  for (int i = 0; i < kCalls; ++i) {
    action.Call(i);
    if (i % 100 == 99) {
      EXPECT_EQ(*action.Wait().value(), i);
    }
  }
  EXPECT_EQ(*action.Wait().value(), kCalls - 1);
}

// The seed's multi-step wizard.
struct User {
  std::string name;
  std::string email;
};
using Wizard = AsyncRunner<std::string, std::string, User>;

User WizardSteps(Wizard::Suspender& s) {
  std::string name = s.Yield("get_name");
  std::string email = s.Yield("get_email", std::any(1));
  return User{name, email};
}

TEST_P(ServiceTest, WizardDrivenSynchronously) {
  auto started = Wizard::RunSync(*s_, WizardSteps, {.tag = "wizard"});
  ASSERT_TRUE(started.ok()) << started.status();
  auto& [runner, first] = *started;
  EXPECT_EQ(first.tag, "wizard");
  ASSERT_TRUE(first.yielded());
  EXPECT_EQ(first.yielded_value(), "get_name");
  // Resuming a computation that is not waiting fails and sends nothing.
  absl::StatusOr<Wizard::Event> e = runner->ResumeSync("Alice");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->yielded());
  EXPECT_EQ(e->yielded_value(), "get_email");
  EXPECT_EQ(std::any_cast<int>(e->yielded_data()), 1);
  e = runner->ResumeSync("alice@example.com");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->completed());
  EXPECT_EQ(e->value().name, "Alice");
  EXPECT_EQ(e->value().email, "alice@example.com");
  EXPECT_TRUE(runner->done());
  EXPECT_EQ(runner->ResumeSync("again").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(runner->CancelSync().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(ServiceTest, WizardDrivenThroughAMailbox) {
  auto mailbox = std::make_shared<Channel<Wizard::Event>>(kUnbounded);
  auto runner =
      Wizard::Run(*s_, WizardSteps, {.tag = "signup", .mailbox = mailbox});
  ASSERT_TRUE(runner.ok()) << runner.status();
  std::vector<std::string> steps;
  std::optional<User> user;
  while (!user.has_value()) {
    std::optional<Wizard::Event> e = mailbox->Recv();
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->tag, "signup");
    if (e->yielded()) {
      steps.push_back(e->yielded_value());
      ASSERT_TRUE((*runner)
                      ->Resume(e->yielded_value() == "get_name"
                                   ? "Bob"
                                   : "bob@example.com")
                      .ok());
    } else {
      ASSERT_TRUE(e->completed());
      user = e->value();
    }
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"get_name", "get_email"}));
  EXPECT_EQ(user->name, "Bob");
  EXPECT_EQ(user->email, "bob@example.com");
  EXPECT_EQ(mailbox->size(), 0u);  // one event per step, nothing extra
}

// Events through a callback, which resumes the wizard itself.
TEST_P(ServiceTest, WizardDrivenByItsCallback) {
  std::mutex mu;
  std::vector<std::string> log;
  Notification finished;
  Wizard* self = nullptr;
  Notification ready;
  auto runner = Wizard::Run(
      *s_, WizardSteps,
      {.tag = "cb", .callback = [&](Wizard::Event e) {
         ready.WaitForNotification();
         std::lock_guard<std::mutex> lock(mu);
         if (e.yielded()) {
           log.push_back(e.yielded_value());
           EXPECT_TRUE(
               self->Resume(e.yielded_value() == "get_name" ? "Cy" : "cy@x")
                   .ok());
         } else {
           log.push_back(e.completed() ? e.value().name + " " + e.value().email
                                       : "not completed");
           finished.Notify();
         }
       }});
  ASSERT_TRUE(runner.ok());
  self = runner->get();
  ready.Notify();
  finished.WaitForNotification();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(log,
            (std::vector<std::string>{"get_name", "get_email", "Cy cy@x"}));
}

TEST_P(ServiceTest, RunnerRejectsBadUse) {
  auto mailbox = std::make_shared<Channel<Wizard::Event>>(kUnbounded);
  EXPECT_EQ(Wizard::Run(*s_, WizardSteps, {.tag = "none"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Wizard::Run(
          *s_, WizardSteps,
          {.tag = "both", .mailbox = mailbox, .callback = [](Wizard::Event) {}})
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  // Resume while the computation is still running (not in Yield()).
  Event gate;
  auto busy = Wizard::Run(*s_,
                          [&](Wizard::Suspender& s) {
                            gate.Wait();
                            return WizardSteps(s);
                          },
                          {.tag = "busy", .mailbox = mailbox});
  ASSERT_TRUE(busy.ok());
  absl::Status st = (*busy)->Resume("too early");
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("busy"), std::string::npos) << st;
  gate.Set();
  EXPECT_EQ(mailbox->Recv()->yielded_value(), "get_name");
  // Without a sink only the sync forms may drive it.
  auto sync_only = Wizard::RunSync(*s_, WizardSteps, {.tag = "s"});
  ASSERT_TRUE(sync_only.ok());
  EXPECT_EQ(sync_only->first->Resume("x").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(sync_only->first->ResumeSync("x")->yielded());
}

TEST_P(ServiceTest, RunnerCancelAndFailure) {
  std::atomic<int> drops{0};
  auto cancel_me = Wizard::RunSync(*s_,
                                   [&](Wizard::Suspender& s) {
                                     DropCounter on_stack(&drops);
                                     return WizardSteps(s);
                                   },
                                   {.tag = "c"});
  ASSERT_TRUE(cancel_me.ok());
  absl::StatusOr<Wizard::Event> e =
      cancel_me->first->CancelSync("user closed the dialog");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->cancelled());
  EXPECT_EQ(e->cancel_reason(), "user closed the dialog");
  EXPECT_EQ(drops.load(), 1);
  EXPECT_EQ(cancel_me->first->Resume("late").code(),
            absl::StatusCode::kFailedPrecondition);

  auto fails = Wizard::RunSync(*s_,
                               [](Wizard::Suspender& s) -> User {
                                 s.Yield("get_name");
                                 throw std::runtime_error("no such user");
                               },
                               {.tag = "f"});
  ASSERT_TRUE(fails.ok());
  e = fails->first->ResumeSync("Dee");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->failed());
  EXPECT_EQ(e->error_message(), "no such user");

  // Destroying a runner cancels its computation and waits for it.
  {
    auto dropped = Wizard::RunSync(*s_,
                                   [&](Wizard::Suspender& s) {
                                     DropCounter on_stack(&drops);
                                     return WizardSteps(s);
                                   },
                                   {.tag = "d"});
    ASSERT_TRUE(dropped.ok());
  }
  EXPECT_EQ(drops.load(), 2);
}

// Cancelled before the computation ever ran: a Cancelled event still
// arrives, with the reason.
TEST(AsyncRunnerTest, CancelBeforeStartStillReports) {
  auto created = Scheduler::Create({.workers = 1});
  ASSERT_TRUE(created.ok());
  Scheduler& s = **created;
  auto mailbox = std::make_shared<Channel<Wizard::Event>>(kUnbounded);
  std::atomic<bool> ran{false};
  auto runner = Wizard::Run(s,
                            [&](Wizard::Suspender& su) {
                              ran = true;
                              return WizardSteps(su);
                            },
                            {.tag = "early", .mailbox = mailbox});
  ASSERT_TRUE(runner.ok());
  ASSERT_TRUE((*runner)->Cancel("not needed after all").ok());
  ASSERT_TRUE(s.Start().ok());
  std::optional<Wizard::Event> e = mailbox->Recv();
  ASSERT_TRUE(e.has_value());
  ASSERT_TRUE(e->cancelled());
  EXPECT_EQ(e->cancel_reason(), "not needed after all");
  EXPECT_FALSE(ran.load());
  runner->reset();
  EXPECT_TRUE(s.Stop().ok());
}

INSTANTIATE_TEST_SUITE_P(Workers, ServiceTest, ::testing::Values(1, 2, 4),
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
