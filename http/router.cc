// Copyright 2026 The Colony Authors.

#include "http/router.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace colony::http {
namespace {

// absl's string_view is its own type here: StrCat takes it, not std's.
absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

enum class SegmentKind { kLiteral = 0, kParam = 1, kRest = 2 };

struct Segment {
  SegmentKind kind;
  std::string text;  // the literal, or the parameter's name
};

struct RouteEntry {
  std::string method;  // "*" for any
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;
};

// Splits "/a/b" into "a", "b" ("/" is one empty segment).
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  for (;;) {
    const size_t slash = path.find('/');
    if (slash == std::string_view::npos) {
      out.push_back(path);
      return out;
    }
    out.push_back(path.substr(0, slash));
    path.remove_prefix(slash + 1);
  }
}

// Matches `path` (starting with '/') against `route`, appending the
// parameters to `params` (which the caller clears on a mismatch).
bool Match(const RouteEntry& route, std::string_view path,
           std::vector<std::pair<std::string_view, std::string_view>>& params) {
  if (path.empty() || path[0] != '/') return false;
  std::string_view rest = path.substr(1);
  const size_t n = route.segments.size();
  for (size_t i = 0; i < n; ++i) {
    const Segment& seg = route.segments[i];
    if (seg.kind == SegmentKind::kRest) {
      params.emplace_back(seg.text, rest);
      return true;
    }
    const size_t slash = rest.find('/');
    const std::string_view piece =
        slash == std::string_view::npos ? rest : rest.substr(0, slash);
    const bool last = i + 1 == n;
    // The path must end exactly where the pattern does.
    if (last != (slash == std::string_view::npos)) return false;
    if (seg.kind == SegmentKind::kLiteral) {
      if (piece != seg.text) return false;
    } else {
      if (piece.empty()) return false;
      params.emplace_back(seg.text, piece);
    }
    if (!last) rest.remove_prefix(slash + 1);
  }
  return true;
}

bool MoreSpecific(const RouteEntry& a, const RouteEntry& b) {
  const size_t n = std::min(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < n; ++i) {
    if (a.segments[i].kind != b.segments[i].kind) {
      return a.segments[i].kind < b.segments[i].kind;
    }
  }
  return a.segments.size() > b.segments.size();
}

}  // namespace

struct Router::Table {
  // Most specific first; equal ones in registration order.
  std::vector<RouteEntry> routes;
};

Router::Router() : table_(std::make_shared<Table>()) {}

absl::Status Router::Handle(std::string_view method, std::string_view pattern,
                            Handler handler) {
  if (method.empty()) return absl::InvalidArgumentError("empty method");
  if (pattern.empty() || pattern[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("pattern \"", A(pattern), "\" does not start with '/'"));
  }
  RouteEntry route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  const std::vector<std::string_view> parts = SplitPath(pattern);
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (!part.empty() && part.front() == '{') {
      if (part.back() != '}' || part.size() < 3) {
        return absl::InvalidArgumentError(
            absl::StrCat("pattern \"", A(pattern), "\": malformed segment \"",
                         A(part), "\""));
      }
      std::string_view name = part.substr(1, part.size() - 2);
      SegmentKind kind = SegmentKind::kParam;
      if (name.size() > 3 && name.substr(name.size() - 3) == "...") {
        name.remove_suffix(3);
        kind = SegmentKind::kRest;
        if (i + 1 != parts.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("pattern \"", A(pattern), "\": \"", A(part),
                           "\" must be the last segment"));
        }
      }
      if (name.empty() || name.find_first_of("{}/.") != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("pattern \"", A(pattern),
                         "\": bad parameter name in \"", A(part), "\""));
      }
      for (const Segment& s : route.segments) {
        if (s.kind != SegmentKind::kLiteral && s.text == name) {
          return absl::InvalidArgumentError(
              absl::StrCat("pattern \"", A(pattern), "\": parameter \"",
                           A(name), "\" appears twice"));
        }
      }
      route.segments.push_back({kind, std::string(name)});
    } else {
      if (part.find_first_of("{}") != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("pattern \"", A(pattern), "\": malformed segment \"",
                         A(part), "\""));
      }
      route.segments.push_back({SegmentKind::kLiteral, std::string(part)});
    }
  }
  for (const RouteEntry& r : table_->routes) {
    if (r.method == route.method && r.pattern == route.pattern) {
      return absl::AlreadyExistsError(
          absl::StrCat(A(method), " ", A(pattern), " is already routed"));
    }
  }
  auto& routes = table_->routes;
  auto at = std::upper_bound(routes.begin(), routes.end(), route,
                             [](const RouteEntry& a, const RouteEntry& b) {
                               return MoreSpecific(a, b);
                             });
  routes.insert(at, std::move(route));
  return absl::OkStatus();
}

Response Router::Route(RequestContext& ctx) const {
  const std::string_view method = ctx.request.method;
  const std::string_view path = ctx.request.path;
  const RouteEntry* fallback = nullptr;  // GET route for a HEAD request
  bool path_matched = false;
  for (const RouteEntry& r : table_->routes) {
    const size_t mark = ctx.params.size();
    if (!Match(r, path, ctx.params)) {
      ctx.params.resize(mark);
      continue;
    }
    path_matched = true;
    if (r.method == method || r.method == "*") return r.handler(ctx);
    if (fallback == nullptr && method == "HEAD" && r.method == "GET") {
      fallback = &r;  // unless an exact HEAD route follows
    }
    ctx.params.resize(mark);
  }
  if (fallback != nullptr) {
    ctx.params.clear();
    Match(*fallback, path, ctx.params);
    return fallback->handler(ctx);
  }
  if (!path_matched) {
    return Response::Text(404, "Not Found\n");
  }
  std::vector<std::string_view> allow;
  std::vector<std::pair<std::string_view, std::string_view>> scratch;
  for (const RouteEntry& r : table_->routes) {
    scratch.clear();
    if (!Match(r, path, scratch)) continue;
    if (std::find(allow.begin(), allow.end(), r.method) == allow.end()) {
      allow.push_back(r.method);
    }
    if (r.method == "GET" &&
        std::find(allow.begin(), allow.end(), "HEAD") == allow.end()) {
      allow.push_back("HEAD");
    }
  }
  std::sort(allow.begin(), allow.end());
  Response response = Response::Text(405, "Method Not Allowed\n");
  std::string allow_value;
  for (std::string_view m : allow) {
    if (!allow_value.empty()) allow_value.append(", ");
    allow_value.append(m);
  }
  response.AddHeader("Allow", std::move(allow_value));
  return response;
}

Handler Router::handler() const {
  Router copy = *this;
  return [copy](RequestContext& ctx) { return copy.Route(ctx); };
}

}  // namespace colony::http
