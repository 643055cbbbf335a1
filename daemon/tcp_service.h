// Copyright 2026 The Colony Authors.
//
// TcpService: the accept loop and connection bookkeeping of a TCP backend
// that speaks its own protocol (a line protocol, RESP, ...), with the
// daemon's rules built in: a maxclients limit with a protocol-appropriate
// refusal, counted and logged at a limited rate; and a drain that closes
// idle connections at once, lets busy ones finish their current request
// and cancels the rest at the deadline.
//
//   TcpService service({.name = "upper", .max_clients = 100,
//                       .refusal = "-ERR max number of clients reached\n"},
//                      [](TcpConnection& conn) {
//     BufferedReader in(conn.stream());
//     while (conn.WaitForRequest()) {          // false once draining
//       auto line = in.ReadLine(4096);         // idle: drain may end it
//       if (!conn.BeginRequest(line.ok())) return;
//       ... reply ...
//     }
//   });
//   service.Start(context.scope(), std::move(listener));
//
// Thread-safety: every method may be called from any task or thread.
// Lifetime: Drain() before destruction; the destructor cancels and awaits
// what is left.
#ifndef COLONY_DAEMON_TCP_SERVICE_H_
#define COLONY_DAEMON_TCP_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "net/tcp.h"
#include "scheduler/scheduler.h"
#include "scheduler/task_scope.h"
#include "time/deadline.h"

namespace colony {
namespace daemon {

class TcpService;

// One accepted connection, as its handler sees it.
class TcpConnection {
 public:
  // stream() is the connection.
  TcpStream& stream() { return stream_; }

  // WaitForRequest() marks the connection idle (between requests; a drain
  // closes it at once) and returns false if a drain has begun.
  bool WaitForRequest();

  // BeginRequest() marks the connection busy (a drain lets it finish the
  // request) and returns `got_request && !draining-before-it-arrived`.
  // Pass whether the read of the request succeeded.
  bool BeginRequest(bool got_request);

 private:
  friend class TcpService;
  TcpConnection(TcpService* service, TcpStream stream)
      : service_(service), stream_(std::move(stream)) {}

  TcpService* const service_;
  TcpStream stream_;
  bool idle_ = false;  // guarded by service_->mu_
};

struct TcpServiceOptions {
  // Shown in logs and task names.
  std::string name = "tcp";
  // Most connections served at once; 0 means no limit.
  int max_clients = 10000;
  // Written to a connection refused for maxclients before it is closed.
  std::string refusal;
};

struct TcpServiceStats {
  uint64_t accepted = 0;
  uint64_t refused = 0;  // over maxclients
  uint64_t active = 0;
  uint64_t cancelled = 0;  // cut by a drain's deadline
};

class TcpService {
 public:
  using Handler = std::function<void(TcpConnection&)>;

  TcpService(TcpServiceOptions options, Handler handler);
  TcpService(const TcpService&) = delete;
  TcpService& operator=(const TcpService&) = delete;
  ~TcpService();

  // Start() spawns the accept loop into `scope`; connections run in a
  // scope of the service's own, on `scope`'s scheduler.
  void Start(Scheduler& scheduler, TaskScope& scope, TcpListener listener);

  // SetMaxClients() changes the limit for later connections.
  void SetMaxClients(int max_clients);

  // StopAccepting() closes the listener.
  void StopAccepting();

  // Drain() closes idle connections now, lets busy ones finish, cancels
  // the rest at `deadline`, and returns when none is left.
  void Drain(Deadline deadline);

  TcpServiceStats Stats() const;

 private:
  friend class TcpConnection;
  void AcceptLoop();
  void Serve(TcpStream stream);

  const TcpServiceOptions options_;
  const Handler handler_;
  // A setting read at each accept (relaxed: a plain number).
  std::atomic<int> max_clients_;
  std::unique_ptr<TaskScope> connections_;
  TcpListener listener_;

  // Statistics (relaxed). active_ also bounds clients and tells Drain()
  // when to stop polling; connections_->Wait() orders the connections'
  // ends, not active_.
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> active_{0};
  std::atomic<uint64_t> cancelled_{0};

  // std::mutex rather than absl::Mutex: ThreadSanitizer sees it. Held
  // for a few instructions, never across a suspension.
  mutable std::mutex mu_;
  bool draining_ = false;          // guarded by mu_
  std::set<TcpConnection*> live_;  // guarded by mu_
};

}  // namespace daemon
}  // namespace colony

#endif  // COLONY_DAEMON_TCP_SERVICE_H_
