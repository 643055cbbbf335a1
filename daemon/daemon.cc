// Copyright 2026 The Colony Authors.

#include "daemon/daemon.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "daemon/daemon_flags.h"
#include "daemon/logging.h"
#include "daemon/signals.h"
#include "net/socket_address.h"
#include "spdlog/spdlog.h"

extern char** environ;

namespace colony {
namespace daemon {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitConfig = 2;

Daemon::AdminFactory& AdminFactorySlot() {
  static Daemon::AdminFactory* factory = new Daemon::AdminFactory;
  return *factory;
}

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status ValidateAddress(std::string_view value) {
  return SocketAddress::Parse(A(value)).status();
}

absl::Status ValidateNonNegative(std::string_view value) {
  absl::Duration d;
  if (!absl::ParseDuration(A(value), &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("must be a duration >= 0");
  }
  return absl::OkStatus();
}

absl::Status ValidatePositiveInt(std::string_view value) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(A(value), &n) || n < 1) {
    return absl::InvalidArgumentError("must be an integer >= 1");
  }
  return absl::OkStatus();
}

}  // namespace

// The BackendContext each backend gets.
class Daemon::Context : public BackendContext {
 public:
  Context(Daemon& daemon, std::string backend)
      : daemon_(daemon),
        backend_(std::move(backend)),
        scope_(std::make_unique<TaskScope>(*daemon.scheduler_)) {}

  Scheduler& scheduler() override { return *daemon_.scheduler_; }
  TaskScope& scope() override { return *scope_; }
  Config& config() override { return *daemon_.config_; }
  bool Overloaded() const override { return daemon_.Overloaded(); }

  absl::StatusOr<TcpListener> Listen(std::string_view listener,
                                     std::string_view address) override {
    absl::StatusOr<SocketAddress> parsed = SocketAddress::Parse(A(address));
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(A(listener), ": listen address '", A(address),
                       "': ", parsed.status().message()));
    }
    absl::StatusOr<TcpListener> l = TcpListener::Bind(*parsed);
    if (!l.ok()) {
      return absl::Status(l.status().code(),
                          absl::StrCat(A(listener), ": bind ", A(address), ": ",
                                       l.status().message()));
    }
    absl::StatusOr<SocketAddress> bound = l->LocalAddress();
    std::string text = bound.ok() ? bound->ToString() : std::string(address);
    spdlog::info("{}: listening on {}", listener, text);
    daemon_.RecordListener(listener, text);
    return l;
  }

  // EndScope() cancels what is left of the backend's tasks and waits.
  void EndScope() { scope_.reset(); }

 private:
  Daemon& daemon_;
  const std::string backend_;
  std::unique_ptr<TaskScope> scope_;
};

void Daemon::SetAdminFactory(AdminFactory factory) {
  AdminFactorySlot() = std::move(factory);
}

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {}

Daemon::~Daemon() {
  if (drain_thread_.joinable()) drain_thread_.join();
}

