// Copyright 2026 The Colony Authors.
//
// Connection: one HTTP/1.1 connection, served by one task from accept to
// close.
//
// The loop: the read buffer holds bytes not yet parsed; the parser takes
// them one event at a time (it consumes everything on kNeedMore, copying a
// head that spans reads into its own buffer, so the read buffer restarts
// at offset 0 for every read). Responses are serialized into out_ and
// written when no complete request is left in the read buffer, before any
// read, or when out_ passes max_pending_output_bytes: pipelined requests
// are answered in order with one write per batch.
//
// Phases and the deadline of each read:
//   kIdle  between requests: the accept time plus header_read_timeout for
//          the first request, idle_timeout after that (closed quietly);
//   kHead  from the request's first byte: header_read_timeout (408);
//   kBody  each read: body_read_timeout (408).
//
// Reads carry no timer: the deadline of the read in progress is published
// in read_deadline_ns_, and the server's reaper, which walks the
// connections every 100 ms, wakes a read whose deadline passed by setting
// the stream's read deadline to the past (a timeout so fires up to 100 ms
// late). A per-read timer would cost a timer-heap insertion and a wake-up
// of the poller for every request; a write only waits when the socket's
// buffer is full, so it keeps its own deadline.
//
// Thread-safety: the task runs the connection alone; WakeIfIdle() and
// WakeIfExpired() are the only members other tasks call (from Drain() and
// the reaper, under the server's mutex).

#ifndef COLONY_HTTP_INTERNAL_CONNECTION_H_
#define COLONY_HTTP_INTERNAL_CONNECTION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/internal/response_head.h"
#include "http/request_parser.h"
#include "http/response.h"
#include "http/server.h"
#include "net/socket_address.h"
#include "net/tcp.h"
#include "time/deadline.h"

namespace colony::http::http_internal {

class ServerCore;

class Connection {
 public:
  Connection(ServerCore& core, TcpStream stream, int64_t accepted_ns);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Run() serves requests until the connection ends.
  void Run();

  // WakeIfIdle() makes a connection that waits for its next request (not
  // its first) stop waiting, so that it closes.
  void WakeIfIdle();
  // WakeIfExpired() ends a read whose deadline is at or before `now_ns`.
  void WakeIfExpired(int64_t now_ns);

  // The server's registry links.
  Connection* prev = nullptr;
  Connection* next = nullptr;

 private:
  enum class Phase { kIdle, kHead, kBody };
  // The low two bits of wait_state_; the bits above number the waits.
  enum WaitState : uint64_t { kBusy, kWaiting, kWaitingIdle, kWoken };
  class ChunkWriter;

  void RefreshOptions();
  void BeginRequest();
  // Each returns false when the connection must end.
  bool ReadMore();
  bool OnHeaders();
  bool OnMessage();
  bool WriteResponse(const Response& response, const Request& request,
                     bool& keep_alive);
  bool WriteFile(const FileBody& file);
  bool Flush();
  bool WriteDirect(std::string_view data);
  // Answers a request the server rejects itself, then closes.
  void SendErrorAndClose(int status, std::string_view detail);
  // Sends the end of stream and discards what the client still sends, for
  // up to a second, so that the kernel does not reset the connection under
  // the last response.
  void LingeringClose();
  Deadline After(absl::Duration d) const;
  void Record(int status);

  ServerCore& core_;
  TcpStream stream_;
  const int64_t accepted_ns_;
  SocketAddress peer_;
  ServerOptions opts_;
  uint64_t opts_version_ = 0;
  std::string server_line_;
  std::optional<RequestParser> parser_;

  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t start_ = 0;
  size_t end_ = 0;
  std::string out_;
  std::string body_;

  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  bool shed_ = false;
  int64_t request_start_ns_ = 0;
  Deadline head_deadline_;

  // The read in progress, for the reaper and Drain(): its deadline, and
  // kWaiting (kWaitingIdle between requests) while it waits, kWoken once
  // woken. wake_mu_ orders a wake-up against the connection undoing it.
  std::atomic<int64_t> read_deadline_ns_{INT64_MAX};
  std::atomic<uint64_t> wait_state_{kBusy};
  uint64_t wait_seq_ = 0;  // the task's own
  std::mutex wake_mu_;
  bool woken_by_drain_ = false;  // guarded by wake_mu_
};

}  // namespace colony::http::http_internal

#endif  // COLONY_HTTP_INTERNAL_CONNECTION_H_
