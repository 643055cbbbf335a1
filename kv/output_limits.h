// Copyright 2026 The Colony Authors.
//
// Output-buffer limits of the key-value backend: Redis'
// `client-output-buffer-limit`, which bounds the replies (and pub/sub
// messages) a client has been given but has not read yet.
//
// The parameter holds one triple per client class, "<class> <hard>
// <soft> <soft-seconds>": a client whose unsent bytes reach `hard`, or
// stay at or over `soft` for longer than `soft-seconds`, is disconnected
// (0 turns a limit off). The classes are `normal`, `replica` (printed as
// `slave`) and `pubsub`; a CONFIG SET may name any subset of them, and is
// applied whole or not at all.
//
//   ClientOutputBufferLimits limits;  // Redis' defaults
//   absl::Status s = ParseClientOutputBufferLimits("pubsub 32mb 8mb 60",
//                                                  &limits);
//   FormatClientOutputBufferLimits(limits);  // what CONFIG GET shows
//
// OutputLimits holds the values in force (mirrored from the parameter) and
// counts the clients cut; OutputLimitClock is one client's soft-limit
// timer.
//
// Thread-safety: OutputLimits may be used from any task; the parse and
// format functions are pure; an OutputLimitClock belongs to one client
// and is used under whatever guards that client's output.
#ifndef COLONY_KV_OUTPUT_LIMITS_H_
#define COLONY_KV_OUTPUT_LIMITS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace colony::kv {

// The client classes that have their own limits, in Redis' order.
enum class ClientClass { kNormal = 0, kReplica = 1, kPubSub = 2 };

// One class's limits (0: no limit).
struct OutputBufferLimit {
  uint64_t hard_bytes = 0;
  uint64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};

using ClientOutputBufferLimits = std::array<OutputBufferLimit, 3>;

// DefaultClientOutputBufferLimits() are Redis 7's defaults: normal
// unlimited, replica 256mb 64mb 60, pubsub 32mb 8mb 60.
ClientOutputBufferLimits DefaultClientOutputBufferLimits();

// ParseClientOutputBufferLimits() applies `value` (triples of class, hard,
// soft and seconds separated by single spaces; memory units as Redis'
// b/k/kb/m/mb/g/gb) to `limits`: the classes it names change, the others
// stay. On an error nothing changes and the message is Redis' text (the
// part after "CONFIG SET failed (...) - ").
absl::Status ParseClientOutputBufferLimits(absl::string_view value,
                                           ClientOutputBufferLimits* limits);

// FormatClientOutputBufferLimits() writes all three classes as CONFIG GET
// shows them: "normal 0 0 0 slave 268435456 67108864 60 pubsub ...".
std::string FormatClientOutputBufferLimits(
    const ClientOutputBufferLimits& limits);

// OutputLimits: the limits in force, read on the hot path (relaxed
// atomics: a change applies to the next check of every client), and the
// count of clients disconnected for passing them (INFO stats
// client_output_buffer_limit_disconnections).
class OutputLimits {
 public:
  OutputLimits();

  // Set() makes `limits` the ones in force.
  void Set(const ClientOutputBufferLimits& limits);
  // Get() is one class's limits.
  OutputBufferLimit Get(ClientClass c) const;

  // BindOnce() runs `bind` the first time it is called (the server ties
  // the values to its configuration parameter once).
  template <typename F>
  void BindOnce(F&& bind) {
    std::call_once(bound_, std::forward<F>(bind));
  }

  // CountDisconnect() records a client cut for its output.
  void CountDisconnect() { disconnects_.fetch_add(1); }
  uint64_t disconnects() const { return disconnects_.load(); }

 private:
  // Relaxed: CONFIG SET values; a reader may pair fields of an old and a
  // new setting for one check, which is harmless.
  struct Live {
    std::atomic<uint64_t> hard{0};
    std::atomic<uint64_t> soft{0};
    std::atomic<int64_t> seconds{0};
  };
  std::array<Live, 3> live_;
  std::once_flag bound_;
  std::atomic<uint64_t> disconnects_{0};
};

// OutputLimitClock: one client's view of its limits over time. Over()
// is asked each time the client's unsent bytes change (or while they wait
// to be written) and says whether the client must go.
class OutputLimitClock {
 public:
  // A client's first 16 KiB of unsent output do not count, as in Redis
  // (whose clients each have a fixed reply buffer of that size that its
  // limits leave out).
  static constexpr size_t kUncountedBytes = 16 * 1024;

  // Over() is true when `pending` unsent bytes (less kUncountedBytes)
  // reach the hard limit, or
  // reach the soft limit and have stayed there for longer than its
  // seconds (counted from the first call that saw them there; a call
  // under the soft limit stops the count).
  bool Over(const OutputBufferLimit& limit, size_t pending, int64_t now_ms);

 private:
  int64_t soft_since_ms_ = 0;
};

}  // namespace colony::kv

#endif  // COLONY_KV_OUTPUT_LIMITS_H_
