// Copyright 2026 The Colony Authors.
#include "kv/connection.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "kv/key_prefetch.h"
#include "kv/output_limits.h"
#include "kv/pubsub.h"
#include "net/errors.h"
#include "net/socket_address.h"
#include "scheduler/scheduler.h"
#include "spdlog/spdlog.h"

namespace colony::kv {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
// Replies past this are written before executing more of a pipeline
// (unless a hard output limit is set: then up to it, see Flush()).
constexpr size_t kFlushThreshold = 256 * 1024;
// Unparsed input shorter than this cannot hold two commands with a key
// ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" is 20 bytes): not worth a
// prefetch scan (kv/key_prefetch.h).
constexpr size_t kMinPrefetchBytes = 40;
// The most commands of a batch run under one kept shard lock (held_).
constexpr int kMaxHeldRun = 32;
// A blocked client's connection is checked for a hang-up this often.
constexpr absl::Duration kBlockedPoll = absl::Milliseconds(50);
// How long each such check may wait for the socket.
constexpr absl::Duration kHangUpProbe = absl::Milliseconds(1);

std::string UnknownCommandError(absl::Span<const absl::string_view> args) {
  // Each argument quoted up to what is left of 128 characters.
  std::string quoted;
  for (size_t i = 1; i < args.size() && quoted.size() < 128; ++i) {
    absl::StrAppend(&quoted, "'", args[i].substr(0, 128 - quoted.size()), "' ");
  }
  return absl::StrCat("ERR unknown command '", args[0].substr(0, 128),
                      "', with args beginning with: ", quoted);
}

constexpr char kOomError[] =
    "OOM command not allowed when used memory > 'maxmemory'.";

// DeniedForMemory() is called while the counted memory is over maxmemory.
bool DeniedForMemory(KvServer& server, const Client& client,
                     const CommandSpec& spec) {
  // As Redis: evict first (reads too make room); when that fails, refuse
  // what may grow the data: denyoom commands, anything queued in MULTI,
  // and an EXEC whose transaction holds a denyoom command.
  if (server.evictor().MakeRoom(NowMs()) != Evictor::Result::kFail) {
    return false;
  }
  if (spec.flags & kDenyOom) return true;
  if (spec.handler == &Connection::Exec) {
    for (const std::vector<std::string>& q : client.queued) {
      const CommandSpec* s = server.commands().Find(q[0]);
      if (s != nullptr && !s->subcommands.empty() && q.size() >= 2) {
        if (const CommandSpec* sub = CommandTable::FindSub(*s, q[1])) s = sub;
      }
      if (s != nullptr && (s->flags & kDenyOom)) return true;
    }
    return false;
  }
  return client.in_multi && spec.handler != &Connection::Discard &&
         spec.handler != &Connection::Quit &&
         spec.handler != &Connection::Reset;
}

}  // namespace

Connection::Connection(KvServer& server, TcpStream& stream,
                       const ServeHooks& hooks)
    : server_(server),
      stream_(stream),
      hooks_(hooks),
      writer_(&out_, 2),
      tasks_(std::make_unique<TaskScope>()) {
  client_.stream = &stream_;
  client_.connection = this;
  client_.created_ms = NowMs();
  client_.last_interaction_ms.store(client_.created_ms);
  if (auto a = stream_.PeerAddress(); a.ok()) client_.addr = a->ToString();
  if (auto a = stream_.LocalAddress(); a.ok()) client_.laddr = a->ToString();
  client_.authenticated = !server_.auth_required();
  parser_.set_authenticated(client_.authenticated);
  parser_.limits().max_bulk_len =
      std::stoll(server_.config().Value("proto-max-bulk-len"));
  // The first connection ties the limits in force to the parameter.
  OutputLimits& limits = server_.pubsub().output_limits();
  KvConfig& config = server_.config();
  limits.BindOnce([&limits, &config] {
    config.OnChange(
        "client-output-buffer-limit", [&limits](const std::string& value) {
          ClientOutputBufferLimits parsed = DefaultClientOutputBufferLimits();
          if (ParseClientOutputBufferLimits(value, &parsed).ok()) {
            limits.Set(parsed);
          }
        });
  });
}

