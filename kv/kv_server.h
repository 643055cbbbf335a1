// Copyright 2026 The Colony Authors.
//
// KvServer: the Redis-compatible key-value server that colonyd's `kv`
// backend hosts. It owns the keyspace, the command table, pub/sub, the
// configuration and the statistics; Serve() runs one connection (RESP2 or
// RESP3, inline commands, pipelining of any depth) on the calling task.
//
//   KvServer server;
//   ... for each accepted connection, in its own task:
//   server.Serve(stream, [&] { return draining; });
//
// Every worker serves connections and runs commands against the shared,
// lock-striped keyspace (keyspace.h); see docs/kv.md for the design and its
// invariants.
//
// Thread-safety: every method may be called from any task; Serve() runs
// many times at once. Lifetime: outlives every Serve() and the expiry task.
#ifndef COLONY_KV_KV_SERVER_H_
#define COLONY_KV_KV_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/internal/thread_mutex.h"
#include "kv/aof.h"
#include "kv/aof_load.h"
#include "kv/client.h"
#include "kv/command.h"
#include "kv/config.h"
#include "kv/eviction.h"
#include "kv/keyspace.h"
#include "kv/pubsub.h"
#include "kv/slowlog.h"
#include "kv/striped_counter.h"
#include "net/tcp.h"

namespace colony::kv {

// Counters for INFO stats (relaxed atomics: statistics; INFO wants a
// snapshot and reads nothing through them).
struct KvStats {
  std::atomic<uint64_t> connections_received{0};
  std::atomic<uint64_t> rejected_connections{0};
  StripedCounter commands_processed;
  StripedCounter keyspace_hits;
  StripedCounter keyspace_misses;
  std::atomic<uint64_t> expired_keys{0};
  std::atomic<uint64_t> evicted_keys{0};
  StripedCounter net_input_bytes;
  StripedCounter net_output_bytes;
  StripedCounter dirty;  // changes since start
  std::atomic<int64_t> blocked_clients{0};
  std::atomic<int64_t> connected_clients{0};
  std::atomic<uint64_t> protocol_errors{0};
  std::atomic<uint64_t> error_replies{0};
};

// What Serve() asks of its caller (the backend's connection bookkeeping).
struct ServeHooks {
  // Called before reading more requests; false ends the connection (a
  // drain has begun and the connection is idle).
  std::function<bool()> wait_for_request;
  // Called when bytes of a request arrived; false ends it.
  std::function<bool(bool got_bytes)> begin_request;
};

class KvServer {
 public:
  KvServer();
  KvServer(const KvServer&) = delete;
  KvServer& operator=(const KvServer&) = delete;
  ~KvServer();

  // Serve() runs one connection until it ends.
  void Serve(TcpStream& stream, const ServeHooks& hooks = {});

  // ExpireCycle() deletes keys whose time has come, up to `budget` keys
  // per shard; returns how many it deleted. Run by the backend's expiry
  // task every 1/hz seconds. With maxmemory set it also re-reads every
  // shard's unused table room and continues an eviction that a command
  // left unfinished (its time budget ran out).
  size_t ExpireCycle(int64_t now_ms, size_t budget = 200);

  Keyspace& keyspace() { return keyspace_; }
  const CommandTable& commands() const { return commands_; }
  PubSub& pubsub() { return pubsub_; }
  KvConfig& config() { return config_; }
  KvStats& stats() { return stats_; }
  SlowLog& slowlog() { return slowlog_; }
  // evictor() enforces maxmemory (kv/eviction.h).
  Evictor& evictor() { return evictor_; }
  int64_t start_ms() const { return start_ms_; }
  // run_id() is 40 random hex characters, new at each start.
  const std::string& run_id() const { return run_id_; }
  // OpsPerSecond() is the command rate over the last second or so.
  int64_t OpsPerSecond();
  // notify_flags() is notify-keyspace-events as NotifyClass bits.
  uint32_t notify_flags() const { return notify_flags_.load(); }
  // idle_timeout_seconds() is `timeout` (0: clients may idle forever).
  int64_t idle_timeout_seconds() const { return idle_timeout_s_.load(); }
  // auth_required() is true while requirepass is set.
  bool auth_required() const { return auth_required_.load(); }
  bool CheckPassword(absl::string_view password) const;

  // Client registry (CLIENT LIST/KILL, INFO clients).
  void ForEachClient(const std::function<void(Client&)>& fn);
  // KillClients() closes the connections `match` selects; returns how
  // many. `self` (the caller's client, if selected) is closed after its
  // reply instead.
  int KillClients(const std::function<bool(Client&)>& match,
                  Client* self = nullptr);

