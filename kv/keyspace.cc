// Copyright 2026 The Colony Authors.
#include "kv/keyspace.h"

#include <algorithm>

#include "absl/base/thread_annotations.h"
#include "absl/hash/hash.h"

namespace colony::kv {

void Shard::SetExpire(absl::string_view key, Entry& entry, int64_t expire_ms) {
  const int64_t current = ExpireOf(key, entry);
  if (current == expire_ms) return;
  if (current != 0) {
    expires.erase(std::make_pair(current, std::string(key)));
    if (expire_ms == 0) expire_at.erase(key);
  }
  if (expire_ms != 0) {
    expire_at.insert_or_assign(key, expire_ms);
    expires.emplace(expire_ms, std::string(key));
  }
  entry.set_has_expiry(expire_ms != 0);
}

Entry& Shard::Insert(absl::string_view key, Entry entry, int64_t expire_ms) {
  entry.set_has_expiry(false);
  auto [it, inserted] = map.try_emplace(key);
  if (!inserted) SetExpire(key, it->second, 0);
  it->second = std::move(entry);
  SetExpire(key, it->second, expire_ms);
  return it->second;
}

bool Shard::Erase(absl::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) return false;
  // Not guarded by has_expiry(): an entry that was moved out (RENAME,
  // MOVE) has lost the bit but not its records here.
  if (!expire_at.empty()) {
    auto x = expire_at.find(key);
    if (x != expire_at.end()) {
      expires.erase(std::make_pair(x->second, std::string(key)));
      expire_at.erase(x);
    }
  }
  map.erase(it);
  return true;
}

size_t Shard::Clear() {
  const size_t n = map.size();
  map.clear();
  expire_at.clear();
  expires.clear();
  return n;
}

void Shard::SwapData(Shard& other) {
  map.swap(other.map);
  expire_at.swap(other.expire_at);
  expires.swap(other.expires);
}

int Keyspace::IndexOf(absl::string_view key) {
  static_assert(kShardsPerDb == 64, "IndexOf() takes 6 bits of the hash");
  const uint64_t hash = absl::Hash<absl::string_view>{}(key);
  return static_cast<int>(hash >> (64 - 6));
}

size_t Keyspace::KeyCount() {
  size_t keys = 0;
  for (Shard& shard : shards_) {
    ShardLock lock(shard);
    keys += shard.map.size();
  }
  return keys;
}

void LockSet::AddDb(Keyspace& keyspace, int db) {
  for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
    shards_.push_back(&keyspace.shard(db, i));
  }
}

namespace {
// The LockSet the calling thread holds, if any.
thread_local const LockSet* held_here = nullptr;
}  // namespace

bool LockSet::HeldHere(const Shard* shard) {
  if (held_here == nullptr) return false;
  return std::binary_search(held_here->shards_.begin(),
                            held_here->shards_.end(), shard);
}

// The analysis cannot follow a lock set whose size is only known at run
// time; Lock() and Unlock() are each other's mirror.
void LockSet::Lock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  std::sort(shards_.begin(), shards_.end());
  shards_.erase(std::unique(shards_.begin(), shards_.end()), shards_.end());
  for (Shard* s : shards_) s->mu.Lock();
  locked_ = true;
  if (held_here == nullptr) held_here = this;
}

void LockSet::Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (!locked_) return;
  if (held_here == this) held_here = nullptr;
  for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) {
    (*it)->mu.Unlock();
  }
  locked_ = false;
}

}  // namespace colony::kv
