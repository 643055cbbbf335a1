// Copyright 2026 The Colony Authors.
#include "kv/pubsub.h"

#include <algorithm>

#include "kv/client.h"
#include "kv/glob.h"
#include "kv/kv_server.h"
#include "kv/resp/writer.h"
#include "net/tcp.h"
#include "spdlog/spdlog.h"

namespace colony::kv {

using base_internal::ThreadMutexLock;

bool Subscriber::Append(absl::string_view resp) {
  {
    ThreadMutexLock lock(mu_);
    if (closed_) return false;
    pending_.append(resp.data(), resp.size());
  }
  ready_.Set();
  return false;
}

bool Subscriber::Append(absl::string_view resp,
                        const OutputBufferLimit& limit) {
  if (limit.hard_bytes == 0 && limit.soft_bytes == 0) return Append(resp);
  const int64_t now = NowMs();
  bool overflow = false;
  {
    ThreadMutexLock lock(mu_);
    if (closed_) return false;
    pending_.append(resp.data(), resp.size());
    if (clock_.Over(limit, pending_.size() + inflight_, now)) {
      overflowed_.store(true);
      overflow = true;
      closed_ = true;
      std::string().swap(pending_);
    }
  }
  ready_.Set();
  if (overflow) {
    drained_.Set();
    // Cut the connection: its writer may be stuck on a full socket, and
    // its reader must end too.
    client_->killed.store(true);
    if (client_->stream != nullptr) client_->stream->Close().IgnoreError();
  }
  return overflow;
}

bool Subscriber::Take(std::string* out) {
  for (;;) {
    // Reset before looking: an Append() or Close() after the look sets
    // the event again, so the wait below cannot miss it.
    ready_.Reset();
    bool got = false;
    bool done = false;
    {
      ThreadMutexLock lock(mu_);
      // The previous batch is written.
      inflight_ = 0;
      if (!pending_.empty()) {
        out->swap(pending_);
        pending_.clear();
        inflight_ = out->size();
        got = true;
      } else {
        done = closed_;
      }
    }
    drained_.Set();
    if (got) return true;
    if (done) return false;
    ready_.Wait();
  }
}

void Subscriber::WaitBelow(size_t bytes) {
  for (;;) {
    drained_.Reset();
    {
      ThreadMutexLock lock(mu_);
      if (closed_ || pending_.size() + inflight_ <= bytes) return;
    }
    drained_.Wait();
  }
}

void Subscriber::Close() {
  {
    ThreadMutexLock lock(mu_);
    closed_ = true;
  }
  ready_.Set();
  drained_.Set();
}

size_t Subscriber::pending_bytes() const {
  ThreadMutexLock lock(mu_);
  return pending_.size() + inflight_;
}

void PubSub::Confirm(Subscriber& s, absl::string_view kind,
                     absl::string_view name) {
  std::string out;
  RespWriter w(&out, s.client()->protocol.load());
  w.Push(3);
  w.Bulk(kind);
  if (name.data() == nullptr) {
    w.Null();
  } else {
    w.Bulk(name);
  }
  w.Integer(static_cast<int64_t>(s.channels.size() + s.patterns.size()));
  s.Append(out);
}

bool PubSub::Deliver(Subscriber& s, const std::string& resp) {
  if (s.overflowed()) return false;
  if (!s.Append(resp, limits_.Get(ClientClass::kPubSub))) return true;
  limits_.CountDisconnect();
  spdlog::info(
      "kv: disconnecting subscriber {} ({}): its unsent output passed "
      "client-output-buffer-limit pubsub",
      s.client()->id, s.client()->addr);
  return false;
}

namespace {

using Registry =
    absl::flat_hash_map<std::string, absl::flat_hash_set<Subscriber*>>;

// Leave() takes `s` out of `registry` under `name`.
void Leave(Registry& registry, Subscriber& s, absl::string_view name) {
  auto it = registry.find(name);
  if (it == registry.end()) return;
  it->second.erase(&s);
  if (it->second.empty()) registry.erase(it);
}

}  // namespace

void PubSub::Drop(Subscriber& s) {
  for (const std::string& c : s.channels) Leave(channels_, s, c);
  for (const std::string& p : s.patterns) Leave(patterns_, s, p);
}

void PubSub::Join(Subscriber& s, absl::flat_hash_set<std::string>& own,
                  Registry& registry, absl::string_view kind,
                  absl::string_view name) {
  if (own.emplace(name).second) registry[name].insert(&s);
  Confirm(s, kind, name);
}

void PubSub::Part(Subscriber& s, absl::flat_hash_set<std::string>& own,
                  Registry& registry, absl::string_view kind,
                  absl::string_view name) {
  if (name.data() == nullptr) {
    // From all: one confirmation each, in name order, or one with a null
    // name when there was none.
    std::vector<std::string> all(own.begin(), own.end());
    std::sort(all.begin(), all.end());
    for (const std::string& n : all) {
      own.erase(n);
      Leave(registry, s, n);
      Confirm(s, kind, n);
    }
    if (all.empty()) Confirm(s, kind, absl::string_view());
    return;
  }
  if (own.erase(name) > 0) Leave(registry, s, name);
  Confirm(s, kind, name);
}

void PubSub::Subscribe(Subscriber& s, absl::string_view channel) {
  ThreadMutexLock lock(mu_);
  Join(s, s.channels, channels_, "subscribe", channel);
}

void PubSub::Unsubscribe(Subscriber& s, absl::string_view channel) {
  ThreadMutexLock lock(mu_);
  Part(s, s.channels, channels_, "unsubscribe", channel);
}

void PubSub::PSubscribe(Subscriber& s, absl::string_view pattern) {
  ThreadMutexLock lock(mu_);
  Join(s, s.patterns, patterns_, "psubscribe", pattern);
}

void PubSub::PUnsubscribe(Subscriber& s, absl::string_view pattern) {
  ThreadMutexLock lock(mu_);
  Part(s, s.patterns, patterns_, "punsubscribe", pattern);
}

void PubSub::UnsubscribeAll(Subscriber& s) {
  ThreadMutexLock lock(mu_);
  Drop(s);
  s.channels.clear();
  s.patterns.clear();
}

int64_t PubSub::Publish(absl::string_view channel, absl::string_view message) {
  int64_t receivers = 0;
  // Formatted once per protocol.
  std::string as[2];
  auto message_for = [&](int proto) -> const std::string& {
    std::string& m = as[proto >= 3 ? 1 : 0];
    if (m.empty()) {
      RespWriter w(&m, proto);
      w.Push(3);
      w.Bulk("message");
      w.Bulk(channel);
      w.Bulk(message);
    }
    return m;
  };
  ThreadMutexLock lock(mu_);
  std::vector<Subscriber*> dropped;
  auto it = channels_.find(channel);
  if (it != channels_.end()) {
    for (Subscriber* s : it->second) {
      if (Deliver(*s, message_for(s->client()->protocol.load()))) {
        ++receivers;
      } else {
        dropped.push_back(s);
      }
    }
  }
  for (const auto& [pattern, subs] : patterns_) {
    if (!GlobMatch(pattern, channel)) continue;
    for (Subscriber* s : subs) {
      std::string out;
      RespWriter w(&out, s->client()->protocol.load());
      w.Push(4);
      w.Bulk("pmessage");
      w.Bulk(pattern);
      w.Bulk(channel);
      w.Bulk(message);
      if (Deliver(*s, out)) {
        ++receivers;
      } else {
        dropped.push_back(s);
      }
    }
  }
  // Overflowed subscribers leave the registry (the sets are not being
  // iterated any more); their connections are closing.
  std::sort(dropped.begin(), dropped.end());
  dropped.erase(std::unique(dropped.begin(), dropped.end()), dropped.end());
  for (Subscriber* s : dropped) Drop(*s);
  return receivers;
}

std::vector<std::string> PubSub::Channels(absl::string_view pattern) const {
  ThreadMutexLock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [channel, subs] : channels_) {
    if (pattern.data() == nullptr || GlobMatch(pattern, channel)) {
      out.push_back(channel);
    }
  }
  return out;
}

int64_t PubSub::NumSub(absl::string_view channel) const {
  ThreadMutexLock lock(mu_);
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : static_cast<int64_t>(it->second.size());
}

int64_t PubSub::NumPat() const {
  ThreadMutexLock lock(mu_);
  return static_cast<int64_t>(patterns_.size());
}

}  // namespace colony::kv
