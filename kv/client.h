// Copyright 2026 The Colony Authors.
//
// Client: the key-value backend's state for one connection: selected
// database, protocol version, authentication, MULTI queue, WATCHed keys,
// subscriptions, and what CLIENT LIST shows.
//
// Thread-safety: the connection's task owns the client and is the only
// writer of its fields, except: `info_mu` guards the fields CLIENT
// LIST/INFO read from other tasks; the atomics may be read anywhere;
// `watch.dirty` is set by writers of watched keys (under their shard's
// lock). Lifetime: registered with the server from the connection's start
// to its end.
#ifndef COLONY_KV_CLIENT_H_
#define COLONY_KV_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/internal/thread_mutex.h"
#include "kv/keyspace.h"

namespace colony {
class TcpStream;
}  // namespace colony

namespace colony::kv {

class Subscriber;     // kv/pubsub.h
class Connection;     // kv/connection.h
class BlockedClient;  // kv/blocking.h

struct Client {
  uint64_t id = 0;
  std::string addr;   // peer "ip:port"
  std::string laddr;  // local "ip:port"
  int64_t created_ms = 0;

  std::atomic<int> db{0};
  std::atomic<int> protocol{2};
  bool authenticated = true;
  // The connection's stream, for CLIENT KILL (shut down from any task).
  TcpStream* stream = nullptr;
  Connection* connection = nullptr;
  std::atomic<bool> killed{false};
  // QUIT or a protocol error: reply, then close.
  bool close_after_reply = false;

  // MULTI.
  bool in_multi = false;
  bool multi_error = false;  // a queueing error: EXEC aborts
  std::vector<std::vector<std::string>> queued;

  // WATCH.
  WatchState watch;
  std::vector<std::pair<int, std::string>> watched;

  // Pub/sub (created on the first subscription).
  std::shared_ptr<Subscriber> subscriber;

  // Shown by CLIENT LIST/INFO (relaxed: snapshots for display; last_command
  // points at a CommandSpec name that outlives every client).
  std::atomic<int64_t> last_interaction_ms{0};
  std::atomic<const char*> last_command{"NULL"};
  std::atomic<bool> blocked{false};
  // CLIENT UNBLOCK: what the blocked command is waiting on, and how it was
  // unblocked (0: not; 1: as a timeout; 2: with an error).
  std::atomic<int> unblock{0};
  std::shared_ptr<BlockedClient> current_block ABSL_GUARDED_BY(info_mu);
  mutable base_internal::ThreadMutex info_mu;
  std::string name ABSL_GUARDED_BY(info_mu);
  std::string lib_name ABSL_GUARDED_BY(info_mu);
  std::string lib_ver ABSL_GUARDED_BY(info_mu);
};

}  // namespace colony::kv

#endif  // COLONY_KV_CLIENT_H_
