// Copyright 2026 The Colony Authors.
//
// The cases of Select() (sync/select.h) and the engine that decides among
// them.
//
// SelectAmong() locks every channel involved in address order, tries the
// cases in a random order and takes the first that can happen now. If none
// can, it queues one WaitNode per case, all sharing a SelectState, releases
// the locks and waits in WaitQueue::BlockSelect(). A notifier on any of the
// channels claims the state with a CAS and completes that case (moving the
// value into or out of the case); the others skip the select's nodes. On
// return every node of the select is out of its queue.
//
// Thread-safety: as for Select().

#ifndef COLONY_SYNC_CHANNEL_INTERNAL_SELECT_CASE_H_
#define COLONY_SYNC_CHANNEL_INTERNAL_SELECT_CASE_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "sync/channel/channel.h"
#include "sync/locks/internal/wait_queue.h"
#include "time/deadline.h"

namespace colony::sync_internal {

// ChannelCase: one channel operation of a select.
class ChannelCase {
 public:
  virtual ~ChannelCase() = default;
  // The channel's lock.
  virtual ChannelMutex* mutex() = 0;
  // TryLocked() does the operation if it needs no wait (see ChannelOp).
  virtual ChannelOp TryLocked(WaitNode** wake) = 0;
  // Enqueue() queues `node` (its select fields set) on the channel;
  // Dequeue() takes it out if still queued. Both require mutex().
  virtual void Enqueue(WaitNode* node) = 0;
  virtual void Dequeue(WaitNode* node) = 0;
};

template <typename T, typename F>
class RecvCase final : public ChannelCase {
 public:
  RecvCase(Channel<T>& ch, F fn) : ch_(ch), fn_(std::move(fn)) {}

  ChannelMutex* mutex() override { return ChannelAccess::Mutex(ch_); }
  ChannelOp TryLocked(WaitNode** wake) override {
    return ChannelAccess::TryRecvLocked(ch_, &slot_, wake);
  }
  void Enqueue(WaitNode* node) override {
    node->data = &slot_;
    ChannelAccess::Receivers(ch_).Push(node);
  }
  void Dequeue(WaitNode* node) override {
    ChannelAccess::Receivers(ch_).Remove(node);
  }
  // Run() calls the handler: the value, or std::nullopt when closed.
  void Run(bool ok) {
    if (!ok) slot_.reset();
    fn_(std::move(slot_));
  }

 private:
  Channel<T>& ch_;
  F fn_;
  std::optional<T> slot_;
};

template <typename T, typename F>
class SendCase final : public ChannelCase {
 public:
  SendCase(Channel<T>& ch, T value, F fn)
      : ch_(ch), value_(std::move(value)), fn_(std::move(fn)) {}

  ChannelMutex* mutex() override { return ChannelAccess::Mutex(ch_); }
  ChannelOp TryLocked(WaitNode** wake) override {
    return ChannelAccess::TrySendLocked(ch_, &value_, wake);
  }
  void Enqueue(WaitNode* node) override {
    node->data = &value_;
    ChannelAccess::Senders(ch_).Push(node);
  }
  void Dequeue(WaitNode* node) override {
    ChannelAccess::Senders(ch_).Remove(node);
  }
  // Run() calls the handler with whether the value was sent.
  void Run(bool ok) { fn_(ok); }

 private:
  Channel<T>& ch_;
  T value_;
  F fn_;
};

template <typename F>
class TimeoutCase {
 public:
  TimeoutCase(Deadline deadline, F fn)
      : deadline_(deadline), fn_(std::move(fn)) {}
  Deadline deadline() const { return deadline_; }
  void Run() { fn_(); }

 private:
  Deadline deadline_;
  F fn_;
};

template <typename F>
class DefaultCase {
 public:
  explicit DefaultCase(F fn) : fn_(std::move(fn)) {}
  void Run() { fn_(); }

 private:
  F fn_;
};

template <typename C>
struct TimeoutTraits : std::false_type {};
template <typename F>
struct TimeoutTraits<TimeoutCase<F>> : std::true_type {};
template <typename C>
struct DefaultTraits : std::false_type {};
template <typename F>
struct DefaultTraits<DefaultCase<F>> : std::true_type {};

template <typename C>
constexpr bool IsTimeoutCase() {
  return TimeoutTraits<C>::value;
}
template <typename C>
constexpr bool IsDefaultCase() {
  return DefaultTraits<C>::value;
}

struct SelectOutcome {
  int index = -1;   // the channel case that happened; -1: timeout/default
  bool ok = false;  // it completed (false: its channel was closed)
};

// SelectAmong() decides among `count` channel cases, waiting until
// `deadline` (a deadline already reached only polls them once). Throws
// CoroutineCancelled in a cancelled task.
SelectOutcome SelectAmong(ChannelCase* const* cases, int count,
                          Deadline deadline);

}  // namespace colony::sync_internal

#endif  // COLONY_SYNC_CHANNEL_INTERNAL_SELECT_CASE_H_
