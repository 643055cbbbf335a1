// Copyright 2026 The Colony Authors.
//
// Pub/sub of the key-value backend: the registry of channel and pattern
// subscriptions, and each subscriber's outbox.
//
// Once a client subscribes, everything written to it (replies and
// messages) goes through its Subscriber's outbox, drained to the socket by
// a writer task of its own, so that a publisher never waits for a
// subscriber: Publish() appends to outboxes and returns. An outbox is
// bounded (client-output-buffer-limit for pub/sub clients): a subscriber
// that falls behind past the limit is disconnected and counted; the
// publisher and other clients are unaffected.
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
#include "sync/event.h"

namespace colony::kv {

struct Client;

class Subscriber {
 public:
  explicit Subscriber(Client* client) : client_(client) {}

  // Append() queues bytes for the socket; past `limit` bytes pending
  // (0: none) the subscriber is marked overflowed and closed, and Append()
  // returns true (once: at that transition).
  bool Append(absl::string_view resp, size_t limit = 0);
  // Take() waits for queued bytes and moves them into `out`; false once
  // closed with nothing left.
  bool Take(std::string* out);
  // Close() ends Take().
  void Close();
  // overflowed() is true once Append() went past the limit.
  bool overflowed() const { return overflowed_.load(); }
  size_t pending_bytes() const;
  Client* client() const { return client_; }

  // Owned by the connection's task.
  absl::flat_hash_set<std::string> channels;
  absl::flat_hash_set<std::string> patterns;

 private:
  Client* const client_;
  mutable base_internal::ThreadMutex mu_;
  std::string pending_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> overflowed_{false};
  Event ready_;
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

  // The output limit applied to subscribers (bytes; 0 = none).
  void set_output_limit(size_t bytes) { limit_.store(bytes); }
  // overflow_disconnects() counts subscribers cut for falling behind.
  uint64_t overflow_disconnects() const { return overflows_.load(); }

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
  // Drop() removes an overflowed subscriber from every subscription.
  void Drop(Subscriber& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable base_internal::ThreadMutex mu_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<Subscriber*>> channels_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<Subscriber*>> patterns_
      ABSL_GUARDED_BY(mu_);
  std::atomic<size_t> limit_{32u << 20};
  std::atomic<uint64_t> overflows_{0};
};

}  // namespace colony::kv

#endif  // COLONY_KV_PUBSUB_H_
