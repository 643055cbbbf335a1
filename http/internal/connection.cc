// Copyright 2026 The Colony Authors.

#include "http/internal/connection.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "coroutine/coroutine_state.h"
#include "http/internal/server_core.h"
#include "net/errors.h"
#include "scheduler/blocking.h"
#include "scheduler/scheduler.h"
#include "spdlog/spdlog.h"
#include "time/clock.h"

namespace colony::http::http_internal {
namespace {

// Bodies up to this size are copied behind their head in out_; larger ones
// are written from the response with writev().
constexpr size_t kCopyBodyBytes = 16 * 1024;
// Pieces of a file body read at a time.
constexpr size_t kFilePieceBytes = 64 * 1024;
// A body buffer larger than this is released after its request.
constexpr size_t kKeepBodyCapacity = 64 * 1024;
// Lingering close: at most this long and this many bytes discarded.
constexpr absl::Duration kLingerTime = absl::Seconds(1);
constexpr size_t kLingerBytes = 256 * 1024;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// The connection's timeouts are seconds long and the reaper looks every
// 100 ms, so its deadlines come from the coarse clock: at most a tick
// behind (a deadline that much earlier), and no TSC read. A request sets
// three of them.
int64_t CoarseNowNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// DeadlineAfter() is `now_ns` plus `d`, saturating as Deadline::After().
Deadline DeadlineAfter(int64_t now_ns, absl::Duration d) {
  if (d == absl::InfiniteDuration()) return Deadline::Infinite();
  if (d <= absl::ZeroDuration()) return Deadline::FromNanos(now_ns);
  const int64_t delta = absl::ToInt64Nanoseconds(d);
  if (delta >= std::numeric_limits<int64_t>::max() - now_ns) {
    return Deadline::Infinite();
  }
  return Deadline::FromNanos(now_ns + delta);
}

int64_t SecondsAtLeastOne(absl::Duration d) {
  return std::max<int64_t>(
      1, absl::ToInt64Seconds(absl::Ceil(d, absl::Seconds(1))));
}

}  // namespace

// Writes a streamed body: chunks on HTTP/1.1, raw bytes on HTTP/1.0.
class Connection::ChunkWriter : public BodyWriter {
 public:
  ChunkWriter(Connection& c, bool chunked) : c_(c), chunked_(chunked) {}
  absl::Status Write(std::string_view data) override {
    if (data.empty()) return absl::OkStatus();
    if (!chunked_) {
      return c_.WriteDirect(data) ? absl::OkStatus()
                                  : absl::UnavailableError("write failed");
    }
    char size_line[24];
    const int n =
        std::snprintf(size_line, sizeof(size_line), "%zx\r\n", data.size());
    c_.out_.append(size_line, static_cast<size_t>(n));
    if (data.size() <= kCopyBodyBytes) {
      c_.out_.append(data);
      c_.out_.append("\r\n");
      return c_.Flush() ? absl::OkStatus()
                        : absl::UnavailableError("write failed");
    }
    if (!c_.WriteDirect(data)) return absl::UnavailableError("write failed");
    c_.out_.append("\r\n");
    return c_.Flush() ? absl::OkStatus()
                      : absl::UnavailableError("write failed");
  }

