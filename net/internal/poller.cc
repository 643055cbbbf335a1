// Copyright 2026 The Colony Authors.

#include "net/internal/poller.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/thread_mutex.h"
#include "coroutine/basic_coroutine.h"
#include "net/internal/errors.h"
#include "scheduler/internal/shared.h"
#include "scheduler/internal/task.h"

namespace colony::net_internal {

using scheduler_internal::PollKind;

absl::StatusOr<std::shared_ptr<Poller>> Poller::Create(
    scheduler_internal::SchedulerShared* shared) {
  const int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return ErrnoStatus(LastErrno(), "epoll_create1");
  const int evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (evfd < 0) {
    const int err = LastErrno();
    close(epfd);
    return ErrnoStatus(err, "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered: drained whenever seen
  ev.data.u64 = kBreakData;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, evfd, &ev) != 0) {
    const int err = LastErrno();
    close(evfd);
    close(epfd);
    return ErrnoStatus(err, "epoll_ctl(ADD eventfd)");
  }
  std::shared_ptr<Poller> poller(new Poller(shared, epfd, evfd));
  if (shared == nullptr) {
    Poller* p = poller.get();
    p->thread_ = std::thread([p] { p->RunProcessPoller(); });
  }
  return poller;
}

absl::StatusOr<std::shared_ptr<Poller>> Poller::ForCaller() {
  scheduler_internal::Task* task = scheduler_internal::CurrentTask();
  if (task != nullptr) {
    scheduler_internal::SchedulerShared* shared = task->shared_;
    absl::Status error;
    std::shared_ptr<scheduler_internal::IoPoller> io =
        shared->InstallIoPoller([&]() -> std::shared_ptr<IoPoller> {
          absl::StatusOr<std::shared_ptr<Poller>> p = Create(shared);
          if (!p.ok()) {
            error = p.status();
            return nullptr;
          }
          return *std::move(p);
        });
    if (io == nullptr) return error;
    // Only net/ installs pollers.
    return std::static_pointer_cast<Poller>(std::move(io));
  }
  // The process poller lives as long as the process (never destroyed, so
  // its thread never races static destruction).
  static absl::StatusOr<std::shared_ptr<Poller>>* process =
      new absl::StatusOr<std::shared_ptr<Poller>>(Create(nullptr));
  return *process;
}

Poller::Poller(scheduler_internal::SchedulerShared* shared, int epfd, int evfd)
    : shared_(shared),
      epfd_(epfd),
      evfd_(evfd),
      chunk_table_(new std::atomic<PollDescriptor*>[kMaxChunks]) {
  for (uint32_t i = 0; i < kMaxChunks; ++i) {
    chunk_table_[i].store(nullptr, std::memory_order_relaxed);
  }
  last_poll_ns_.store(NowNanos(), std::memory_order_relaxed);
}

Poller::~Poller() {
  if (thread_.joinable()) {
    stop_thread_.store(true, std::memory_order_seq_cst);
    Break();
    thread_.join();
  }
  close(evfd_);
  close(epfd_);
  for (uint32_t i = 0; i < chunks_; ++i) {
    delete[] chunk_table_[i].load(std::memory_order_relaxed);
  }
}

void Poller::RunProcessPoller() {
  pthread_setname_np(pthread_self(), "colony-netpoll");
  while (!stop_thread_.load(std::memory_order_seq_cst)) {
    if (TryLock()) {
      PollLocked(PollKind::kBlocking, INT64_MAX);
      Unlock();
    }
  }
}

absl::StatusOr<PollDescriptor*> Poller::Register(int fd) {
  PollDescriptor* pd = nullptr;
  {
    base_internal::ThreadMutexLock lock(pool_mu_);
    if (free_ == nullptr) {
      if (chunks_ == kMaxChunks) {
        close(fd);
        return absl::ResourceExhaustedError(
            "register: the poller's descriptor pool is full");
      }
      PollDescriptor* chunk = new PollDescriptor[kChunkSize];
      for (uint32_t i = kChunkSize; i-- > 0;) {
        PollDescriptor* d = &chunk[i];
        d->poller_ = this;
        d->index_ = chunks_ * kChunkSize + i;
        // Relaxed: published by the chunk_table_ store below.
        d->word_.store((uint64_t{1} << 32) | PollDescriptor::kClosing,
                       std::memory_order_relaxed);
        d->next_free_ = free_;
        free_ = d;
      }
      // Release pairs with the acquire load in Lookup().
      chunk_table_[chunks_].store(chunk, std::memory_order_release);
      ++chunks_;
    }
    pd = free_;
    free_ = pd->next_free_;
    pd->next_free_ = nullptr;
  }
  const uint32_t gen = pd->generation();
  pd->fd_ = fd;
  // Relaxed: the release store of word_ below publishes them.
  for (PollDescriptor::Half& h : pd->half_) {
    h.state.store(PollDescriptor::kNil, std::memory_order_relaxed);
    h.deadline_ns.store(INT64_MAX, std::memory_order_relaxed);
  }
  pd->read_edges_incomplete_.store(false, std::memory_order_relaxed);
  // One reference: the owner's. Release publishes the fields above to
  // whoever acquires the word.
  pd->word_.store((uint64_t{gen} << 32) | 1, std::memory_order_release);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = (uint64_t{pd->index_} << 32) | gen;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    const int err = LastErrno();
    pd->Close(gen);  // closes fd and returns pd to the pool
    return ErrnoStatus(err, "epoll_ctl(ADD)");
  }
  registered_.fetch_add(1, std::memory_order_relaxed);
  return pd;
}

