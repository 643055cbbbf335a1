// Copyright 2026 The Colony Authors.
#include "kv/kv_server.h"

#include <algorithm>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kv/aof_rewrite.h"
#include "kv/commands.h"
#include "kv/connection.h"
#include "kv/memory_usage.h"
#include "scheduler/blocking.h"
#include "spdlog/spdlog.h"

namespace colony::kv {

int64_t NowMs() { return absl::GetCurrentTimeNanos() / 1'000'000; }

namespace {

uint32_t ParseNotifyFlags(const std::string& s) {
  uint32_t f = 0;
  for (char c : s) {
    switch (c) {
      case 'K':
        f |= kNotifyKeyspace;
        break;
      case 'E':
        f |= kNotifyKeyevent;
        break;
      case 'g':
        f |= kNotifyGeneric;
        break;
      case '$':
        f |= kNotifyString;
        break;
      case 'l':
        f |= kNotifyList;
        break;
      case 's':
        f |= kNotifySet;
        break;
      case 'h':
        f |= kNotifyHash;
        break;
      case 'z':
        f |= kNotifyZset;
        break;
      case 'x':
        f |= kNotifyExpired;
        break;
      case 'e':
        f |= kNotifyEvicted;
        break;
      case 't':
        f |= kNotifyStream;
        break;
      case 'm':
        f |= kNotifyKeyMiss;
        break;
      case 'd':
        f |= kNotifyModule;
        break;
      case 'n':
        f |= kNotifyNew;
        break;
      case 'A':
        f |= kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet |
             kNotifyHash | kNotifyZset | kNotifyExpired | kNotifyEvicted |
             kNotifyStream | kNotifyModule;
        break;
      default:
        break;
    }
  }
  // Without K or E nothing is sent.
  if ((f & (kNotifyKeyspace | kNotifyKeyevent)) == 0) return 0;
  return f;
}

}  // namespace

std::string RandomRunId() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(40, '0');
  for (char& c : id) c = kHex[rd() % 16];
  return id;
}

KvServer::KvServer()
    : start_ms_(NowMs()), run_id_(RandomRunId()), last_save_ms_(NowMs()) {
  RegisterConnectionCommands(commands_);
  RegisterServerCommands(commands_);
  RegisterKeyspaceCommands(commands_);
  RegisterStringCommands(commands_);
  RegisterListCommands(commands_);
  RegisterHashCommands(commands_);
  RegisterSetCommands(commands_);
  RegisterSortedSetCommands(commands_);
  RegisterPubSubCommands(commands_);
  RegisterTransactionCommands(commands_);
  RegisterPersistenceCommands(commands_);
  config_.OnChange("notify-keyspace-events", [this](const std::string& v) {
    notify_flags_.store(ParseNotifyFlags(v));
  });
  config_.OnChange("slowlog-log-slower-than", [this](const std::string& v) {
    int64_t us = 10000;
    (void)absl::SimpleAtoi(v, &us);
    slowlog_.set_threshold_us(us);
  });
  config_.OnChange("slowlog-max-len", [this](const std::string& v) {
    int64_t n = 128;
    (void)absl::SimpleAtoi(v, &n);
    slowlog_.set_max_len(static_cast<size_t>(std::max<int64_t>(0, n)));
  });
  config_.OnChange("timeout", [this](const std::string& v) {
    int64_t s = 0;
    (void)absl::SimpleAtoi(v, &s);
    idle_timeout_s_.store(s);
  });
  config_.OnChange("requirepass", [this](const std::string& v) {
    auth_required_.store(!v.empty());
  });
  config_.OnChange("maxmemory", [this](const std::string& v) {
    int64_t bytes = 0;
    KvConfig::ParseMemory(v, &bytes);
    evictor_.set_maxmemory(bytes);
  });
  config_.OnChange("maxmemory-policy", [this](const std::string& v) {
    EvictionPolicy policy = EvictionPolicy::kNoEviction;
    ParseEvictionPolicy(v, &policy);
    evictor_.set_policy(policy);
  });
  auto on_int = [this](const char* name, void (Evictor::*set)(int)) {
    config_.OnChange(name, [this, set](const std::string& v) {
      int n = 0;
      if (absl::SimpleAtoi(v, &n)) (evictor_.*set)(n);
    });
  };
  on_int("maxmemory-samples", &Evictor::set_samples);
  on_int("maxmemory-eviction-tenacity", &Evictor::set_tenacity);
  on_int("lfu-log-factor", &Evictor::set_lfu_log_factor);
  on_int("lfu-decay-time", &Evictor::set_lfu_decay_minutes);
  config_.OnChange("appendfsync", [this](const std::string& v) {
    if (Aof* a = aof()) a->set_fsync(Aof::ParseFsync(v));
  });
}

