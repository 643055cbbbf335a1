// Copyright 2026 The Colony Authors.
//
// The hellos, the echo and JSON string escaping; static files are in
// static_files.cc.

#include "http/handlers.h"

#include <cstdint>
#include <string>

namespace colony::http {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF.
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void AppendHeaderPair(const Header& h, std::string& out) {
  out.push_back('[');
  JsonEscape(h.name, out);
  out.push_back(',');
  JsonEscape(h.value, out);
  out.push_back(']');
}

}  // namespace

void JsonEscape(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool utf8 = IsValidUtf8(s);
  out.push_back('"');
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8)) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

Handler PlaintextHandler() {
  return [](RequestContext&) {
    return Response::Text(200, std::string(kHelloText));
  };
}

Handler JsonHandler() {
  return [](RequestContext&) {
    return Response::Json(200, std::string(kHelloJson));
  };
}

Handler EchoHandler() {
  return [](RequestContext& ctx) {
    const Request& r = ctx.request;
    std::string out;
    out.reserve(256 + ctx.body.size());
    out.append("{\"method\":");
    JsonEscape(r.method, out);
    out.append(",\"target\":");
    JsonEscape(r.target, out);
    out.append(",\"path\":");
    JsonEscape(r.path, out);
    out.append(",\"query\":");
    JsonEscape(r.query, out);
    out.append(",\"version\":");
    out.append(r.version == Version::kHttp10 ? "\"HTTP/1.0\"" : "\"HTTP/1.1\"");
    out.append(",\"headers\":[");
    for (size_t i = 0; i < r.headers.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendHeaderPair(r.headers[i], out);
    }
    out.append("],\"body\":");
    JsonEscape(ctx.body, out);
    out.append("}\n");
    return Response::Json(200, std::move(out));
  };
}

}  // namespace colony::http
