// Copyright 2026 The Colony Authors.
//
// BlockingPool: threads for SpawnBlocking(). Starts empty; a submitted job
// goes to an idle thread, or a new one while fewer than the limit exist;
// otherwise it waits in the queue. Threads idle for the keep-alive time
// exit. Shutdown() lets queued jobs finish and joins every thread.
//
// A job is queued only when a pool thread exists to take it: if a new
// thread is needed and the system refuses it while the pool has none,
// Submit() fails and keeps nothing (the job usually lives on the stack of
// the task that waits for it, which must not wait for a run that never
// comes).
//
// Thread-safety: all members may be called from any thread.

#ifndef COLONY_SCHEDULER_INTERNAL_BLOCKING_POOL_H_
#define COLONY_SCHEDULER_INTERNAL_BLOCKING_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/internal/thread_mutex.h"

namespace colony::scheduler_internal {

// A unit of blocking work; Run() must not throw.
struct BlockingWork {
  virtual void Run() = 0;

 protected:
  ~BlockingWork() = default;
};

// CurrentPoolOwner() is the owner tag of the blocking pool whose thread is
// calling, or null.
const void* CurrentPoolOwner();

class BlockingPool {
 public:
  // `owner` tags the pool's threads (see CurrentPoolOwner()).
  BlockingPool(int max_threads, absl::Duration keep_alive, std::string name,
               const void* owner);
  ~BlockingPool();

  // Submit() queues `work` for a pool thread. Fails with
  // ResourceExhausted, queueing nothing, when no pool thread exists and
  // none could be started.
  absl::Status Submit(BlockingWork* work);
  // Shutdown() runs what is queued, then joins every thread.
  void Shutdown();

  size_t threads() const;
  size_t queued() const;

 private:
  void ThreadMain();
  // StartThreadLocked() starts one more pool thread; throws
  // std::system_error when the system refuses. Requires mu_.
  void StartThreadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int max_threads_;
  const absl::Duration keep_alive_;
  const std::string name_;
  const void* const owner_;
  mutable base_internal::ThreadMutex mu_;
  std::condition_variable cv_;
  std::deque<BlockingWork*> queue_ ABSL_GUARDED_BY(mu_);
  int threads_ ABSL_GUARDED_BY(mu_) = 0;
  int idle_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> exited_ ABSL_GUARDED_BY(mu_);  // to join
  std::vector<std::thread> handles_ ABSL_GUARDED_BY(mu_);
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_BLOCKING_POOL_H_