KvServer::~KvServer() {
  {
    base_internal::ThreadMutexLock lock(rewrite_mu_);
    if (rewrite_thread_.joinable()) rewrite_thread_.join();
  }
  StopPersistence();
}

std::string KvServer::aof_path() const {
  const std::string dir = config_.Value("dir");
  return absl::StrCat(dir.empty() ? absl::string_view(".") : dir, "/",
                      config_.Value("appendfilename"));
}

absl::Status KvServer::StartPersistence(const AofLoadOptions& options) {
  if (config_.Value("appendonly") != "yes") return absl::OkStatus();
  const std::string path = aof_path();
  const int64_t start = NowMs();
  absl::StatusOr<AofLoadResult> loaded = LoadAof(*this, path, options);
  if (!loaded.ok()) return loaded.status();
  spdlog::info(
      "kv: loaded {} commands ({} bytes) from the append only file {} in "
      "{} ms",
      loaded->commands, loaded->size, path, NowMs() - start);
  absl::StatusOr<std::unique_ptr<Aof>> aof =
      Aof::Open(path, Aof::ParseFsync(config_.Value("appendfsync")));
  if (!aof.ok()) return aof.status();
  aof_ = *std::move(aof);
  keys_loaded_.store(keyspace_.KeyCount());
  dirty_at_save_.store(stats_.dirty.load());
  last_save_ms_.store(NowMs());
  aof_ptr_.store(aof_.get(), std::memory_order_release);
  return absl::OkStatus();
}

void KvServer::StopPersistence() {
  if (aof_ != nullptr) aof_->Close();
}

absl::Status KvServer::DoRewrite() {
  const int64_t start = NowMs();
  const uint64_t dirty = stats_.dirty.load();
  {
    base_internal::ThreadMutexLock lock(history_mu_);
    history_.running_since_ms = start;
  }
  // The keyspace copy the rewrite makes is transient (Redis' forked child
  // is not counted either): it does not count against maxmemory.
  SetAsideScope aside;
  Aof* a = aof();
  absl::Status s = RewriteAof(*this, a, a != nullptr ? a->path() : aof_path());
  last_rewrite_ok_.store(s.ok());
  {
    base_internal::ThreadMutexLock lock(history_mu_);
    history_.running_since_ms = 0;
    history_.last_duration_ms = NowMs() - start;
    if (s.ok()) {
      ++history_.succeeded;
      history_.consecutive_failures = 0;
    } else {
      ++history_.consecutive_failures;
    }
  }
  if (s.ok()) {
    last_save_ms_.store(NowMs());
    dirty_at_save_.store(dirty);
    spdlog::info("kv: rewrote the append only file {} in {} ms", aof_path(),
                 NowMs() - start);
  } else {
    spdlog::error("kv: rewriting the append only file: {}", s.ToString());
  }
  return s;
}

KvServer::RewriteHistory KvServer::rewrite_history() const {
  base_internal::ThreadMutexLock lock(history_mu_);
  return history_;
}

absl::Status KvServer::StartRewrite() {
  bool expected = false;
  if (!rewriting_.compare_exchange_strong(expected, true)) {
    return absl::AlreadyExistsError(
        "Background append only file rewriting already in progress");
  }
  base_internal::ThreadMutexLock lock(rewrite_mu_);
  if (rewrite_thread_.joinable()) rewrite_thread_.join();
  rewrite_thread_ = std::thread([this] {
    DoRewrite().IgnoreError();
    rewriting_.store(false);
  });
  return absl::OkStatus();
}

absl::Status KvServer::Rewrite() {
  bool expected = false;
  if (!rewriting_.compare_exchange_strong(expected, true)) {
    return absl::AlreadyExistsError("Background save already in progress");
  }
  absl::Status s = SpawnBlocking([this] { return DoRewrite(); });
  rewriting_.store(false);
  return s;
}

