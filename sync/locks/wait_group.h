// Copyright 2026 The Colony Authors.
//
// WaitGroup: waits for a counted set of operations to finish (Go's
// sync.WaitGroup).
//
//   colony::WaitGroup wg;
//   for (auto& job : jobs) {
//     wg.Add(1);
//     colony::Spawn([&] { Run(job); wg.Done(); }).Detach();
//   }
//   wg.Wait();
//
// Thread-safety: all members may be called from any task or thread. A
// counter driven below zero is a fatal error (it is always a bug).
// Memory ordering: every Done() happens-before the Wait() it releases.

#ifndef COLONY_SYNC_LOCKS_WAIT_GROUP_H_
#define COLONY_SYNC_LOCKS_WAIT_GROUP_H_

#include <cstdint>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "base/internal/thread_mutex.h"
#include "sync/locks/internal/wait_queue.h"

namespace colony {

class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // Add() adds `n` (may be negative) to the counter; reaching zero wakes
  // the waiters.
  void Add(int64_t n);
  // Done() is Add(-1).
  void Done() { Add(-1); }
  // Wait() waits until the counter is zero. In a task it is a
  // cancellation point.
  void Wait();
  // count() is a snapshot.
  int64_t count() const;

 private:
  mutable base_internal::ThreadMutex mu_;
  int64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  sync_internal::WaitQueue waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace colony

#endif  // COLONY_SYNC_LOCKS_WAIT_GROUP_H_