Connection::~Connection() {
  UnwatchAll();
  if (client_.subscriber != nullptr) {
    server_.pubsub().UnsubscribeAll(*client_.subscriber);
    client_.subscriber->Close();
  }
  // Cancels and awaits the subscriber's writer before the stream goes.
  stream_.Close().IgnoreError();
  tasks_.reset();
}

bool Connection::ReadMore(Deadline deadline, bool* timed_out) {
  *timed_out = false;
  size_t pending = in_end_ - in_start_;
  if (pending == 0) {
    in_start_ = in_end_ = 0;
    // A client whose requests fit the scratch buffer holds no buffer of
    // its own between them (idle connections stay small); one that sent
    // more keeps it for the next batch.
    if (in_ != nullptr && batch_bytes_ <= sizeof(scratch_)) {
      in_.reset();
      in_cap_ = 0;
    }
    if (in_ == nullptr) in_data_ = scratch_;
    batch_bytes_ = 0;
  }
  if (in_data_ == scratch_ && pending > 0) {
    // Part of a request (or more than the scratch buffer holds) came:
    // continue in a buffer of its own.
    auto heap = std::make_unique_for_overwrite<char[]>(kReadChunk);
    std::memcpy(heap.get(), scratch_ + in_start_, pending);
    in_ = std::move(heap);
    in_cap_ = kReadChunk;
    in_data_ = in_.get();
    in_start_ = 0;
    in_end_ = pending;
  }
  size_t cap = in_data_ == scratch_ ? sizeof(scratch_) : in_cap_;
  if (in_data_ != scratch_) {
    // Make room: move the unparsed bytes to the front, grow if needed.
    if (in_start_ > 0 && (pending == 0 || in_cap_ - in_end_ < 4096)) {
      std::memmove(in_data_, in_data_ + in_start_, pending);
      in_end_ = pending;
      in_start_ = 0;
    }
    const size_t want = std::max(kReadChunk, parser_.needed());
    if (in_cap_ - in_end_ < want / 4) {
      const size_t limit = static_cast<size_t>(
          std::stoll(server_.config().Value("client-query-buffer-limit")));
      if (in_end_ >= limit) {
        spdlog::warn("kv: closing client {} ({}): query buffer over {} bytes",
                     client_.id, client_.addr, limit);
        return false;
      }
      const size_t grown =
          std::min(std::max(in_cap_ * 2, in_end_ + want), limit + kReadChunk);
      auto bigger = std::make_unique_for_overwrite<char[]>(grown);
      std::memcpy(bigger.get(), in_data_, in_end_);
      in_ = std::move(bigger);
      in_cap_ = grown;
      in_data_ = in_.get();
    }
    cap = in_cap_;
  }
  auto n =
      stream_.Read(absl::MakeSpan(in_data_ + in_end_, cap - in_end_), deadline);
  if (!n.ok()) {
    if (absl::IsDeadlineExceeded(n.status())) {
      *timed_out = true;
      return true;
    }
    return false;
  }
  if (*n == 0) return false;
  batch_bytes_ += *n;
  in_end_ += *n;
  server_.stats().net_input_bytes.fetch_add(*n, std::memory_order_relaxed);
  return true;
}

bool Connection::OverOutputLimit() {
  if (client_.subscriber != nullptr) return false;  // its outbox checks
  const OutputBufferLimit limit =
      server_.pubsub().output_limits().Get(ClientClass::kNormal);
  if (limit.hard_bytes == 0 && limit.soft_bytes == 0) return false;
  const size_t pending = out_.size() - out_sent_;
  if (!out_clock_.Over(limit, pending, NowMs())) return false;
  server_.pubsub().output_limits().CountDisconnect();
  spdlog::info(
      "kv: closing client {} ({}): {} bytes of unsent replies passed "
      "client-output-buffer-limit normal",
      client_.id, client_.addr, pending);
  return true;
}

