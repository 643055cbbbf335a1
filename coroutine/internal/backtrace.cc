// Copyright 2026 The Colony Authors.

#include "coroutine/internal/backtrace.h"

#include <cstring>

#include "coroutine/basic_coroutine.h"
#include "coroutine/internal/access.h"
#include "coroutine/internal/context.h"

namespace colony::coroutine_internal {
namespace {

// A frame record: where the caller's frame pointer and the return address
// into the caller are saved (x86-64: push rbp at [rbp], return address at
// [rbp + 8]; aarch64: stp x29, x30 at [x29]).
constexpr uintptr_t kRecordSize = 2 * sizeof(uintptr_t);

int RangeOf(uintptr_t fp, absl::Span<const StackRange> ranges) {
  if (fp % sizeof(uintptr_t) != 0) return -1;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const StackRange& r = ranges[i];
    if (fp >= r.lo && fp < r.hi && r.hi - fp >= kRecordSize) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace

// The records lie in another task's stack, inside the checked ranges: no
// sanitizer must instrument these reads (ASan would flag a redzone next to
// a record; the stack's owner is pinned, so there is no race for TSan).
__attribute__((no_sanitize("address", "thread"))) size_t WalkFrames(
    uintptr_t pc, uintptr_t fp, absl::Span<const StackRange> ranges,
    absl::Span<uintptr_t> pcs) {
  size_t n = 0;
  if (pcs.empty() || pc == 0) return 0;
  pcs[n++] = pc;
  int range = RangeOf(fp, ranges);
  while (n < pcs.size() && range >= 0) {
    uintptr_t record[2];
    std::memcpy(record, reinterpret_cast<const void*>(fp), sizeof(record));
    const uintptr_t next_fp = record[0];
    const uintptr_t ret = record[1];
    if (ret == 0) break;
    pcs[n++] = ret;
    const int next_range = RangeOf(next_fp, ranges);
    // Within one range the chain climbs strictly; a move to another range
    // is allowed (the walk is bounded by pcs.size() anyway).
    if (next_range < 0 || (next_range == range && next_fp <= fp)) break;
    fp = next_fp;
    range = next_range;
  }
  return n;
}

size_t SuspendedBacktrace(const BasicCoroutine& coroutine,
                          absl::Span<uintptr_t> pcs) {
  const Context& ctx = Access::SavedContext(&coroutine);
#if defined(__x86_64__)
  const uintptr_t pc = ctx.rip;
  const uintptr_t fp = ctx.rbp;
#elif defined(__aarch64__)
  const uintptr_t pc = ctx.x[11];  // x30: the resume address
  const uintptr_t fp = ctx.x[10];  // x29
#endif
  StackRange ranges[2];
  size_t num_ranges = 0;
  const Stack& main = Access::MainStack(&coroutine);
  if (main.valid()) {
    ranges[num_ranges++] = {reinterpret_cast<uintptr_t>(main.lo),
                            reinterpret_cast<uintptr_t>(main.top())};
  }
  const char* active_lo = Access::ActiveLo(&coroutine);
  if (active_lo != nullptr && active_lo != main.lo) {
    const auto lo = reinterpret_cast<uintptr_t>(active_lo);
    ranges[num_ranges++] = {lo, lo + Access::ActiveSize(&coroutine)};
  }
  return WalkFrames(pc, fp, absl::MakeConstSpan(ranges, num_ranges), pcs);
}

}  // namespace colony::coroutine_internal
