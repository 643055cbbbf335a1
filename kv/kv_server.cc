// Copyright 2026 The Colony Authors.
#include "kv/kv_server.h"

#include <algorithm>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "kv/commands.h"
#include "kv/connection.h"

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

KvServer::KvServer() : start_ms_(NowMs()), run_id_(RandomRunId()) {
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
  config_.OnChange("notify-keyspace-events", [this](const std::string& v) {
    notify_flags_.store(ParseNotifyFlags(v));
  });
  config_.OnChange("slowlog-log-slower-than", [this](const std::string& v) {
    int64_t us = 10000;
    absl::SimpleAtoi(v, &us);
    slowlog_.set_threshold_us(us);
  });
  config_.OnChange("slowlog-max-len", [this](const std::string& v) {
    int64_t n = 128;
    absl::SimpleAtoi(v, &n);
    slowlog_.set_max_len(static_cast<size_t>(std::max<int64_t>(0, n)));
  });
  config_.OnChange("timeout", [this](const std::string& v) {
    int64_t s = 0;
    absl::SimpleAtoi(v, &s);
    idle_timeout_s_.store(s);
  });
  config_.OnChange("requirepass", [this](const std::string& v) {
    auth_required_.store(!v.empty());
  });
}

KvServer::~KvServer() = default;

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
  for (int db = 0; db < Keyspace::kDatabases; ++db) {
    for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
      Shard& shard = keyspace_.shard(db, i);
      base_internal::ThreadMutexLock lock(shard.mu);
      if (shard.expires.empty() || shard.expires.begin()->first > now_ms) {
        continue;
      }
      system_client.db.store(db);
      CommandContext ctx(*this, system_client, writer, {}, now_ms);
      for (size_t n = 0; n < budget && !shard.expires.empty(); ++n) {
        auto first = shard.expires.begin();
        if (first->first > now_ms) break;
        const std::string key = first->second;
        // Lookup() deletes it, notifies and counts.
        ctx.Lookup(key);
        ++deleted;
      }
    }
  }
  return deleted;
}

}  // namespace colony::kv