bool Connection::Flush(bool all) {
  ReleaseHeld();  // the waits below may suspend the task
  if (aof_seq_ != 0) {
    // appendfsync always: the replies wait for their writes to be on disk.
    if (Aof* aof = server_.aof()) aof->WaitDurable(aof_seq_);
    aof_seq_ = 0;
  }
  if (out_.size() == out_sent_) return true;
  if (client_.subscriber == nullptr) {
    const OutputBufferLimit limit =
        server_.pubsub().output_limits().Get(ClientClass::kNormal);
    if (OverOutputLimit()) return false;
    if (limit.hard_bytes == 0 && limit.soft_bytes == 0) {
      // No limit: the connection executes nothing more until its replies
      // are written (backpressure).
      return WriteOut();
    }
    // Limits: what the socket takes now goes out; the rest waits in an
    // outbox while the connection goes on, as in Redis, until the client
    // reads it or passes a limit.
    const absl::string_view rest = absl::string_view(out_).substr(out_sent_);
    absl::StatusOr<size_t> n =
        stream_.Write(rest, Deadline::After(absl::Microseconds(1)));
    if (!n.ok() && !absl::IsDeadlineExceeded(n.status())) return false;
    if (n.ok()) {
      out_sent_ += *n;
      server_.stats().net_output_bytes.fetch_add(*n, std::memory_order_relaxed);
    }
    if (out_sent_ == out_.size()) {
      ClearOut();
      return true;
    }
    server_.stats().net_output_bytes.fetch_add(out_.size() - out_sent_,
                                               std::memory_order_relaxed);
    EnsureSubscriber();  // takes the rest
    return true;
  }
  server_.stats().net_output_bytes.fetch_add(out_.size(),
                                             std::memory_order_relaxed);
  Subscriber& sub = *client_.subscriber;
  const bool subscribed = !sub.channels.empty() || !sub.patterns.empty();
  const OutputBufferLimit limit = server_.pubsub().output_limits().Get(
      subscribed ? ClientClass::kPubSub : ClientClass::kNormal);
  if (sub.Append(out_, limit)) {
    server_.pubsub().output_limits().CountDisconnect();
    spdlog::info(
        "kv: closing client {} ({}): its unsent output passed "
        "client-output-buffer-limit {}",
        client_.id, client_.addr, subscribed ? "pubsub" : "normal");
  }
  out_.clear();
  // Without a limit, backpressure on this client's own requests.
  if (all && limit.hard_bytes == 0 && limit.soft_bytes == 0) {
    sub.WaitBelow(kFlushThreshold);
  }
  return !sub.overflowed();
}

bool Connection::WriteOut() {
  const int64_t idle_s = server_.idle_timeout_seconds();
  int64_t progress_ms = NowMs();
  while (out_sent_ < out_.size()) {
    // `timeout` applies to a client that reads nothing as well.
    const Deadline deadline =
        idle_s > 0 ? Deadline::After(absl::Milliseconds(std::max<int64_t>(
                         1, progress_ms + idle_s * 1000 - NowMs())))
                   : Deadline::Infinite();
    const absl::string_view rest = absl::string_view(out_).substr(out_sent_);
    absl::StatusOr<size_t> n = stream_.Write(rest, deadline);
    if (!n.ok()) {
      if (absl::IsDeadlineExceeded(n.status()) && idle_s > 0) {
        spdlog::info(
            "kv: closing client {} ({}): its replies went unread for {} s "
            "(timeout)",
            client_.id, client_.addr, idle_s);
      }
      return false;
    }
    out_sent_ += *n;
    progress_ms = NowMs();
    server_.stats().net_output_bytes.fetch_add(*n, std::memory_order_relaxed);
  }
  ClearOut();
  return true;
}

void Connection::ClearOut() {
  out_sent_ = 0;
  if (out_.capacity() > 1 << 20) {
    std::string().swap(out_);
  } else {
    out_.clear();
  }
}

void Connection::Run() {
  RunLoop();
  if (client_.subscriber != nullptr) {
    // Let the writer send what is queued (QUIT's reply) before closing.
    server_.pubsub().UnsubscribeAll(*client_.subscriber);
    client_.subscriber->Close();
    tasks_->Wait();
  }
}