int Daemon::Run(int argc, char** argv) {
  absl::Status blocked = BlockDaemonSignals();
  if (!blocked.ok()) {
    std::fprintf(stderr, "%s: %s\n", options_.program.c_str(),
                 blocked.ToString().c_str());
    return kExitFailure;
  }
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    env.emplace_back(*e);
  }
  config_ = std::make_unique<Config>(options_.program, std::move(env));
  Config& config = *config_;
  config.AddValidator("log_level", ValidateLogLevel);
  config.AddValidator("admin_listen", ValidateAddress);
  config.AddValidator("shutdown_lameduck", ValidateNonNegative);
  config.AddValidator("shutdown_drain_timeout", ValidateNonNegative);
  config.AddValidator("overload_queue_delay", ValidateNonNegative);
  config.AddValidator("stall_threshold", ValidateNonNegative);
  config.AddValidator("spin_before_park", ValidateNonNegative);
  config.AddValidator("log_queue_size", ValidatePositiveInt);
  config.AddValidator("priority_bands", ValidatePositiveInt);
  config.AddValidator("max_blocking_threads", ValidatePositiveInt);
  for (const char* key : {"log_level", "shutdown_lameduck",
                          "shutdown_drain_timeout", "overload_queue_delay"}) {
    config.MarkMutable(key);
  }
  config.OnChange("log_level", [](std::string_view) {
    daemon::SetLogLevel(absl::GetFlag(FLAGS_log_level)).IgnoreError();
  });

  // Backends exist before the configuration loads so that their mutable
  // keys are known to --help and --print-config; they read flags in
  // Start().
  for (auto& [name, factory] : RegisteredBackends()) {
    std::unique_ptr<Backend> b = factory();
    for (const std::string& key : b->mutable_config_keys()) {
      config.MarkMutable(key);
      Backend* raw = b.get();
      config.OnChange(key,
                      [raw](std::string_view k) { raw->OnConfigChanged(k); });
    }
    backends_.push_back(std::move(b));
  }

  std::vector<std::string> args(argv, argv + argc);
  absl::StatusOr<CommandLine> cl = config.Load(args);
  if (!cl.ok()) {
    std::fprintf(stderr, "%s: configuration error: %s\n",
                 options_.program.c_str(),
                 std::string(cl.status().message()).c_str());
    return kExitConfig;
  }
  if (cl->help) {
    std::fputs(config.Help().c_str(), stdout);
    return kExitOk;
  }
  if (!cl->positional.empty()) {
    std::fprintf(stderr,
                 "%s: configuration error: command line: unexpected "
                 "argument '%s'\n",
                 options_.program.c_str(), cl->positional[0].c_str());
    return kExitConfig;
  }
  if (cl->print_config) {
    std::fputs(config.PrintConfig().c_str(), stdout);
    return kExitOk;
  }
  if (cl->check_config) {
    std::printf("%s: configuration OK%s%s\n", options_.program.c_str(),
                cl->config_file.empty() ? "" : " (",
                cl->config_file.empty()
                    ? ""
                    : absl::StrCat(cl->config_file, ")").c_str());
    return kExitOk;
  }
  return Serve();
}

int Daemon::Serve() {
  LoggingOptions log;
  log.file = absl::GetFlag(FLAGS_log_file);
  log.level = absl::GetFlag(FLAGS_log_level);
  log.queue_size = absl::GetFlag(FLAGS_log_queue_size);
  log.name = options_.program;
  absl::Status logging = InitLogging(log);
  if (!logging.ok()) {
    std::fprintf(stderr, "%s: %s\n", options_.program.c_str(),
                 logging.ToString().c_str());
    return kExitFailure;
  }
  spdlog::info("{} {} starting (pid {})", options_.program, options_.version,
               getpid());

  SchedulerOptions so;
  so.workers = absl::GetFlag(FLAGS_workers);
  so.stack_size = static_cast<size_t>(absl::GetFlag(FLAGS_stack_size));
  so.priority_bands = absl::GetFlag(FLAGS_priority_bands);
  so.max_blocking_threads = absl::GetFlag(FLAGS_max_blocking_threads);
  so.stall_threshold = absl::GetFlag(FLAGS_stall_threshold);
  so.spin_before_park = absl::GetFlag(FLAGS_spin_before_park);
  so.name = "colonyd";
  absl::StatusOr<std::unique_ptr<Scheduler>> scheduler = Scheduler::Create(so);
  if (!scheduler.ok()) {
    spdlog::error("scheduler: {}", scheduler.status().ToString());
    ShutdownLogging();
    return kExitConfig;
  }
  scheduler_ = *std::move(scheduler);
  absl::Status started = scheduler_->Start();
  if (!started.ok()) {
    spdlog::error("scheduler: {}", started.ToString());
    ShutdownLogging();
    return kExitFailure;
  }

  notifier_ = SdNotifier::FromEnvironment();
  SignalThread signals({
      .on_terminate =
          [this](int count) {
            if (count == 1) {
              RequestShutdown();
              return;
            }
            spdlog::warn("second termination signal: exiting now");
            FlushLogs();
            std::_Exit(kExitFailure);
          },
      .on_reload = [this] { Reload(); },
      .on_reopen_logs =
          [] {
            absl::Status s = ReopenLogFile();
            if (!s.ok()) spdlog::error("{}", std::string(s.message()));
          },
      .on_dump = [this] { spdlog::info("{}", DumpTasks()); },
  });
  absl::Status sig = signals.Start();
  if (!sig.ok()) {
    spdlog::error("signals: {}", sig.ToString());
    ShutdownLogging();
    return kExitFailure;
  }

  daemon_scope_ = std::make_unique<TaskScope>(*scheduler_);
  absl::Status backends = StartBackends();
  if (!backends.ok()) {
    spdlog::error("start failed: {}", std::string(backends.message()));
    notifier_.Notify(absl::StrCat("STATUS=start failed: ", backends.message()))
        .IgnoreError();
    stop_requested_.Notify();
    StagedShutdown();
    signals.Stop();
    ShutdownLogging();
    return kExitFailure;
  }
  WritePortFile();
  ready_.store(true, std::memory_order_release);
  absl::Duration wd = WatchdogInterval();
  if (wd > absl::ZeroDuration() && notifier_.enabled()) {
    watchdog_ = std::make_unique<Watchdog>(notifier_, wd);
    watchdog_->Start(*daemon_scope_);
    spdlog::info("watchdog: pinging systemd every {}",
                 absl::FormatDuration(wd / 2));
  }
  absl::Status n = notifier_.Notify(
      absl::StrCat("READY=1\nSTATUS=serving\nMAINPID=", getpid()));
  if (!n.ok()) spdlog::warn("sd_notify: {}", std::string(n.message()));
  spdlog::info("ready");

  stop_requested_.Wait();
  StagedShutdown();
  signals.Stop();
  spdlog::info("exit");
  ShutdownLogging();
  return kExitOk;
}

