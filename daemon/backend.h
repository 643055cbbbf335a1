// Copyright 2026 The Colony Authors.
//
// Backend: what colonyd hosts. A backend owns its listeners and its
// connections; the daemon starts it, watches it and stops it.
//
// Life of a backend, all calls from tasks of the daemon's scheduler:
//   1. constructed by its factory (registered in code, see
//      COLONYD_REGISTER_BACKEND) after the configuration is loaded;
//   2. Start(context): bind listeners (context.Listen()), spawn accept loops
//      into context.scope(), return. An error stops the daemon before it
//      reports ready;
//   3. serving; WriteMetrics() and InfoJson() may be called at any time,
//      from any task or thread; OnConfigChanged() after a mutable key
//      changed;
//   4. StopAccepting(): close the listeners (connections go on);
//   5. Drain(deadline): let connections finish their current request,
//      close idle ones at once, cancel what is left at the deadline, and
//      return when no connection task is left;
//   6. destroyed after the daemon's root scope ended.
//
// Configuration: a backend's settings are Abseil flags (ABSL_FLAG) defined
// next to its code, named with the backend's prefix ("http_listen"); they
// are config keys like every other flag (daemon/config.h). config_keys()
// lists them for --help and /info; mutable_config_keys() names those that
// may change at run time.
//
// Thread-safety: WriteMetrics(), InfoJson() and OnConfigChanged() may run
// concurrently with each other and with serving; the lifecycle calls
// (Start, StopAccepting, Drain) come one at a time, in order.
#ifndef COLONY_DAEMON_BACKEND_H_
#define COLONY_DAEMON_BACKEND_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/tcp.h"
#include "scheduler/scheduler.h"
#include "scheduler/task_scope.h"
#include "time/deadline.h"

namespace colony {
namespace metrics {
class PrometheusWriter;
}  // namespace metrics

namespace daemon {

class Config;

// What a backend gets from the daemon in Start().
class BackendContext {
 public:
  virtual ~BackendContext() = default;

  // scheduler() runs every task of the daemon.
  virtual Scheduler& scheduler() = 0;

  // scope() is the backend's root scope: tasks spawned into it are
  // cancelled (and awaited) when the daemon ends, after Drain().
  virtual TaskScope& scope() = 0;

  // config() is the daemon's configuration (to mark keys mutable, observe
  // them, validate them).
  virtual Config& config() = 0;

  // Listen() binds a TCP listener named `listener` ("http", "admin") at
  // `address` ("127.0.0.1:8080", port 0 for any), logs it and records the
  // bound address for --port_file and /info.
  virtual absl::StatusOr<TcpListener> Listen(std::string_view listener,
                                             std::string_view address) = 0;

  // Overloaded() is true while ready tasks wait in the scheduler's run
  // queues longer than --overload_queue_delay: shed load (HTTP 503)
  // rather than queue more.
  virtual bool Overloaded() const = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // name() is the backend's name ("http"), unique in the daemon.
  virtual std::string_view name() const = 0;

  // config_keys() are the flags this backend owns.
  virtual std::vector<std::string> config_keys() const = 0;

  // mutable_config_keys() are those of config_keys() that may change at
  // run time (OnConfigChanged() is called after one did).
  virtual std::vector<std::string> mutable_config_keys() const { return {}; }

  // enabled() is false when the configuration turns the backend off
  // (--http_enabled=false): it is then neither started nor stopped.
  virtual bool enabled() const { return true; }

  // Start() binds the listeners and spawns the accept loops (see the
  // banner). Called from a task.
  virtual absl::Status Start(BackendContext& context) = 0;

  // StopAccepting() closes the listeners.
  virtual void StopAccepting() = 0;

  // Drain() ends the connections by `deadline` (see the banner). Called
  // from a task; returns when none is left.
  virtual void Drain(Deadline deadline) = 0;

  // WriteMetrics() writes the backend's metric families (prefixed
  // "colonyd_<name>_").
  virtual void WriteMetrics(metrics::PrometheusWriter& writer) const {}

  // InfoJson() is a JSON object for the backend's section of /info.
  virtual std::string InfoJson() const { return "{}"; }

  // OnConfigChanged() is called after `key` (one of
  // mutable_config_keys()) changed.
  virtual void OnConfigChanged(std::string_view key) {}
};

// A factory makes one backend; called once per daemon.
using BackendFactory = std::function<std::unique_ptr<Backend>()>;

// RegisterBackend() adds a backend to every daemon of this binary. Call it
// before Daemon::Run() (the registrar below does, at static
// initialization). A second registration of a name replaces the first.
void RegisterBackend(std::string name, BackendFactory factory);

// RegisteredBackends() lists the registered backends, sorted by name.
std::vector<std::pair<std::string, BackendFactory>> RegisteredBackends();

// BackendRegistrar registers a backend when constructed; see
// COLONYD_REGISTER_BACKEND.
class BackendRegistrar {
 public:
  BackendRegistrar(std::string name, BackendFactory factory) {
    RegisterBackend(std::move(name), std::move(factory));
  }
};

}  // namespace daemon
}  // namespace colony

// COLONYD_REGISTER_BACKEND(name, Type) registers `Type` (a Backend with a
// default constructor) under `name`, from a .cc file of a cc_library with
// `alwayslink = True` (so the linker keeps the registrar).
#define COLONYD_REGISTER_BACKEND(name, Type)                           \
  static const ::colony::daemon::BackendRegistrar                      \
      colonyd_backend_registrar_##Type(name, [] {                      \
        return std::unique_ptr<::colony::daemon::Backend>(new Type()); \
      })

#endif  // COLONY_DAEMON_BACKEND_H_