void Connection::RunLoop() {
  server_.Register(&client_);
  struct Unregister {
    KvServer& server;
    Client* client;
    ~Unregister() { server.Unregister(client); }
  } unregister{server_, &client_};
  for (;;) {
    if (in_end_ - in_start_ >= kMinPrefetchBytes) {
      PrefetchPipelinedKeys(
          server_.commands(), server_.keyspace(), client_.db.load(),
          absl::string_view(in_data_ + in_start_, in_end_ - in_start_));
    }
    while (in_start_ < in_end_ && !closing_) {
      const auto r = parser_.Parse(
          absl::string_view(in_data_ + in_start_, in_end_ - in_start_));
      if (r == RespParser::Result::kNeedMore) break;
      if (r == RespParser::Result::kError) {
        server_.stats().protocol_errors.fetch_add(1);
        writer_.Error(absl::StrCat("ERR ", parser_.error()));
        spdlog::info("kv: client {} ({}): {}", client_.id, client_.addr,
                     std::string(parser_.error()));
        Flush(true);
        return;
      }
      in_start_ += parser_.consumed();
      if (parser_.args().empty()) continue;
      Execute(parser_.args());
      if (client_.close_after_reply || client_.killed.load()) {
        closing_ = true;
        break;
      }
      if (out_.size() - out_sent_ > kFlushThreshold) {
        if (!Flush(false)) return;
      } else if (OverOutputLimit()) {
        ReleaseHeld();
        return;
      }
    }
    if (in_start_ == in_end_) in_start_ = in_end_ = 0;
    if (!Flush(true) || closing_ || client_.killed.load()) return;
    // Fairness: a client that sends its next batch as soon as it has its
    // replies would otherwise be read and served again before the other
    // ready connections of this worker get a turn.
    Yield();
    // `timeout`: idle clients are closed (not subscribers, as Redis). The
    // deadline is set before the connection says it is idle: a drain that
    // begins in between replaces it with a passed one, which the read
    // then sees.
    const int64_t idle_s = server_.idle_timeout_seconds();
    const bool subscribed = client_.subscriber != nullptr &&
                            (!client_.subscriber->channels.empty() ||
                             !client_.subscriber->patterns.empty());
    const Deadline read_deadline = idle_s > 0 && !subscribed
                                       ? Deadline::After(absl::Seconds(idle_s))
                                       : Deadline::Infinite();
    stream_.SetReadDeadline(read_deadline);
    if (hooks_.wait_for_request && !hooks_.wait_for_request()) return;
    bool timed_out;
    bool got = ReadMore(Deadline::Infinite(), &timed_out);
    if (got && timed_out) {
      if (read_deadline.IsReached()) {
        spdlog::info("kv: closing client {} ({}): idle for {} s (timeout)",
                     client_.id, client_.addr, idle_s);
      }
      got = false;
    }
    client_.last_interaction_ms.store(NowMs(), std::memory_order_relaxed);
    if (hooks_.begin_request && !hooks_.begin_request(got)) return;
    if (!got) return;
  }
}

void Connection::Reject(const CommandSpec* spec, absl::string_view error) {
  if (spec != nullptr) spec->rejected.fetch_add(1, std::memory_order_relaxed);
  server_.stats().error_replies.fetch_add(1, std::memory_order_relaxed);
  if (client_.in_multi && spec != nullptr && spec->handler == &Exec) {
    // A refused EXEC ends the transaction, saying why.
    DiscardMulti();
    UnwatchAll();
    writer_.Error(absl::StrCat("EXECABORT Transaction discarded because of: ",
                               absl::StripPrefix(error, "ERR ")));
    return;
  }
  if (client_.in_multi) client_.multi_error = true;
  writer_.Error(error);
}

