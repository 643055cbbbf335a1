// Copyright 2026 The Colony Authors.
#include "kv/keyspace.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace colony::kv {

absl::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kHash:
      return "hash";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
  }
  return "none";
}

Entry Entry::Clone() const {
  Entry copy;
  copy.expire_ms = expire_ms;
  switch (type()) {
    case ValueType::kString:
      copy.value = std::get<std::string>(value);
      break;
    case ValueType::kList:
      copy.value = std::make_unique<ListValue>(
          *std::get<std::unique_ptr<ListValue>>(value));
      break;
    case ValueType::kHash:
      copy.value = std::make_unique<HashValue>(
          *std::get<std::unique_ptr<HashValue>>(value));
      break;
    case ValueType::kSet:
      copy.value = std::make_unique<SetValue>(
          *std::get<std::unique_ptr<SetValue>>(value));
      break;
    case ValueType::kZSet:
      copy.value = std::make_unique<SortedSet>(
          *std::get<std::unique_ptr<SortedSet>>(value));
      break;
  }
  return copy;
}

void Shard::SetExpire(absl::string_view key, Entry& entry, int64_t expire_ms) {
  if (entry.expire_ms == expire_ms) return;
  if (entry.expire_ms != 0) {
    expires.erase(std::make_pair(entry.expire_ms, std::string(key)));
  }
  entry.expire_ms = expire_ms;
  if (expire_ms != 0) expires.emplace(expire_ms, std::string(key));
}

bool Shard::Erase(absl::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) return false;
  if (it->second.expire_ms != 0) {
    expires.erase(std::make_pair(it->second.expire_ms, std::string(key)));
  }
  map.erase(it);
  return true;
}

size_t Shard::Clear() {
  const size_t n = map.size();
  map.clear();
  expires.clear();
  return n;
}

int Keyspace::IndexOf(absl::string_view key) {
  return static_cast<int>(absl::Hash<absl::string_view>{}(key) % kShardsPerDb);
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

void LockSet::Lock() {
  std::sort(shards_.begin(), shards_.end());
  shards_.erase(std::unique(shards_.begin(), shards_.end()), shards_.end());
  for (Shard* s : shards_) s->mu.Lock();
  locked_ = true;
  if (held_here == nullptr) held_here = this;
}

void LockSet::Unlock() {
  if (!locked_) return;
  if (held_here == this) held_here = nullptr;
  for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) {
    (*it)->mu.Unlock();
  }
  locked_ = false;
}

}  // namespace colony::kv
