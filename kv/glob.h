// Copyright 2026 The Colony Authors.
//
// GlobMatch(): Redis' glob patterns, as KEYS, SCAN MATCH, PSUBSCRIBE and
// CONFIG GET use them: `*` any run, `?` one byte, `[abc]`, `[^abc]`,
// `[a-z]` classes, and `\` quoting the next byte. Binary-safe.
//
// Thread-safety: pure function.
#ifndef COLONY_KV_GLOB_H_
#define COLONY_KV_GLOB_H_

#include "absl/strings/string_view.h"

namespace colony::kv {

// GlobMatch() is true when `text` matches `pattern`; `nocase` folds ASCII
// case.
bool GlobMatch(absl::string_view pattern, absl::string_view text,
               bool nocase = false);

}  // namespace colony::kv

#endif  // COLONY_KV_GLOB_H_