void Connection::Execute(absl::Span<const absl::string_view> args) {
  const CommandSpec* spec;
  if (args[0] == absl::string_view(last_name_, last_name_size_)) {
    spec = last_spec_;
  } else {
    spec = server_.commands().Find(args[0]);
    if (spec != nullptr && args[0].size() <= sizeof(last_name_)) {
      std::memcpy(last_name_, args[0].data(), args[0].size());
      last_name_size_ = args[0].size();
      last_spec_ = spec;
    }
  }
  if (spec == nullptr) {
    Reject(nullptr, UnknownCommandError(args));
    return;
  }
  const int argc = static_cast<int>(args.size());
  if (!spec->subcommands.empty() && argc >= 2) {
    const CommandSpec* sub = CommandTable::FindSub(*spec, args[1]);
    if (sub == nullptr) {
      Reject(spec, absl::StrCat("ERR unknown subcommand '",
                                args[1].substr(0, 128), "'. Try ",
                                absl::AsciiStrToUpper(spec->name), " HELP."));
      return;
    }
    spec = sub;
  }
  client_.last_command.store(spec->name.c_str(), std::memory_order_relaxed);
  if ((spec->arity > 0 && argc != spec->arity) || argc < -spec->arity) {
    Reject(spec, absl::StrCat("ERR wrong number of arguments for '", spec->name,
                              "' command"));
    return;
  }
  if (!client_.authenticated && (spec->flags & kNoAuth) == 0) {
    Reject(spec, "NOAUTH Authentication required.");
    return;
  }
  if (client_.subscriber != nullptr && client_.protocol.load() == 2 &&
      (spec->flags & kSubscribed) == 0 &&
      !(client_.subscriber->channels.empty() &&
        client_.subscriber->patterns.empty())) {
    Reject(spec, absl::StrCat("ERR Can't execute '", spec->name,
                              "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                              "PING / QUIT / RESET are allowed in this "
                              "context"));
    return;
  }
  if (server_.evictor().OverLimit()) {
    ReleaseHeld();  // eviction locks shards
    if (DeniedForMemory(server_, client_, *spec)) {
      Reject(spec, kOomError);
      return;
    }
  }
  if ((spec->flags & kWrite) != 0) {
    if (Aof* aof = server_.aof(); aof != nullptr && aof->write_errno() != 0) {
      Reject(spec, absl::StrCat("MISCONF Errors writing to the AOF file: ",
                                std::strerror(aof->write_errno())));
      return;
    }
  }
  if (client_.in_multi && (spec->flags & kNoMulti) == 0) {
    std::vector<std::string> copy(args.begin(), args.end());
    client_.queued.push_back(std::move(copy));
    writer_.Simple("QUEUED");
    return;
  }
  RunCommand(*spec, args);
}

Shard* LockCommandKeys(KvServer& server, const CommandSpec& spec,
                       absl::Span<const absl::string_view> args, int db,
                       LockSet* locks) {
  Keyspace& ks = server.keyspace();
  if (spec.flags & kAllDbs) {
    for (int d = 0; d < Keyspace::kDatabases; ++d) locks->AddDb(ks, d);
    return nullptr;
  }
  if (spec.flags & kDbWide) {
    locks->AddDb(ks, db);
    return nullptr;
  }
  if (spec.keys.numkeys == 0 && spec.keys.first == 1 && spec.keys.last == 1) {
    // One key, the common case.
    if (args.size() < 2) return nullptr;
    Shard* shard = &ks.ShardFor(db, args[1]);
    locks->Add(shard);
    return shard;
  }
  absl::InlinedVector<absl::string_view, 4> keys;
  CommandKeys(spec, args, &keys);
  Shard* first = nullptr;
  for (absl::string_view k : keys) {
    Shard* shard = &ks.ShardFor(db, k);
    if (first == nullptr) first = shard;
    locks->Add(shard);
  }
  return first;
}

namespace {

// CountCall() records a command for INFO commandstats and, if it was
// slow, in the slow log.
void CountCall(KvServer& server, const CommandSpec& spec, int64_t start_ns,
               absl::Span<const absl::string_view> args, Client& client) {
  const int64_t us = (absl::GetCurrentTimeNanos() - start_ns) / 1000;
  spec.calls.Add(1);
  spec.usec.Add(static_cast<uint64_t>(us));
  server.stats().commands_processed.Add(1);
  if ((spec.flags & kSkipSlowlog) == 0 && server.slowlog().Slow(us)) {
    std::string name;
    {
      base_internal::ThreadMutexLock lock(client.info_mu);
      name = client.name;
    }
    server.slowlog().Record(us, args, client.addr, name);
  }
}

}  // namespace

void Connection::LockOneShard(Shard* shard) {
  // (A run that reached kMaxHeldRun was released after its last command.)
  if (held_.locked() && held_.shards()[0] == shard) {
    ++held_run_;
    return;
  }
  held_.Clear();
  held_.Add(shard);
  held_.Lock();
  held_run_ = 1;
}

