// Copyright 2026 The Colony Authors.

#include "sync/reactive/effect.h"

#include <utility>
#include <vector>

#include "coroutine/basic_coroutine.h"
#include "local/internal/slot_table.h"
#include "scheduler/join_handle.h"

namespace colony {
namespace sync_internal {

// EffectNode: an observer whose fire phase schedules a run.
//
// States, under mu_:
//   kIdle       no run pending or running;
//   kScheduled  a task was (or is being) spawned for a run;
//   kRunning    the task runs the loop; a change sets rerun_.
// A change in kIdle spawns; in kScheduled does nothing (the run will read
// the latest values); in kRunning asks for one more iteration. stopped_
// ends it all: Schedule() does nothing, a task that starts returns at once,
// and Stop() waits for kIdle (and no spawn in flight).
class EffectNode final : public ReactiveNode {
 public:
  EffectNode(Scheduler* scheduler, std::function<void()> fn,
             SpawnOptions options)
      : ReactiveNode(nullptr, 0),
        scheduler_(scheduler),
        options_(WithoutInheritance(std::move(options))),
        locals_(local_internal::SnapshotInheritedLocals()),
        fn_(std::move(fn)) {}

  ~EffectNode() override { ReleaseDeps(this, &deps_); }

  bool Invalidate(NodeList* next) override { return true; }
  void Fire() override { Schedule(); }

  void Schedule();
  void Stop();
  bool stopped() const {
    base_internal::ThreadMutexLock lock(mu_);
    return stopped_;
  }
  uint64_t runs() const { return runs_.load(std::memory_order_relaxed); }

  // Watch(): see MakeWatch().
  void StartWatching(const NodeRef& source);

 private:
  enum class State { kIdle, kScheduled, kRunning };

  // The runs are spawned by whoever wrote a signal, but run on behalf of
  // the effect's creator: they take its locals (locals_), not the writer's.
  static SpawnOptions WithoutInheritance(SpawnOptions options) {
    options.inherit_locals = false;
    return options;
  }

  // Owned by the task's function: tells the node when the function is
  // destroyed without having run (a spawn refused, or cancelled before it
  // started).
  class RunToken {
   public:
    explicit RunToken(std::shared_ptr<EffectNode> node)
        : node_(std::move(node)) {}
    RunToken(RunToken&& other) noexcept
        : node_(std::move(other.node_)), started_(other.started_) {}
    RunToken(const RunToken&) = delete;
    RunToken& operator=(const RunToken&) = delete;
    ~RunToken() {
      if (node_ != nullptr && !started_) node_->RunDropped();
    }
    void Run() {
      started_ = true;
      node_->RunLoop();
    }

   private:
    std::shared_ptr<EffectNode> node_;
    bool started_ = false;
  };

  void RunLoop();
  void RunDropped();
  // Ends an iteration of the run: returns true when another must follow
  // (in the same task; after a failure, in a new one), else goes back to
  // kIdle.
  bool FinishRun(bool failed);
  // Collects the Stop() waiters once nothing runs or is being spawned.
  void TakeIdleWaitersLocked(std::vector<WaitNode*>* wake)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the function and the edges (once, after the last run).
  void Cleanup();

  Scheduler* const scheduler_;
  const SpawnOptions options_;
  // The creator's inherited locals (and so its contexts), given to every
  // run; null when it had none.
  const std::unique_ptr<const local_internal::LocalsSnapshot> locals_;
  // Called only by the run (one at a time); destroyed by Cleanup().
  std::function<void()> fn_;
  // Owned by the run (or by whoever holds the node before its first run).
  std::vector<Dependency> deps_;
  bool ran_ = false;

  State state_ ABSL_GUARDED_BY(mu_) = State::kIdle;
  bool rerun_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  int spawning_ ABSL_GUARDED_BY(mu_) = 0;
  bool cleaned_ ABSL_GUARDED_BY(mu_) = false;
  bool self_stop_ ABSL_GUARDED_BY(mu_) = false;
  BasicCoroutine* running_in_ ABSL_GUARDED_BY(mu_) = nullptr;
  JoinHandle<void> handle_ ABSL_GUARDED_BY(mu_);
  WaitQueue idle_waiters_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> runs_{0};  // a statistic, relaxed
};

void EffectNode::Schedule() {
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (stopped_) return;
    if (state_ == State::kRunning) {
      rerun_ = true;
      return;
    }
    if (state_ == State::kScheduled) return;
    state_ = State::kScheduled;
    ++spawning_;
  }
  // Spawned without the lock: spawning copies inherited coroutine-locals
  // (user code), and a refused spawn destroys the function, whose token
  // takes the lock.
  RunToken token(std::static_pointer_cast<EffectNode>(shared_from_this()));
  JoinHandle<void> handle = scheduler_->Spawn(
      [token = std::move(token)]() mutable { token.Run(); }, options_);
  JoinHandle<void> old;
  std::vector<WaitNode*> wake;
  bool cancel = false;
  {
    base_internal::ThreadMutexLock lock(mu_);
    --spawning_;
    // Stop() came while we spawned and could not cancel this run.
    cancel = stopped_ && state_ == State::kScheduled;
    if (!cancel) {
      old = std::move(handle_);
      handle_ = std::move(handle);
    }
    TakeIdleWaitersLocked(&wake);
  }
  if (cancel) handle.Cancel("effect stopped");
  for (WaitNode* n : wake) WaitQueue::Wake(n);
}

void EffectNode::RunDropped() {
  std::vector<WaitNode*> wake;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (state_ == State::kScheduled) state_ = State::kIdle;
    TakeIdleWaitersLocked(&wake);
  }
  for (WaitNode* n : wake) WaitQueue::Wake(n);
}

