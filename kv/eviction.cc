// Copyright 2026 The Colony Authors.
#include "kv/eviction.h"

#include <algorithm>
#include <limits>
#include <random>
#include <utility>

#include "absl/time/clock.h"
#include "kv/client.h"
#include "kv/command.h"
#include "kv/kv_server.h"
#include "kv/memory_usage.h"
#include "kv/random_pick.h"

namespace colony::kv {
namespace {

// The access word. 0: never stamped. Bit 31 clear: LRU, the low 31 bits
// the tick of the last access (kLruTickMs since the server started, plus
// one). Bit 31 set: LFU, bits 8-23 the minute of the last decay (mod
// 2^16) and bits 0-7 the counter.
constexpr uint32_t kLfuFormat = 1u << 31;
constexpr uint32_t kLruMax = kLfuFormat - 1;
constexpr int64_t kLruTickMs = 100;
// A new key's LFU counter, so that it is not the first to go before it
// had a chance to be read.
constexpr uint32_t kLfuInitial = 5;
constexpr uint32_t kLfuMax = 255;

// The bytes a hash-table slot takes (the key-value pair and its control
// byte), for a table's room beyond what its keys need.
constexpr int64_t kSlotBytes = sizeof(KeyMap::value_type) + 1;
constexpr int64_t kExpireSlotBytes = sizeof(ExpireMap::value_type) + 1;

// FitCapacity() is the capacity a hash table holding `n` keys needs (a
// power of two less one, filled to at most 7/8).
size_t FitCapacity(size_t n) {
  if (n == 0) return 0;
  const size_t want = n + (n - 1) / 7;
  size_t capacity = 1;
  while (capacity < want) capacity = capacity * 2 + 1;
  return capacity;
}

bool IsLru(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLru || p == EvictionPolicy::kVolatileLru;
}
bool IsLfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}
bool IsVolatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru ||
         p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom ||
         p == EvictionPolicy::kVolatileTtl;
}

}  // namespace