void Poller::Destroy(PollDescriptor* pd) {
  // Deleting before close() means no event for this use can be collected
  // after the number is free again; one already collected carries the old
  // generation and is dropped.
  if (epoll_ctl(epfd_, EPOLL_CTL_DEL, pd->fd_, nullptr) == 0) {
    registered_.fetch_sub(1, std::memory_order_relaxed);
  }
  close(pd->fd_);
  pd->fd_ = -1;
  const uint64_t next = uint64_t{pd->generation()} + 1;
  // Next generation, closing: no handle of the old one acquires it, and
  // nobody uses it until Register() hands it out again. Release pairs
  // with the acquire loads of generation() in PollLocked().
  pd->word_.store(((next & 0xffffffffu) << 32) | PollDescriptor::kClosing,
                  std::memory_order_release);
  base_internal::ThreadMutexLock lock(pool_mu_);
  pd->next_free_ = free_;
  free_ = pd;
}

PollDescriptor* Poller::Lookup(uint32_t index) const {
  // Acquire pairs with the release store in Register().
  PollDescriptor* chunk =
      chunk_table_[index >> kChunkBits].load(std::memory_order_acquire);
  return chunk == nullptr ? nullptr : &chunk[index & (kChunkSize - 1)];
}

void Poller::AddWaiter() {
  if (waiters_.fetch_add(1, std::memory_order_relaxed) == 0 &&
      shared_ != nullptr) {
    shared_->IoWaitersAppeared();
  }
}

bool Poller::TryLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // One poller at a time (IoPoller's capability is this lock).
  return poll_lock_.TryLock();
}

void Poller::Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS { poll_lock_.Unlock(); }

int64_t Poller::LastPollNanos() const {
  if (in_blocking_.load(std::memory_order_relaxed)) return INT64_MAX;
  return last_poll_ns_.load(std::memory_order_relaxed);
}

