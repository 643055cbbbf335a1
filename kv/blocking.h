// Copyright 2026 The Colony Authors.
//
// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
// BZPOPMAX, BZMPOP): a client that finds nothing to take becomes a
// BlockedClient queued on each of its keys (in the keys' shards, in the
// order clients blocked), and its task waits on an Event until served,
// timed out or disconnected.
//
// Serving: a write that adds elements to a key with blocked clients calls
// CommandContext::SignalReady(); after the command, with its locks
// released, the executor serves the ready keys: for each, under the key's
// shard lock (and the destination's for BLMOVE), the first client still
// waiting is claimed (an atomic state change, so a client blocked on
// several keys, or timing out at that moment, is taken at most once), its
// pop runs on its behalf and its reply is handed over. An element is
// therefore either left in the list or delivered to exactly one client.
//
// Thread-safety: see keyspace.h for the queues; BlockedClient's state is
// atomic and its reply is written before the state says Served.
#ifndef COLONY_KV_BLOCKING_H_
#define COLONY_KV_BLOCKING_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kv/command.h"
#include "sync/locks/event.h"
#include "time/deadline.h"

namespace colony::kv {

class BlockedClient {
 public:
  enum State : int { kWaiting, kServing, kServed, kAbandoned };

  BlockedClient(Client* client, int db, BlockRequest request)
      : client(client), db(db), request(std::move(request)) {}

  Client* const client;
  const int db;
  const BlockRequest request;
  std::atomic<int> state{kWaiting};
  // The reply, written by the server before state becomes kServed.
  std::string reply;
  Event done;
};

// ParseBlockTimeout() parses a blocking command's timeout in seconds (a
// float; 0 waits forever), replying Redis' error and returning false if
// it is not valid.
bool ParseBlockTimeout(CommandContext& ctx, absl::string_view arg,
                       Deadline* deadline);

// Enqueue() queues `blocked` on its keys; the shards of the keys must be
// locked by the caller.
void Enqueue(Keyspace& keyspace, const std::shared_ptr<BlockedClient>& blocked);
// Dequeue() removes `blocked` from its keys' queues (locks each shard).
void Dequeue(Keyspace& keyspace, BlockedClient* blocked);
// ServeReady() serves clients blocked on `ready` keys (and on keys that
// serving made ready in turn). No shard lock may be held.
void ServeReady(KvServer& server,
                absl::InlinedVector<std::pair<int, std::string>, 1> ready);

}  // namespace colony::kv

#endif  // COLONY_KV_BLOCKING_H_
