// Copyright 2026 The Colony Authors.
//
// Pub/sub of the key-value backend: the registry of channel and pattern
// subscriptions, and each subscriber's outbox.
//
// Once a client subscribes, everything written to it (replies and
// messages) goes through its Subscriber's outbox, drained to the socket by
// a writer task of its own, so that a publisher never waits for a
// subscriber: Publish() appends to outboxes and returns. An outbox is
// bounded by client-output-buffer-limit (the pubsub class while the
// client has subscriptions, the normal class otherwise; see
// output_limits.h): a subscriber whose unsent bytes reach the hard limit,
// or stay over the soft limit too long, is disconnected and counted; the
// publisher and other clients are unaffected. The subscriber's own
// commands wait (WaitBelow) while its outbox is large, so even without a
// configured limit it cannot make the server buffer its replies without
// bound.
//
// Ordering: messages from one publisher reach each subscriber in publish
// order; a subscription's confirmation precedes every message it lets
// through (both are appended under the registry's lock).
//
// Thread-safety: PubSub's methods may be called from any task. A
// Subscriber's sets are the connection's own; its outbox is shared.
#ifndef COLONY_KV_PUBSUB_H_
#define COLONY_KV_PUBSUB_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "base/internal/thread_mutex.h"
#include "kv/output_limits.h"
#include "sync/locks/event.h"

namespace colony::kv {

struct Client;

class Subscriber {
 public:
  explicit Subscriber(Client* client) : client_(client) {}

  // Append() queues bytes for the socket. With a `limit`, if the bytes not
  // yet written then pass it (OutputLimitClock::Over) the subscriber is
  // marked overflowed, its queue dropped and its connection closed, and
  // Append() returns true (once: at that transition).
  bool Append(absl::string_view resp);
  bool Append(absl::string_view resp, const OutputBufferLimit& limit);
  // Take() waits for queued bytes and moves them into `out`; false once
  // closed with nothing left. The bytes taken count as pending until the
  // next Take() (the writer is writing them).
  bool Take(std::string* out);
  // WaitBelow() waits until at most `bytes` are pending, or the
  // subscriber is closed (the connection's backpressure on its own
  // commands).
  void WaitBelow(size_t bytes);
  // Close() ends Take() and WaitBelow().
  void Close();
  // overflowed() is true once Append() went past the limit.
  bool overflowed() const { return overflowed_.load(); }
  // pending_bytes() are queued or being written.
  size_t pending_bytes() const;
  Client* client() const { return client_; }

  // Owned by the connection's task.
  absl::flat_hash_set<std::string> channels;
  absl::flat_hash_set<std::string> patterns;

 private:
  Client* const client_;
  mutable base_internal::ThreadMutex mu_;
  std::string pending_ ABSL_GUARDED_BY(mu_);
  // Bytes the writer took and is writing.
  size_t inflight_ ABSL_GUARDED_BY(mu_) = 0;
  OutputLimitClock clock_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> overflowed_{false};
  Event ready_;    // something to take, or closed
  Event drained_;  // the writer finished a batch, or closed
};

class PubSub {
 public:
  // The subscribe family: (un)subscribes `s` and appends each
  // confirmation to its outbox. An empty list unsubscribes from all.
  void Subscribe(Subscriber& s, absl::string_view channel);
  void Unsubscribe(Subscriber& s, absl::string_view channel);
  void PSubscribe(Subscriber& s, absl::string_view pattern);
  void PUnsubscribe(Subscriber& s, absl::string_view pattern);
  // UnsubscribeAll() drops every subscription of `s` without replies.
  void UnsubscribeAll(Subscriber& s);

  // Publish() delivers to every channel and pattern subscriber and
  // returns how many received it.
  int64_t Publish(absl::string_view channel, absl::string_view message);

  // PUBSUB introspection.
  std::vector<std::string> Channels(absl::string_view pattern) const;
  int64_t NumSub(absl::string_view channel) const;
  int64_t NumPat() const;

  // output_limits() are the client-output-buffer-limit values in force,
  // for subscribers and normal clients alike, with the count of clients
  // cut for passing them.
  OutputLimits& output_limits() { return limits_; }
  // overflow_disconnects() counts clients cut for their output (INFO
  // stats client_output_buffer_limit_disconnections).
  uint64_t overflow_disconnects() const { return limits_.disconnects(); }

 private:
  void Confirm(Subscriber& s, absl::string_view kind, absl::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Deliver() appends a message; false if that overflowed `s`.
  bool Deliver(Subscriber& s, const std::string& resp)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  using Registry =
      absl::flat_hash_map<std::string, absl::flat_hash_set<Subscriber*>>;
  // Join() and Part() (un)subscribe `s` to `name` in one of the two
  // kinds: its own set `own` and the registry `registry`; a null `name`
  // parts from all.
  void Join(Subscriber& s, absl::flat_hash_set<std::string>& own,
            Registry& registry, absl::string_view kind, absl::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Part(Subscriber& s, absl::flat_hash_set<std::string>& own,
            Registry& registry, absl::string_view kind, absl::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drop() removes `s` from every subscription (an overflowed subscriber,
  // or UNSUBSCRIBE of everything), leaving its own sets as they are.
  void Drop(Subscriber& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable base_internal::ThreadMutex mu_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<Subscriber*>> channels_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<Subscriber*>> patterns_
      ABSL_GUARDED_BY(mu_);
  OutputLimits limits_;
};

}  // namespace colony::kv

#endif  // COLONY_KV_PUBSUB_H_
