// Copyright 2026 The Colony Authors.
//
// Server: an HTTP/1.1 server on net/ sockets, one task per connection.
//
//   colony::http::Router router;
//   router.Handle("GET", "/hello", [](colony::http::RequestContext&) {
//     return colony::http::Response::Text(200, "Hello, World!");
//   }).IgnoreError();
//   colony::http::Server server({}, router.handler());
//   auto listener = colony::TcpListener::Bind(address).value();
//   // In a task (Serve() returns once StopAccepting() is called):
//   absl::Status s = server.Serve(listener);
//   // On shutdown, from anywhere:
//   server.StopAccepting();
//   server.Drain(colony::Deadline::After(absl::Seconds(10)));
//
// Protocol: keep-alive (HTTP/1.1 by default, HTTP/1.0 when asked),
// pipelining (requests already received are answered in order, and their
// responses go out in one write), chunked request bodies (the handler sees
// the de-chunked body) and chunked responses (Response::Stream),
// "Expect: 100-continue" (the interim 100 is sent when the server is about
// to read a body the client has not sent yet), HEAD (the head of the GET
// response, no body), "Connection: close". Each response carries Date
// (formatted once a second) and, unless disabled, Server.
//
// Limits and the status each one gets (the connection is closed after any
// of them): a malformed request 400; a request line longer than
// `parser.max_request_line_bytes` 414 (or 400); a header section past
// `parser.max_header_section_bytes` or `parser.max_headers` 431; a body
// past `parser.max_body_bytes` 413; an HTTP version other than 1.x 505; a
// head not complete within `header_read_timeout` of its first byte (or of
// the accept, for a connection's first request), or a body stalled for
// `body_read_timeout`, 408. A connection idle between requests for
// `idle_timeout` is closed without a response; a response not written
// within `write_timeout` closes the connection. Past `max_connections`
// open connections, new ones get a 503 with "Connection: close". When
// `overloaded()` is true for a request, it gets a 503 with Retry-After
// instead of reaching the handler. Each of these is logged (through
// spdlog's default logger, at most a few lines a second per kind, with the
// number left out) and counted in Stats().
//
// Buffers per connection are bounded: the read buffer has a fixed size
// (`read_buffer_bytes`; the parser copies a head spanning reads, within the
// head limits), the body is at most `parser.max_body_bytes`, and responses
// waiting to be written at most `max_pending_output_bytes` plus one
// response (large bodies are written from the response, not copied).
//
// Shutdown: StopAccepting() makes Serve() return (the listener stays open;
// its owner closes it). Drain(deadline) then closes idle keep-alive
// connections at once, lets busy ones finish their current response (sent
// with "Connection: close"), cancels whatever is left at the deadline (the
// tasks unwind, running destructors), and returns when every connection
// task has ended. A connection whose first request has not arrived yet is
// not idle: it gets its answer too, or the deadline.
//
// Thread-safety: every member function may be called from any task or
// thread; Serve() must be called from a task (connection tasks run on its
// scheduler), possibly several times at once for several listeners.
// Lifetime: the destructor cancels the remaining connection tasks and waits
// for them; it must not run while Serve() runs.

#ifndef COLONY_HTTP_SERVER_H_
#define COLONY_HTTP_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "http/handler.h"
#include "http/request_parser.h"
#include "http/response.h"
#include "http/router.h"
#include "net/socket_address.h"
#include "net/tcp.h"
#include "time/deadline.h"

namespace colony::http {

namespace http_internal {
class ServerCore;
}  // namespace http_internal

struct ServerOptions {
  // Request line, header section, header count and body limits.
  ParserOptions parser;
  // Time allowed for a request head, from its first byte (from the accept
  // for a connection's first request). Past it: 408 and close.
  absl::Duration header_read_timeout = absl::Seconds(10);
  // Time allowed between reads while a body is being received. Past it:
  // 408 and close.
  absl::Duration body_read_timeout = absl::Seconds(30);
  // Time a keep-alive connection may wait for its next request. Past it:
  // closed without a response.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Time allowed for each write of responses. Past it: closed.
  absl::Duration write_timeout = absl::Seconds(30);
  // Most connections open at once (0: no limit). Past it, new connections
  // get a 503 with "Connection: close".
  size_t max_connections = 10000;
  // Consulted once per request when set: true answers 503 with
  // Retry-After, without calling the handler. Called from connection
  // tasks, on any worker, concurrently.
  std::function<bool()> overloaded;
  // The Retry-After sent with the 503 of `overloaded` and of
  // `max_connections` (whole seconds, at least 1).
  absl::Duration retry_after = absl::Seconds(1);
  // Size of each connection's read buffer.
  size_t read_buffer_bytes = 16 * 1024;
  // Responses to pipelined requests wait in one buffer and go out together
  // once it holds this much, or when no request is left unanswered in the
  // read buffer. Bodies larger than 16 KiB are never copied into it.
  size_t max_pending_output_bytes = 64 * 1024;
  // The Server field's value (empty: no Server field).
  std::string server_header = "colony";
  // A name for log lines and task names ("http").
  std::string name = "http";
};

// Counters since the server was created. Every field is read without
// stopping the server, so fields may be a few events apart from each other.
struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_active = 0;
  // Turned away at max_connections.
  uint64_t connections_refused = 0;
  // Closed by the header, body, idle or write timeout.
  uint64_t connections_timed_out = 0;
  // Requests answered (including errors the server answered itself), by
  // status code, ascending, codes with a zero count left out.
  std::vector<std::pair<int, uint64_t>> requests_by_status;
  uint64_t requests = 0;
  // Requests answered 503 because `overloaded()` said so.
  uint64_t requests_shed = 0;
  // Handlers that threw (answered 500).
  uint64_t handler_exceptions = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  // Latency from a request's first byte to its response being queued for
  // writing: bucket upper bounds in seconds, counts per bucket (not
  // cumulative; one more than the bounds, the last for +Inf) and the sum.
  std::vector<double> latency_bounds_seconds;
  std::vector<uint64_t> latency_counts;
  double latency_sum_seconds = 0;
};

class Server {
 public:
  // Server() serves every request with `handler`.
  Server(ServerOptions options, Handler handler);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Serve() accepts connections on `listener` and serves each in its own
  // task, until StopAccepting(). Call it from a task. Returns OK after
  // StopAccepting(), or the listener's error if it was closed or failed
  // otherwise. `listener` must outlive the call.
  absl::Status Serve(TcpListener& listener);

  // StopAccepting() makes every Serve() return; connections already
  // accepted go on. Idempotent.
  void StopAccepting();

  // Drain() closes idle connections now and the others after their current
  // response, cancels what is left at `deadline`, and returns when every
  // connection task has ended. Call it after StopAccepting().
  void Drain(Deadline deadline);

  // Stats() reads the counters.
  ServerStats Stats() const;

  // SetOptions() replaces the options: new connections use them at once,
  // open ones from their next request. Everything may change at run time.
  void SetOptions(ServerOptions options);
  // options() is a copy of the options in force.
  ServerOptions options() const;

  // draining() is true once Drain() began.
  bool draining() const;

 private:
  std::unique_ptr<http_internal::ServerCore> core_;
};

}  // namespace colony::http

#endif  // COLONY_HTTP_SERVER_H_
