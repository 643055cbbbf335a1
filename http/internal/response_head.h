// Copyright 2026 The Colony Authors.
//
// AppendResponseHead(): serializes a response's status line and header
// section, with the fields the server owns (Date, Server, the framing and
// Connection), into the connection's output buffer.
//
// Thread-safety: stateless but for the calling thread's Date cache.

#ifndef COLONY_HTTP_INTERNAL_RESPONSE_HEAD_H_
#define COLONY_HTTP_INTERNAL_RESPONSE_HEAD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "http/response.h"

namespace colony::http::http_internal {

// How the body that follows the head is delimited.
enum class Framing {
  kLength,   // Content-Length: `length`
  kChunked,  // Transfer-Encoding: chunked
  kClose,    // by closing the connection (an HTTP/1.0 stream)
  kNone,     // no body can follow (1xx, 204, 304): no framing field
};

struct HeadSpec {
  Framing framing = Framing::kLength;
  uint64_t length = 0;
  bool keep_alive = true;
  // An HTTP/1.0 request: keep-alive must be said explicitly.
  bool http10 = false;
  // "Server: NAME\r\n", or empty.
  std::string_view server_line;
};

// WantsClose() is true when `response` asks for the connection to close
// (`close`, or a Connection field naming "close").
bool WantsClose(const Response& response);

// AppendResponseHead() appends the head of `response` to `out`.
void AppendResponseHead(const Response& response, const HeadSpec& spec,
                        std::string& out);

}  // namespace colony::http::http_internal

#endif  // COLONY_HTTP_INTERNAL_RESPONSE_HEAD_H_
