// Copyright 2026 The Colony Authors.
//
// Evictor: `maxmemory` and its eviction policies for the key-value backend,
// as Redis 7 has them: noeviction (writes get the OOM error), allkeys-lru,
// volatile-lru, allkeys-lfu, volatile-lfu, allkeys-random, volatile-random
// and volatile-ttl (the volatile-* ones consider only keys with a TTL).
//
// The executor calls MakeRoom() before every command while the counted
// memory is over maxmemory; it evicts keys until it is under, or until
// its time budget (maxmemory-eviction-tenacity) is spent, or until nothing
// that the policy may evict is left (then denyoom commands get the OOM
// error). The counted memory is what operator new holds
// (kv/memory_usage.h) less what is set aside: the part of a shard's hash
// table beyond the capacity its keys need (a table that lost keys keeps
// its size, and evicting from it frees no slot memory until new keys
// reuse the room; counting that room would make eviction empty the table
// to no avail), and an AOF rewrite's transient copy.
//
// Choosing a key. LRU, LFU and TTL are approximated by sampling, as Redis
// does, with a pool of the 16 best candidates seen so far kept across
// rounds: each round samples maxmemory-samples keys from the next
// non-empty shard (all shards of all databases taken in turn), merges them
// into the pool, and evicts the best candidate whose entry is unchanged
// since it was sampled. A shard is sampled by a cursor that walks its hash
// table in slot order, which is hash order: unrelated to when keys were
// written or read, so a run of neighbouring slots is a random sample. The
// cursor is the key where the walk resumes (looked up, not an iterator, so
// it survives the table's rehashes). volatile-* policies walk the shard's
// index of expiry times instead; volatile-ttl takes its soonest-expiring
// keys. The random policies evict the next key of the walk.
//
// Access tracking: each Entry has a 32-bit access() word, stamped by
// Touch() after every command for the keys it names, while an LRU or LFU
// policy is in force and maxmemory is set: the LRU clock (100 ms ticks
// since the server started) or the LFU state (a logarithmic 8-bit counter
// and the minute it was last decayed, lfu-log-factor and lfu-decay-time as
// in Redis). 0 means never stamped: such keys are the first to go.
//
// Locking (docs/kv.md, invariant 2): MakeRoom() runs with no shard locked
// and holds at most one shard lock at a time; the pool's mutex is never
// held while a shard is locked, nor the other way round. Touch() and
// AccountShard() run under the shard lock the caller holds.
//
// Thread-safety: every method may be called from any thread; several
// workers may evict at once (they take different candidates from the
// pool). Lifetime: owned by the KvServer, whose keyspace it points into.
#ifndef COLONY_KV_EVICTION_H_
#define COLONY_KV_EVICTION_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/internal/thread_mutex.h"
#include "kv/keyspace.h"

namespace colony::kv {

class CommandContext;
class KvServer;
struct CommandSpec;

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kVolatileLru,
  kAllKeysLfu,
  kVolatileLfu,
  kAllKeysRandom,
  kVolatileRandom,
  kVolatileTtl,
};

// ParseEvictionPolicy() reads a maxmemory-policy name; false if unknown.
bool ParseEvictionPolicy(absl::string_view name, EvictionPolicy* policy);

class Evictor {
 public:
  // What MakeRoom() achieved.
  enum class Result {
    kOk,       // the counted memory is under maxmemory
    kRunning,  // still over, but the time budget ran out while evicting
    kFail,     // still over and nothing more may be evicted
  };

  explicit Evictor(KvServer& server);
  Evictor(const Evictor&) = delete;
  Evictor& operator=(const Evictor&) = delete;

  // Configuration, set from CONFIG (KvServer's OnChange observers).
  void set_maxmemory(int64_t bytes) { maxmemory_.store(bytes); }
  void set_policy(EvictionPolicy policy);
  void set_samples(int samples) { samples_.store(samples); }
  void set_lfu_log_factor(int factor) { lfu_log_factor_.store(factor); }
  void set_lfu_decay_minutes(int minutes) { lfu_decay_.store(minutes); }
  void set_tenacity(int tenacity) { tenacity_.store(tenacity); }

  // maxmemory() is the limit in bytes; 0 means none.
  int64_t maxmemory() const {
    return maxmemory_.load(std::memory_order_relaxed);
  }
  EvictionPolicy policy() const { return policy_.load(); }

  // CountedMemory() is the figure checked against maxmemory: allocated
  // bytes less those set aside.
  static int64_t CountedMemory();
  // OverLimit() is true when maxmemory is set and the counted memory is
  // over it. Cheap: two relaxed loads and the caller's thread balances.
  bool OverLimit() const {
    const int64_t limit = maxmemory();
    return limit != 0 && CountedMemory() > limit;
  }