void Connection::RunCommand(const CommandSpec& spec,
                            absl::Span<const absl::string_view> args) {
  LockSet locks;
  const int db = client_.db.load();
  Shard* first = LockCommandKeys(server_, spec, args, db, &locks);
  // A one-shard command runs under held_, which the previous command may
  // have left locked; anything else releases held_ first (its lock set
  // may include that shard, or its handler lock shards itself).
  const bool one_shard = first != nullptr && locks.shards().size() == 1;
  LockSet& active = one_shard ? held_ : locks;
  if (one_shard) {
    LockOneShard(first);
  } else {
    ReleaseHeld();
    locks.Lock();
  }
  const int64_t start_ns = absl::GetCurrentTimeNanos();
  CommandContext ctx(server_, client_, writer_, args, start_ns / 1'000'000);
  if (first != nullptr) ctx.PrimeShard(db, args[1], first);
  const size_t out_before = out_.size();
  spec.handler(ctx);
  if (Evictor& evictor = server_.evictor(); evictor.maxmemory() != 0) {
    if (evictor.tracking()) evictor.TouchKeys(spec, args, db, ctx.now_ms);
    evictor.AccountShards(active.shards());
  }
  std::shared_ptr<BlockedClient> blocked;
  if (ctx.block != nullptr) {
    blocked = std::make_shared<BlockedClient>(&client_, client_.db.load(),
                                              std::move(*ctx.block));
    Enqueue(server_.keyspace(), blocked);
  }
  if (Aof* aof = server_.aof()) {
    // Appended under the locks: the file orders writes to a key as they
    // executed.
    std::vector<Propagated> writes;
    ctx.TakePropagated(spec.flags, &writes);
    if (!writes.empty()) aof_seq_ = aof->Append(writes, false);
  }
  // held_ stays locked for the next command unless this one readied
  // blocked clients (served below, under their shards' locks), blocks,
  // or used up the run.
  if (!one_shard) {
    locks.Unlock();
  } else if (!ctx.ready.empty() || blocked != nullptr ||
             held_run_ >= kMaxHeldRun) {
    ReleaseHeld();
  }
  if (out_.size() > out_before && out_[out_before] == '-') {
    spec.failed.fetch_add(1, std::memory_order_relaxed);
    server_.stats().error_replies.fetch_add(1, std::memory_order_relaxed);
  }
  if (!ctx.ready.empty()) ServeReady(server_, std::move(ctx.ready));
  // Counted before a blocked client waits: the wait is not its cost.
  if ((spec.flags & kSkipCommandStats) == 0) {
    CountCall(server_, spec, start_ns, args, client_);
  }
  if (blocked != nullptr) WaitBlocked(std::move(blocked));
}

void Connection::WaitBlocked(std::shared_ptr<BlockedClient> blocked) {
  // Replies of earlier pipelined commands go out before the client waits.
  Flush(true);
  // The probes below carry their own deadlines.
  stream_.SetReadDeadline(Deadline::Infinite());
  client_.unblock.store(0);
  {
    base_internal::ThreadMutexLock lock(client_.info_mu);
    client_.current_block = blocked;
  }
  client_.blocked.store(true);
  server_.stats().blocked_clients.fetch_add(1);
  struct Cleanup {
    Connection* c;
    BlockedClient* b;
    ~Cleanup() {
      Dequeue(c->server_.keyspace(), b);
      c->client_.blocked.store(false);
      {
        base_internal::ThreadMutexLock lock(c->client_.info_mu);
        c->client_.current_block.reset();
      }
      c->server_.stats().blocked_clients.fetch_sub(1);
    }
  } cleanup{this, blocked.get()};
  const Deadline deadline = blocked->request.deadline;
  bool hung_up = false;
  for (;;) {
    const Deadline tick = Deadline::After(kBlockedPoll);
    const Deadline until = std::min(tick, deadline);
    if (blocked->done.WaitUntil(until)) break;
    if (deadline.IsReached() || client_.unblock.load() != 0) break;
    // A blocked client counts as idle for a drain, which ends it.
    if (hooks_.wait_for_request && !hooks_.wait_for_request()) {
      hung_up = true;
      break;
    }
    // Look for a hang-up (bytes that came meanwhile are kept for later).
    // The deadline must lie ahead: a read whose deadline has passed fails
    // without looking at the socket, so it would never see the hang-up.
    bool timed_out;
    if (!ReadMore(Deadline::After(kHangUpProbe), &timed_out)) {
      hung_up = true;
      break;
    }
    if (client_.killed.load()) {
      hung_up = true;
      break;
    }
  }
  if (hooks_.begin_request && !hung_up && !hooks_.begin_request(true)) {
    closing_ = true;  // a drain began: reply, then close
  }
  int expected = BlockedClient::kWaiting;
  if (blocked->state.compare_exchange_strong(expected,
                                             BlockedClient::kAbandoned)) {
    if (hung_up) {
      closing_ = true;
      return;
    }
    if (client_.unblock.load() == 2) {
      writer_.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    } else {
      writer_.NullArray();
    }
    return;
  }
  if (expected == BlockedClient::kAbandoned) {
    // The server found this client killed or hung up and passed it by.
    closing_ = true;
    return;
  }
  // Served (or being served): the reply is on its way.
  blocked->done.Wait();
  // The pop was appended to the AOF before the client was woken.
  if (Aof* aof = server_.aof()) aof_seq_ = std::max(aof_seq_, aof->appended());
  writer_.Raw(blocked->reply);
  if (hung_up) closing_ = true;
}

