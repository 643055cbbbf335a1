// Copyright 2026 The Colony Authors.

#include "http/internal/response_head.h"

#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "http/http_date.h"

namespace colony::http::http_internal {
namespace {

void AppendNumber(uint64_t n, std::string& out) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  out.append(buf, end);
}

void AppendStatusLine(int status, std::string& out) {
  switch (status) {
    case 200:
      out.append("HTTP/1.1 200 OK\r\n");
      return;
    case 404:
      out.append("HTTP/1.1 404 Not Found\r\n");
      return;
    default:
      break;
  }
  out.append("HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(status), out);
  out.push_back(' ');
  out.append(ReasonPhrase(status));
  out.append("\r\n");
}

}  // namespace

bool WantsClose(const Response& response) {
  if (response.close) return true;
  for (const auto& [name, value] : response.headers) {
    if (!absl::EqualsIgnoreCase(name, "connection")) continue;
    for (absl::string_view token : absl::StrSplit(value, ',')) {
      if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(token), "close")) {
        return true;
      }
    }
  }
  return false;
}

void AppendResponseHead(const Response& response, const HeadSpec& spec,
                        std::string& out) {
  AppendStatusLine(response.status, out);
  bool has_date = false;
  bool has_server = false;
  for (const auto& [name, value] : response.headers) {
    // The server owns the framing and the connection's fate.
    if (absl::EqualsIgnoreCase(name, "content-length") ||
        absl::EqualsIgnoreCase(name, "transfer-encoding") ||
        absl::EqualsIgnoreCase(name, "connection")) {
      continue;
    }
    if (name.size() == 4 && absl::EqualsIgnoreCase(name, "date")) {
      has_date = true;
    } else if (name.size() == 6 && absl::EqualsIgnoreCase(name, "server")) {
      has_server = true;
    }
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  if (!has_server && !spec.server_line.empty()) out.append(spec.server_line);
  if (!has_date) {
    out.append("Date: ");
    out.append(CurrentHttpDate());
    out.append("\r\n");
  }
  switch (spec.framing) {
    case Framing::kLength:
      out.append("Content-Length: ");
      AppendNumber(spec.length, out);
      out.append("\r\n");
      break;
    case Framing::kChunked:
      out.append("Transfer-Encoding: chunked\r\n");
      break;
    case Framing::kClose:
    case Framing::kNone:
      break;
  }
  if (!spec.keep_alive) {
    out.append("Connection: close\r\n");
  } else if (spec.http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

}  // namespace colony::http::http_internal
