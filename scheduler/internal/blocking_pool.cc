// Copyright 2026 The Colony Authors.

#include "scheduler/internal/blocking_pool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/thread_mutex.h"
#include "scheduler/internal/blocking_job.h"

namespace colony::scheduler_internal {

namespace {
thread_local const void* tls_pool_owner = nullptr;
// See FailBlockingThreadStartsForTesting(). Relaxed: the test sets it
// before the spawns it affects, ordered by the spawn itself.
std::atomic<bool> fail_thread_starts{false};
}  // namespace

void FailBlockingThreadStartsForTesting(bool fail) {
  fail_thread_starts.store(fail, std::memory_order_relaxed);
}

const void* CurrentPoolOwner() { return tls_pool_owner; }

BlockingPool::BlockingPool(int max_threads, absl::Duration keep_alive,
                           std::string name, const void* owner)
    : max_threads_(max_threads),
      keep_alive_(keep_alive),
      name_(std::move(name)),
      owner_(owner) {}

BlockingPool::~BlockingPool() { Shutdown(); }

absl::Status BlockingPool::Submit(BlockingWork* work) {
  std::vector<std::thread> to_join;
  absl::Status status;
  {
    base_internal::ThreadMutexLock lock(mu_);
    to_join.swap(exited_);
    // Each idle thread takes one job; start a thread for the rest.
    if (static_cast<int>(queue_.size()) < idle_) {
      queue_.push_back(work);
      cv_.notify_one();
    } else if (threads_ < max_threads_) {
      try {
        StartThreadLocked();
        queue_.push_back(work);
      } catch (const std::system_error& e) {
        if (threads_ > 0) {
          // A busy thread will take it, as when the pool is at its limit.
          queue_.push_back(work);
        } else {
          status = absl::ResourceExhaustedError(
              absl::StrCat("SpawnBlocking(): could not start a thread of the "
                           "blocking pool of '",
                           name_, "': ", e.what()));
        }
      }
    } else {
      queue_.push_back(work);
    }
  }
  // Threads that timed out: they are past their last use of the pool.
  for (std::thread& t : to_join) t.join();
  return status;
}

void BlockingPool::StartThreadLocked() {
  // Room first, so that a thread once started always has its handle kept.
  handles_.reserve(handles_.size() + 1);
  if (fail_thread_starts.load(std::memory_order_relaxed)) {
    throw std::system_error(EAGAIN, std::generic_category(),
                            "thread start refused for testing");
  }
  handles_.emplace_back([this] { ThreadMain(); });
  ++threads_;
}

void BlockingPool::ThreadMain() {
  std::string thread_name = name_.substr(0, 11) + "-blk";
  pthread_setname_np(pthread_self(), thread_name.c_str());
  tls_pool_owner = owner_;
  base_internal::ThreadMutexLock lock(mu_);
  for (;;) {
    if (!queue_.empty()) {
      BlockingWork* work = queue_.front();
      queue_.pop_front();
      lock.Unlock();
      work->Run();
      lock.Lock();
      continue;
    }
    if (shutdown_) break;
    ++idle_;
    const bool woke = cv_.wait_for(
        lock.native(), absl::ToChronoNanoseconds(keep_alive_), [this] {
          mu_.AssertHeld();  // the wait retakes it
          return !queue_.empty() || shutdown_;
        });
    --idle_;
    if (!woke) break;  // idle for keep_alive_
  }
  // Hand our own handle to the list to be joined by the next Submit() or
  // by Shutdown().
  --threads_;
  const std::thread::id self = std::this_thread::get_id();
  auto it =
      std::find_if(handles_.begin(), handles_.end(),
                   [&](const std::thread& t) { return t.get_id() == self; });
  if (it != handles_.end()) {
    exited_.push_back(std::move(*it));
    handles_.erase(it);
  }
  cv_.notify_all();
}

void BlockingPool::Shutdown() {
  std::vector<std::thread> to_join;
  {
    base_internal::ThreadMutexLock lock(mu_);
    shutdown_ = true;
    cv_.notify_all();
    cv_.wait(lock.native(), [this] {
      mu_.AssertHeld();  // the wait retakes it
      return threads_ == 0;
    });
    to_join.swap(exited_);
  }
  for (std::thread& t : to_join) t.join();
}

size_t BlockingPool::threads() const {
  base_internal::ThreadMutexLock lock(mu_);
  return static_cast<size_t>(threads_);
}

size_t BlockingPool::queued() const {
  base_internal::ThreadMutexLock lock(mu_);
  return queue_.size();
}

}  // namespace colony::scheduler_internal
