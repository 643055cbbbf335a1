// Copyright 2026 The Colony Authors.
//
// CoroutineLocal<T> and ProvideContext/UseContext: lazy construction,
// destruction however a coroutine ends, isolation, the per-thread fallback,
// migration, inheritance into spawned children and context shadowing. A
// scheduler's spawn is modelled by SpawnFromCurrent(), which calls the same
// hook a scheduler calls.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "coroutine/coroutine.h"
#include "coroutine/internal/locals_hooks.h"
#include "local/context.h"
#include "local/coroutine_local.h"

namespace colony {
namespace {

using VoidCoroutine = Coroutine<void, void, void>;

// Counts constructions, copies and destructions, and records which
// coroutine destroyed it.
struct Counted {
  static inline std::atomic<int> constructed{0};
  static inline std::atomic<int> copied{0};
  static inline std::atomic<int> destroyed{0};
  static inline std::atomic<BasicCoroutine*> destroyed_in{nullptr};

  static void ResetCounts() {
    constructed = 0;
    copied = 0;
    destroyed = 0;
    destroyed_in = nullptr;
  }

  Counted() { ++constructed; }
  Counted(const Counted& other) : value(other.value) { ++copied; }
  Counted& operator=(const Counted&) = default;
  ~Counted() {
    destroyed_in = CurrentCoroutine();
    ++destroyed;
  }