absl::Status Daemon::StartBackends() {
  std::vector<Backend*> to_start;
  for (auto& b : backends_) {
    if (!b->enabled()) {
      spdlog::info("{}: disabled", b->name());
      continue;
    }
    to_start.push_back(b.get());
  }
  if (absl::GetFlag(FLAGS_admin_enabled) && AdminFactorySlot()) {
    admin_ = AdminFactorySlot()(*this);
    if (admin_ != nullptr) to_start.push_back(admin_.get());
  }
  for (Backend* b : to_start) {
    contexts_.push_back(
        std::make_unique<Context>(*this, std::string(b->name())));
    Context* ctx = contexts_.back().get();
    SpawnOptions start_options;
    start_options.name = absl::StrCat(A(b->name()), "-start");
    TaskResult<absl::Status> r =
        scheduler_
            ->Spawn([b, ctx] { return b->Start(*ctx); },
                    std::move(start_options))
            .Join();
    absl::Status s = r.completed() ? r.value() : r.status();
    if (!s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat(A(b->name()), ": ", s.message()));
    }
    if (b == admin_.get()) {
      admin_started_ = true;
    } else {
      started_.push_back(b);
    }
    spdlog::info("{}: started", b->name());
  }
  return absl::OkStatus();
}

void Daemon::RequestShutdown() { stop_requested_.Notify(); }

void Daemon::RequestDrain() {
  if (drain_started_.exchange(1) != 0) return;
  drain_thread_ = std::thread([this] { DrainBackends(); });
}

void Daemon::DrainBackends() {
  // Runs once, from the drain thread or from the shutdown.
  ready_.store(false, std::memory_order_release);
  notifier_.Notify("STATUS=draining").IgnoreError();
  const absl::Duration lameduck = absl::GetFlag(FLAGS_shutdown_lameduck);
  if (lameduck > absl::ZeroDuration()) {
    spdlog::info(
        "shutdown: lame duck for {} (readiness failing, still "
        "accepting)",
        absl::FormatDuration(lameduck));
    absl::SleepFor(lameduck);
  }
  const absl::Duration timeout = absl::GetFlag(FLAGS_shutdown_drain_timeout);
  const Deadline deadline = Deadline::After(timeout);
  spdlog::info("shutdown: stop accepting; draining for at most {}",
               absl::FormatDuration(timeout));
  // The admin endpoint stops last (StagedShutdown()), so /readyz answers
  // while the others drain.
  std::vector<JoinHandle<void>> drains;
  for (Backend* b : started_) {
    SpawnOptions drain_options;
    drain_options.name = absl::StrCat(A(b->name()), "-drain");
    drains.push_back(scheduler_->Spawn(
        [b, deadline] {
          b->StopAccepting();
          b->Drain(deadline);
        },
        std::move(drain_options)));
  }
  for (auto& d : drains) d.Join();
  spdlog::info("shutdown: backends drained");
  drained_.Notify();
}