  // Persistence (docs/kv.md, "Persistence").
  //
  // StartPersistence() loads the append-only file named by the `dir` and
  // `appendfilename` parameters when `appendonly` is yes, then opens it
  // for appending; call before serving. An error (a corrupt file, an
  // unwritable directory) means the server must not start.
  absl::Status StartPersistence(const AofLoadOptions& options);
  // StopPersistence() writes and fsyncs what is buffered and closes the
  // file (after the last client: a drain or the destructor).
  void StopPersistence();
  // aof() is the open append-only file, or nullptr.
  Aof* aof() const { return aof_ptr_.load(std::memory_order_acquire); }
  // aof_path() is where the append-only file lives.
  std::string aof_path() const;
  // StartRewrite() begins a background rewrite (BGREWRITEAOF); an error
  // if one is under way.
  absl::Status StartRewrite();
  // Rewrite() rewrites now, waiting for the result (SAVE).
  absl::Status Rewrite();
  // MaybeAutoRewrite() starts a rewrite when the file grew past
  // auto-aof-rewrite-percentage of its base size (and past
  // auto-aof-rewrite-min-size). Called every 1/hz s.
  void MaybeAutoRewrite();
  bool rewrite_in_progress() const { return rewriting_.load(); }
  // last_save_ms() is when the last rewrite (or load) completed.
  int64_t last_save_ms() const { return last_save_ms_.load(); }
  // last_rewrite_ok() is whether the last rewrite succeeded.
  bool last_rewrite_ok() const { return last_rewrite_ok_.load(); }
  // dirty_at_save() is the dirty count when the last save completed.
  uint64_t dirty_at_save() const { return dirty_at_save_.load(); }
  // Rewrite history for INFO persistence: how many rewrites (and
  // snapshots) succeeded, how many failed in a row, how long the last one
  // took (-1: none yet) and when the running one began (0: none).
  struct RewriteHistory {
    uint64_t succeeded = 0;
    uint64_t consecutive_failures = 0;
    int64_t last_duration_ms = -1;
    int64_t running_since_ms = 0;
  };
  RewriteHistory rewrite_history() const;
  // keys_loaded() is how many keys the append-only file held at start.
  uint64_t keys_loaded() const { return keys_loaded_.load(); }
  // What a stop does about a snapshot when appendonly is off (SHUTDOWN
  // SAVE or NOSAVE set it; kByConfig: if `save` has save points, as
  // Redis on SIGTERM). The host takes it after the last client.
  enum class StopSave { kByConfig, kSave, kNoSave };
  void set_stop_save(StopSave s) { stop_save_.store(s); }
  StopSave stop_save() const { return stop_save_.load(); }

  // Listener addresses for INFO ("tcp_port").
  void set_port(int port) { port_ = port; }
  int port() const { return port_; }

 private:
  void Register(Client* client);
  void Unregister(Client* client);

  const int64_t start_ms_;
  const std::string run_id_;
  base_internal::ThreadMutex rate_mu_;
  int64_t rate_at_ms_ ABSL_GUARDED_BY(rate_mu_) = 0;
  uint64_t rate_commands_ ABSL_GUARDED_BY(rate_mu_) = 0;
  int64_t rate_ ABSL_GUARDED_BY(rate_mu_) = 0;
  Keyspace keyspace_;
  CommandTable commands_;
  PubSub pubsub_;
  KvConfig config_;
  KvStats stats_;
  SlowLog slowlog_;
  Evictor evictor_{*this};
  std::atomic<uint32_t> notify_flags_{0};
  std::atomic<bool> auth_required_{false};
  std::atomic<int64_t> idle_timeout_s_{0};
  std::atomic<uint64_t> next_client_id_{1};
  std::atomic<int> port_{0};

  // Persistence.
  absl::Status DoRewrite();
  std::unique_ptr<Aof> aof_;
  // The release store in StartPersistence() pairs with the acquire load in
  // aof(): the opened Aof is visible.
  std::atomic<Aof*> aof_ptr_{nullptr};
  std::atomic<bool> rewriting_{false};
  std::atomic<bool> last_rewrite_ok_{true};
  std::atomic<int64_t> last_save_ms_{0};
  std::atomic<uint64_t> dirty_at_save_{0};
  std::atomic<uint64_t> keys_loaded_{0};
  mutable base_internal::ThreadMutex history_mu_;
  RewriteHistory history_ ABSL_GUARDED_BY(history_mu_);
  std::atomic<StopSave> stop_save_{StopSave::kByConfig};
  base_internal::ThreadMutex rewrite_mu_;
  std::thread rewrite_thread_ ABSL_GUARDED_BY(rewrite_mu_);

  mutable base_internal::ThreadMutex clients_mu_;
  std::map<uint64_t, Client*> clients_ ABSL_GUARDED_BY(clients_mu_);

  friend class Connection;
};

// NowMs() is the Unix time in milliseconds.
int64_t NowMs();

}  // namespace colony::kv

#endif  // COLONY_KV_KV_SERVER_H_
