// Copyright 2026 The Colony Authors.
//
// AdminServer: the operator's endpoint of a daemon, served on its own
// listener (127.0.0.1 by default) by an http::Server:
//
//   GET  /                  the live dashboard (one self-contained page)
//   GET  /metrics           Prometheus text format (docs/admin.md lists
//                           every family)
//   GET  /healthz           200 while the process serves requests
//   GET  /readyz            200, or 503 while AdminHooks::ready() is false
//   GET  /info              JSON: the daemon's info and a scheduler summary
//   GET  /debug/coroutines  every live task, Go-dump style, with the
//                           backtrace of each parked one; ?group=1 groups
//                           identical stacks; ?limit=N lists at most N
//   GET  /debug/scheduler   JSON: every scheduler counter, per worker
//   GET  /debug/config      JSON: the effective configuration
//   POST /loglevel          level in the body or ?level=
//   POST /config            key=value lines (or a form) in the body
//   POST /drain             start draining
//   POST /quitquitquit      shut down
//
// Mutations are POST only: any other method on those paths gets 405 with
// `Allow: POST`, as does a POST on a read-only path with `Allow: GET, HEAD`
// (the Router's rules). Bad input (an unknown level, a malformed config
// entry, a key the daemon refuses) gets 400 with a message naming it.
//
//   daemon::AdminServer admin(*scheduler, std::move(hooks));
//   http::Server server(options, admin.handler());
//   server.Serve(admin_listener);  // from a task
//
// Thread-safety: handler() may be called from any thread; the handler it
// returns runs requests concurrently on any worker. Lifetime: the handler
// keeps what it needs alive (it may outlive the AdminServer), but the
// Scheduler must outlive every request.

#ifndef COLONY_DAEMON_ADMIN_ADMIN_SERVER_H_
#define COLONY_DAEMON_ADMIN_ADMIN_SERVER_H_

#include <memory>

#include "daemon/admin/admin_hooks.h"
#include "http/server.h"
#include "scheduler/scheduler.h"

namespace colony::daemon {

class AdminServer {
 public:
  // AdminServer() builds the routes for `scheduler` and `hooks`.
  AdminServer(Scheduler& scheduler, AdminHooks hooks);
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;
  ~AdminServer();

  // handler() answers admin requests (for http::Server).
  http::Handler handler() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  http::Router router_;
};

}  // namespace colony::daemon

#endif  // COLONY_DAEMON_ADMIN_ADMIN_SERVER_H_
