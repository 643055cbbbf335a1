// Copyright 2026 The Colony Authors.
//
// Select(): wait on several channel operations at once and run the handler
// of the one that happens.
//
//   int picked = colony::Select(
//       colony::OnRecv(requests, [&](std::optional<Request> r) { ... }),
//       colony::OnSend(results, std::move(result), [&](bool sent) { ... }),
//       colony::OnTimeout(absl::Milliseconds(50), [&] { ... }));
//
// Exactly one case happens, and its handler runs once Select() holds no
// lock (a handler may use the same channels again):
//   - OnRecv(ch, fn): a value was received, fn(std::optional<T>{value}), or
//     the channel is closed and drained, fn(std::nullopt).
//   - OnSend(ch, value, fn): the value was sent, fn(true), or the channel
//     is closed, fn(false); the value is consumed only if sent.
//   - OnTimeout(duration or absl::Time, fn): nothing happened in time.
//   - OnDefault(fn): nothing could happen without waiting (Select() then
//     never waits).
// A closed channel counts as ready. Among cases ready at the same moment
// one is chosen at random, so none starves. Select() returns the index of
// the case that ran, counted in argument order. At most one OnTimeout and
// one OnDefault may be given, and not both.
//
// In a task, Select() is a cancellation point: CoroutineCancelled is
// thrown, and then no case happened and no value moved. From a plain
// thread it blocks.
//
// Thread-safety: any task or thread may select on channels that others use
// at the same time, and several selects may share channels. Memory
// ordering: as for the channel operation that happened.

#ifndef COLONY_SYNC_CHANNEL_SELECT_H_
#define COLONY_SYNC_CHANNEL_SELECT_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"
#include "sync/channel/channel.h"
#include "sync/channel/internal/select_case.h"
#include "time/deadline.h"

namespace colony {

// OnRecv() is a case that receives from `ch`; fn(std::optional<T>).
template <typename T, typename F>
sync_internal::RecvCase<T, std::decay_t<F>> OnRecv(Channel<T>& ch, F&& fn) {
  return sync_internal::RecvCase<T, std::decay_t<F>>(ch, std::forward<F>(fn));
}

// OnSend() is a case that sends `value` on `ch`; fn(bool sent).
template <typename T, typename V, typename F>
sync_internal::SendCase<T, std::decay_t<F>> OnSend(Channel<T>& ch, V&& value,
                                                   F&& fn) {
  return sync_internal::SendCase<T, std::decay_t<F>>(
      ch, T(std::forward<V>(value)), std::forward<F>(fn));
}

// OnTimeout() is a case that happens when nothing else did within
// `timeout` (or by `deadline`; an absl::Time converts); fn().
template <typename F>
sync_internal::TimeoutCase<std::decay_t<F>> OnTimeout(Deadline deadline,
                                                      F&& fn) {
  return sync_internal::TimeoutCase<std::decay_t<F>>(deadline,
                                                     std::forward<F>(fn));
}
template <typename F>
sync_internal::TimeoutCase<std::decay_t<F>> OnTimeout(absl::Duration timeout,
                                                      F&& fn) {
  return OnTimeout(Deadline::After(timeout), std::forward<F>(fn));
}

// OnDefault() is a case that happens when no other is ready now; fn().
template <typename F>
sync_internal::DefaultCase<std::decay_t<F>> OnDefault(F&& fn) {
  return sync_internal::DefaultCase<std::decay_t<F>>(std::forward<F>(fn));
}

// Select() waits until one of `cases` happens, runs its handler and
// returns its index (see the top of this file).
template <typename... Cases>
int Select(Cases&&... cases) {
  static_assert(sizeof...(Cases) > 0, "Select() needs at least one case");
  constexpr int kTimeouts =
      (0 + ... + (sync_internal::IsTimeoutCase<std::decay_t<Cases>>() ? 1 : 0));
  constexpr int kDefaults =
      (0 + ... + (sync_internal::IsDefaultCase<std::decay_t<Cases>>() ? 1 : 0));
  static_assert(kTimeouts + kDefaults <= 1,
                "Select() takes at most one OnTimeout or OnDefault case");
  constexpr int kChannels =
      static_cast<int>(sizeof...(Cases)) - kTimeouts - kDefaults;
  static_assert(kChannels > 0, "Select() needs at least one channel case");

  // Channel cases by argument index; -1 marks the timeout/default slot.
  sync_internal::ChannelCase* channel_cases[kChannels];
  int argument_of[kChannels];
  // OnDefault() never waits: its deadline has always passed.
  Deadline deadline = Deadline::Infinite();
  int special_index = -1;
  int next = 0;
  int arg = 0;
  auto collect = [&](auto& c) {
    using C = std::decay_t<decltype(c)>;
    if constexpr (sync_internal::IsTimeoutCase<C>()) {
      deadline = c.deadline();
      special_index = arg;
    } else if constexpr (sync_internal::IsDefaultCase<C>()) {
      deadline = Deadline::Passed();
      special_index = arg;
    } else {
      channel_cases[next] = &c;
      argument_of[next] = arg;
      ++next;
    }
    ++arg;
  };
  (collect(cases), ...);
  const sync_internal::SelectOutcome outcome =
      sync_internal::SelectAmong(channel_cases, kChannels, deadline);
  const int chosen =
      outcome.index >= 0 ? argument_of[outcome.index] : special_index;
  int i = 0;
  auto run = [&](auto& c) {
    if (i++ != chosen) return;
    using C = std::decay_t<decltype(c)>;
    if constexpr (sync_internal::IsTimeoutCase<C>() ||
                  sync_internal::IsDefaultCase<C>()) {
      c.Run();
    } else {
      c.Run(outcome.ok);
    }
  };
  (run(cases), ...);
  return chosen;
}

}  // namespace colony

#endif  // COLONY_SYNC_CHANNEL_SELECT_H_
