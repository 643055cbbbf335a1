// Copyright 2026 The Colony Authors.
//
// PollerDriver: the ParkDriver of every worker. Without an I/O poller it is
// a futex parker (ThreadParker's protocol). Once net/ installed an IoPoller
// into the scheduler (io_poller.h), one idle worker at a time takes the
// poller role and sleeps in the poller instead (epoll_wait until its next
// timer), so ready I/O wakes a parked scheduler; the others futex-park.
//
// One state word decides who sleeps where and how to wake them:
//
//   kEmpty     no token, nobody asleep
//   kNotified  a token: the next Park() returns at once
//   kParked    asleep on the futex: Unpark() wakes the futex
//   kPolling   asleep in the poller: Unpark() calls IoPoller::Break()
//
// Park() moves kEmpty to kParked or kPolling with a CAS that fails if a
// token arrived, and Unpark() exchanges in kNotified and wakes whatever
// the old state says, so a token given at any point is never lost.
//
// Memory ordering: Unpark()'s exchange releases and Park()'s CASes and
// exchange acquire the word, as in ThreadParker.

#ifndef COLONY_SCHEDULER_INTERNAL_POLLER_DRIVER_H_
#define COLONY_SCHEDULER_INTERNAL_POLLER_DRIVER_H_

#include <atomic>
#include <cstdint>

#include "scheduler/internal/park_driver.h"

namespace colony::scheduler_internal {

class SchedulerShared;

class PollerDriver final : public ParkDriver {
 public:
  explicit PollerDriver(SchedulerShared* shared) : shared_(shared) {}

  void Park(Deadline deadline) override;
  void Unpark() override;
  // TakeFound() is how many tasks the last Park() woke through the poller
  // (then reset): the worker wakes another worker before running them.
  int TakeFound() {
    const int n = found_;
    found_ = 0;
    return n;
  }

 private:
  static constexpr uint32_t kEmpty = 0;
  static constexpr uint32_t kParked = 1;
  static constexpr uint32_t kNotified = 2;
  static constexpr uint32_t kPolling = 3;

  void FutexPark(Deadline deadline);

  SchedulerShared* const shared_;
  std::atomic<uint32_t> state_{kEmpty};
  int found_ = 0;  // owned by the worker's thread
};

}  // namespace colony::scheduler_internal

#endif  // COLONY_SCHEDULER_INTERNAL_POLLER_DRIVER_H_