Subscriber& Connection::EnsureSubscriber() {
  if (client_.subscriber == nullptr) {
    client_.subscriber = std::make_shared<Subscriber>(&client_);
    // Replies already produced go first.
    client_.subscriber->Append(absl::string_view(out_).substr(out_sent_));
    out_.clear();
    out_sent_ = 0;
    std::shared_ptr<Subscriber> sub = client_.subscriber;
    TcpStream* stream = &stream_;
    KvServer* server = &server_;
    tasks_->Spawn(
        [sub, stream, server] {
          std::string batch;
          while (sub->Take(&batch)) {
            stream->SetWriteDeadline(Deadline::Infinite());
            if (!stream->WriteAll(batch).ok()) break;
            batch.clear();
          }
          if (sub->overflowed()) sub->client()->killed.store(true);
          // Nothing more will be written: wake a connection waiting in
          // WaitBelow(), and the reader.
          sub->Close();
          stream->Close().IgnoreError();
          (void)server;
        },
        {.name = "kv-subscriber-writer"});
  } else {
    client_.subscriber->Append(out_);
    out_.clear();
  }
  return *client_.subscriber;
}

void Connection::UnwatchAll() {
  for (const auto& [db, key] : client_.watched) {
    Shard& shard = server_.keyspace().ShardFor(db, key);
    ShardLock lock(shard);
    auto it = shard.watchers.find(key);
    if (it == shard.watchers.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &client_.watch), v.end());
    if (v.empty()) shard.watchers.erase(it);
  }
  client_.watched.clear();
  client_.watch.dirty.store(false);
}

void Connection::DiscardMulti() {
  client_.in_multi = false;
  client_.multi_error = false;
  client_.queued.clear();
}

void Connection::Multi(CommandContext& ctx) {
  Client& c = ctx.client;
  if (c.in_multi) {
    ctx.reply.Error("ERR MULTI calls can not be nested");
    return;
  }
  c.in_multi = true;
  c.multi_error = false;
  c.queued.clear();
  ctx.reply.Ok();
}

void Connection::Discard(CommandContext& ctx) {
  Connection& conn = *ctx.client.connection;
  if (!ctx.client.in_multi) {
    ctx.reply.Error("ERR DISCARD without MULTI");
    return;
  }
  conn.DiscardMulti();
  conn.UnwatchAll();
  ctx.reply.Ok();
}

void Connection::Watch(CommandContext& ctx) {
  Connection& conn = *ctx.client.connection;
  Client& c = ctx.client;
  if (c.in_multi) {
    ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  const int db = c.db.load();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const std::string key(ctx.args[i]);
    bool already = false;
    for (const auto& [d, k] : c.watched) already |= d == db && k == key;
    if (already) continue;
    // The executor holds the key's shard (WATCH names its keys). A key
    // already expired is expired now, before the watch starts: its
    // deletion is no change to this watch, and EXEC must not take it for
    // one that expired while watched.
    ctx.LookupIn(db, key);
    Shard& shard = conn.server_.keyspace().ShardFor(db, key);
    shard.watchers[key].push_back(&c.watch);
    c.watched.emplace_back(db, key);
  }
  ctx.reply.Ok();
}

void Connection::Unwatch(CommandContext& ctx) {
  // Inside EXEC the transaction unwatches everything when it ends.
  if (!ctx.in_exec) ctx.client.connection->UnwatchAll();
  ctx.reply.Ok();
}

