// Copyright 2026 The Colony Authors.
//
// The built-in `http` backend's handlers: TechEmpower-style plaintext and
// JSON hellos, an echo of the request, and static files from a directory.
//
//   colony::http::Router router;
//   router.Handle("GET", "/plaintext", colony::http::PlaintextHandler());
//   router.Handle("GET", "/json", colony::http::JsonHandler());
//   router.Handle("*", "/echo/{rest...}", colony::http::EchoHandler());
//   auto files = colony::http::StaticFilesHandler("/srv/www");
//   if (files.ok()) router.Handle("GET", "/static/{path...}", *files);
//
// Static files are resolved safely: the path is percent-decoded and split
// at '/'; a segment that is empty, starts with '.' (so "..", "." and
// hidden files), or holds a NUL is refused with 404, and each segment is
// opened with openat(O_NOFOLLOW) from the root directory's descriptor, so
// neither ".." nor a symbolic link (anywhere on the path) can lead outside
// the root: symbolic links are not followed at all. Files are opened,
// stat'ed and read on the scheduler's blocking pool (SpawnBlocking); a file
// larger than `max_inline_bytes` is sent in pieces from its descriptor.
// Content-Type comes from the extension; Last-Modified and
// If-Modified-Since give 304; a single "Range: bytes=" range gives 206 (or
// 416); a directory serves its `index` file when there is one.
//
// Thread-safety: the handlers may be called from any number of tasks at
// once. Lifetime: a static-files handler keeps the root directory open
// until the last copy of the handler is gone.

#ifndef COLONY_HTTP_HANDLERS_H_
#define COLONY_HTTP_HANDLERS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "http/handler.h"

namespace colony::http {

// The bodies of the hellos.
inline constexpr std::string_view kHelloText = "Hello, World!";
inline constexpr std::string_view kHelloJson = R"({"message":"Hello, World!"})";

// PlaintextHandler() answers "Hello, World!" as text/plain.
Handler PlaintextHandler();

// JsonHandler() answers {"message":"Hello, World!"} as application/json.
Handler JsonHandler();

// EchoHandler() answers a JSON object describing the request: method,
// target, path, query, version, headers (a list of [name, value] pairs, in
// order) and body. Strings that are not valid UTF-8 have their bytes above
// 0x7F escaped as \u00XX.
Handler EchoHandler();

struct StaticFilesOptions {
  // The file a directory serves (empty: directories are 404).
  std::string index = "index.html";
  // Files up to this size are read into the response in one blocking call;
  // larger ones are sent in pieces.
  size_t max_inline_bytes = 256 * 1024;
  // Cache-Control sent with every file (empty: none).
  std::string cache_control;
};

// StaticFilesHandler() serves files under `root`: the path is the route's
// "path" parameter when it binds one ("/static/{path...}"), else the whole
// request path. GET and HEAD only (others: 405). Fails when `root` is not a
// directory that can be opened.
absl::StatusOr<Handler> StaticFilesHandler(const std::string& root,
                                           StaticFilesOptions options = {});

// ContentTypeFor() is the media type for a file name's extension
// ("application/octet-stream" when unknown).
std::string_view ContentTypeFor(std::string_view file_name);

// JsonEscape() appends `s` to `out` as a JSON string, quotes included.
void JsonEscape(std::string_view s, std::string& out);

}  // namespace colony::http

#endif  // COLONY_HTTP_HANDLERS_H_