  int value = 0;
};

// SpawnFromCurrent() gives `child` the inherited locals of the running
// coroutine, as a scheduler does when a task spawns another.
void SpawnFromCurrent(VoidCoroutine& child) {
  coroutine_internal::InheritLocals(CurrentCoroutine(), &child.basic());
}

class CoroutineLocalTest : public testing::Test {
 protected:
  void SetUp() override { Counted::ResetCounts(); }
};

TEST_F(CoroutineLocalTest, ConstructedLazilyOncePerCoroutine) {
  CoroutineLocal<Counted> local;
  int constructed_before = -1;
  bool present_before = true;
  VoidCoroutine co([&](auto& s) {
    present_before = local.GetIfPresent() != nullptr;
    constructed_before = Counted::constructed;
    local->value = 5;
    s.Suspend();
    EXPECT_EQ(local->value, 5);
    EXPECT_EQ(local.Get().value, 5);
  });
  co.Resume();
  EXPECT_FALSE(present_before);
  EXPECT_EQ(constructed_before, 0);
  EXPECT_EQ(Counted::constructed, 1);
  EXPECT_EQ(Counted::destroyed, 0);
  co.Resume();
  EXPECT_EQ(Counted::constructed, 1);
}

TEST_F(CoroutineLocalTest, DestroyedWhenTheBodyReturns) {
  CoroutineLocal<Counted> local;
  VoidCoroutine co([&](auto& s) {
    local.Get();
    s.Suspend();
  });
  co.Resume();
  EXPECT_EQ(Counted::destroyed, 0);
  co.Resume();
  EXPECT_TRUE(co.done());
  EXPECT_EQ(Counted::destroyed, 1);
  // On the coroutine's own stack, where CurrentCoroutine() is it.
  EXPECT_EQ(Counted::destroyed_in, &co.basic());
}

TEST_F(CoroutineLocalTest, DestroyedWhenTheBodyThrows) {
  CoroutineLocal<Counted> local;
  VoidCoroutine co([&](auto&) {
    local.Get();
    throw std::runtime_error("boom");
  });
  auto result = co.Resume();
  EXPECT_TRUE(result.failed());
  EXPECT_EQ(result.message(), "boom");
  EXPECT_EQ(Counted::destroyed, 1);
  EXPECT_EQ(Counted::destroyed_in, &co.basic());
}

TEST_F(CoroutineLocalTest, DestroyedWhenASuspendedCoroutineIsCancelled) {
  CoroutineLocal<Counted> local;
  VoidCoroutine co([&](auto& s) {
    local.Get();
    for (;;) s.Suspend();
  });
  co.Resume();
  EXPECT_TRUE(co.Cancel("test").ok());
  EXPECT_EQ(co.state(), CoroutineState::kCancelled);
  EXPECT_EQ(Counted::destroyed, 1);
  EXPECT_EQ(Counted::destroyed_in, &co.basic());
}

TEST_F(CoroutineLocalTest, DestroyedWhenASuspendedCoroutineIsDestroyed) {
  CoroutineLocal<Counted> local;
  BasicCoroutine* basic = nullptr;
  {
    VoidCoroutine co([&](auto& s) {
      local.Get();
      for (;;) s.Suspend();
    });
    basic = &co.basic();
    co.Resume();
  }
  EXPECT_EQ(Counted::destroyed, 1);
  EXPECT_EQ(Counted::destroyed_in, basic);
}

TEST_F(CoroutineLocalTest, ManyLocalsAllDestroyed) {
  constexpr int kLocals = 100;
  std::vector<std::unique_ptr<CoroutineLocal<Counted>>> locals;
  for (int i = 0; i < kLocals; ++i) {
    locals.push_back(std::make_unique<CoroutineLocal<Counted>>());
  }
  VoidCoroutine co([&](auto& s) {
    // Backwards, so the table grows once; then forwards again.
    for (int i = kLocals - 1; i >= 0; --i) locals[i]->Get().value = i;
    s.Suspend();
    for (int i = 0; i < kLocals; ++i) EXPECT_EQ(locals[i]->Get().value, i);
  });
  co.Resume();
  co.Resume();
  EXPECT_EQ(Counted::constructed, kLocals);
  EXPECT_EQ(Counted::destroyed, kLocals);
}

TEST_F(CoroutineLocalTest, SetEmplaceAndReset) {
  CoroutineLocal<std::string> local;
  VoidCoroutine co([&](auto&) {
    EXPECT_EQ(local.Set("one"), "one");
    EXPECT_EQ(*local, "one");
    EXPECT_EQ(local.Emplace(3, 'x'), "xxx");
    EXPECT_EQ(local->size(), 3u);
    local.Reset();
    EXPECT_EQ(local.GetIfPresent(), nullptr);
    EXPECT_EQ(*local, "");
    local.Reset();
    local.Reset();  // nothing to reset
  });
  co.Resume();
  EXPECT_TRUE(co.done());
}

TEST_F(CoroutineLocalTest, ReplacedValuesAreDestroyed) {
  CoroutineLocal<Counted> local;
  VoidCoroutine co([&](auto&) {
    local.Get();
    local.Emplace();
    EXPECT_EQ(Counted::destroyed, 1);
    local.Reset();
    EXPECT_EQ(Counted::destroyed, 2);
  });
  co.Resume();
  EXPECT_EQ(Counted::constructed, 2);
  EXPECT_EQ(Counted::destroyed, 2);
}

TEST_F(CoroutineLocalTest, IsolatedBetweenCoroutines) {
  CoroutineLocal<int> local;
  auto body = [&](int value) {
    return [&local, value](Suspender<void, void>& s) {
      *local = value;
      s.Suspend();
      EXPECT_EQ(*local, value);
      *local += 1;
      s.Suspend();
      EXPECT_EQ(*local, value + 1);
    };
  };
  VoidCoroutine a(body(10));
  VoidCoroutine b(body(20));
  a.Resume();
  b.Resume();
  b.Resume();
  a.Resume();
  a.Resume();
  b.Resume();
  EXPECT_TRUE(a.done() && b.done());
  // The thread that resumed them has its own value.
  EXPECT_EQ(local.GetIfPresent(), nullptr);
}

TEST_F(CoroutineLocalTest, NestedCoroutinesHaveTheirOwnValues) {
  CoroutineLocal<int> local;
  VoidCoroutine outer([&](auto&) {
    *local = 1;
    VoidCoroutine inner([&](auto&) {
      EXPECT_EQ(local.GetIfPresent(), nullptr);
      *local = 2;
    });
    inner.Resume();
    EXPECT_EQ(*local, 1);
  });
  outer.Resume();
  EXPECT_TRUE(outer.done());
}

TEST_F(CoroutineLocalTest, PerThreadValueOutsideCoroutines) {
  CoroutineLocal<int> local;
  *local = 7;
  int seen_in_coroutine = -1;
  VoidCoroutine co([&](auto&) { seen_in_coroutine = *local; });
  co.Resume();
  EXPECT_EQ(seen_in_coroutine, 0);  // a fresh value, not the thread's
  int seen_in_thread = -1;
  std::thread([&] {
    seen_in_thread = *local;
    *local = 9;
  }).join();
  EXPECT_EQ(seen_in_thread, 0);
  EXPECT_EQ(*local, 7);
  local.Reset();
}

TEST_F(CoroutineLocalTest, ThreadValuesDestroyedWhenTheThreadExits) {
  CoroutineLocal<Counted> local;
  std::thread([&] {
    local.Get();
    EXPECT_EQ(Counted::destroyed, 0);
  }).join();
  EXPECT_EQ(Counted::constructed, 1);
  EXPECT_EQ(Counted::destroyed, 1);
  EXPECT_EQ(Counted::destroyed_in, nullptr);
}

// A destructor that creates a value of another local: destroyed in a second
// round.
struct UsesOtherLocal {
  static inline CoroutineLocal<Counted>* other = nullptr;
  ~UsesOtherLocal() { other->Get(); }
};

TEST_F(CoroutineLocalTest, DestructorsMayUseOtherLocals) {
  CoroutineLocal<Counted> counted;
  CoroutineLocal<UsesOtherLocal> user;
  UsesOtherLocal::other = &counted;
  VoidCoroutine co([&](auto&) { user.Get(); });
  co.Resume();
  EXPECT_EQ(Counted::constructed, 1);
  EXPECT_EQ(Counted::destroyed, 1);
  std::thread([&] { user.Get(); }).join();
  EXPECT_EQ(Counted::constructed, 2);
  EXPECT_EQ(Counted::destroyed, 2);
}

// A destructor that keeps re-creating its own value: aborts after four
// rounds instead of looping forever.
struct Resurrects {
  static inline CoroutineLocal<Resurrects>* self = nullptr;
  ~Resurrects() { self->Get(); }
};

TEST_F(CoroutineLocalTest, EndlessResurrectionAborts) {
  // A forked child would inherit sanitizer fiber state of this process.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        CoroutineLocal<Resurrects> local;
        Resurrects::self = &local;
        VoidCoroutine co([&](auto&) { local.Get(); }, {.name = "zombie"});
        co.Resume();
      },
      "coroutine 'zombie' kept creating new values for 4 rounds");
}

