// Copyright 2026 The Colony Authors.
//
// ScanPipeline(): a look ahead over the pipelined commands a client has
// already sent, without parsing them for execution.
//
// A connection that received a batch of commands sometimes wants to know
// what is coming before it runs the first one (kv/key_prefetch.h starts
// loading the memory of their keys). ScanPipeline() walks the complete
// multibulk commands ("*<n>\r\n" then n times "$<len>\r\n<bytes>\r\n") at
// the front of the input and shows each one's arguments. It is stricter
// than RespParser, never looser: it stops, without an error, at the first
// thing that is not a complete, well-formed multibulk command with at
// least one argument (an inline command, a command cut by the end of the
// input, a count or length with a sign, a leading zero or over 18 digits, a
// missing CR or LF). Every command it shows is therefore one the parser returns
// in the same place with the same arguments (the RESP fuzzer checks this), and
// the parser remains the one that executes commands and reports errors.
//
// Thread-safety: a pure function of its input; call it from any thread.
// Lifetime: the views given to `visit` point into `input` and live as long
// as it does.
#ifndef COLONY_KV_RESP_PIPELINE_SCAN_H_
#define COLONY_KV_RESP_PIPELINE_SCAN_H_

#include <cstddef>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace colony::kv {

// ScanPipeline() calls `visit(args, length)` for each complete multibulk
// command at the front of `input`, in order, at most `max_commands` of
// them; `length` is the command's size in bytes. Stops early when `visit`
// returns false. Returns how many commands it visited.
int ScanPipeline(absl::string_view input, int max_commands,
                 absl::FunctionRef<bool(
                     absl::Span<const absl::string_view> args, size_t length)>
                     visit);

}  // namespace colony::kv

#endif  // COLONY_KV_RESP_PIPELINE_SCAN_H_
