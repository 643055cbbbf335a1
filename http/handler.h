// Copyright 2026 The Colony Authors.
//
// RequestContext and Handler: what the HTTP/1.1 server (server.h) hands a
// handler, and the handler's type.
//
//   colony::http::Handler hello = [](colony::http::RequestContext& ctx) {
//     return colony::http::Response::Text(200, "Hello, World!");
//   };
//
// A handler runs on the connection's task: it may suspend (sleep, wait on
// sync/ primitives, do I/O, call SpawnBlocking) and it is cancelled with the
// connection (at a drain's deadline, or when the server is destroyed). An
// exception other than the task's cancellation becomes a 500 response and
// a log line.
//
// Lifetime: the context, the request it refers to, the body and the path
// parameters are valid only during the call; copy what must outlive it.
//
// Thread-safety: a context is used by its connection's task alone. One
// Handler object serves every connection of a server at once, from any
// worker, so what it captures must be safe to share.

#ifndef COLONY_HTTP_HANDLER_H_
#define COLONY_HTTP_HANDLER_H_

#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "http/request_parser.h"
#include "http/response.h"
#include "net/socket_address.h"

namespace colony::http {

struct RequestContext {
  RequestContext(const Request& request, std::string_view body,
                 const SocketAddress& peer)
      : request(request), body(body), peer(peer) {}

  // The parsed request head (method, target, path, query, headers...).
  const Request& request;
  // The whole request body (de-chunked), empty when there is none.
  std::string_view body;
  // The client's address.
  SocketAddress peer;
  // Path parameters set by the Router: pairs of (name, value), values as
  // they appear in the path (not percent-decoded).
  std::vector<std::pair<std::string_view, std::string_view>> params;

  // Param() is the value of the path parameter `name` ("{id}" in the
  // pattern), or an empty view when there is none.
  std::string_view Param(std::string_view name) const {
    for (const auto& [n, v] : params) {
      if (n == name) return v;
    }
    return {};
  }
};

// A Handler turns a request into a response.
using Handler = std::function<Response(RequestContext&)>;

}  // namespace colony::http

#endif  // COLONY_HTTP_HANDLER_H_