TEST_F(CoroutineLocalTest, InheritedNeedsACopyableType) {
  EXPECT_DEATH(
      {
        CoroutineLocal<std::unique_ptr<int>> local(
            CoroutineLocalOptions{.inherited = true});
      },
      "copy-constructible");
}

// Runs closures synchronously on one long-lived thread.
class Runner {
 public:
  Runner() : thread_([this] { Loop(); }) {}
  ~Runner() {
    Run(nullptr);
    thread_.join();
  }
  // Run() executes `fn` on the runner's thread and waits for it (a null fn
  // stops the thread).
  void Run(std::function<void()> fn) {
    std::unique_lock<std::mutex> lock(mu_);
    job_ = std::move(fn);
    has_job_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !has_job_; });
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  void Loop() {
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return has_job_; });
      std::function<void()> job = std::move(job_);
      lock.unlock();
      if (job) job();
      lock.lock();
      has_job_ = false;
      cv_.notify_all();
      if (!job) return;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool has_job_ = false;
  std::thread thread_;
};

__attribute__((noinline)) std::thread::id ThreadIdNow() {
  asm volatile("" ::: "memory");
  return std::this_thread::get_id();
}

TEST_F(CoroutineLocalTest, FollowsTheCoroutineAcrossThreads) {
  CoroutineLocal<Counted> local;
  Runner runners[3];
  std::vector<std::thread::id> threads;
  std::vector<int> values;
  std::vector<Counted*> addresses;
  VoidCoroutine co([&](auto& s) {
    Counted& held = local.Get();  // a reference may be kept across switches
    for (int i = 0; i < 3; ++i) {
      threads.push_back(ThreadIdNow());
      values.push_back(local->value);
      addresses.push_back(&local.Get());
      local->value += 10;
      s.Suspend();
    }
    held.value += 1;
  });
  for (int i = 0; i < 4; ++i) {
    runners[i % 3].Run([&] {
      // Each runner thread's own value is untouched by the coroutine.
      local->value = -1;
      co.Resume();
      EXPECT_EQ(local->value, -1);
    });
  }
  EXPECT_TRUE(co.done());
  EXPECT_THAT(threads, testing::ElementsAre(runners[0].id(), runners[1].id(),
                                            runners[2].id()));
  EXPECT_THAT(values, testing::ElementsAre(0, 10, 20));
  EXPECT_THAT(addresses,
              testing::ElementsAre(addresses[0], addresses[0], addresses[0]));
}

