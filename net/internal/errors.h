// Copyright 2026 The Colony Authors.
//
// How net/ turns errno values and wait outcomes into absl::Status: every
// message names the operation and the errno (ECONNRESET, ...), and the
// code follows absl::ErrnoToStatusCode(), so callers test codes, not text.

#ifndef COLONY_NET_INTERNAL_ERRORS_H_
#define COLONY_NET_INTERNAL_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace colony::net_internal {

// LastErrno() reads errno through a call the compiler cannot see into: a
// task may migrate between a system call and a later one, and the address
// of errno is per thread.
int LastErrno();

// ErrnoStatus() is "<op>: <ENAME> (<strerror>)" with the matching code.
absl::Status ErrnoStatus(int error, absl::string_view op);
// ClosedStatus() is what an operation on a closed socket returns.
absl::Status ClosedStatus(absl::string_view op);
// TimeoutStatus() is DeadlineExceeded for `op`.
absl::Status TimeoutStatus(absl::string_view op);
// ShutdownStatus() is Cancelled: the socket's scheduler has stopped.
absl::Status ShutdownStatus(absl::string_view op);
// EndOfStreamStatus() is OutOfRange, marked as end of stream.
absl::Status EndOfStreamStatus(absl::string_view op);

}  // namespace colony::net_internal

#endif  // COLONY_NET_INTERNAL_ERRORS_H_