 private:
  Connection& c_;
  const bool chunked_;
};

Connection::Connection(ServerCore& core, TcpStream stream, int64_t accepted_ns)
    : core_(core), stream_(std::move(stream)), accepted_ns_(accepted_ns) {
  core_.Register(this);
}

Connection::~Connection() { core_.Unregister(this); }

Deadline Connection::After(absl::Duration d) const {
  return DeadlineAfter(CoarseNowNanos(), d);
}

void Connection::RefreshOptions() {
  const ParserOptions old = opts_.parser;
  const bool had_parser = parser_.has_value();
  core_.CopyOptions(&opts_, &opts_version_);
  server_line_ = opts_.server_header.empty()
                     ? std::string()
                     : absl::StrCat("Server: ", opts_.server_header, "\r\n");
  const ParserOptions& p = opts_.parser;
  if (!had_parser || old.max_request_line_bytes != p.max_request_line_bytes ||
      old.max_header_section_bytes != p.max_header_section_bytes ||
      old.max_headers != p.max_headers ||
      old.max_body_bytes != p.max_body_bytes ||
      old.max_chunk_line_bytes != p.max_chunk_line_bytes) {
    parser_.emplace(p);
  }
}

void Connection::Record(int status) {
  core_.stats().RecordRequest(status, NowNanos() - request_start_ns_);
}

void Connection::Run() {
  RefreshOptions();
  if (auto peer = stream_.PeerAddress(); peer.ok()) peer_ = *peer;
  cap_ = std::max<size_t>(opts_.read_buffer_bytes, 1024);
  buf_.reset(new char[cap_]);
  const absl::Duration first = opts_.header_read_timeout;
  head_deadline_ = first == absl::InfiniteDuration()
                       ? Deadline::Infinite()
                       : Deadline::FromNanos(
                             accepted_ns_ +
                             std::min<int64_t>(absl::ToInt64Nanoseconds(first),
                                               int64_t{1} << 62));
  for (;;) {
    const ParseResult r =
        parser_->Parse(std::string_view(buf_.get() + start_, end_ - start_));
    start_ += r.consumed;
    if (phase_ == Phase::kIdle && r.consumed > 0) BeginRequest();
    switch (r.event) {
      case ParseEvent::kNeedMore:
        if (!ReadMore()) return;
        break;
      case ParseEvent::kHeadersComplete:
        if (!OnHeaders()) return;
        break;
      case ParseEvent::kBodyData:
        if (!shed_) body_.append(r.body);
        break;
      case ParseEvent::kMessageComplete:
        if (!OnMessage()) return;
        break;
      case ParseEvent::kError: {
        uint64_t dropped = 0;
        if (core_.error_log().Allow(&dropped)) {
          spdlog::warn(
              "{} {}: rejected a request with {}: {} ({} similar "
              "lines not logged)",
              opts_.name, peer_.ToString(), r.http_status,
              std::string(r.status.message()), dropped);
        }
        SendErrorAndClose(r.http_status, std::string(r.status.message()));
        return;
      }
    }
  }
}

void Connection::BeginRequest() {
  phase_ = Phase::kHead;
  request_start_ns_ = NowNanos();
  if (!first_request_) head_deadline_ = After(opts_.header_read_timeout);
}

bool Connection::ReadMore() {
  // The parser consumed everything: the buffer starts over. A head that
  // still points into it must move into the parser first.
  if (phase_ == Phase::kBody) parser_->PinHead();
  start_ = end_ = 0;
  if (!Flush()) return false;
  const bool idle = phase_ == Phase::kIdle;
  // Fairness: between requests, let this worker's other ready connections
  // run before reading again (a fast keep-alive client would otherwise be
  // served back to back while they wait). A read that would wait anyway
  // (the last one emptied the socket and nothing came since) suspends the
  // task just the same, so it needs no yield first.
  if (idle && !first_request_ && !stream_.ReadWouldWait()) Yield();
  const bool idle_wait = idle && !first_request_;
  const int64_t now = CoarseNowNanos();
  Deadline deadline;
  if (idle) {
    deadline = first_request_ ? head_deadline_
                              : DeadlineAfter(now, opts_.idle_timeout);
  } else if (phase_ == Phase::kHead) {
    deadline = head_deadline_;
  } else {
    deadline = DeadlineAfter(now, opts_.body_read_timeout);
  }
  // Reads wait without a timer of their own: the server's reaper wakes a
  // read whose deadline passed (see ServerCore). Publishing kWaiting after
  // the deadline orders the two for the reaper and for Drain().
  absl::StatusOr<size_t> n = size_t{0};
  bool by_drain = false;
  // Passed by the coarse clock; one that passed less than a tick ago is
  // caught by the reaper instead.
  if (deadline.nanos() <= now) {
    n = absl::DeadlineExceededError("read timed out");
  } else {
    // Relaxed: published by the seq_cst store of wait_state_ below, which
    // WakeIfExpired() loads before it reads the deadline.
    read_deadline_ns_.store(deadline.nanos(), std::memory_order_relaxed);
    wait_seq_ += 4;  // the state's low two bits, the wait's number above
    wait_state_.store(wait_seq_ | (idle_wait ? kWaitingIdle : kWaiting));
    // See ServerCore's drain protocol, step 2.
    if (idle_wait && core_.draining()) {
      wait_state_.store(wait_seq_ | kBusy);
      return false;
    }
    n = stream_.Read(absl::MakeSpan(buf_.get(), cap_));
    if ((wait_state_.exchange(wait_seq_ | kBusy) & 3) == kWoken) {
      // Woken by the reaper or Drain(): if a request arrived meanwhile, it
      // is served; the stream's deadline goes back to none either way.
      std::lock_guard<std::mutex> lock(wake_mu_);
      stream_.SetReadDeadline(Deadline::Infinite());
      by_drain = std::exchange(woken_by_drain_, false);
    }
  }
  if (by_drain && !n.ok()) return false;  // closed quietly by the drain
  if (!n.ok()) {
    if (absl::IsDeadlineExceeded(n.status())) {
      if (idle) {
        if (!core_.draining()) core_.CountTimeout();
        return false;
      }
      core_.CountTimeout();
      uint64_t dropped = 0;
      if (core_.error_log().Allow(&dropped)) {
        spdlog::warn("{} {}: {} timed out: 408 ({} similar lines not logged)",
                     opts_.name, peer_.ToString(),
                     phase_ == Phase::kHead ? "request head" : "request body",
                     dropped);
      }
      SendErrorAndClose(408, phase_ == Phase::kHead
                                 ? "request head not received in time"
                                 : "request body stalled");
      return false;
    }
    if (!idle) {
      spdlog::debug("{} {}: read failed mid-request: {}", opts_.name,
                    peer_.ToString(), n.status().ToString());
    }
    return false;
  }
  if (*n == 0) {
    if (!idle) {
      spdlog::debug("{} {}: client closed the connection mid-request",
                    opts_.name, peer_.ToString());
    }
    return false;
  }
  core_.stats().RecordBytesIn(*n);
  end_ = *n;
  // Between requests the parser holds nothing: options changed while this
  // connection waited apply to the request now arriving.
  if (idle && core_.options_version() != opts_version_) RefreshOptions();
  return true;
}

bool Connection::OnHeaders() {
  phase_ = Phase::kBody;
  body_.clear();
  shed_ = opts_.overloaded && opts_.overloaded();
  const Request& request = parser_->request();
  const bool has_body = request.body_framing == BodyFraming::kChunked ||
                        request.content_length > 0;
  if (has_body && request.expect_continue) {
    if (shed_) {
      // Do not invite a body that will not be used: answer and close.
      core_.CountShed();
      Response r = Response::Text(503, "Service Unavailable: overloaded\n");
      r.AddHeader("Retry-After",
                  absl::StrCat(SecondsAtLeastOne(opts_.retry_after)));
      Record(503);
      bool keep = false;
      if (WriteResponse(r, request, keep)) {
        Flush();
        LingeringClose();
      }
      return false;
    }
    // The client waits for this before sending the body (unless it gave
    // up waiting and sent some already).
    if (start_ == end_) out_.append(kContinue);
  }
  return true;
}

bool Connection::OnMessage() {
  const Request& request = parser_->request();
  bool keep_alive = request.keep_alive;
  Response response;
  if (shed_) {
    core_.CountShed();
    response = Response::Text(503, "Service Unavailable: overloaded\n");
    response.AddHeader("Retry-After",
                       absl::StrCat(SecondsAtLeastOne(opts_.retry_after)));
  } else {
    RequestContext ctx(request, body_, peer_);
    try {
      response = core_.handler()(ctx);
    } catch (const CoroutineCancelled&) {
      throw;
    } catch (const std::exception& e) {
      core_.CountException();
      uint64_t dropped = 0;
      if (core_.exception_log().Allow(&dropped)) {
        spdlog::error(
            "{} {}: handler for {} {} threw: {} ({} similar lines "
            "not logged)",
            opts_.name, peer_.ToString(), request.method, request.target,
            e.what(), dropped);
      }
      response = Response::Text(500, "Internal Server Error\n");
    } catch (...) {
      core_.CountException();
      uint64_t dropped = 0;
      if (core_.exception_log().Allow(&dropped)) {
        spdlog::error(
            "{} {}: handler for {} {} threw a non-standard "
            "exception ({} similar lines not logged)",
            opts_.name, peer_.ToString(), request.method, request.target,
            dropped);
      }
      response = Response::Text(500, "Internal Server Error\n");
    }
    if (response.status < 100 || response.status > 599 ||
        response.status == 100 || response.status == 101) {
      spdlog::error("{}: handler for {} {} returned status {}, sent as 500",
                    opts_.name, request.method, request.target,
                    response.status);
      response = Response::Text(500, "Internal Server Error\n");
    }
  }
  if (core_.draining() || WantsClose(response)) keep_alive = false;
  Record(response.status);
  phase_ = Phase::kIdle;
  first_request_ = false;
  if (!WriteResponse(response, request, keep_alive)) return false;
  if (!keep_alive) {
    if (Flush()) LingeringClose();
    return false;
  }
  if (body_.capacity() > kKeepBodyCapacity) std::string().swap(body_);
  if (core_.options_version() != opts_version_) RefreshOptions();
  if (out_.size() >= opts_.max_pending_output_bytes) return Flush();
  return true;
}

bool Connection::WriteResponse(const Response& response, const Request& request,
                               bool& keep_alive) {
  const int status = response.status;
  const bool no_body = status < 200 || status == 204 || status == 304;
  const bool head = request.method == "HEAD";
  HeadSpec spec;
  spec.http10 = request.version == Version::kHttp10;
  spec.server_line = server_line_;
  if (response.stream) {
    // An HTTP/1.0 client cannot read chunks: the end of the body is the
    // end of the connection.
    if (spec.http10 && !no_body && !head) keep_alive = false;
    spec.framing = no_body       ? Framing::kNone
                   : spec.http10 ? Framing::kClose
                                 : Framing::kChunked;
    spec.keep_alive = keep_alive;
    AppendResponseHead(response, spec, out_);
    if (no_body || head) return true;
    if (!Flush()) return false;
    ChunkWriter writer(*this, spec.framing == Framing::kChunked);
    absl::Status s;
    try {
      s = response.stream(writer);
    } catch (const CoroutineCancelled&) {
      throw;
    } catch (const std::exception& e) {
      s = absl::InternalError(absl::StrCat("threw: ", e.what()));
    } catch (...) {
      s = absl::InternalError("threw a non-standard exception");
    }
    if (!s.ok()) {
      spdlog::warn("{} {}: streamed body of {} {} ended early: {}", opts_.name,
                   peer_.ToString(), request.method, request.target,
                   s.ToString());
      return false;
    }
    if (spec.framing == Framing::kChunked) out_.append("0\r\n\r\n");
    return true;
  }
  spec.keep_alive = keep_alive;
  if (response.file != nullptr) {
    spec.framing = no_body ? Framing::kNone : Framing::kLength;
    spec.length = response.file->length();
    AppendResponseHead(response, spec, out_);
    if (no_body || head) return true;
    return WriteFile(*response.file);
  }
  spec.framing = no_body ? Framing::kNone : Framing::kLength;
  spec.length = response.body.size();
  AppendResponseHead(response, spec, out_);
  if (no_body || head || response.body.empty()) return true;
  if (response.body.size() <= kCopyBodyBytes) {
    out_.append(response.body);
    return true;
  }
  return WriteDirect(response.body);
}

bool Connection::WriteFile(const FileBody& file) {
  std::string piece;
  uint64_t offset = file.offset();
  uint64_t left = file.length();
  while (left > 0) {
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(left, kFilePieceBytes));
    piece.resize(want);
    const ssize_t n = SpawnBlocking([&] {
      return ::pread(file.fd(), piece.data(), want, static_cast<off_t>(offset));
    });
    if (n <= 0) {
      spdlog::warn("{} {}: reading a file body failed at offset {} ({})",
                   opts_.name, peer_.ToString(), offset,
                   n == 0 ? "the file shrank" : "read error");
      return false;
    }
    piece.resize(static_cast<size_t>(n));
    if (!WriteDirect(piece)) return false;
    offset += static_cast<uint64_t>(n);
    left -= static_cast<uint64_t>(n);
  }
  return true;
}