TEST_F(CoroutineLocalTest, InheritedLocalsAreCopiedIntoChildren) {
  CoroutineLocal<Counted> inherited(CoroutineLocalOptions{.inherited = true});
  int child_saw = -1;
  int parent_after = -1;
  VoidCoroutine child([&](auto&) {
    child_saw = inherited->value;
    inherited->value = 99;  // the child's copy only
  });
  VoidCoroutine parent([&](auto&) {
    inherited->value = 42;
    SpawnFromCurrent(child);
    inherited->value = 43;  // after the spawn: the child keeps 42
    child.Resume();
    parent_after = inherited->value;
  });
  EXPECT_TRUE(inherited.inherited());
  parent.Resume();
  EXPECT_EQ(child_saw, 42);
  EXPECT_EQ(parent_after, 43);
  EXPECT_EQ(Counted::constructed, 1);
  EXPECT_EQ(Counted::copied, 1);
  EXPECT_EQ(Counted::destroyed, 2);
}

TEST_F(CoroutineLocalTest, NonInheritedLocalsAreNotCopied) {
  CoroutineLocal<int> plain;
  CoroutineLocal<int> inherited(CoroutineLocalOptions{.inherited = true});
  CoroutineLocal<int> unset(CoroutineLocalOptions{.inherited = true});
  EXPECT_FALSE(plain.inherited());
  bool plain_present = true;
  bool unset_present = true;
  int inherited_seen = -1;
  VoidCoroutine child([&](auto&) {
    plain_present = plain.GetIfPresent() != nullptr;
    unset_present = unset.GetIfPresent() != nullptr;
    inherited_seen = *inherited;
  });
  VoidCoroutine parent([&](auto&) {
    *plain = 1;
    *inherited = 2;
    SpawnFromCurrent(child);
  });
  parent.Resume();
  child.Resume();
  EXPECT_FALSE(plain_present);
  EXPECT_FALSE(unset_present);
  EXPECT_EQ(inherited_seen, 2);
}

TEST_F(CoroutineLocalTest, GrandchildrenInheritThroughTheChild) {
  CoroutineLocal<std::string> trace(CoroutineLocalOptions{.inherited = true});
  std::string grandchild_saw;
  VoidCoroutine grandchild([&](auto&) { grandchild_saw = *trace; });
  VoidCoroutine child([&](auto&) {
    *trace += "/child";
    SpawnFromCurrent(grandchild);
  });
  VoidCoroutine parent([&](auto&) {
    *trace = "root";
    SpawnFromCurrent(child);
  });
  parent.Resume();
  child.Resume();
  grandchild.Resume();
  EXPECT_EQ(grandchild_saw, "root/child");
}

TEST_F(CoroutineLocalTest, NothingInheritedWithoutLocals) {
  CoroutineLocal<int> inherited(CoroutineLocalOptions{.inherited = true});
  *inherited = 5;  // the thread's value is not passed on
  bool present = true;
  VoidCoroutine child(
      [&](auto&) { present = inherited.GetIfPresent() != nullptr; });
  VoidCoroutine parent([&](auto&) { SpawnFromCurrent(child); });
  coroutine_internal::InheritLocals(nullptr, &child.basic());
  parent.Resume();
  child.Resume();
  EXPECT_FALSE(present);
  inherited.Reset();
}

