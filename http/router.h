// Copyright 2026 The Colony Authors.
//
// Router: dispatches requests to handlers by method and path pattern.
//
//   colony::http::Router router;
//   router.Handle("GET", "/users/{id}", [](colony::http::RequestContext& c) {
//     return colony::http::Response::Text(200, std::string(c.Param("id")));
//   });
//   router.Handle("GET", "/static/{path...}", ServeStatic);
//   colony::http::Server server(options, router.handler());
//
// Patterns are paths split at '/'. A segment "{name}" matches one non-empty
// segment and binds it to `name`; a last segment "{name...}" matches the
// rest of the path (possibly empty, slashes included); any other segment
// matches itself exactly. The query is not part of the match. When several
// patterns match, the most specific wins: segment by segment from the left,
// a literal beats "{name}", which beats "{name...}". A method of "*" matches
// every method; a HEAD request falls back to the GET route of its path.
//
// A path no pattern matches is 404; a path some pattern matches, but for
// other methods only, is 405 with an Allow field listing them.
//
// Thread-safety: Handle() is not synchronized; register every route before
// serving. handler() and Route() may then be called from any task or
// thread; a Handler from handler() shares the routes, so routes added later
// are seen by it (but must not be added while it serves).

#ifndef COLONY_HTTP_ROUTER_H_
#define COLONY_HTTP_ROUTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "http/handler.h"
#include "http/response.h"

namespace colony::http {

class Router {
 public:
  Router();

  // Handle() routes requests with `method` (or any method, for "*") whose
  // path matches `pattern` to `handler`. Fails with InvalidArgument for a
  // pattern that does not start with '/', has an empty or malformed
  // "{...}" segment, repeats a parameter name or has "{name...}" before
  // the last segment, and with AlreadyExists for a method and pattern
  // registered before.
  absl::Status Handle(std::string_view method, std::string_view pattern,
                      Handler handler);

  // Route() answers `ctx` with the matching handler (setting ctx.params), or
  // with 404 or 405.
  Response Route(RequestContext& ctx) const;

  // handler() is a Handler that calls Route().
  Handler handler() const;

 private:
  struct Table;
  std::shared_ptr<Table> table_;
};

}  // namespace colony::http

#endif  // COLONY_HTTP_ROUTER_H_