bool Connection::WriteDirect(std::string_view data) {
  const absl::string_view parts[2] = {
      out_, absl::string_view(data.data(), data.size())};
  const absl::Status s =
      stream_.Writev(absl::MakeConstSpan(parts), After(opts_.write_timeout));
  if (!s.ok()) {
    if (absl::IsDeadlineExceeded(s)) core_.CountTimeout();
    spdlog::debug("{} {}: write failed: {}", opts_.name, peer_.ToString(),
                  s.ToString());
    return false;
  }
  core_.stats().RecordBytesOut(out_.size() + data.size());
  out_.clear();
  return true;
}

bool Connection::Flush() {
  if (out_.empty()) return true;
  const absl::Status s = stream_.WriteAll(out_, After(opts_.write_timeout));
  if (!s.ok()) {
    if (absl::IsDeadlineExceeded(s)) core_.CountTimeout();
    spdlog::debug("{} {}: write failed: {}", opts_.name, peer_.ToString(),
                  s.ToString());
    return false;
  }
  core_.stats().RecordBytesOut(out_.size());
  out_.clear();
  return true;
}

void Connection::SendErrorAndClose(int status, std::string_view detail) {
  if (phase_ == Phase::kIdle) request_start_ns_ = NowNanos();
  std::string text = absl::StrCat(status, " ");
  text.append(ReasonPhrase(status)).append(": ").append(detail).append("\n");
  Response r = Response::Text(status, std::move(text));
  Record(status);
  HeadSpec spec;
  spec.keep_alive = false;
  spec.length = r.body.size();
  spec.server_line = server_line_;
  AppendResponseHead(r, spec, out_);
  out_.append(r.body);
  if (Flush()) LingeringClose();
}