TEST_F(CoroutineLocalTest, NeverStartedChildDestroysItsInheritedLocals) {
  CoroutineLocal<Counted> inherited(CoroutineLocalOptions{.inherited = true});
  auto child = std::make_unique<VoidCoroutine>([](auto&) {});
  VoidCoroutine parent([&](auto&) {
    inherited.Get();
    SpawnFromCurrent(*child);
  });
  parent.Resume();
  EXPECT_EQ(Counted::copied, 1);
  EXPECT_EQ(Counted::destroyed, 1);  // the parent's
  child.reset();                     // never resumed
  EXPECT_EQ(Counted::destroyed, 2);
  EXPECT_EQ(Counted::destroyed_in, nullptr);  // on the deleting thread
}

TEST_F(CoroutineLocalTest, CancelledBeforeStartingDestroysOnDeletion) {
  CoroutineLocal<Counted> inherited(CoroutineLocalOptions{.inherited = true});
  auto child = std::make_unique<VoidCoroutine>([](auto&) {});
  VoidCoroutine parent([&](auto&) {
    inherited.Get();
    SpawnFromCurrent(*child);
  });
  parent.Resume();
  EXPECT_TRUE(child->Cancel().ok());
  EXPECT_EQ(Counted::destroyed, 1);
  child.reset();
  EXPECT_EQ(Counted::destroyed, 2);
}

TEST_F(CoroutineLocalTest, DestroyingTheLocalLeavesValuesToTheirCoroutines) {
  auto local = std::make_unique<CoroutineLocal<Counted>>();
  VoidCoroutine co([&](auto& s) {
    local->Get();
    s.Suspend();
  });
  co.Resume();
  local.reset();
  EXPECT_EQ(Counted::destroyed, 0);
  co.Resume();
  EXPECT_EQ(Counted::destroyed, 1);
}

// Under ThreadSanitizer: many coroutines sharing locals, resumed on several
// threads, each spawning children that read inherited values and contexts.
TEST_F(CoroutineLocalTest, ConcurrentCoroutinesOnManyThreads) {
  CoroutineLocal<int> plain;
  CoroutineLocal<Counted> inherited(CoroutineLocalOptions{.inherited = true});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * 1000 + i;
        VoidCoroutine child([&, id](auto& s) {
          if (inherited->value != id) ++mismatches;
          std::shared_ptr<const int> context = UseContext<int>();
          if (context == nullptr || *context != id) ++mismatches;
          s.Suspend();
          if (plain.GetIfPresent() != nullptr) ++mismatches;
        });
        VoidCoroutine parent([&, id](auto& s) {
          *plain = id;
          inherited->value = id;
          ProvideContext<int>(id);
          SpawnFromCurrent(child);
          s.Suspend();
          if (*plain != id || inherited->value != id) ++mismatches;
        });
        parent.Resume();
        child.Resume();
        parent.Resume();
        child.Resume();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(Counted::constructed, kThreads * kPerThread);
  EXPECT_EQ(Counted::copied, kThreads * kPerThread);
  EXPECT_EQ(Counted::destroyed, 2 * kThreads * kPerThread);
}

// --- Contexts ----------------------------------------------------------------

struct RequestId {
  std::string id;
};
struct Deadline {
  long ns = 0;
};

TEST(ContextTest, AbsentWhenNobodyProvidedOne) {
  std::shared_ptr<const RequestId> seen = std::make_shared<RequestId>();
  VoidCoroutine co([&](auto&) { seen = UseContext<RequestId>(); });
  co.Resume();
  EXPECT_EQ(seen, nullptr);
}

TEST(ContextTest, ProviderAndDescendantsSeeIt) {
  std::shared_ptr<const RequestId> in_provider, in_child, in_grandchild;
  VoidCoroutine grandchild(
      [&](auto&) { in_grandchild = UseContext<RequestId>(); });
  VoidCoroutine child([&](auto&) {
    in_child = UseContext<const RequestId>();
    SpawnFromCurrent(grandchild);
  });
  VoidCoroutine parent([&](auto&) {
    ProvideContext(RequestId{"req-1"});
    in_provider = UseContext<RequestId>();
    SpawnFromCurrent(child);
  });
  parent.Resume();
  child.Resume();
  grandchild.Resume();
  ASSERT_NE(in_provider, nullptr);
  ASSERT_NE(in_child, nullptr);
  ASSERT_NE(in_grandchild, nullptr);
  EXPECT_EQ(in_grandchild->id, "req-1");
  // One shared value, not copies.
  EXPECT_EQ(in_provider.get(), in_child.get());
  EXPECT_EQ(in_child.get(), in_grandchild.get());
}