void KvServer::MaybeAutoRewrite() {
  Aof* a = aof();
  if (a == nullptr || rewriting_.load()) return;
  int64_t percent = 0, min_size = 0;
  if (!absl::SimpleAtoi(config_.Value("auto-aof-rewrite-percentage"),
                        &percent) ||
      percent <= 0) {
    return;
  }
  (void)absl::SimpleAtoi(config_.Value("auto-aof-rewrite-min-size"), &min_size);
  const int64_t size = a->current_size();
  const int64_t base = std::max<int64_t>(a->base_size(), 1);
  if (size < min_size || (size - base) * 100 / base < percent) return;
  spdlog::info(
      "kv: starting an automatic rewrite of the append only file "
      "({} bytes, {}% over its base of {})",
      size, (size - base) * 100 / base, base);
  StartRewrite().IgnoreError();
}

int64_t KvServer::OpsPerSecond() {
  const int64_t now = NowMs();
  const uint64_t commands = stats_.commands_processed.load();
  base_internal::ThreadMutexLock lock(rate_mu_);
  if (rate_at_ms_ == 0) {
    rate_at_ms_ = start_ms_;
  }
  const int64_t elapsed = now - rate_at_ms_;
  if (elapsed >= 1000) {
    rate_ = static_cast<int64_t>(commands - rate_commands_) * 1000 / elapsed;
    rate_at_ms_ = now;
    rate_commands_ = commands;
  }
  return rate_;
}

bool KvServer::CheckPassword(absl::string_view password) const {
  const std::string want = config_.Value("requirepass");
  // Constant time in the length of the configured password.
  unsigned diff = want.size() != password.size() ? 1 : 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const char got = i < password.size() ? password[i] : 0;
    diff |= static_cast<unsigned>(want[i] ^ got);
  }
  return diff == 0;
}

void KvServer::Serve(TcpStream& stream, const ServeHooks& hooks) {
  stats_.connections_received.fetch_add(1, std::memory_order_relaxed);
  Connection connection(*this, stream, hooks);
  connection.Run();
}

void KvServer::Register(Client* client) {
  client->id = next_client_id_.fetch_add(1);
  stats_.connected_clients.fetch_add(1);
  base_internal::ThreadMutexLock lock(clients_mu_);
  clients_[client->id] = client;
}

void KvServer::Unregister(Client* client) {
  stats_.connected_clients.fetch_sub(1);
  base_internal::ThreadMutexLock lock(clients_mu_);
  clients_.erase(client->id);
}

void KvServer::ForEachClient(const std::function<void(Client&)>& fn) {
  base_internal::ThreadMutexLock lock(clients_mu_);
  for (auto& [id, c] : clients_) fn(*c);
}

int KvServer::KillClients(const std::function<bool(Client&)>& match,
                          Client* self) {
  int killed = 0;
  base_internal::ThreadMutexLock lock(clients_mu_);
  for (auto& [id, c] : clients_) {
    // A client killed before is gone, even while its task winds down.
    if (c->killed.load() || !match(*c)) continue;
    if (c == self) {
      c->close_after_reply = true;
      ++killed;
      continue;
    }
    c->killed.store(true);
    c->stream->Close().IgnoreError();
    ++killed;
  }
  return killed;
}

size_t KvServer::ExpireCycle(int64_t now_ms, size_t budget) {
  size_t deleted = 0;
  std::string reply_sink;
  Client system_client;
  RespWriter writer(&reply_sink, 2);
  const bool accounting = evictor_.maxmemory() != 0;
  for (int db = 0; db < Keyspace::kDatabases; ++db) {
    for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
      Shard& shard = keyspace_.shard(db, i);
      base_internal::ThreadMutexLock lock(shard.mu);
      if (accounting) evictor_.AccountShard(shard);
      if (shard.expires.empty() || shard.expires.begin()->first > now_ms) {
        continue;
      }
      system_client.db.store(db);
      CommandContext ctx(*this, system_client, writer, {}, now_ms);
      for (size_t n = 0; n < budget && !shard.expires.empty(); ++n) {
        auto first = shard.expires.begin();
        if (first->first > now_ms) break;
        const std::string key = first->second;
        // Lookup() deletes it, notifies, counts and propagates a DEL.
        ctx.Lookup(key);
        ++deleted;
      }
      if (Aof* a = aof(); a != nullptr && !ctx.propagated.empty()) {
        a->Append(ctx.propagated, false);
      }
      if (accounting) evictor_.AccountShard(shard);
    }
  }
  if (evictor_.OverLimit()) evictor_.MakeRoom(now_ms);
  return deleted;
}

}  // namespace colony::kv
