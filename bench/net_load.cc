// Copyright 2026 The Colony Authors.
//
// net_load: the load generator of bench/run_net_bench.sh, the same client
// for every echo server it measures (Colony, Go, Tokio). Plain C++ on epoll
// with no Colony code in it, so that a change to Colony cannot change the
// yardstick.
//
// Modes (--mode=):
//
//   echo    --connections=N connections, opened before the clock starts;
//           each sends a --size=S byte message, waits for all S bytes to
//           come back (checked against what was sent), and sends again.
//           Requests per second and the latency of one round trip (write
//           to last byte read), p50/p99/p999 from a log-linear histogram.
//           This is a closed loop: every connection always has a request
//           in flight, so the mean latency is N / (requests per second).
//   echo --rate=R  the same connections, paced: R requests per second in
//           all, each sent on an idle connection at its scheduled time.
//           Latency counts from the scheduled time, so a server that falls
//           behind is charged for the queue it builds (no coordinated
//           omission). Reported as workload=echo_paced with rate=R.
//   accept  --connections=C slots, each one at a time: a non-blocking
//           connect, S bytes sent, the echo read, close; then the slot
//           starts over. Connections per second; the latency of one whole
//           connect-to-echo cycle.
//   bulk    N (default 1) connections that write S-byte chunks as fast as
//           the socket takes them while reading the echo back. GB/s of
//           echoed bytes read back (one direction; the server moved as much
//           again the other way).
//
// Every mode runs --warmup seconds unmeasured, then --duration seconds
// measured, on --threads=T threads (default 1) that split the connections
// between them; each thread has its own epoll. The driver pins the process
// with taskset, so all threads share the cores it is given. Any error (a
// refused or reset connection, a short or wrong echo) ends the run with a
// FAIL line and exit status 1.
//
// --peer, --workers and --rep are labels copied into the result line, one
// per run, in the format of the other bench scripts:
//
//   peer=go workload=echo size=64 conns=100 workers=1 rep=0 value=81234.5
//   unit=req_per_s p50_us=1180.2 p99_us=1510.9 p999_us=1702.3 ...
//
// (on one line). client_cpu= is the CPU time of this process over the
// measured window divided by its length: near 1.0 per thread the client,
// not the server, may be the bottleneck.

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

// NowNs() is CLOCK_MONOTONIC in nanoseconds.
int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// CpuNs() is the user + system time of the whole process in nanoseconds.
int64_t CpuNs() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  auto ns = [](const timeval& tv) {
    return static_cast<int64_t>(tv.tv_sec) * 1'000'000'000 +
           static_cast<int64_t>(tv.tv_usec) * 1000;
  };
  return ns(ru.ru_utime) + ns(ru.ru_stime);
}

void SleepUntil(int64_t deadline_ns) {
  timespec ts;
  ts.tv_sec = deadline_ns / 1'000'000'000;
  ts.tv_nsec = deadline_ns % 1'000'000'000;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) ==
         EINTR) {
  }
}

std::string ErrnoText(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

// Options are the command-line flags.
struct Options {
  std::string mode;
  std::string addr;
  int64_t connections = 0;  // 0: the mode's default
  int64_t size = 0;         // 0: the mode's default
  double warmup_s = 1;
  double duration_s = 3;
  int threads = 1;
  double rate = 0;  // echo: requests per second in all; 0 for a closed loop
  std::string peer = "unknown";
  int workers = 1;
  int rep = 0;
  sockaddr_storage sockaddr{};
  socklen_t sockaddr_len = 0;
};

constexpr const char* kUsage =
    "usage: net_load --mode=echo|accept|bulk --addr=HOST:PORT\n"
    "  [--connections=N] [--size=BYTES] [--warmup=SECONDS]\n"
    "  [--duration=SECONDS] [--threads=N] [--rate=REQUESTS_PER_SECOND]\n"
    "  [--peer=NAME] [--workers=N] [--rep=N]   (labels of the result line)\n"
    "defaults: echo 1 connection of 64 B; accept 32 slots of 64 B;\n"
    "bulk 1 connection, 64 KiB chunks; 1 s warm-up, 3 s measured, 1 thread\n";

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr, "net_load: %s\n%s", why.c_str(), kUsage);
  std::exit(2);
}

int64_t ParseInt(std::string_view name, const std::string& v) {
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != 0 || n < 0) {
    Usage("bad value for --" + std::string(name) + ": " + v);
  }
  return n;
}