TEST(ContextTest, DescendantShadowsItsAncestor) {
  std::string parent_after, child_sees, grandchild_sees;
  long grandchild_deadline = 0;
  VoidCoroutine grandchild([&](auto&) {
    grandchild_sees = UseContext<RequestId>()->id;
    grandchild_deadline = UseContext<Deadline>()->ns;
  });
  VoidCoroutine child([&](auto&) {
    ProvideContext(RequestId{"child"});
    child_sees = UseContext<RequestId>()->id;
    SpawnFromCurrent(grandchild);
  });
  VoidCoroutine parent([&](auto& s) {
    ProvideContext(RequestId{"parent"});
    ProvideContext(Deadline{123});
    SpawnFromCurrent(child);
    s.Suspend();
    parent_after = UseContext<RequestId>()->id;
  });
  parent.Resume();
  child.Resume();
  grandchild.Resume();
  parent.Resume();
  EXPECT_EQ(child_sees, "child");
  EXPECT_EQ(grandchild_sees, "child");
  EXPECT_EQ(grandchild_deadline, 123);  // unshadowed types pass through
  EXPECT_EQ(parent_after, "parent");
}

TEST(ContextTest, ChildGetsASnapshotAtSpawn) {
  std::shared_ptr<const Deadline> early_sees, late_sees;
  std::shared_ptr<const RequestId> late_request;
  VoidCoroutine early([&](auto&) { early_sees = UseContext<Deadline>(); });
  VoidCoroutine late([&](auto&) {
    late_sees = UseContext<Deadline>();
    late_request = UseContext<RequestId>();
  });
  VoidCoroutine parent([&](auto&) {
    ProvideContext(RequestId{"r"});
    SpawnFromCurrent(early);
    ProvideContext(Deadline{1});
    ProvideContext(Deadline{2});  // replaces the first
    SpawnFromCurrent(late);
    ProvideContext(Deadline{3});  // after both spawns
  });
  parent.Resume();
  early.Resume();
  late.Resume();
  EXPECT_EQ(early_sees, nullptr);
  ASSERT_NE(late_sees, nullptr);
  EXPECT_EQ(late_sees->ns, 2);
  ASSERT_NE(late_request, nullptr);
  EXPECT_EQ(late_request->id, "r");
}

TEST(ContextTest, ValuesOutliveTheirProvider) {
  std::shared_ptr<const RequestId> kept;
  {
    VoidCoroutine co([&](auto&) {
      ProvideContext(RequestId{"kept"});
      kept = UseContext<RequestId>();
      ProvideContext(RequestId{"replaced"});
    });
    co.Resume();
  }
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->id, "kept");
}

TEST(ContextTest, PlainThreadsHaveTheirOwnContexts) {
  std::thread([] {
    EXPECT_EQ(UseContext<Deadline>(), nullptr);
    ProvideContext(Deadline{7});
    ASSERT_NE(UseContext<Deadline>(), nullptr);
    EXPECT_EQ(UseContext<Deadline>()->ns, 7);
    std::shared_ptr<const Deadline> in_coroutine = std::make_shared<Deadline>();
    VoidCoroutine co([&](auto&) { in_coroutine = UseContext<Deadline>(); });
    co.Resume();
    EXPECT_EQ(in_coroutine, nullptr);
  }).join();
  std::thread([] { EXPECT_EQ(UseContext<Deadline>(), nullptr); }).join();
}

TEST(ContextTest, SeenAfterMigration) {
  Runner a, b;
  std::string before, after;
  VoidCoroutine co([&](auto& s) {
    ProvideContext(RequestId{"moving"});
    before = UseContext<RequestId>()->id;
    s.Suspend();
    after = UseContext<RequestId>()->id;
  });
  a.Run([&] { co.Resume(); });
  b.Run([&] {
    EXPECT_EQ(UseContext<RequestId>(), nullptr);
    co.Resume();
  });
  EXPECT_EQ(before, "moving");
  EXPECT_EQ(after, "moving");
}

}  // namespace
}  // namespace colony
