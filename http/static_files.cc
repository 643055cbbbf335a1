// Copyright 2026 The Colony Authors.
//
// StaticFilesHandler(): safe path resolution (openat with O_NOFOLLOW, one
// segment at a time, from the root's descriptor), Content-Type by
// extension, Last-Modified / If-Modified-Since, single byte ranges.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "http/handlers.h"
#include "http/http_date.h"
#include "scheduler/blocking.h"

namespace colony::http {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (fd >= 0) ::close(fd);
    fd = std::exchange(o.fd, -1);
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a path; nullopt for a malformed escape or a NUL.
std::optional<std::string> DecodePath(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

// Splits a decoded relative path into segments; nullopt when a segment is
// empty (other than a trailing one) or starts with '.'.
std::optional<std::vector<std::string>> SplitSafe(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  for (;;) {
    const size_t slash = path.find('/');
    const std::string_view seg = path.substr(0, slash);
    if (seg.empty()) {
      if (slash == std::string_view::npos) break;
      return std::nullopt;  // "a//b"
    }
    if (seg.front() == '.') return std::nullopt;
    out.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
    if (path.empty()) break;  // a trailing slash
  }
  return out;
}

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

enum class RangeResult { kNone, kOk, kUnsatisfiable };

// Parses a single "bytes=" range against a file of `size` bytes. Anything
// it does not understand (several ranges, other units) is ignored: the
// whole file is sent, as RFC 9110 allows.
RangeResult ParseRange(std::string_view header, uint64_t size,
                       ByteRange* range) {
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) return RangeResult::kNone;
  std::string spec(header.substr(kPrefix.size()));
  if (spec.find(',') != std::string::npos) return RangeResult::kNone;
  const size_t dash = spec.find('-');
  if (dash == std::string::npos) return RangeResult::kNone;
  const std::string a(absl::StripAsciiWhitespace(spec.substr(0, dash)));
  const std::string b(absl::StripAsciiWhitespace(spec.substr(dash + 1)));
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // the last `b` bytes
    uint64_t n = 0;
    if (!absl::SimpleAtoi(b, &n)) return RangeResult::kNone;
    if (n == 0 || size == 0) return RangeResult::kUnsatisfiable;
    n = std::min(n, size);
    *range = {size - n, n};
    return RangeResult::kOk;
  }
  if (!absl::SimpleAtoi(a, &first)) return RangeResult::kNone;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!absl::SimpleAtoi(b, &last) || last < first) {
    return RangeResult::kNone;
  }
  if (first >= size) return RangeResult::kUnsatisfiable;
  last = std::min(last, size - 1);
  *range = {first, last - first + 1};
  return RangeResult::kOk;
}

struct RootDir {
  explicit RootDir(int f) : fd(f) {}
  RootDir(const RootDir&) = delete;
  RootDir& operator=(const RootDir&) = delete;
  ~RootDir() { ::close(fd); }
  const int fd;
};

// What the blocking part found.
struct Lookup {
  int status = 200;
  std::string name;  // the file's own name, for its type
  struct stat st {};
  Fd fd;
  std::string content;  // read in when inline
  bool inline_read = false;
  ByteRange range;
  bool ranged = false;
};

