// Copyright 2026 The Colony Authors.

#include "net/internal/errors.h"

#include <string.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "net/errors.h"

namespace colony::net_internal {

__attribute__((noinline)) int LastErrno() {
  asm volatile("" ::: "memory");
  return errno;
}

absl::Status ErrnoStatus(int error, absl::string_view op) {
  const char* name = strerrorname_np(error);
  return absl::Status(absl::ErrnoToStatusCode(error),
                      absl::StrCat(op, ": ", name != nullptr ? name : "errno ",
                                   name != nullptr ? "" : absl::StrCat(error),
                                   " (", strerror(error), ")"));
}

absl::Status ClosedStatus(absl::string_view op) {
  absl::Status s = absl::FailedPreconditionError(
      absl::StrCat(op, ": socket closed (EBADF)"));
  s.SetPayload(kNetClosedPayload, absl::Cord("closed"));
  return s;
}

absl::Status TimeoutStatus(absl::string_view op) {
  return absl::DeadlineExceededError(
      absl::StrCat(op, ": deadline exceeded (ETIMEDOUT)"));
}

absl::Status ShutdownStatus(absl::string_view op) {
  return absl::CancelledError(
      absl::StrCat(op, ": the socket's scheduler has stopped (ECANCELED)"));
}

absl::Status EndOfStreamStatus(absl::string_view op) {
  absl::Status s = absl::OutOfRangeError(absl::StrCat(op, ": end of stream"));
  s.SetPayload(kNetEndOfStreamPayload, absl::Cord("eof"));
  return s;
}

}  // namespace colony::net_internal