double ParseSeconds(std::string_view name, const std::string& v) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != 0 || !(d >= 0) || d > 86400) {
    Usage("bad value for --" + std::string(name) + ": " + v);
  }
  return d;
}

// ResolveAddr() fills o.sockaddr from o.addr, "HOST:PORT" or "[V6]:PORT".
void ResolveAddr(Options& o) {
  const size_t colon = o.addr.rfind(':');
  if (colon == std::string::npos || colon == 0) Usage("--addr needs HOST:PORT");
  std::string host = o.addr.substr(0, colon);
  const std::string port = o.addr.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
      rc != 0) {
    Usage("cannot resolve " + o.addr + ": " + gai_strerror(rc));
  }
  std::memcpy(&o.sockaddr, res->ai_addr, res->ai_addrlen);
  o.sockaddr_len = res->ai_addrlen;
  freeaddrinfo(res);
}

Options ParseFlags(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.substr(0, 2) != "--" || eq == std::string_view::npos) {
      Usage("unexpected argument " + std::string(arg));
    }
    const std::string_view name = arg.substr(2, eq - 2);
    const std::string value(arg.substr(eq + 1));
    if (name == "mode") {
      o.mode = value;
    } else if (name == "addr") {
      o.addr = value;
    } else if (name == "connections") {
      o.connections = ParseInt(name, value);
    } else if (name == "size") {
      o.size = ParseInt(name, value);
    } else if (name == "warmup") {
      o.warmup_s = ParseSeconds(name, value);
    } else if (name == "duration") {
      o.duration_s = ParseSeconds(name, value);
    } else if (name == "threads") {
      o.threads = static_cast<int>(ParseInt(name, value));
    } else if (name == "rate") {
      o.rate = static_cast<double>(ParseInt(name, value));
    } else if (name == "peer") {
      o.peer = value;
    } else if (name == "workers") {
      o.workers = static_cast<int>(ParseInt(name, value));
    } else if (name == "rep") {
      o.rep = static_cast<int>(ParseInt(name, value));
    } else {
      Usage("unknown flag --" + std::string(name));
    }
  }
  if (o.mode != "echo" && o.mode != "accept" && o.mode != "bulk") {
    Usage("--mode must be echo, accept or bulk");
  }
  if (o.addr.empty()) Usage("--addr is required");
  if (o.connections == 0) o.connections = o.mode == "accept" ? 32 : 1;
  if (o.size == 0) o.size = o.mode == "bulk" ? 64 * 1024 : 64;
  if (o.threads < 1) Usage("--threads must be at least 1");
  if (o.rate > 0 && o.mode != "echo") Usage("--rate is for --mode=echo");
  if (o.duration_s <= 0) Usage("--duration must be positive");
  o.threads = static_cast<int>(std::min<int64_t>(o.threads, o.connections));
  ResolveAddr(o);
  return o;
}

// Histogram counts nanosecond latencies in log-linear buckets: exact below
// 2^kSubBits ns, then 2^kSubBits buckets per power of two, so that a
// percentile is within 1/64 (1.6%) of the true value.
class Histogram {
 public:
  Histogram() : counts_(kBuckets, 0) {}

  void Record(int64_t ns) {
    ++counts_[Index(static_cast<uint64_t>(std::max<int64_t>(ns, 0)))];
    ++total_;
  }

  void Merge(const Histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
  }

  void Reset() {
    std::fill(counts_.begin(), counts_.end(), 0);
    total_ = 0;
  }

  // PercentileUs() is the nearest-rank percentile `p` (0..100) in
  // microseconds, at the middle of its bucket; 0 when empty.
  double PercentileUs(double p) const {
    if (total_ == 0) return 0;
    uint64_t rank =
        static_cast<uint64_t>(std::ceil(p / 100 * static_cast<double>(total_)));
    rank = std::clamp<uint64_t>(rank, 1, total_);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return Middle(i) / 1000;
    }
    return Middle(counts_.size() - 1) / 1000;
  }

 private:
  static constexpr int kSubBits = 6;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  // Values up to 2^44 ns (about 4.9 hours); larger ones land in the last.
  static constexpr int kMaxExp = 44;
  static constexpr size_t kBuckets = kSub + (kMaxExp - kSubBits + 1) * kSub;

  static size_t Index(uint64_t v) {
    if (v < kSub) return v;
    const int e = std::min(static_cast<int>(std::bit_width(v)) - 1, kMaxExp);
    const uint64_t mantissa = (v >> (e - kSubBits)) - kSub;
    return std::min<size_t>(kSub + (e - kSubBits) * kSub + mantissa,
                            kBuckets - 1);
  }

  static double Middle(size_t i) {
    if (i < kSub) return static_cast<double>(i);
    const int e = static_cast<int>((i - kSub) / kSub) + kSubBits;
    const uint64_t mantissa = (i - kSub) % kSub;
    const double width = std::ldexp(1.0, e - kSubBits);
    return static_cast<double>(kSub + mantissa) * width + width / 2;
  }

  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
};

