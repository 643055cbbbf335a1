// Copyright 2026 The Colony Authors.
//
// Response: what a handler returns to the HTTP/1.1 server (server.h).
//
//   colony::http::Response r = colony::http::Response::Text(200, "hi\n");
//   r.AddHeader("Cache-Control", "no-store");
//
// A response has a status, header fields and one of three kinds of body:
//
//   - `body`, a string, sent with Content-Length (the usual case);
//   - `stream`, a producer called after the head is sent, whose pieces go
//     out as chunks (Transfer-Encoding: chunked) to an HTTP/1.1 client, or
//     as raw bytes ended by closing the connection to an HTTP/1.0 one;
//   - `file`, a range of an open file, sent with Content-Length, read in
//     pieces on the scheduler's blocking pool.
//
// The server owns the framing: it writes the status line, Date, Server,
// Content-Length or Transfer-Encoding and Connection itself, and ignores
// those fields (Content-Length, Transfer-Encoding) among `headers`. A
// "Connection: close" field among `headers`, or `close`, closes the
// connection after this response. The body of a HEAD request, and of 1xx,
// 204 and 304 responses, is never sent (a HEAD response still says how long
// the body would have been).
//
// Thread-safety: a value type; a Response is built by one task and handed
// to the server. A FileBody may be shared by several responses (the server
// reads it with pread(), which does not move the file offset).
//
// Lifetime: the server consumes the response before it reads the next
// request of the connection; a `stream` producer runs on the connection's
// task, so it may capture the handler's state by value, not by reference to
// the handler's stack.

#ifndef COLONY_HTTP_RESPONSE_H_
#define COLONY_HTTP_RESPONSE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace colony::http {

// BodyWriter is what a streaming body producer writes through.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  // Write() sends `data` as the next piece of the body (one chunk on an
  // HTTP/1.1 connection); an empty piece sends nothing. Fails when the
  // client is gone or the write timeout passed; the producer should then
  // return that status.
  virtual absl::Status Write(std::string_view data) = 0;
};

// BodyProducer writes a streamed body and returns OK when it is complete;
// an error ends the connection without the terminating chunk, so the client
// sees the body as incomplete.
using BodyProducer = std::function<absl::Status(BodyWriter&)>;

// FileBody: `length` bytes of an open file from `offset`, closed when the
// last response holding it is gone.
class FileBody {
 public:
  // Open() opens `path` for reading and describes the whole file. Fails
  // with the errno's status naming the path.
  static absl::StatusOr<std::shared_ptr<const FileBody>> Open(
      const std::string& path);
  // FileBody() takes ownership of the open descriptor `fd` (the destructor
  // closes it) and describes bytes [offset, offset + length).
  FileBody(int fd, uint64_t offset, uint64_t length)
      : fd_(fd), offset_(offset), length_(length) {}
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;
  ~FileBody();

  // fd(), offset() and length() describe the range sent.
  int fd() const { return fd_; }
  uint64_t offset() const { return offset_; }
  uint64_t length() const { return length_; }

 private:
  int fd_;
  uint64_t offset_;
  uint64_t length_;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is streamed (and `body` is ignored).
  BodyProducer stream;
  // When set (and `stream` is not), the body is this file range.
  std::shared_ptr<const FileBody> file;
  // Close the connection after this response.
  bool close = false;

  // Text() is a "text/plain; charset=utf-8" response.
  static Response Text(int status, std::string body);
  // Json() is an "application/json" response; `body` is sent as given.
  static Response Json(int status, std::string body);
  // Stream() is a response whose body `producer` writes piece by piece.
  static Response Stream(int status, std::string content_type,
                         BodyProducer producer);
  // File() is a response whose body is `file`.
  static Response File(int status, std::string content_type,
                       std::shared_ptr<const FileBody> file);

  // AddHeader() appends a header field (several of one name are allowed)
  // and returns the response, for chaining.
  Response& AddHeader(std::string name, std::string value) &;
  Response&& AddHeader(std::string name, std::string value) &&;
  // FindHeader() is the value of the first field named `name` (compared
  // case-insensitively), or an empty view.
  std::string_view FindHeader(std::string_view name) const;
};

// ReasonPhrase() is the reason phrase of `status` ("Not Found"), or
// "Unknown" for a code without one.
std::string_view ReasonPhrase(int status);

}  // namespace colony::http

#endif  // COLONY_HTTP_RESPONSE_H_
