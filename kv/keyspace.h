// Copyright 2026 The Colony Authors.
//
// Keyspace: the key-value backend's data, 16 numbered databases, each
// split into lock stripes ("shards") by a hash of the key. Every worker
// serves commands against the same keyspace; a command locks the shards of
// the keys it names (LockSet, in one global order so that multi-key
// commands cannot deadlock), and whole-database commands lock every shard
// of their database. A shard holds, for its keys:
//   - the entries (CompactKey + Entry, 32 bytes a key; docs/kv.md,
//     "Memory"),
//   - the expiry times of the keys that have one, by key (expire_at) and
//     ordered by time (expires), so that the active expiry cycle finds
//     every expired key without sampling,
//   - the clients WATCHing a key (a write marks them dirty),
//   - the clients blocked on a key (BLPOP...), in the order they blocked.
//
// Thread-safety: a shard's fields may be read or written only with its
// `mu` held. Lock sets are dynamic (the keys come from the command), so
// this is checked by review and by the sanitizer tests rather than by
// Clang's thread-safety analysis. `mu` is never held across a
// suspension: commands run to completion without waiting.
#ifndef COLONY_KV_KEYSPACE_H_
#define COLONY_KV_KEYSPACE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/internal/thread_mutex.h"
#include "kv/types/compact_key.h"
#include "kv/types/entry.h"

namespace colony::kv {

// A shard's keys: 32-byte slots of CompactKey + Entry, searched by
// absl::string_view.
using KeyMap =
    absl::flat_hash_map<CompactKey, Entry, CompactKeyHash, CompactKeyEq>;
// Absolute expiry times in Unix milliseconds, of the keys that have one.
using ExpireMap =
    absl::flat_hash_map<CompactKey, int64_t, CompactKeyHash, CompactKeyEq>;

// What a WATCHing client shares with the shards of its watched keys.
struct WatchState {
  std::atomic<bool> dirty{false};
};

class BlockedClient;  // kv/blocking.h

// A shard's lock tries this many times before it sleeps (the runtime's
// locks: 64). A multi-key command holds several shards' locks for
// microseconds, and with the default two workers took turns sleeping on
// them and waking each other: redis-benchmark MSET -P 16 on 2 workers ran
// at 94,769 requests/s before, 167,779 after (docs/kv.md).
inline constexpr int kShardLockSpins = 1024;

struct Shard {
  base_internal::ThreadMutex mu{kShardLockSpins};
  KeyMap map;
  // Every key of `map` whose entry has_expiry(), in both: by key and by
  // time.
  ExpireMap expire_at;
  absl::btree_set<std::pair<int64_t, std::string>> expires;
  absl::flat_hash_map<std::string, std::vector<WatchState*>> watchers;
  absl::flat_hash_map<std::string, std::deque<std::shared_ptr<BlockedClient>>>
      blocked;

  // Find() is the entry of `key`, expired or not; nullptr if none.
  Entry* Find(absl::string_view key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }
  // ExpireOf() is the absolute expiry (Unix ms) of `key`, whose entry is
  // `entry`; 0 when it has none.
  int64_t ExpireOf(absl::string_view key, const Entry& entry) const {
    if (!entry.has_expiry()) return 0;
    auto it = expire_at.find(key);
    return it == expire_at.end() ? 0 : it->second;
  }
  // IsExpired() is whether `key`'s entry `entry` has an expiry at or
  // before `now_ms`.
  bool IsExpired(absl::string_view key, const Entry& entry,
                 int64_t now_ms) const {
    if (!entry.has_expiry()) return false;
    const int64_t at = ExpireOf(key, entry);
    return at != 0 && at <= now_ms;
  }
  // SetExpire() sets (0: clears) the expiry of `key`'s entry.
  void SetExpire(absl::string_view key, Entry& entry, int64_t expire_ms);
  // Insert() makes `entry` the value of `key` with expiry `expire_ms` (0:
  // none), replacing any entry and expiry `key` had; the entry's own
  // has_expiry() bit is ignored.
  Entry& Insert(absl::string_view key, Entry entry, int64_t expire_ms);
  // Erase() removes `key` and its expiry; false if it was absent.
  bool Erase(absl::string_view key);
  // Clear() removes every key (FLUSHDB), returning how many there were.
  size_t Clear();
  // SwapData() exchanges the keys and expiries with `other` (SWAPDB).
  void SwapData(Shard& other);
};

class Keyspace {
 public:
  static constexpr int kDatabases = 16;
  static constexpr int kShardsPerDb = 64;

  Keyspace() : shards_(kDatabases * kShardsPerDb) {}
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  // ShardFor() is the shard that holds `key` in database `db`.
  Shard& ShardFor(int db, absl::string_view key) {
    return shards_[static_cast<size_t>(db * kShardsPerDb + IndexOf(key))];
  }
  // shard() is shard `index` of database `db`.
  Shard& shard(int db, int index) {
    return shards_[static_cast<size_t>(db * kShardsPerDb + index)];
  }
  // IndexOf() is the shard index of `key`: the top bits of its hash (the
  // shard's table uses the low bits, which must stay varied within it).
  static int IndexOf(absl::string_view key);
  // KeyCount() is the number of keys in every database (each shard locked
  // in turn, so a snapshot only when nothing writes).
  size_t KeyCount();

 private:
  // One array: a shard's address orders lock acquisition.
  std::vector<Shard> shards_;
};

// LockSet: the shards one command needs, locked in address order and
// unlocked when it goes out of scope.
class LockSet {
 public:
  LockSet() = default;
  LockSet(const LockSet&) = delete;
  LockSet& operator=(const LockSet&) = delete;
  ~LockSet() { Unlock(); }

  // Add() names a shard to lock (before Lock()).
  void Add(Shard* shard) { shards_.push_back(shard); }
  // AddDb() names every shard of database `db`.
  void AddDb(Keyspace& keyspace, int db);
  // Lock() locks the named shards (each once).
  void Lock();
  // Unlock() releases them.
  void Unlock();
  // Clear() forgets the named shards (released first if locked).
  void Clear() {
    Unlock();
    shards_.clear();
  }
  bool empty() const { return shards_.empty(); }
  bool locked() const { return locked_; }
  // shards() are the named shards (sorted and unique once locked).
  absl::Span<Shard* const> shards() const { return shards_; }

  // HeldHere() is true when the calling thread holds `shard` through a
  // LockSet (commands never suspend while they hold one).
  static bool HeldHere(const Shard* shard);

 private:
  absl::InlinedVector<Shard*, 4> shards_;
  bool locked_ = false;
};

// ShardLock locks one shard for its scope unless the calling thread holds
// it already through a LockSet (a command inside EXEC).
class ShardLock {
 public:
  explicit ShardLock(Shard& shard)
      : shard_(LockSet::HeldHere(&shard) ? nullptr : &shard) {
    if (shard_ != nullptr) shard_->mu.Lock();
  }
  ~ShardLock() {
    if (shard_ != nullptr) shard_->mu.Unlock();
  }
  ShardLock(const ShardLock&) = delete;
  ShardLock& operator=(const ShardLock&) = delete;

 private:
  Shard* shard_;
};

}  // namespace colony::kv

#endif  // COLONY_KV_KEYSPACE_H_
