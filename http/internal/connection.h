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
// Thread-safety: the task runs the connection alone; WakeIfIdle() is the
// only member other tasks call (from Drain(), under the server's mutex).

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

  // The server's registry links.
  Connection* prev = nullptr;
  Connection* next = nullptr;

 private:
  enum class Phase { kIdle, kHead, kBody };
  enum IdleState : int { kBusy, kIdle, kWoken };
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

  std::mutex wake_mu_;
  std::atomic<int> idle_state_{kBusy};
};

}  // namespace colony::http::http_internal

#endif  // COLONY_HTTP_INTERNAL_CONNECTION_H_