bool ParseEvictionPolicy(absl::string_view name, EvictionPolicy* policy) {
  static constexpr std::pair<absl::string_view, EvictionPolicy> kNames[] = {
      {"noeviction", EvictionPolicy::kNoEviction},
      {"allkeys-lru", EvictionPolicy::kAllKeysLru},
      {"volatile-lru", EvictionPolicy::kVolatileLru},
      {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
      {"volatile-lfu", EvictionPolicy::kVolatileLfu},
      {"allkeys-random", EvictionPolicy::kAllKeysRandom},
      {"volatile-random", EvictionPolicy::kVolatileRandom},
      {"volatile-ttl", EvictionPolicy::kVolatileTtl},
  };
  for (const auto& [n, p] : kNames) {
    if (EqualsIgnoreCase(name, n)) {
      *policy = p;
      return true;
    }
  }
  return false;
}

Evictor::Evictor(KvServer& server)
    : server_(server),
      keyspace_(server.keyspace()),
      epoch_ms_(server.start_ms()),
      cursor_(kShards),
      ttl_cursor_(kShards),
      accounted_(kShards, 0) {}

void Evictor::set_policy(EvictionPolicy policy) {
  policy_.store(policy);
  tracking_.store(IsLru(policy) || IsLfu(policy));
  // Scores of another policy mean nothing under this one.
  base_internal::ThreadMutexLock lock(pool_mu_);
  pool_.clear();
}

int64_t Evictor::CountedMemory() {
  return std::max<int64_t>(0, AllocatedBytes() - SetAsideBytes());
}

int Evictor::IndexOf(const Shard& s) const {
  return static_cast<int>(&s - &keyspace_.shard(0, 0));
}

uint32_t Evictor::LruTick(int64_t now_ms) const {
  const int64_t tick = std::max<int64_t>(0, now_ms - epoch_ms_) / kLruTickMs;
  return static_cast<uint32_t>(std::min<int64_t>(tick + 1, kLruMax));
}

uint32_t Evictor::LfuMinute(int64_t now_ms) const {
  return static_cast<uint32_t>(
      (std::max<int64_t>(0, now_ms - epoch_ms_) / 60'000) & 0xffff);
}

uint32_t Evictor::LfuCounter(uint32_t access, int64_t now_ms) const {
  if ((access & kLfuFormat) == 0) return 0;
  uint32_t counter = access & 0xff;
  const uint32_t last = (access >> 8) & 0xffff;
  const uint32_t elapsed = (LfuMinute(now_ms) - last) & 0xffff;
  const int decay = lfu_decay_.load(std::memory_order_relaxed);
  if (decay > 0) {
    counter -= std::min(counter, elapsed / static_cast<uint32_t>(decay));
  }
  return counter;
}

void Evictor::Touch(Entry& entry, int64_t now_ms) {
  if (!IsLfu(policy_.load(std::memory_order_relaxed))) {
    entry.set_access(LruTick(now_ms));
    return;
  }
  // A key's first stamp (the command that created it) sets the initial
  // counter; later accesses raise it.
  const bool first = (entry.access() & kLfuFormat) == 0;
  uint32_t counter = first ? kLfuInitial : LfuCounter(entry.access(), now_ms);
  if (!first && counter < kLfuMax) {
    // Logarithmic: the higher the counter, the rarer an increment.
    const double above = counter > kLfuInitial ? counter - kLfuInitial : 0;
    const double p =
        1.0 / (above * lfu_log_factor_.load(std::memory_order_relaxed) + 1);
    if (std::uniform_real_distribution<double>(0, 1)(ThreadRng()) < p) {
      ++counter;
    }
  }
  entry.set_access(kLfuFormat | (LfuMinute(now_ms) << 8) | counter);
}

void Evictor::TouchKeys(const CommandSpec& spec,
                        absl::Span<const absl::string_view> args, int db,
                        int64_t now_ms) {
  auto touch = [&](absl::string_view key) {
    if (Entry* e = keyspace_.ShardFor(db, key).Find(key)) Touch(*e, now_ms);
  };
  if (spec.keys.numkeys == 0 && spec.keys.first == 1 && spec.keys.last == 1) {
    if (args.size() >= 2) touch(args[1]);
    return;
  }
  absl::InlinedVector<absl::string_view, 4> keys;
  CommandKeys(spec, args, &keys);
  for (absl::string_view k : keys) touch(k);
}

void Evictor::AccountShard(const Shard& s) {
  auto excess = [](const auto& table, int64_t slot_bytes) -> int64_t {
    const size_t capacity = table.capacity();
    const size_t fit = FitCapacity(table.size());
    return capacity > fit ? static_cast<int64_t>(capacity - fit) * slot_bytes
                          : 0;
  };
  const int64_t bytes =
      excess(s.map, kSlotBytes) + excess(s.expire_at, kExpireSlotBytes);
  int64_t& accounted = accounted_[static_cast<size_t>(IndexOf(s))];
  if (bytes == accounted) return;
  AdjustSetAside(bytes - accounted);
  accounted = bytes;
}

void Evictor::AccountShards(absl::Span<Shard* const> shards) {
  for (const Shard* s : shards) AccountShard(*s);
}

uint64_t Evictor::Score(EvictionPolicy policy, uint32_t access,
                        int64_t expire_ms, int64_t now_ms) const {
  if (policy == EvictionPolicy::kVolatileTtl) {
    return std::numeric_limits<uint64_t>::max() -
           static_cast<uint64_t>(expire_ms);
  }
  if (IsLfu(policy)) return kLfuMax - LfuCounter(access, now_ms);
  // LRU: idle ticks; never stamped (or stamped as LFU) is idlest.
  if (access == 0 || (access & kLfuFormat) != 0) {
    return std::numeric_limits<uint64_t>::max();
  }
  return LruTick(now_ms) - std::min(access, LruTick(now_ms));
}

template <typename Visit>
size_t Evictor::Walk(int index, bool volatile_only, size_t n, Visit visit) {
  Shard& s = shard(index);
  const size_t i = static_cast<size_t>(index);
  size_t visited = 0;
  if (!volatile_only) {
    n = std::min(n, s.map.size());
    if (n == 0) return 0;
    auto it = s.map.find(cursor_[i]);
    if (it == s.map.end()) it = s.map.begin();
    for (; visited < n; ++visited) {
      visit(it->first.view(), it->second,
            s.ExpireOf(it->first.view(), it->second));
      if (++it == s.map.end()) it = s.map.begin();
    }
    cursor_[i] = std::string(it->first.view());
    return visited;
  }
  n = std::min(n, s.expires.size());
  if (n == 0) return 0;
  auto it = s.expires.lower_bound(ttl_cursor_[i]);
  if (it == s.expires.end()) it = s.expires.begin();
  for (; visited < n; ++visited) {
    if (Entry* e = s.Find(it->second)) visit(it->second, *e, it->first);
    if (++it == s.expires.end()) it = s.expires.begin();
  }
  ttl_cursor_[i] = *it;
  return visited;
}

bool Evictor::Sample(EvictionPolicy policy, int64_t now_ms,
                     std::vector<Candidate>* out) {
  const size_t samples = static_cast<size_t>(
      std::max(1, samples_.load(std::memory_order_relaxed)));
  const bool volatile_only = IsVolatile(policy);
  for (int tries = 0; tries < kShards; ++tries) {
    const int index = static_cast<int>(
        next_shard_.fetch_add(1, std::memory_order_relaxed) % kShards);
    Shard& s = shard(index);
    base_internal::ThreadMutexLock lock(s.mu);
    auto add = [&](absl::string_view key, const Entry& e, int64_t expire) {
      out->push_back(Candidate{Score(policy, e.access(), expire, now_ms), index,
                               std::string(key), e.access(), expire});
    };
    if (policy == EvictionPolicy::kVolatileTtl) {
      // The shard's index of expiry times is ordered: its first keys are
      // the ones that expire soonest.
      size_t n = 0;
      for (auto it = s.expires.begin(); it != s.expires.end() && n < samples;
           ++it, ++n) {
        if (const Entry* e = s.Find(it->second)) add(it->second, *e, it->first);
      }
      if (n > 0) return true;
      continue;
    }
    if (Walk(index, volatile_only, samples, add) > 0) return true;
  }
  return false;
}

bool Evictor::EvictOne(EvictionPolicy policy, int64_t now_ms,
                       CommandContext& ctx) {
  const bool volatile_only = IsVolatile(policy);
  if (policy == EvictionPolicy::kAllKeysRandom ||
      policy == EvictionPolicy::kVolatileRandom) {
    for (int tries = 0; tries < kShards; ++tries) {
      const int index = static_cast<int>(
          next_shard_.fetch_add(1, std::memory_order_relaxed) % kShards);
      Shard& s = shard(index);
      base_internal::ThreadMutexLock lock(s.mu);
      std::string key;
      bool found = false;
      Walk(index, volatile_only, 1,
           [&](absl::string_view k, const Entry&, int64_t) {
             key = std::string(k);
             found = true;
           });
      if (!found) continue;
      Evict(index, key, ctx);
      return true;
    }
    return false;
  }
  std::vector<Candidate> fresh;
  for (int round = 0; round < 2 * kShards; ++round) {
    fresh.clear();
    const bool sampled = Sample(policy, now_ms, &fresh);
    Candidate best;
    {
      base_internal::ThreadMutexLock lock(pool_mu_);
      for (Candidate& c : fresh) {
        auto same = std::find_if(pool_.begin(), pool_.end(), [&](auto& p) {
          return p.shard == c.shard && p.key == c.key;
        });
        if (same != pool_.end()) pool_.erase(same);
        if (pool_.size() >= kPoolSize) {
          if (c.score <= pool_.front().score) continue;
          pool_.erase(pool_.begin());
        }
        auto at = std::upper_bound(
            pool_.begin(), pool_.end(), c.score,
            [](uint64_t score, const Candidate& p) { return score < p.score; });
        pool_.insert(at, std::move(c));
      }
      if (pool_.empty()) {
        if (!sampled) return false;
        continue;
      }
      best = std::move(pool_.back());
      pool_.pop_back();
    }
    Shard& s = shard(best.shard);
    base_internal::ThreadMutexLock lock(s.mu);
    const Entry* e = s.Find(best.key);
    // Gone, or read (or given another TTL) since it was sampled: no
    // longer the candidate it was.
    if (e == nullptr || e->access() != best.access ||
        s.ExpireOf(best.key, *e) != best.expire_ms) {
      continue;
    }
    if (volatile_only && best.expire_ms == 0) continue;
    Evict(best.shard, best.key, ctx);
    return true;
  }
  return false;
}

void Evictor::Evict(int index, const std::string& key, CommandContext& ctx) {
  const int db = index / Keyspace::kShardsPerDb;
  if (Aof* aof = server_.aof()) {
    const Propagated del{db, {std::string("DEL"), key}};
    aof->Append(absl::MakeConstSpan(&del, 1), false);
  }
  ctx.DeleteIn(db, key);
  ctx.ModifiedIn(db, key);
  ctx.NotifyIn(db, kNotifyEvicted, "evicted", key);
  server_.stats().evicted_keys.fetch_add(1, std::memory_order_relaxed);
  AccountShard(shard(index));
}

Evictor::Result Evictor::MakeRoom(int64_t now_ms) {
  const int64_t limit = maxmemory();
  if (limit == 0 || CountedMemory() <= limit) return Result::kOk;
  const EvictionPolicy policy = policy_.load();
  if (policy == EvictionPolicy::kNoEviction) return Result::kFail;
  // maxmemory-eviction-tenacity: 50 us per step, 100 means no limit.
  const int tenacity = tenacity_.load(std::memory_order_relaxed);
  const int64_t budget_ns = int64_t{50'000} * tenacity;
  const int64_t start_ns = absl::GetCurrentTimeNanos();
  std::string sink;
  RespWriter writer(&sink, 2);
  Client system_client;
  CommandContext ctx(server_, system_client, writer, {}, now_ms);
  for (int evicted = 1;; ++evicted) {
    if (!EvictOne(policy, now_ms, ctx)) return Result::kFail;
    if (CountedMemory() <= limit) return Result::kOk;
    if (evicted % 16 == 0 && tenacity < 100 &&
        absl::GetCurrentTimeNanos() - start_ns > budget_ns) {
      return Result::kRunning;
    }
  }
}

}  // namespace colony::kv
