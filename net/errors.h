// Copyright 2026 The Colony Authors.
//
// Errors of net/: every failure is an absl::Status whose message names the
// operation and the errno (for example "connect 127.0.0.1:1: ECONNREFUSED
// (Connection refused)"), with the code absl::ErrnoToStatusCode() gives it:
//
//   refused, reset          Unavailable (ECONNREFUSED, ECONNRESET)
//   broken pipe             FailedPrecondition (EPIPE)
//   a deadline passed       DeadlineExceeded
//   the scheduler stopped   Cancelled (a task's own cancellation is not a
//                           status: it unwinds the task, see tcp.h)
//   the socket was closed   FailedPrecondition, IsClosed()
//   end of stream           OutOfRange, IsEndOfStream() (only from calls
//                           that need more bytes than came: ReadFull(),
//                           BufferedReader; Read() returns 0 instead)
//   a size bound exceeded   ResourceExhausted
//
// Thread-safety: stateless.

#ifndef COLONY_NET_ERRORS_H_
#define COLONY_NET_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace colony {

inline constexpr absl::string_view kNetClosedPayload = "colony.net/closed";
inline constexpr absl::string_view kNetEndOfStreamPayload = "colony.net/eof";

// IsEndOfStream() is true for the status of a read that found the end of
// the stream before it had what it needed.
inline bool IsEndOfStream(const absl::Status& status) {
  return status.GetPayload(kNetEndOfStreamPayload).has_value();
}

// IsClosed() is true for the status of an operation on a socket that was
// closed (by this owner or, while it waited, by another task or thread).
inline bool IsClosed(const absl::Status& status) {
  return status.GetPayload(kNetClosedPayload).has_value();
}

}  // namespace colony

#endif  // COLONY_NET_ERRORS_H_