int Poller::PollLocked(PollKind kind, int64_t deadline_ns) {
  constexpr int kMaxEvents = 128;
  constexpr int kBusyEvents = 32;
  epoll_event events[kMaxEvents];
  int n;
  if (kind == PollKind::kBlocking) {
    // Publish the deadline, then look at the timers again: a timer added
    // after the caller chose `deadline_ns` either is seen here or sees
    // this deadline in SchedulerShared::NoteTimer() and breaks the wait (both
    // sides seq_cst). Nobody needs to break a poll that is not in progress, so
    // parking with a deadline costs no eventfd write.
    blocking_deadline_.store(deadline_ns, std::memory_order_seq_cst);
    if (shared_ != nullptr) {
      deadline_ns = std::min(deadline_ns, shared_->EarliestTimerNanos());
    }
    in_blocking_.store(true, std::memory_order_relaxed);
    timespec ts;
    timespec* timeout = nullptr;
    if (deadline_ns != INT64_MAX) {
      const int64_t left = std::max<int64_t>(deadline_ns - NowNanos(), 0);
      ts.tv_sec = left / 1'000'000'000;
      ts.tv_nsec = left % 1'000'000'000;
      timeout = &ts;
    }
    n = epoll_pwait2(epfd_, events, kMaxEvents, timeout, nullptr);
    if (n < 0 && LastErrno() == ENOSYS) {
      const int ms = timeout == nullptr
                         ? -1
                         : static_cast<int>((ts.tv_sec * 1'000'000'000 +
                                             ts.tv_nsec + 999'999) /
                                            1'000'000);
      n = epoll_wait(epfd_, events, kMaxEvents, ms);
    }
    in_blocking_.store(false, std::memory_order_relaxed);
    blocking_deadline_.store(INT64_MIN, std::memory_order_relaxed);
  } else {
    n = epoll_wait(epfd_, events, kBusyEvents, 0);
  }
  polls_[static_cast<int>(kind)].fetch_add(1, std::memory_order_relaxed);
  int woken = 0;
  for (int i = 0; i < n; ++i) {
    const uint64_t data = events[i].data.u64;
    if (data == kBreakData) {
      uint64_t count;
      while (read(evfd_, &count, sizeof(count)) > 0) {
      }
      continue;
    }
    PollDescriptor* pd = Lookup(static_cast<uint32_t>(data >> 32));
    if (pd == nullptr || pd->generation() != static_cast<uint32_t>(data)) {
      stale_events_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    ready_events_.fetch_add(1, std::memory_order_relaxed);
    const uint32_t ev = events[i].events;
    if ((ev & (EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
      // Before the wake-up below: the reader it wakes sees it. Release
      // pairs with the acquire load in read_edges_complete().
      pd->read_edges_incomplete_.store(true, std::memory_order_release);
    }
    if ((ev & (EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
      woken += pd->Unblock(Direction::kRead, /*ioready=*/true);
    }
    if ((ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
      woken += pd->Unblock(Direction::kWrite, /*ioready=*/true);
    }
  }
  last_poll_ns_.store(NowNanos(), std::memory_order_relaxed);
  return woken;
}

void Poller::Break() {
  breaks_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t one = 1;
  // Fails only when the counter is saturated, which breaks the wait too.
  [[maybe_unused]] ssize_t n = write(evfd_, &one, sizeof(one));
}

void Poller::Shutdown() {
  // Release pairs with the acquire load in shut_down() (Wait()).
  shut_down_.store(true, std::memory_order_release);
  base_internal::ThreadMutexLock lock(pool_mu_);
  for (uint32_t c = 0; c < chunks_; ++c) {
    PollDescriptor* chunk = chunk_table_[c].load(std::memory_order_relaxed);
    for (uint32_t i = 0; i < kChunkSize; ++i) {
      chunk[i].Unblock(Direction::kRead, /*ioready=*/false);
      chunk[i].Unblock(Direction::kWrite, /*ioready=*/false);
    }
  }
}

void Poller::FillStats(IoStats* stats) const {
  stats->registered_fds = registered_.load(std::memory_order_relaxed);
  stats->ready_events = ready_events_.load(std::memory_order_relaxed);
  stats->stale_events = stale_events_.load(std::memory_order_relaxed);
  stats->polls_blocking = polls_[static_cast<int>(PollKind::kBlocking)].load(
      std::memory_order_relaxed);
  stats->polls_busy =
      polls_[static_cast<int>(PollKind::kBusy)].load(std::memory_order_relaxed);
  stats->polls_monitor = polls_[static_cast<int>(PollKind::kMonitor)].load(
      std::memory_order_relaxed);
  stats->breaks = breaks_.load(std::memory_order_relaxed);
  const int64_t w = waiters_.load(std::memory_order_relaxed);
  stats->io_waiters = w > 0 ? static_cast<size_t>(w) : 0;
}

}  // namespace colony::net_internal
