// Copyright 2026 The Colony Authors.
//
// Blocking work inside tasks. A task that makes a blocking call (a disk
// read, a legacy client, a CPU-heavy computation) holds its worker thread
// and everything queued behind it. Two ways out:
//
// SpawnBlocking(fn) runs `fn` on the scheduler's blocking pool, a bounded
// set of threads that grows on demand and shrinks when idle, while the
// calling task suspends; it returns fn's value or rethrows its exception.
//
//   std::string text = colony::SpawnBlocking([&] { return ReadFile(path); });
//
// BlockingRegion marks a blocking call made in place: for its lifetime the
// task is in the Syscall state (see BasicCoroutine::syscall()), and the
// tasks queued on its worker are handed to the injection queue and an idle
// worker is woken, so they run elsewhere meanwhile.
//
//   {
//     colony::BlockingRegion blocking("flock");
//     flock(fd, LOCK_EX);
//   }
//
// Warning: a cancellation requested while `fn` runs is delivered after it
// returns (the pool cannot interrupt a thread).
//
// When the pool has no thread and the system refuses to start one (a
// thread limit, no memory), SpawnBlocking() throws BlockingPoolError
// without calling `fn`; the task is unharmed and may retry or give up.
//
// Both work outside tasks too: SpawnBlocking then calls `fn` in place and
// BlockingRegion does nothing.

#ifndef COLONY_SCHEDULER_BLOCKING_H_
#define COLONY_SCHEDULER_BLOCKING_H_

#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "coroutine/basic_coroutine.h"
#include "scheduler/internal/blocking_job.h"

namespace colony {

// BlockingPoolError is what SpawnBlocking() throws when the blocking pool
// could not run `fn` at all; status() is ResourceExhausted and says why.
class BlockingPoolError : public std::runtime_error {
 public:
  explicit BlockingPoolError(absl::Status status);
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

template <typename F>
std::invoke_result_t<std::decay_t<F>&> SpawnBlocking(F&& fn) {
  using R = std::invoke_result_t<std::decay_t<F>&>;
  scheduler_internal::BlockingResult<R> result;
  std::decay_t<F> body(std::forward<F>(fn));
  absl::Status status = scheduler_internal::RunBlocking([&]() noexcept {
    try {
      if constexpr (std::is_void_v<R>) {
        body();
        result.value.emplace();
      } else {
        result.value.emplace(body());
      }
    } catch (...) {
      result.error = std::current_exception();
    }
  });
  if (!status.ok()) throw BlockingPoolError(std::move(status));
  if (result.error) std::rethrow_exception(result.error);
  if constexpr (!std::is_void_v<R>) return std::move(*result.value);
}

class BlockingRegion {
 public:
  // `name` must have static storage duration (a string literal); it is
  // what Dump() and listeners see as the blocking call.
  explicit BlockingRegion(std::string_view name = "blocking");
  ~BlockingRegion();
  BlockingRegion(const BlockingRegion&) = delete;
  BlockingRegion& operator=(const BlockingRegion&) = delete;

 private:
  BasicCoroutine* task_;
};

}  // namespace colony

#endif  // COLONY_SCHEDULER_BLOCKING_H_