void Daemon::StagedShutdown() {
  ready_.store(false, std::memory_order_release);
  notifier_.Notify("STOPPING=1\nSTATUS=stopping").IgnoreError();
  spdlog::info("shutdown: begins");
  if (drain_started_.exchange(1) == 0) {
    if (!started_.empty()) DrainBackends();
  } else {
    drained_.Wait();
  }
  if (drain_thread_.joinable()) drain_thread_.join();
  if (admin_ != nullptr && admin_started_) {
    Backend* admin = admin_.get();
    const Deadline deadline = Deadline::After(absl::Seconds(1));
    scheduler_
        ->Spawn([admin, deadline] {
          admin->StopAccepting();
          admin->Drain(deadline);
        })
        .Join();
  }
  if (watchdog_ != nullptr) watchdog_->Stop();
  // Whatever the backends left behind is cancelled (destructors run).
  for (auto& c : contexts_) c->EndScope();
  daemon_scope_.reset();
  absl::Status stopped = scheduler_->Stop(
      {.mode = StopMode::kDrain, .deadline = absl::Seconds(2)});
  if (!stopped.ok())
    spdlog::warn("scheduler stop: {}", std::string(stopped.message()));
  spdlog::info("shutdown: complete");
}

void Daemon::Reload() {
  if (config_->config_file().empty()) {
    spdlog::warn("config: SIGHUP but no --config file; nothing to reload");
    return;
  }
  absl::StatusOr<std::vector<std::string>> changed = config_->Reload();
  if (!changed.ok()) {
    reload_failures_.fetch_add(1);
    spdlog::error("config: reload failed, keeping the old values: {}",
                  std::string(changed.status().message()));
    return;
  }
  reloads_.fetch_add(1);
  spdlog::info("config: reloaded {}: {} changed{}{}", config_->config_file(),
               changed->size(), changed->empty() ? "" : ": ",
               absl::StrJoin(*changed, ", "));
}

bool Daemon::Overloaded() const {
  const absl::Duration limit = absl::GetFlag(FLAGS_overload_queue_delay);
  if (limit <= absl::ZeroDuration() || scheduler_ == nullptr) return false;
  return RecentQueueDelay() > limit;
}

absl::Duration Daemon::RecentQueueDelay() const {
  if (scheduler_ == nullptr) return absl::ZeroDuration();
  return scheduler_->RecentQueueDelay();
}

void Daemon::RecordListener(std::string_view name, std::string address) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_[std::string(name)] = std::move(address);
}

void Daemon::WritePortFile() {
  const std::string path = absl::GetFlag(FLAGS_port_file);
  if (path.empty()) return;
  std::string text;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, address] : listeners_) {
      absl::StrAppend(&text, name, " ", address, "\n");
    }
  }
  // Write and rename, so a reader never sees half a file.
  const std::string tmp = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) {
      spdlog::error("port file {}: cannot write", tmp);
      return;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    spdlog::error("port file {}: cannot rename", path);
  }
}

std::string Daemon::InfoJson() const {
  std::string out = "{";
  absl::StrAppend(
      &out, "\"program\": ", JsonString(options_.program),
      ", \"version\": ", JsonString(options_.version), ", \"pid\": ", getpid(),
      ", \"uptime_seconds\": ",
      absl::ToDoubleSeconds(absl::Now() - start_time_),
      ", \"ready\": ", ready() ? "true" : "false",
      ", \"workers\": ", scheduler_ ? scheduler_->workers() : 0,
      ", \"log_level\": ", JsonString(LogLevel()),
      ", \"log_dropped\": ", DroppedLogLines(),
      ", \"config_file\": ", JsonString(config_ ? config_->config_file() : ""),
      ", \"listeners\": {");
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool first = true;
    for (const auto& [name, address] : listeners_) {
      absl::StrAppend(&out, first ? "" : ", ", JsonString(name), ": ",
                      JsonString(address));
      first = false;
    }
  }
  out += "}, \"backends\": {";
  bool first = true;
  for (const auto& b : backends_) {
    absl::StrAppend(&out, first ? "" : ", ", JsonString(b->name()), ": ",
                    b->enabled() ? b->InfoJson() : "{\"enabled\": false}");
    first = false;
  }
  out += "}}\n";
  return out;
}

std::string Daemon::ConfigJson() const { return config_->ConfigJson(); }

absl::Status Daemon::SetConfig(std::string_view key, std::string_view value) {
  return config_->Set(key, value);
}

absl::Status Daemon::SetLogLevel(std::string_view level) {
  return config_->Set("log_level", level);
}

std::string Daemon::DumpTasks() const {
  if (scheduler_ == nullptr) return "no scheduler";
  std::vector<TaskInfo> tasks = scheduler_->Dump();
  std::ostringstream out;
  out << "task dump: " << tasks.size() << " live tasks\n";
  for (const TaskInfo& t : tasks) out << "  " << t << "\n";
  return out.str();
}

}  // namespace daemon
}  // namespace colony
