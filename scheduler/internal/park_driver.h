// Copyright 2026 The Colony Authors.
//
// ParkDriver: how an idle worker sleeps.
//
// A worker with nothing to run calls Park(deadline) and another thread
// that has work for it calls Unpark(). The default driver is a futex
// (ThreadParker). An I/O layer installs its own driver per worker so that a
// parked worker waits in its poller (epoll_wait until the deadline, Unpark()
// writing to an eventfd) and runs the tasks whose I/O became ready.
//
// Contract: Unpark() before Park() makes the next Park() return at once;
// Park() may return early (spuriously); both may be called from any thread.

#ifndef COLONY_SCHEDULER_INTERNAL_PARK_DRIVER_H_
#define COLONY_SCHEDULER_INTERNAL_PARK_DRIVER_H_

#include <cstdint>

#include "scheduler/internal/thread_parker.h"
#include "time/deadline.h"

namespace colony::scheduler_internal {

class ParkDriver {
 public:
  virtual ~ParkDriver() = default;
  // Park() sleeps until Unpark() or until `deadline` is reached.
  virtual void Park(Deadline deadline) = 0;
  // Unpark() wakes the parked worker, or makes its next Park() return.
  virtual void Unpark() = 0;
};

// FutexDriver is the default: a ThreadParker.
class FutexDriver final : public ParkDriver {
 public:
  void Park(Deadline deadline) override { parker_.Park(deadline); }
  void Unpark() override { parker_.Unpark(); }

 private:
  ThreadParker parker_;
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_PARK_DRIVER_H_