// Window is when the warm-up ends and the measurement ends, shared by all
// threads.
struct Window {
  int64_t measure_ns;
  int64_t end_ns;
};

// ThreadResult is what one thread counted while measuring.
struct ThreadResult {
  uint64_t ops = 0;    // requests (echo), connections (accept)
  uint64_t bytes = 0;  // bytes echoed back (bulk)
  int64_t measured_ns = 0;
  Histogram latency;
  std::string error;  // empty unless the run failed
};

// Exchange is one connection's request in flight: `sent` bytes of the
// message written so far, `received` bytes of its echo read back.
struct Exchange {
  int fd = -1;
  bool connecting = false;  // accept mode: waiting for connect to finish
  int64_t sent = 0;
  int64_t received = 0;
  int64_t start_ns = 0;
};

int NewSocket(const Options& o, std::string& error) {
  const int fd = socket(o.sockaddr.ss_family,
                        SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = ErrnoText("socket", errno);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// ConnectBlocking() opens a connection and waits for the handshake (echo and
// bulk connect before the clock starts), leaving the socket non-blocking.
int ConnectBlocking(const Options& o, std::string& error) {
  const int fd = NewSocket(o, error);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&o.sockaddr),
              o.sockaddr_len) != 0 &&
      errno != EINPROGRESS) {
    error = ErrnoText("connect", errno);
    close(fd);
    return -1;
  }
  // Wait for the handshake; a server slow to accept only delays this.
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLOUT;
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  const int n = epoll_wait(ep, &ev, 1, 10'000);
  close(ep);
  int err = ETIMEDOUT;
  socklen_t len = sizeof(err);
  if (n == 1) getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    error = ErrnoText("connect", err);
    close(fd);
    return -1;
  }
  return fd;
}

// Writes the rest of `x`'s message; false on an error (set in `error`).
bool WriteRest(Exchange& x, const std::string& msg, std::string& error) {
  while (x.sent < static_cast<int64_t>(msg.size())) {
    const ssize_t n = write(x.fd, msg.data() + x.sent, msg.size() - x.sent);
    if (n > 0) {
      x.sent += n;
    } else if (n < 0 && errno == EAGAIN) {
      return true;  // the next EPOLLOUT continues
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      error = ErrnoText("write", n < 0 ? errno : EPIPE);
      return false;
    }
  }
  return true;
}

// ReadSome() reads what has arrived of `x`'s echo, checking it against
// `msg`; true once all of it is in. False with `error` set on an error or
// a wrong byte; false with `error` empty when it would block.
bool ReadSome(Exchange& x, const std::string& msg, char* buf,
              std::string& error) {
  const int64_t size = static_cast<int64_t>(msg.size());
  while (x.received < size) {
    const ssize_t n = read(x.fd, buf, size - x.received);
    if (n > 0) {
      if (std::memcmp(buf, msg.data() + x.received, n) != 0) {
        error = "the echo differs from the message sent";
        return false;
      }
      x.received += n;
    } else if (n == 0) {
      error = "the server closed the connection";
      return false;
    } else if (errno == EAGAIN) {
      return false;
    } else if (errno != EINTR) {
      error = ErrnoText("read", errno);
      return false;
    }
  }
  return true;
}

// Message() is `size` bytes of a pattern that a misplaced byte breaks.
std::string Message(int64_t size) {
  std::string msg(size, '\0');
  for (int64_t i = 0; i < size; ++i) msg[i] = static_cast<char>('a' + i % 23);
  return msg;
}

// Measuring tracks the switch from warm-up to measurement in one thread.
class Measuring {
 public:
  explicit Measuring(const Window& w) : w_(w) {}