Lookup Resolve(const RootDir& root, const std::vector<std::string>& segments,
               const StaticFilesOptions& options, bool head,
               std::optional<int64_t> if_modified_since,
               const std::string& range_header) {
  Lookup out;
  Fd cur(::fcntl(root.fd, F_DUPFD_CLOEXEC, 0));
  if (cur.fd < 0) {
    out.status = 500;
    return out;
  }
  out.name = "";
  for (size_t i = 0; i < segments.size(); ++i) {
    const bool last = i + 1 == segments.size();
    const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
                      (last ? 0 : O_DIRECTORY);
    Fd next(::openat(cur.fd, segments[i].c_str(), flags));
    if (next.fd < 0) {
      out.status = errno == EACCES ? 403 : 404;
      return out;
    }
    cur = std::move(next);
    out.name = segments[i];
  }
  if (::fstat(cur.fd, &out.st) != 0) {
    out.status = 404;
    return out;
  }
  if (S_ISDIR(out.st.st_mode)) {
    if (options.index.empty()) {
      out.status = 404;
      return out;
    }
    Fd index(::openat(cur.fd, options.index.c_str(),
                      O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (index.fd < 0 || ::fstat(index.fd, &out.st) != 0) {
      out.status = 404;
      return out;
    }
    cur = std::move(index);
    out.name = options.index;
  }
  if (!S_ISREG(out.st.st_mode)) {
    out.status = 404;  // devices, FIFOs, sockets are never served
    return out;
  }
  if (if_modified_since.has_value() &&
      static_cast<int64_t>(out.st.st_mtime) <= *if_modified_since) {
    out.status = 304;
    return out;
  }
  const uint64_t size = static_cast<uint64_t>(out.st.st_size);
  out.range = {0, size};
  if (!range_header.empty()) {
    switch (ParseRange(range_header, size, &out.range)) {
      case RangeResult::kNone:
        out.range = {0, size};
        break;
      case RangeResult::kOk:
        out.ranged = true;
        out.status = 206;
        break;
      case RangeResult::kUnsatisfiable:
        out.status = 416;
        return out;
    }
  }
  if (!head && out.range.length <= options.max_inline_bytes) {
    out.content.resize(out.range.length);
    size_t done = 0;
    while (done < out.content.size()) {
      const ssize_t n =
          ::pread(cur.fd, out.content.data() + done, out.content.size() - done,
                  static_cast<off_t>(out.range.first + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        out.status = 500;
        return out;
      }
      done += static_cast<size_t>(n);
    }
    out.inline_read = true;
    return out;
  }
  out.fd = std::move(cur);
  return out;
}

Response NotFound() { return Response::Text(404, "Not Found\n"); }

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string ext = absl::AsciiStrToLower(absl::string_view(
      file_name.data() + dot + 1, file_name.size() - dot - 1));
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"wasm", "application/wasm"},
      {"pdf", "application/pdf"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},
      {"wav", "audio/wav"},
  };
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

absl::StatusOr<Handler> StaticFilesHandler(const std::string& root,
                                           StaticFilesOptions options) {
  const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return absl::ErrnoToStatus(
        err, absl::StrCat("static files root ", root, " cannot be opened"));
  }
  auto dir = std::make_shared<const RootDir>(fd);
  auto opts = std::make_shared<const StaticFilesOptions>(std::move(options));
  return Handler([dir, opts](RequestContext& ctx) -> Response {
    const Request& r = ctx.request;
    const bool head = r.method == "HEAD";
    if (r.method != "GET" && !head) {
      return Response::Text(405, "Method Not Allowed\n")
          .AddHeader("Allow", "GET, HEAD");
    }
    std::string_view raw = r.path;
    for (const auto& [name, value] : ctx.params) {
      if (name == "path") raw = value;
    }
    std::optional<std::string> decoded = DecodePath(raw);
    if (!decoded.has_value()) return NotFound();
    std::optional<std::vector<std::string>> segments = SplitSafe(*decoded);
    if (!segments.has_value()) return NotFound();
    std::optional<int64_t> ims;
    if (auto v = r.FindHeader("If-Modified-Since"); v.has_value()) {
      ims = ParseHttpDate(*v);
    }
    std::string range_header;
    if (auto v = r.FindHeader("Range"); v.has_value()) range_header = *v;
    Lookup found = SpawnBlocking([&] {
      return Resolve(*dir, *segments, *opts, head, ims, range_header);
    });
    if (found.status == 404) return NotFound();
    if (found.status == 403) return Response::Text(403, "Forbidden\n");
    if (found.status == 500) {
      return Response::Text(500, "Internal Server Error\n");
    }
    const uint64_t size = static_cast<uint64_t>(found.st.st_size);
    const std::string last_modified =
        FormatHttpDate(static_cast<int64_t>(found.st.st_mtime));
    if (found.status == 416) {
      return Response::Text(416, "Range Not Satisfiable\n")
          .AddHeader("Content-Range", absl::StrCat("bytes */", size));
    }
    Response response;
    response.status = found.status;
    response.headers.reserve(5);
    if (found.status != 304) {
      response.AddHeader("Content-Type",
                         std::string(ContentTypeFor(found.name)));
    }
    response.AddHeader("Last-Modified", last_modified);
    response.AddHeader("Accept-Ranges", "bytes");
    if (!opts->cache_control.empty()) {
      response.AddHeader("Cache-Control", opts->cache_control);
    }
    if (found.status == 304) return response;
    if (found.ranged) {
      response.AddHeader(
          "Content-Range",
          absl::StrCat("bytes ", found.range.first, "-",
                       found.range.first + found.range.length - 1, "/", size));
    }
    if (found.inline_read) {
      response.body = std::move(found.content);
    } else {
      response.file = std::make_shared<const FileBody>(
          found.fd.release(), found.range.first, found.range.length);
    }
    return response;
  });
}

}  // namespace colony::http