void EffectNode::TakeIdleWaitersLocked(std::vector<WaitNode*>* wake) {
  if (state_ != State::kIdle || spawning_ > 0) return;
  while (WaitNode* n = idle_waiters_.PopFront()) wake->push_back(n);
}

void EffectNode::RunLoop() {
  bool stop_now;
  {
    std::vector<WaitNode*> wake;
    {
      base_internal::ThreadMutexLock lock(mu_);
      stop_now = stopped_;
      if (stop_now) {
        state_ = State::kIdle;
        TakeIdleWaitersLocked(&wake);
      } else {
        state_ = State::kRunning;
        rerun_ = false;
        running_in_ = CurrentCoroutine();
      }
    }
    for (WaitNode* n : wake) WaitQueue::Wake(n);
  }
  if (stop_now) return;
  if (locals_ != nullptr) {
    try {
      local_internal::InstallSnapshot(*locals_);
    } catch (...) {
      // A copy constructor threw: this run fails like one whose function
      // threw.
      if (FinishRun(/*failed=*/true)) Schedule();
      throw;
    }
  }
  for (;;) {
    try {
      // A run scheduled only because a memo might have changed is skipped
      // when, brought up to date, nothing it read moved.
      if (!ran_ || DepsChanged(deps_)) {
        ran_ = true;
        runs_.fetch_add(1, std::memory_order_relaxed);
        if (RunTracked(this, &deps_, fn_)) {
          base_internal::ThreadMutexLock lock(mu_);
          rerun_ = true;
        }
      }
    } catch (...) {
      if (FinishRun(/*failed=*/true)) Schedule();
      throw;
    }
    if (!FinishRun(/*failed=*/false)) return;
  }
}

bool EffectNode::FinishRun(bool failed) {
  std::vector<WaitNode*> wake;
  bool again;
  bool cleanup;
  {
    base_internal::ThreadMutexLock lock(mu_);
    // A change during the run (or a dependency already stale when read).
    again = rerun_ && !stopped_;
    rerun_ = false;
    if (again && !failed) return true;  // one more iteration, still kRunning
    state_ = State::kIdle;
    running_in_ = nullptr;
    // Stop() called from the run itself left the cleanup to us.
    cleanup = self_stop_;
    TakeIdleWaitersLocked(&wake);
  }
  for (WaitNode* n : wake) WaitQueue::Wake(n);
  if (cleanup) Cleanup();
  return again;
}

void EffectNode::StartWatching(const NodeRef& source) {
  // Pretend to run while the edge is made, so a change that comes before
  // deps_ is written only asks for a rerun.
  {
    base_internal::ThreadMutexLock lock(mu_);
    state_ = State::kRunning;
  }
  bool stale = false;
  deps_.push_back(source->Watch(this, &stale));
  ran_ = true;
  bool again;
  {
    base_internal::ThreadMutexLock lock(mu_);
    again = rerun_ || stale;
    rerun_ = false;
    state_ = State::kIdle;
  }
  if (again) Schedule();
}

void EffectNode::Stop() {
  JoinHandle<void> pending;
  {
    base_internal::ThreadMutexLock lock(mu_);
    stopped_ = true;
    if (state_ == State::kRunning && running_in_ != nullptr &&
        running_in_ == CurrentCoroutine()) {
      // From the run itself: it cleans up when it returns.
      self_stop_ = true;
      return;
    }
    if (state_ == State::kScheduled) pending = std::move(handle_);
  }
  // Cancelled without the lock: a task dropped before it started destroys
  // its function, whose token takes the lock. A task that started already
  // sees stopped_ before it would call the function.
  if (pending.valid()) pending.Cancel("effect stopped");
  pending.Detach();
  for (;;) {
    WaitNode node;
    {
      base_internal::ThreadMutexLock lock(mu_);
      if (state_ == State::kIdle && spawning_ == 0) break;
      node.Prepare();
      idle_waiters_.Push(&node);
    }
    sync_internal::WaitQueue::Block(&idle_waiters_, &node, mu_,
                                    Deadline::Infinite(),
                                    /*cancellable=*/false);
  }
  Cleanup();
}

void EffectNode::Cleanup() {
  std::function<void()> fn;
  std::vector<Dependency> deps;
  JoinHandle<void> handle;
  {
    base_internal::ThreadMutexLock lock(mu_);
    if (cleaned_) return;
    cleaned_ = true;
    fn.swap(fn_);
    deps.swap(deps_);
    handle = std::move(handle_);
  }
  ReleaseDeps(this, &deps);
}

Effect MakeWatch(Scheduler& scheduler, NodeRef source,
                 std::function<void()> body, SpawnOptions options) {
  auto node = std::make_shared<EffectNode>(&scheduler, std::move(body),
                                           std::move(options));
  node->StartWatching(source);
  return Effect(std::move(node));
}

}  // namespace sync_internal

Effect::Effect(Scheduler& scheduler, std::function<void()> fn,
               SpawnOptions options)
    : node_(std::make_shared<sync_internal::EffectNode>(
          &scheduler, std::move(fn), std::move(options))) {
  node_->Schedule();
}

Effect::Effect(std::shared_ptr<sync_internal::EffectNode> node)
    : node_(std::move(node)) {}

Effect& Effect::operator=(Effect&& other) noexcept {
  if (this != &other) {
    Stop();
    node_ = std::move(other.node_);
  }
  return *this;
}

Effect::~Effect() { Stop(); }

void Effect::Stop() {
  if (node_ != nullptr) node_->Stop();
}

bool Effect::active() const { return node_ != nullptr && !node_->stopped(); }

uint64_t Effect::runs() const { return node_ != nullptr ? node_->runs() : 0; }

}  // namespace colony