  // Update() moves to the measured phase when its time has come, resetting
  // what was counted during the warm-up, and returns false once the run is
  // over.
  bool Update(int64_t now, ThreadResult& r) {
    if (!on_ && now >= w_.measure_ns) {
      on_ = true;
      start_ns_ = now;
      r.ops = 0;
      r.bytes = 0;
      r.latency.Reset();
    }
    if (now >= w_.end_ns) {
      r.measured_ns = on_ ? now - start_ns_ : 0;
      return false;
    }
    return true;
  }

  bool on() const { return on_; }

 private:
  const Window& w_;
  bool on_ = false;
  int64_t start_ns_ = 0;
};

constexpr int kMaxEvents = 256;
constexpr int kPollMs = 10;  // how late a thread may notice the phase change

// EchoThread runs the echo mode over `fds` until the window ends.
void EchoThread(const Options& o, const std::vector<int>& fds, const Window& w,
                ThreadResult& r) {
  const std::string msg = Message(o.size);
  std::vector<char> buf(o.size);
  std::vector<Exchange> xs(fds.size());
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  const int64_t now0 = NowNs();
  for (size_t i = 0; i < fds.size(); ++i) {
    xs[i].fd = fds[i];
    xs[i].start_ns = now0;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    if (!WriteRest(xs[i], msg, r.error)) return;
  }
  Measuring m(w);
  std::vector<epoll_event> events(kMaxEvents);
  while (m.Update(NowNs(), r)) {
    const int n = epoll_wait(ep, events.data(), kMaxEvents, kPollMs);
    for (int k = 0; k < n; ++k) {
      Exchange& x = xs[events[k].data.u64];
      if ((events[k].events & EPOLLOUT) != 0) {
        if (!WriteRest(x, msg, r.error)) return;
        if (x.sent == o.size) {
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u64 = events[k].data.u64;
          epoll_ctl(ep, EPOLL_CTL_MOD, x.fd, &ev);
        }
      }
      if ((events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) == 0) continue;
      if (!ReadSome(x, msg, buf.data(), r.error)) {
        if (!r.error.empty()) return;
        continue;
      }
      const int64_t now = NowNs();
      if (m.on()) {
        ++r.ops;
        r.latency.Record(now - x.start_ns);
      }
      x = Exchange{.fd = x.fd, .start_ns = now};
      if (!WriteRest(x, msg, r.error)) return;
      if (x.sent < o.size) {  // rare: the socket buffer is full
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u64 = events[k].data.u64;
        epoll_ctl(ep, EPOLL_CTL_MOD, x.fd, &ev);
      }
    }
  }
  close(ep);
}

