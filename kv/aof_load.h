// Copyright 2026 The Colony Authors.
//
// LoadAof(): replays an append-only file into the server's keyspace at
// start, before clients are accepted. Commands run through the normal
// handlers with a pseudo client (their keys' shards locked as the executor
// locks them); MULTI/EXEC blocks run whole or not at all.
//
// A file that ends inside a command (a crash during a write) loads up to
// the last complete command and is truncated there, with a log line
// saying how many bytes were dropped (Redis' aof-load-truncated yes); a
// transaction without its EXEC counts as such a tail. Anything else that
// is not a command (a corrupt middle) fails the load with an error naming
// the offset, unless `load_corrupt` says to treat it as a tail too.
//
// Thread-safety: call once, before the server serves.
#ifndef COLONY_KV_AOF_LOAD_H_
#define COLONY_KV_AOF_LOAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace colony::kv {

class KvServer;

struct AofLoadOptions {
  // A truncated last command is dropped (otherwise the load fails).
  bool load_truncated = true;
  // A corrupt part and everything after it are dropped (otherwise the
  // load fails).
  bool load_corrupt = false;
};

struct AofLoadResult {
  uint64_t commands = 0;       // commands executed
  uint64_t error_replies = 0;  // of which replied an error
  int64_t size = 0;            // bytes kept
  int64_t dropped = 0;         // bytes dropped (and truncated away)
};

// LoadAof() loads `path` (a missing file is empty) into `server`.
absl::StatusOr<AofLoadResult> LoadAof(KvServer& server, const std::string& path,
                                      const AofLoadOptions& options);

}  // namespace colony::kv

#endif  // COLONY_KV_AOF_LOAD_H_
