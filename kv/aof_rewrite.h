// Copyright 2026 The Colony Authors.
//
// RewriteAof(): compacts the append-only file. With every shard locked
// for a moment it copies the keyspace and marks the point in the AOF's
// stream that the copy reflects (Aof::MarkSnapshot); with the locks
// released it writes the copy as commands (SET, RPUSH, HSET, SADD, ZADD in
// batches, PEXPIREAT for keys with a TTL) to a temporary file in the same
// directory; then the Aof appends what was written since the mark and
// renames the file over the old one (Aof::FinishRewrite). Clients keep
// writing all along except during the copy, and nothing they write is
// lost: a write is either in the copy or after the mark.
//
// Thread-safety: one rewrite at a time (the server sees to it); call with
// no shard locked, off the workers (it waits on the file system).
#ifndef COLONY_KV_AOF_REWRITE_H_
#define COLONY_KV_AOF_REWRITE_H_

#include <string>

#include "absl/status/status.h"

namespace colony::kv {

class Aof;
class KvServer;

// RewriteAof() rewrites `aof` (or, when `aof` is null, writes the
// keyspace to `path` as a fresh file) from `server`'s keyspace.
absl::Status RewriteAof(KvServer& server, Aof* aof, const std::string& path);

}  // namespace colony::kv

#endif  // COLONY_KV_AOF_REWRITE_H_
