// Copyright 2026 The Colony Authors.
#include "kv/blocking.h"

#include <algorithm>
#include <cmath>

#include "kv/client.h"
#include "kv/kv_server.h"
#include "net/tcp.h"

namespace colony::kv {

bool ParseBlockTimeout(CommandContext& ctx, absl::string_view arg,
                       Deadline* deadline) {
  long double seconds;
  if (!ParseLongDouble(arg, &seconds)) {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  // Redis 7.0 rounds up to whole milliseconds, and a value past the 64-bit
  // range (inf included) converts to the most negative one.
  const long double ms = std::ceil(seconds * 1000.0L);
  if (!(ms < 9223372036854775808.0L) || ms < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  const int64_t millis = static_cast<int64_t>(ms);
  *deadline = millis == 0 ? Deadline::Infinite()
                          : Deadline::After(absl::Milliseconds(millis));
  return true;
}

void Enqueue(Keyspace& keyspace,
             const std::shared_ptr<BlockedClient>& blocked) {
  for (const std::string& key : blocked->request.keys) {
    auto& queue = keyspace.ShardFor(blocked->db, key).blocked[key];
    if (std::find(queue.begin(), queue.end(), blocked) == queue.end()) {
      queue.push_back(blocked);
    }
  }
}

void Dequeue(Keyspace& keyspace, BlockedClient* blocked) {
  for (const std::string& key : blocked->request.keys) {
    Shard& shard = keyspace.ShardFor(blocked->db, key);
    base_internal::ThreadMutexLock lock(shard.mu);
    auto it = shard.blocked.find(key);
    if (it == shard.blocked.end()) continue;
    auto& queue = it->second;
    queue.erase(std::remove_if(queue.begin(), queue.end(),
                               [&](const std::shared_ptr<BlockedClient>& b) {
                                 return b.get() == blocked;
                               }),
                queue.end());
    if (queue.empty()) shard.blocked.erase(it);
  }
}

namespace {

// FirstWaiting() drops clients that are no longer waiting from the front
// of `key`'s queue and returns the first that is, or nullptr.
std::shared_ptr<BlockedClient> FirstWaiting(Shard& shard,
                                            const std::string& key) {
  auto it = shard.blocked.find(key);
  if (it == shard.blocked.end()) return {};
  auto& queue = it->second;
  while (!queue.empty() &&
         queue.front()->state.load() != BlockedClient::kWaiting) {
    queue.pop_front();
  }
  if (queue.empty()) {
    shard.blocked.erase(it);
    return {};
  }
  return queue.front();
}

// ServeKey() serves clients blocked on one key while it has elements;
// keys its pops made ready go to `more`.
void ServeKey(KvServer& server, int db, const std::string& key,
              absl::InlinedVector<std::pair<int, std::string>, 1>* more) {
  Keyspace& keyspace = server.keyspace();
  Shard& shard = keyspace.ShardFor(db, key);
  for (int attempts = 0; attempts < 1000000; ++attempts) {
    LockSet locks;
    locks.Add(&shard);
    std::shared_ptr<BlockedClient> first;
    {
      base_internal::ThreadMutexLock peek(shard.mu);
      first = FirstWaiting(shard, key);
      if (first == nullptr) return;
      if (!first->request.dest.empty()) {
        locks.Add(&keyspace.ShardFor(db, first->request.dest));
      }
    }
    locks.Lock();
    std::shared_ptr<BlockedClient> blocked = FirstWaiting(shard, key);
    if (blocked != first) continue;  // the queue moved: look again
    std::string reply;
    RespWriter writer(&reply, blocked->client->protocol.load());
    CommandContext ctx(server, *blocked->client, writer,
                       absl::Span<const absl::string_view>(), NowMs());
    Entry* e = ctx.LookupIn(db, key);
    if (e == nullptr || e->type() != blocked->request.type) return;
    // A client that was killed, or hung up since it last looked at its
    // socket, must not take an element it can no longer receive.
    if (blocked->client->killed.load() ||
        (blocked->client->stream != nullptr &&
         blocked->client->stream->PeerGone())) {
      int waiting = BlockedClient::kWaiting;
      blocked->state.compare_exchange_strong(waiting,
                                             BlockedClient::kAbandoned);
      blocked->done.Set();
      continue;
    }
    int expected = BlockedClient::kWaiting;
    if (!blocked->state.compare_exchange_strong(expected,
                                                BlockedClient::kServing)) {
      continue;  // it timed out just now
    }
    const bool served = blocked->request.serve(ctx, key, blocked->request.args);
    if (!served) {
      blocked->state.store(BlockedClient::kWaiting);
      return;
    }
    if (Aof* aof = server.aof(); aof != nullptr && !ctx.propagated.empty()) {
      // The pop that happened (the serve function says which), under the
      // key's lock; the client's reply waits for it (WaitBlocked).
      aof->Append(ctx.propagated, false);
    }
    shard.blocked[key].pop_front();
    if (shard.blocked[key].empty()) shard.blocked.erase(key);
    blocked->reply = std::move(reply);
    blocked->state.store(BlockedClient::kServed);
    for (auto& r : ctx.ready) more->push_back(std::move(r));
    locks.Unlock();
    blocked->done.Set();
  }
}

}  // namespace

void ServeReady(KvServer& server,
                absl::InlinedVector<std::pair<int, std::string>, 1> ready) {
  // Bounded: each round serves at least one client or drops a key.
  for (size_t i = 0; i < ready.size() && i < 100000; ++i) {
    absl::InlinedVector<std::pair<int, std::string>, 1> more;
    const auto [db, key] = ready[i];
    ServeKey(server, db, key, &more);
    for (auto& m : more) ready.push_back(std::move(m));
  }
}

}  // namespace colony::kv
