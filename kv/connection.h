// Copyright 2026 The Colony Authors.
//
// Connection: one client connection of the key-value server, run by
// KvServer::Serve() on the connection's task: reads requests (RESP
// multibulk or inline, pipelined), executes them, and writes the replies
// of everything a read brought in with one write. Holds the executor's
// rules (arity, authentication, subscriber mode, MULTI queueing), the
// transaction commands, the subscriber's writer task and the wait of a
// blocked client.
//
// Thread-safety: one task. Lifetime: inside Serve().
#ifndef COLONY_KV_CONNECTION_H_
#define COLONY_KV_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "kv/blocking.h"
#include "kv/client.h"
#include "kv/command.h"
#include "kv/kv_server.h"
#include "kv/output_limits.h"
#include "kv/resp/parser.h"
#include "kv/resp/writer.h"
#include "net/tcp.h"
#include "scheduler/task_scope.h"

namespace colony::kv {

// LockCommandKeys() names the shards `spec` needs for `args` in database
// `db` (per its KeySpec and flags); returns the shard of its first key
// (nullptr if none). The executor and the AOF loader lock with it.
Shard* LockCommandKeys(KvServer& server, const CommandSpec& spec,
                       absl::Span<const absl::string_view> args, int db,
                       LockSet* locks);

class Connection {
 public:
  Connection(KvServer& server, TcpStream& stream, const ServeHooks& hooks);
  ~Connection();

  // Run() serves until the client leaves, is killed, or the hooks end it.
  void Run();

  // Client state, for commands that act on their own connection.
  Client& client() { return client_; }

  // The transaction and connection-state commands the executor owns.
  static void Multi(CommandContext& ctx);
  static void Exec(CommandContext& ctx);
  static void Discard(CommandContext& ctx);
  static void Watch(CommandContext& ctx);
  static void Unwatch(CommandContext& ctx);
  static void Reset(CommandContext& ctx);
  static void Quit(CommandContext& ctx);

  // Subscribing (or replies piling up under an output limit) turns the
  // connection's output into an outbox with a writer task of its own.
  Subscriber& EnsureSubscriber();
  // SetAuthenticated() records AUTH's outcome (and lifts the parser's
  // unauthenticated limits).
  void SetAuthenticated(bool authenticated) {
    client_.authenticated = authenticated;
    parser_.set_authenticated(authenticated);
  }

 private:
  void RunLoop();
  // Execute() runs one request, or queues it inside MULTI.
  void Execute(absl::Span<const absl::string_view> args);
  // Run() one command with its keys locked; blocks the client if asked.
  void RunCommand(const CommandSpec& spec,
                  absl::Span<const absl::string_view> args);
  // LockOneShard() makes held_ the lock of `shard` alone, keeping it if
  // held_ already is (see held_).
  void LockOneShard(Shard* shard);
  // ReleaseHeld() releases held_ if it is locked. Called before anything
  // that may suspend the task (Flush() does) or lock shards itself.
  void ReleaseHeld() { held_.Clear(); }
  // Reject() replies an error for a request refused before it ran.
  void Reject(const CommandSpec* spec, absl::string_view error);
  void WaitBlocked(std::shared_ptr<BlockedClient> blocked);
  void UnwatchAll();
  void DiscardMulti();
  // Flush() writes the pending replies, or hands them to the outbox; false
  // if the connection must end. Without a normal-class output limit it
  // returns once they are written (backpressure); with one, what the
  // socket does not take at once moves to an outbox (EnsureSubscriber())
  // bounded by the limit. `all`: at the end of a batch of requests (the
  // outbox then applies backpressure too when its class has no limit).
  bool Flush(bool all);
  // WriteOut() writes out_ from out_sent_ on, waiting as long as it takes
  // (or `timeout` without progress).
  bool WriteOut();
  void ClearOut();
  // OverOutputLimit() checks the unsent replies against
  // client-output-buffer-limit normal; true (counted and logged) if the
  // client must be closed.
  bool OverOutputLimit();
  // ReadMore() reads once into the input buffer; false at the end.
  bool ReadMore(Deadline deadline, bool* timed_out);

  KvServer& server_;
  TcpStream& stream_;
  const ServeHooks& hooks_;
  Client client_;
  RespParser parser_;
  std::string out_;
  // Bytes of out_ already written (before it moved to an outbox).
  size_t out_sent_ = 0;
  OutputLimitClock out_clock_;
  RespWriter writer_;
  // Input: bytes [in_start_, in_end_) of in_data_ are unparsed. in_data_
  // is scratch_ (small requests, and between requests) or in_, a buffer
  // of the connection's own of in_cap_ bytes (a request or pipeline
  // larger than scratch_).
  char scratch_[1024];
  char* in_data_ = scratch_;
  std::unique_ptr<char[]> in_;
  size_t in_cap_ = 0;
  size_t in_start_ = 0;
  size_t in_end_ = 0;
  // Bytes read since the input buffer was last empty.
  size_t batch_bytes_ = 0;
  bool closing_ = false;
  // The AOF sequence number the pending replies depend on (0: none):
  // Flush() waits for it to be durable as the fsync policy says.
  uint64_t aof_seq_ = 0;
  // The last command looked up, by the bytes of its name as sent.
  char last_name_[16];
  size_t last_name_size_ = 0;
  const CommandSpec* last_spec_ = nullptr;
  // The shard lock of the last one-shard command, kept into the next
  // command of the same pipelined batch when that is for the same shard
  // (one lock for a run of commands on one key instead of one each: at 2
  // workers, a hot key's lock changed hands per command). At most
  // kMaxHeldRun commands in a row; released before the task can suspend
  // (in Flush(), which a blocked client's wait and the end of a batch
  // begin with), before commands that lock other shards or may, and
  // before serving blocked clients.
  LockSet held_;
  int held_run_ = 0;
  // Tasks of this connection (the subscriber's writer): cancelled and
  // awaited when it ends.
  std::unique_ptr<TaskScope> tasks_;
};

}  // namespace colony::kv

#endif  // COLONY_KV_CONNECTION_H_
