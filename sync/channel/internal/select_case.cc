// Copyright 2026 The Colony Authors.

#include "sync/channel/internal/select_case.h"

#include <algorithm>
#include <cstdint>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/container/inlined_vector.h"
#include "scheduler/internal/park.h"

namespace colony::sync_internal {
namespace {

// The channels' locks, deduplicated and in address order, so that two
// selects over the same channels cannot deadlock.
class LockSet {
 public:
  LockSet(ChannelCase* const* cases, int count) {
    for (int i = 0; i < count; ++i) mus_.push_back(cases[i]->mutex());
    std::sort(mus_.begin(), mus_.end());
    mus_.erase(std::unique(mus_.begin(), mus_.end()), mus_.end());
  }
  // The analysis cannot follow a lock set whose size is only known at run
  // time; Lock() and Unlock() are each other's mirror.
  void Lock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (ChannelMutex* mu : mus_) mu->lock();
  }
  void Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (auto it = mus_.rbegin(); it != mus_.rend(); ++it) (*it)->unlock();
  }

 private:
  absl::InlinedVector<ChannelMutex*, 8> mus_;
};

// A per-thread xorshift: which ready case goes first only has to be
// unpredictable enough that none starves.
uint32_t NextRandom() {
  static thread_local uint32_t state = 0;
  if (state == 0) {
    state = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&state)) | 1u;
  }
  uint32_t x = state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  state = x;
  return x;
}

}  // namespace

SelectOutcome SelectAmong(ChannelCase* const* cases, int count,
                          Deadline deadline) {
  LockSet locks(cases, count);
  // Poll in a random rotation of the cases.
  const int start =
      static_cast<int>(NextRandom() % static_cast<uint32_t>(count));
  locks.Lock();
  for (int k = 0; k < count; ++k) {
    const int i = (start + k) % count;
    WaitNode* wake = nullptr;
    const ChannelOp op = cases[i]->TryLocked(&wake);
    if (op == ChannelOp::kWouldBlock) continue;
    locks.Unlock();
    if (wake != nullptr) WaitQueue::Wake(wake);
    return SelectOutcome{i, op == ChannelOp::kDone};
  }
  if (deadline.IsReached()) {
    locks.Unlock();
    return SelectOutcome{};
  }
  SelectState state;
  state.signal.Prepare("select");
  absl::InlinedVector<WaitNode, 4> nodes(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    WaitNode& node = nodes[static_cast<size_t>(i)];
    node.select = &state;
    node.select_index = i;
    cases[i]->Enqueue(&node);
  }
  locks.Unlock();
  const WaitResult r =
      WaitQueue::BlockSelect(&state, deadline, /*cancellable=*/true);
  // Take out the nodes still queued: after this no notifier can reach the
  // select's state or its cases.
  locks.Lock();
  for (int i = 0; i < count; ++i) {
    cases[i]->Dequeue(&nodes[static_cast<size_t>(i)]);
  }
  locks.Unlock();
  if (r == WaitResult::kNotified) {
    // Pairs with the winning notifier's TryClaim() CAS (the signal node's
    // kNotified, acquired in BlockSelect(), already ordered it).
    const int winner = state.winner.load(std::memory_order_acquire);
    return SelectOutcome{winner, nodes[static_cast<size_t>(winner)].ok};
  }
  if (r == WaitResult::kCancelled) {
    ThrowIfCancelled(state.signal);
  }
  return SelectOutcome{};
}

}  // namespace colony::sync_internal