void Connection::LingeringClose() {
  if (!stream_.ShutdownWrite().ok()) return;
  const Deadline deadline = After(kLingerTime);
  size_t discarded = 0;
  while (discarded < kLingerBytes) {
    absl::StatusOr<size_t> n =
        stream_.Read(absl::MakeSpan(buf_.get(), cap_), deadline);
    if (!n.ok() || *n == 0) return;
    discarded += *n;
  }
}

void Connection::WakeIfIdle() {
  std::lock_guard<std::mutex> lock(wake_mu_);
  uint64_t expected = wait_state_.load();
  if ((expected & 3) != kWaitingIdle) return;
  if (wait_state_.compare_exchange_strong(expected, (expected & ~3) | kWoken)) {
    woken_by_drain_ = true;
    stream_.SetReadDeadline(Deadline::Passed());
  }
}

void Connection::WakeIfExpired(int64_t now_ns) {
  std::lock_guard<std::mutex> lock(wake_mu_);
  uint64_t expected = wait_state_.load();
  if (((expected & 3) != kWaiting && (expected & 3) != kWaitingIdle) ||
      // Relaxed: ordered by the wait_state_ load (see ReadMore()).
      read_deadline_ns_.load(std::memory_order_relaxed) > now_ns) {
    return;
  }
  // The CAS fails if that wait ended meanwhile (the wait's number changed);
  // a later wait published its deadline before its state.
  if (wait_state_.compare_exchange_strong(expected, (expected & ~3) | kWoken)) {
    stream_.SetReadDeadline(Deadline::Passed());
  }
}

}  // namespace colony::http::http_internal