// PacedEchoThread runs the echo mode at `rate` requests per second over
// `fds`: the i-th request is due at start + i / rate and goes out on the
// connection idle longest; its latency counts from when it was due.
void PacedEchoThread(const Options& o, const std::vector<int>& fds, double rate,
                     const Window& w, ThreadResult& r) {
  const std::string msg = Message(o.size);
  std::vector<char> buf(o.size);
  std::vector<Exchange> xs(fds.size());
  std::deque<size_t> idle;  // idle connections, longest idle first
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  for (size_t i = 0; i < fds.size(); ++i) {
    xs[i].fd = fds[i];
    idle.push_back(i);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  const double ns_per_request = 1e9 / rate;
  const int64_t t0 = NowNs();
  uint64_t issued = 0;
  auto due_at = [&](uint64_t i) {
    return t0 + static_cast<int64_t>(static_cast<double>(i) * ns_per_request);
  };
  Measuring m(w);
  std::vector<epoll_event> events(kMaxEvents);
  for (int64_t now = NowNs(); m.Update(now, r); now = NowNs()) {
    // Send what is due on idle connections; what finds none waits for one
    // and keeps its due time.
    while (!idle.empty() && due_at(issued) <= now) {
      Exchange& x = xs[idle.front()];
      idle.pop_front();
      x = Exchange{.fd = x.fd, .start_ns = due_at(issued++)};
      if (!WriteRest(x, msg, r.error)) return;
      if (x.sent < o.size) {
        r.error = "a paced request did not fit in the socket buffer";
        return;
      }
    }
    int64_t wait_ns = static_cast<int64_t>(kPollMs) * 1'000'000;
    if (!idle.empty()) wait_ns = std::min(wait_ns, due_at(issued) - now);
    const timespec timeout{.tv_sec = 0,
                           .tv_nsec = std::max<int64_t>(wait_ns, 0)};
    const int n =
        epoll_pwait2(ep, events.data(), kMaxEvents, &timeout, nullptr);
    for (int k = 0; k < n; ++k) {
      const size_t i = events[k].data.u64;
      Exchange& x = xs[i];
      if (!ReadSome(x, msg, buf.data(), r.error)) {
        if (!r.error.empty()) return;
        continue;
      }
      if (m.on()) {
        ++r.ops;
        r.latency.Record(NowNs() - x.start_ns);
      }
      idle.push_back(i);
    }
  }
  close(ep);
}

// AcceptThread runs the accept mode with `slots` connections at a time.
void AcceptThread(const Options& o, int64_t slots, const Window& w,
                  ThreadResult& r) {
  const std::string msg = Message(o.size);
  std::vector<char> buf(o.size);
  std::vector<Exchange> xs(slots);
  const int ep = epoll_create1(EPOLL_CLOEXEC);

  // Open() starts slot i over: a new socket, a non-blocking connect, and
  // the message written as soon as the connection is up. Edge-triggered
  // for both directions, so one epoll_ctl per connection.
  auto open = [&](size_t i, int64_t now) -> bool {
    Exchange& x = xs[i];
    x = Exchange{.fd = NewSocket(o, r.error), .start_ns = now};
    if (x.fd < 0) return false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, x.fd, &ev);
    if (connect(x.fd, reinterpret_cast<const sockaddr*>(&o.sockaddr),
                o.sockaddr_len) == 0) {
      return WriteRest(x, msg, r.error);
    }
    if (errno != EINPROGRESS) {
      r.error = ErrnoText("connect", errno);
      return false;
    }
    x.connecting = true;
    return true;
  };

  for (int64_t i = 0; i < slots; ++i) {
    if (!open(i, NowNs())) return;
  }
  Measuring m(w);
  std::vector<epoll_event> events(kMaxEvents);
  while (m.Update(NowNs(), r)) {
    const int n = epoll_wait(ep, events.data(), kMaxEvents, kPollMs);
    for (int k = 0; k < n; ++k) {
      const size_t i = events[k].data.u64;
      Exchange& x = xs[i];
      if (x.connecting) {
        if ((events[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) {
          continue;
        }
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(x.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          r.error = ErrnoText("connect", err);
          return;
        }
        x.connecting = false;
      }
      if (x.sent < o.size && !WriteRest(x, msg, r.error)) return;
      if (!ReadSome(x, msg, buf.data(), r.error)) {
        if (!r.error.empty()) return;
        continue;
      }
      const int64_t now = NowNs();
      if (m.on()) {
        ++r.ops;
        r.latency.Record(now - x.start_ns);
      }
      close(x.fd);
      if (!open(i, now)) return;
    }
  }
  for (Exchange& x : xs) close(x.fd);
  close(ep);
}

// BulkThread streams over `fds` until the window ends.
void BulkThread(const Options& o, const std::vector<int>& fds, const Window& w,
                ThreadResult& r) {
  const std::string chunk = Message(o.size);
  std::vector<char> buf(256 * 1024);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  for (size_t i = 0; i < fds.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  // Partial writes leave `offset` into the chunk for the next write.
  std::vector<int64_t> offset(fds.size(), 0);
  Measuring m(w);
  std::vector<epoll_event> events(kMaxEvents);
  while (m.Update(NowNs(), r)) {
    const int n = epoll_wait(ep, events.data(), kMaxEvents, kPollMs);
    for (int k = 0; k < n; ++k) {
      const size_t i = events[k].data.u64;
      const int fd = fds[i];
      // Edge-triggered: drain both directions until they would block.
      for (;;) {
        const ssize_t wr =
            write(fd, chunk.data() + offset[i], chunk.size() - offset[i]);
        if (wr > 0) {
          offset[i] = (offset[i] + wr) % o.size;
        } else if (wr < 0 && errno == EAGAIN) {
          break;
        } else if (wr < 0 && errno != EINTR) {
          r.error = ErrnoText("write", errno);
          return;
        }
      }
      for (;;) {
        const ssize_t rd = read(fd, buf.data(), buf.size());
        if (rd > 0) {
          if (m.on()) r.bytes += rd;
        } else if (rd == 0) {
          r.error = "the server closed the connection";
          return;
        } else if (errno == EAGAIN) {
          break;
        } else if (errno != EINTR) {
          r.error = ErrnoText("read", errno);
          return;
        }
      }
    }
  }
  close(ep);
}

// RaiseFdLimit() lifts the soft descriptor limit to the hard one.
void RaiseFdLimit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

std::string Labels(const Options& o) {
  char buf[320];
  std::snprintf(buf, sizeof(buf),
                "peer=%s workload=%s size=%lld conns=%lld workers=%d rep=%d",
                o.peer.c_str(), o.rate > 0 ? "echo_paced" : o.mode.c_str(),
                static_cast<long long>(o.size),
                static_cast<long long>(o.connections), o.workers, o.rep);
  return buf;
}

[[noreturn]] void Fail(const Options& o, std::string why) {
  std::fprintf(stderr, "net_load: %s\n", why.c_str());
  std::replace(why.begin(), why.end(), ' ', '_');
  std::printf("%s value=FAIL note=%s\n", Labels(o).c_str(), why.c_str());
  std::fflush(stdout);
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseFlags(argc, argv);
  RaiseFdLimit();

  // Echo and bulk connect everything before the clock starts.
  std::vector<std::vector<int>> fds(o.threads);
  if (o.mode != "accept") {
    for (int64_t i = 0; i < o.connections; ++i) {
      std::string error;
      const int fd = ConnectBlocking(o, error);
      if (fd < 0) Fail(o, error + " (connection " + std::to_string(i) + ")");
      fds[i % o.threads].push_back(fd);
    }
  }

  const int64_t start = NowNs();
  const Window w{
      .measure_ns = start + static_cast<int64_t>(o.warmup_s * 1e9),
      .end_ns = start + static_cast<int64_t>((o.warmup_s + o.duration_s) * 1e9),
  };
  std::vector<ThreadResult> results(o.threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      if (o.mode == "echo" && o.rate > 0) {
        PacedEchoThread(o, fds[t], o.rate / o.threads, w, results[t]);
      } else if (o.mode == "echo") {
        EchoThread(o, fds[t], w, results[t]);
      } else if (o.mode == "bulk") {
        BulkThread(o, fds[t], w, results[t]);
      } else {
        const int64_t slots =
            o.connections / o.threads + (t < o.connections % o.threads);
        AcceptThread(o, slots, w, results[t]);
      }
    });
  }
  SleepUntil(w.measure_ns);
  const int64_t cpu0 = CpuNs();
  SleepUntil(w.end_ns);
  const int64_t cpu1 = CpuNs();
  for (std::thread& t : threads) t.join();

  Histogram latency;
  double rate = 0;  // per second, summed over the threads' own windows
  uint64_t ops = 0;
  for (const ThreadResult& r : results) {
    if (!r.error.empty()) Fail(o, r.error);
    if (r.measured_ns <= 0) Fail(o, "a thread measured nothing");
    const double secs = static_cast<double>(r.measured_ns) / 1e9;
    rate += static_cast<double>(o.mode == "bulk" ? r.bytes : r.ops) / secs;
    ops += r.ops;
    latency.Merge(r.latency);
  }
  const double cpu = static_cast<double>(cpu1 - cpu0) / (o.duration_s * 1e9);
  if (o.mode == "bulk") {
    std::printf("%s value=%.3f unit=gb_per_s secs=%.3f client_cpu=%.2f\n",
                Labels(o).c_str(), rate / 1e9, o.duration_s, cpu);
  } else {
    if (ops == 0) Fail(o, "no request completed while measuring");
    std::printf(
        "%s value=%.1f unit=%s p50_us=%.1f p99_us=%.1f p999_us=%.1f "
        "ops=%llu secs=%.3f client_cpu=%.2f%s\n",
        Labels(o).c_str(), rate, o.mode == "echo" ? "req_per_s" : "conn_per_s",
        latency.PercentileUs(50), latency.PercentileUs(99),
        latency.PercentileUs(99.9), static_cast<unsigned long long>(ops),
        o.duration_s, cpu,
        o.rate > 0
            ? (" rate=" + std::to_string(static_cast<int64_t>(o.rate))).c_str()
            : "");
  }
  std::fflush(stdout);
  for (const std::vector<int>& v : fds) {
    for (int fd : v) close(fd);
  }
  return 0;
}
