// Copyright 2026 The Colony Authors.
//
// Poller: one edge-triggered epoll instance, its break eventfd and its
// pool of PollDescriptors.
//
// Every scheduler gets one, lazily, the first time one of its tasks opens
// a socket (ForCaller() installs it with SchedulerShared::InstallIoPoller());
// its workers, its monitor thread and its busy workers poll it (see
// scheduler/internal/io_poller.h). Sockets opened outside any task use the
// process poller, which has a thread of its own blocked in it. Either way
// the waiters are woken the same way: a task through SchedulerShared::Wake()
// (from a worker into that worker's run queue, from elsewhere into the
// injection queue), a thread through the descriptor's futex.
//
// Each fd is registered once, EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, with
// (descriptor index, generation) as its data; events whose generation no
// longer matches are dropped (a closed fd whose number was reused).
//
// Lifetime: shared. The scheduler and every socket hold a reference, so
// descriptors (type-stable, in chunks) stay valid until the last socket is
// gone, even after the scheduler stopped (its sockets' waits then fail
// with Cancelled).
//
// Thread-safety: every member may be called from any thread; PollLocked()
// requires TryLock().

#ifndef COLONY_NET_INTERNAL_POLLER_H_
#define COLONY_NET_INTERNAL_POLLER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/internal/spin_lock.h"
#include "base/internal/thread_mutex.h"
#include "net/internal/poll_descriptor.h"
#include "scheduler/internal/io_poller.h"

namespace colony::scheduler_internal {
class SchedulerShared;
}  // namespace colony::scheduler_internal

namespace colony::net_internal {

class Poller final : public scheduler_internal::IoPoller {
 public:
  // Create() builds a poller for `shared` (null: the process poller, which
  // starts its own polling thread).
  static absl::StatusOr<std::shared_ptr<Poller>> Create(
      scheduler_internal::SchedulerShared* shared);
  // ForCaller() is the calling task's scheduler's poller (installed on
  // first use), or the process poller outside tasks.
  static absl::StatusOr<std::shared_ptr<Poller>> ForCaller();

  ~Poller() override;

  // Register() adds `fd` (non-blocking, owned from now on: closed by the
  // descriptor's last Release() after Close()) and returns its descriptor
  // with one owner reference, or an error (then `fd` is closed).
  absl::StatusOr<PollDescriptor*> Register(int fd);
  // Destroy() is the final close: EPOLL_CTL_DEL, close(), back to the pool
  // with the next generation.
  void Destroy(PollDescriptor* pd);

  // shut_down() pairs with the release store in Shutdown().
  bool shut_down() const { return shut_down_.load(std::memory_order_acquire); }
  // AddWaiter()/RemoveWaiter() count the tasks and threads in Wait().
  void AddWaiter();
  void RemoveWaiter() { waiters_.fetch_sub(1, std::memory_order_relaxed); }

  // IoPoller:
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) override;
  void Unlock() ABSL_UNLOCK_FUNCTION() override;
  int PollLocked(scheduler_internal::PollKind kind, int64_t deadline_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) override;
  void Break() override;
  bool HasWaiters() const override {
    return waiters_.load(std::memory_order_relaxed) > 0;
  }
  int64_t LastPollNanos() const override;
  int64_t BlockingDeadline() const override {
    return blocking_deadline_.load(std::memory_order_seq_cst);
  }
  void Shutdown() override;
  void FillStats(IoStats* stats) const override;

 private:
  static constexpr uint32_t kChunkBits = 8;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr uint32_t kMaxChunks = 1u << 14;  // 4M descriptors
  static constexpr uint64_t kBreakData = ~uint64_t{0};

  Poller(scheduler_internal::SchedulerShared* shared, int epfd, int evfd);
  PollDescriptor* Lookup(uint32_t index) const;
  void RunProcessPoller();

  scheduler_internal::SchedulerShared* const shared_;
  const int epfd_;
  const int evfd_;
  // The right to poll (IoPoller::TryLock()).
  base_internal::SpinLock poll_lock_;
  std::atomic<bool> shut_down_{false};
  // Relaxed snapshots for the monitor (LastPollNanos()).
  std::atomic<bool> in_blocking_{false};
  std::atomic<int64_t> last_poll_ns_{0};
  // The deadline of the blocking poll in progress; INT64_MIN when none.
  // Reset relaxed after the poll: a stale deadline read meanwhile costs
  // one needless Break().
  std::atomic<int64_t> blocking_deadline_{INT64_MIN};
  // Relaxed: a hint for busy polling (HasWaiters()); a worker that parks
  // takes the poller role whatever it says.
  std::atomic<int64_t> waiters_{0};

  // The pool: chunks are appended under pool_mu_ and never freed while
  // the poller lives; lookups by index read chunk_table_ without the lock
  // (acquire pairs with the release store that publishes a chunk).
  base_internal::ThreadMutex pool_mu_;
  // Relaxed in the constructor and the destructor (no other thread) and
  // in Shutdown() (under pool_mu_, which orders it with the stores).
  std::unique_ptr<std::atomic<PollDescriptor*>[]> chunk_table_;
  uint32_t chunks_ ABSL_GUARDED_BY(pool_mu_) = 0;
  PollDescriptor* free_ ABSL_GUARDED_BY(pool_mu_) = nullptr;

  // Counters (relaxed; read by FillStats()).
  std::atomic<size_t> registered_{0};
  std::atomic<uint64_t> ready_events_{0};
  std::atomic<uint64_t> stale_events_{0};
  std::atomic<uint64_t> polls_[3] = {};
  std::atomic<uint64_t> breaks_{0};

  std::thread thread_;  // the process poller's own thread
  std::atomic<bool> stop_thread_{false};
};

}  // namespace colony::net_internal

#endif  // COLONY_NET_INTERNAL_POLLER_H_
