// Copyright 2026 The Colony Authors.
//
// The batch look-ahead behind kv/key_prefetch.h.
#include "kv/key_prefetch.h"

#include <cstddef>

#include "absl/base/config.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "kv/command.h"
#include "kv/keyspace.h"
#include "kv/resp/pipeline_scan.h"

namespace colony::kv {
namespace {

// The most commands one scan looks at (a batch of commands without keys
// ends the scan here).
constexpr int kMaxScannedCommands = 64;

// HasPlainKeys() is whether the keys of `spec` are found by its KeySpec's
// first/last/step alone (not a key count, not a subcommand's, not whole
// databases).
bool HasPlainKeys(const CommandSpec* spec) {
  return spec != nullptr && spec->keys.first > 0 && spec->keys.numkeys == 0 &&
         spec->subcommands.empty() && (spec->flags & (kDbWide | kAllDbs)) == 0;
}

// Prefetch() starts loading what looking `key` up in `shard` reads. See
// the header on why this reads the table's header without the lock.
void Prefetch(Shard& shard, absl::string_view key) {
#ifndef ABSL_HAVE_THREAD_SANITIZER
  shard.map.prefetch(key);
#else
  (void)shard;
  (void)key;
#endif
}

// PrefetchValue() starts loading the value of `key` in `shard`, if the
// shard's lock is free: a second look-up, under the lock, once the first
// pass has the slots on their way (see the header).
void PrefetchValue(Shard& shard, absl::string_view key) {
  if (LockSet::HeldHere(&shard) || !shard.mu.TryLock()) return;
  auto it = shard.map.find(key);
  if (it != shard.map.end()) it->second.PrefetchValue();
  shard.mu.Unlock();
}

}  // namespace

int PrefetchPipelinedKeys(const CommandTable& commands, Keyspace& keyspace,
                          int db, absl::string_view input) {
  struct Pending {
    Shard* shard;
    absl::string_view key;
  };
  Pending pending[kMaxPrefetchKeys];
  int count = 0;
  absl::string_view last_name;
  const CommandSpec* last_spec = nullptr;
  absl::InlinedVector<absl::string_view, 4> keys;
  // Queues the keys of one command; false once the bound is reached.
  auto add = [&](absl::Span<const absl::string_view> args) {
    if (args[0] != last_name) {
      last_name = args[0];
      last_spec = commands.Find(args[0]);
    }
    if (!HasPlainKeys(last_spec)) return true;
    keys.clear();
    CommandKeys(*last_spec, args, &keys);
    for (absl::string_view key : keys) {
      if (count == kMaxPrefetchKeys) return false;
      pending[count++] = Pending{&keyspace.ShardFor(db, key), key};
    }
    return true;
  };
  // The first command is looked at only once a second one is complete: a
  // read of one command (the unpipelined case) costs the scan alone.
  absl::InlinedVector<absl::string_view, 8> first;
  int seen = 0;
  ScanPipeline(input, kMaxScannedCommands,
               [&](absl::Span<const absl::string_view> args, size_t) {
                 if (++seen == 1) {
                   first.assign(args.begin(), args.end());
                   return true;
                 }
                 if (seen == 2 && !add(absl::MakeConstSpan(first))) {
                   return false;
                 }
                 return add(args);
               });
  if (seen < 2) return 0;
  for (int i = 0; i < count; ++i) Prefetch(*pending[i].shard, pending[i].key);
  for (int i = 0; i < count; ++i) {
    PrefetchValue(*pending[i].shard, pending[i].key);
  }
  return count;
}

}  // namespace colony::kv