void Connection::Exec(CommandContext& ctx) {
  Connection& conn = *ctx.client.connection;
  Client& c = ctx.client;
  if (!c.in_multi) {
    ctx.reply.Error("ERR EXEC without MULTI");
    return;
  }
  if (c.multi_error) {
    conn.DiscardMulti();
    conn.UnwatchAll();
    ctx.reply.Error(
        "EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  std::vector<std::vector<std::string>> queued = std::move(c.queued);
  conn.DiscardMulti();
  KvServer& server = conn.server_;
  // Lock everything the transaction touches, watched keys included; a
  // database change inside it (SELECT) means every database.
  std::vector<std::vector<absl::string_view>> argv(queued.size());
  std::vector<const CommandSpec*> specs(queued.size());
  bool all = false;
  for (size_t i = 0; i < queued.size(); ++i) {
    for (const std::string& a : queued[i]) argv[i].push_back(a);
    specs[i] = server.commands().Find(argv[i][0]);
    if (specs[i] == nullptr) continue;
    if (absl::EqualsIgnoreCase(argv[i][0], "select") ||
        absl::EqualsIgnoreCase(argv[i][0], "swapdb") ||
        absl::EqualsIgnoreCase(argv[i][0], "move") ||
        absl::EqualsIgnoreCase(argv[i][0], "copy")) {
      all = true;
    }
  }
  LockSet locks;
  const int db = c.db.load();
  if (all) {
    for (int d = 0; d < Keyspace::kDatabases; ++d) {
      locks.AddDb(server.keyspace(), d);
    }
  } else {
    for (size_t i = 0; i < queued.size(); ++i) {
      if (specs[i] != nullptr) {
        LockCommandKeys(server, *specs[i], argv[i], db, &locks);
      }
    }
    for (const auto& [d, k] : c.watched) {
      locks.Add(&server.keyspace().ShardFor(d, k));
    }
  }
  locks.Lock();
  bool abort = c.watch.dirty.load();
  const int64_t now = NowMs();
  for (const auto& [d, k] : c.watched) {
    Shard& shard = server.keyspace().ShardFor(d, k);
    Entry* e = shard.Find(k);
    if (e != nullptr && shard.IsExpired(k, *e, now)) {
      abort = true;
    }
  }
  if (abort) {
    locks.Unlock();
    conn.UnwatchAll();
    ctx.reply.NullArray();
    return;
  }
  ctx.reply.Array(queued.size());
  absl::InlinedVector<std::pair<int, std::string>, 1> ready;
  Aof* aof = server.aof();
  std::vector<Propagated> writes;
  for (size_t i = 0; i < queued.size(); ++i) {
    const int64_t start_ns = absl::GetCurrentTimeNanos();
    CommandContext inner(server, c, ctx.reply, argv[i], start_ns / 1'000'000);
    inner.in_exec = true;
    const size_t before = ctx.reply.out()->size();
    specs[i]->handler(inner);
    if (ctx.reply.out()->size() > before && (*ctx.reply.out())[before] == '-') {
      specs[i]->failed.fetch_add(1, std::memory_order_relaxed);
    }
    if (Evictor& evictor = server.evictor(); evictor.tracking()) {
      evictor.TouchKeys(*specs[i], argv[i], c.db.load(), inner.now_ms);
    }
    for (auto& r : inner.ready) ready.push_back(std::move(r));
    if (aof != nullptr) inner.TakePropagated(specs[i]->flags, &writes);
    CountCall(server, *specs[i], start_ns, argv[i], c);
  }
  if (!writes.empty()) {
    // MULTI/EXEC around the transaction's writes, as Redis writes them.
    conn.aof_seq_ = aof->Append(writes, true);
  }
  if (server.evictor().maxmemory() != 0) {
    server.evictor().AccountShards(locks.shards());
  }
  locks.Unlock();
  conn.UnwatchAll();
  if (!ready.empty()) ServeReady(server, std::move(ready));
}

void Connection::Reset(CommandContext& ctx) {
  Connection& conn = *ctx.client.connection;
  Client& c = ctx.client;
  conn.DiscardMulti();
  conn.UnwatchAll();
  if (c.subscriber != nullptr) {
    conn.server_.pubsub().UnsubscribeAll(*c.subscriber);
  }
  c.db.store(0);
  c.protocol.store(2);
  ctx.reply.set_protocol(2);
  {
    base_internal::ThreadMutexLock lock(c.info_mu);
    c.name.clear();
  }
  c.authenticated = !conn.server_.auth_required();
  conn.parser_.set_authenticated(c.authenticated);
  ctx.reply.Simple("RESET");
}

void Connection::Quit(CommandContext& ctx) {
  ctx.client.close_after_reply = true;
  ctx.reply.Ok();
}

}  // namespace colony::kv