  // MakeRoom() evicts per the policy until the counted memory is under
  // maxmemory (see Result). Call with no shard locked.
  Result MakeRoom(int64_t now_ms);

  // tracking() is true while commands must Touch() their keys: maxmemory
  // is set and the policy is an LRU or LFU one.
  bool tracking() const {
    return tracking_.load(std::memory_order_relaxed) && maxmemory() != 0;
  }
  // TouchKeys() stamps the entries of the keys `spec` names in `args`
  // (database `db`) after the command ran, with their shards still locked.
  void TouchKeys(const CommandSpec& spec,
                 absl::Span<const absl::string_view> args, int db,
                 int64_t now_ms);
  // Touch() stamps one entry (its shard locked).
  void Touch(Entry& entry, int64_t now_ms);

  // AccountShard() brings the set-aside figure up to date with `shard`'s
  // table room beyond what its keys need, after a command changed it
  // (`shard` locked). Only while maxmemory is set; the hz cycle calls it
  // for every shard.
  void AccountShard(const Shard& shard);
  // AccountShards() does so for each of `shards` (all locked).
  void AccountShards(absl::Span<Shard* const> shards);

  // LfuCounter() is the decayed LFU counter of an entry stamped under an
  // LFU policy (tests and INFO-style introspection).
  uint32_t LfuCounter(uint32_t access, int64_t now_ms) const;

 private:
  struct Candidate {
    uint64_t score;  // higher: evict sooner
    int shard;       // global shard index (db * kShardsPerDb + i)
    std::string key;
    uint32_t access;    // the entry's access word when sampled
    int64_t expire_ms;  // the entry's expiry when sampled
  };

  static constexpr int kShards = Keyspace::kDatabases * Keyspace::kShardsPerDb;
  static constexpr size_t kPoolSize = 16;

  Shard& shard(int index) {
    return keyspace_.shard(index / Keyspace::kShardsPerDb,
                           index % Keyspace::kShardsPerDb);
  }
  int IndexOf(const Shard& s) const;
  // The access word and score under the current policy.
  uint32_t LruTick(int64_t now_ms) const;
  uint32_t LfuMinute(int64_t now_ms) const;
  uint64_t Score(EvictionPolicy policy, uint32_t access, int64_t expire_ms,
                 int64_t now_ms) const;
  // Sample() adds up to maxmemory-samples candidates from the next
  // non-empty shard to `out`; false when every shard is empty (for the
  // policy).
  bool Sample(EvictionPolicy policy, int64_t now_ms,
              std::vector<Candidate>* out);
  // Walk() calls visit(key, entry, expire_ms) for up to `n` entries of
  // shard `index` (locked) from its cursor on, moving the cursor past
  // them; for volatile policies only keys with a TTL.
  template <typename Visit>
  size_t Walk(int index, bool volatile_only, size_t n, Visit visit);
  // EvictOne() evicts one key; false if there was none to evict.
  bool EvictOne(EvictionPolicy policy, int64_t now_ms, CommandContext& ctx);
  // Evict() deletes `key` from shard `index` (locked), as Redis does:
  // WATCHers dirty, an "evicted" notification, a DEL to the AOF.
  void Evict(int index, const std::string& key, CommandContext& ctx);

  KvServer& server_;
  Keyspace& keyspace_;
  const int64_t epoch_ms_;

  // CONFIG SET values, read relaxed: each is a plain number, and a command
  // that races a change may use the old one.
  std::atomic<int64_t> maxmemory_{0};
  std::atomic<EvictionPolicy> policy_{EvictionPolicy::kNoEviction};
  std::atomic<bool> tracking_{false};
  std::atomic<int> samples_{5};
  std::atomic<int> lfu_log_factor_{10};
  std::atomic<int> lfu_decay_{1};
  std::atomic<int> tenacity_{10};

  // Which shard the next round samples (relaxed: only spreads the rounds).
  std::atomic<uint32_t> next_shard_{0};
  // Per shard, guarded by that shard's mutex: where its walks resume, and
  // the excess table bytes it last reported as set aside.
  std::vector<std::string> cursor_;
  std::vector<std::pair<int64_t, std::string>> ttl_cursor_;
  std::vector<int64_t> accounted_;

  base_internal::ThreadMutex pool_mu_;
  // The best candidates, worst first.
  std::vector<Candidate> pool_ ABSL_GUARDED_BY(pool_mu_);
};

}  // namespace colony::kv

#endif  // COLONY_KV_EVICTION_H_
