// Copyright 2026 The Colony Authors.
//
// PrefetchPipelinedKeys(): before a connection runs a pipelined batch of
// commands, start loading the hash-table memory each command's keys will
// touch, so that the cache misses of a batch overlap instead of being
// paid one after another.
//
// A lookup in a large keyspace is two or three cache misses (the table's
// control bytes, its slot, a long key's bytes); with many keys nothing of
// that is cached. A batch of N pipelined commands that looks its keys up
// one by one waits for those misses N times in a row. Scanning the batch
// first and issuing a prefetch per key (absl's raw_hash_set::prefetch():
// the control group and slot where the key's probe starts) lets the
// memory system fetch them in parallel while the commands before run.
//
// A second pass then looks each key up for real, under its shard's lock
// (taken only if free: the pass never waits), and prefetches, for
// writing, the start of the value's heap memory (Entry::PrefetchValue():
// a string's block, a container's object). That is the next miss in a
// row: a SET of 256 bytes over an existing value otherwise stalled on
// its old block's lines at the first locked instruction after the copy
// (the x86 store buffer drains there), 15% of colonyd's time in the
// 1-worker redis-benchmark SET -P 16 -d 256.
//
// Only the complete multibulk commands at the front of the input are
// looked at (kv/resp/pipeline_scan.h), up to kMaxPrefetchKeys keys: an
// inline command, a command cut by the end of the read or anything
// malformed ends the look ahead without a word (the parser reads the same
// bytes next and is the one that reports errors); unknown commands and
// those whose keys follow a key count are passed over. A batch of one
// command is not prefetched (its lookup follows at once; the prefetch
// would only add a hash).
//
// Thread-safety and the shards' locks: prefetching reads a shard's table
// header (its control pointer and capacity) without the shard's lock,
// while another worker may be resizing that table. A prefetch instruction
// never faults and changes no state, so a stale or torn header can only
// make a prefetch useless, never wrong; the command itself then looks
// the key up under the lock. The race is on reads used for nothing but
// the hint; ThreadSanitizer builds skip the prefetch so that real races
// stay visible there.
#ifndef COLONY_KV_KEY_PREFETCH_H_
#define COLONY_KV_KEY_PREFETCH_H_

#include "absl/strings/string_view.h"
#include "kv/command.h"
#include "kv/keyspace.h"

namespace colony::kv {

// The most keys one scan prefetches.
inline constexpr int kMaxPrefetchKeys = 32;

// PrefetchPipelinedKeys() scans the complete multibulk commands at the
// front of `input` and prefetches, in database `db` of `keyspace`, the
// table memory of the keys their specs (found in `commands`) name; returns
// how many keys it prefetched (0 when fewer than two commands were
// complete). Reads `input` only.
int PrefetchPipelinedKeys(const CommandTable& commands, Keyspace& keyspace,
                          int db, absl::string_view input);

}  // namespace colony::kv

#endif  // COLONY_KV_KEY_PREFETCH_H_
