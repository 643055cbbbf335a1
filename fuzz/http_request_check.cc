// Copyright 2026 The Colony Authors.

#include "fuzz/http_request_check.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace colony::http::fuzz {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "http_request_check: %s\n", what);
  std::abort();
}

void Require(bool ok, const char* what) {
  if (!ok) Die(what);
}

// Appends bytes with anything unprintable escaped, so transcripts compare
// and print as text.
void AppendEscaped(std::string* out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : bytes) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && u != '\\') {
      out->push_back(c);
    } else {
      out->append("\\x");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    }
  }
}

std::string DescribeRequest(const Request& r) {
  std::string out = "H ";
  AppendEscaped(&out, r.method);
  out += " target=";
  AppendEscaped(&out, r.target);
  out += " form=" + std::to_string(static_cast<int>(r.target_form));
  out += " path=";
  AppendEscaped(&out, r.path);
  out += " query=";
  AppendEscaped(&out, r.query);
  out += r.version == Version::kHttp10 ? " 1.0" : " 1.1";
  out += " framing=" + std::to_string(static_cast<int>(r.body_framing));
  out += " length=" + std::to_string(r.content_length);
  out += r.keep_alive ? " keep-alive" : " close";
  out += r.expect_continue ? " expect-continue\n" : "\n";
  for (const Header& h : r.headers) {
    out += "  ";
    AppendEscaped(&out, h.name);
    out += ": ";
    AppendEscaped(&out, h.value);
    out += "\n";
  }
  return out;
}

}  // namespace

ParserOptions TinyOptions() {
  ParserOptions options;
  options.max_request_line_bytes = 24;
  options.max_header_section_bytes = 64;
  options.max_headers = 3;
  options.max_body_bytes = 40;
  options.max_chunk_line_bytes = 12;
  return options;
}

std::string Transcript(std::string_view input, std::span<const size_t> cuts,
                       const ParserOptions& options, bool pin) {
  RequestParser parser(options);
  std::string out;
  std::string body;
  std::string head;  // the request as read at kHeadersComplete
  std::string pending;
  size_t calls = 0;
  const size_t max_calls = 4 * (input.size() + cuts.size()) + 16;
  size_t from = 0;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    const size_t to = i < cuts.size() ? cuts[i] : input.size();
    Require(from <= to && to <= input.size(), "cuts out of order");
    pending.append(input.substr(from, to - from));
    from = to;
    for (;;) {
      Require(++calls <= max_calls, "parser makes no progress");
      // An exact-size copy, freed before the next call: reads past its end,
      // or through a view kept after it, are caught by AddressSanitizer.
      auto copy = std::make_unique<char[]>(pending.size());
      pending.copy(copy.get(), pending.size());
      const std::string_view view(copy.get(), pending.size());
      const ParseResult r = parser.Parse(view);
      Require(r.consumed <= view.size(), "consumed more than the input");
      switch (r.event) {
        case ParseEvent::kNeedMore:
          Require(r.consumed == view.size(), "kNeedMore left bytes");
          break;
        case ParseEvent::kHeadersComplete:
          Require(r.consumed > 0, "an empty head");
          head = DescribeRequest(parser.request());
          out += head;
          if (pin) parser.PinHead();
          break;
        case ParseEvent::kBodyData:
          Require(!r.body.empty(), "empty body data");
          Require(r.body.data() >= view.data() &&
                      r.body.data() + r.body.size() == view.data() + r.consumed,
                  "body data outside the consumed input");
          body.append(r.body);
          break;
        case ParseEvent::kMessageComplete:
          if (pin) {
            Require(DescribeRequest(parser.request()) == head,
                    "a pinned request changed");
          }
          out += "B ";
          AppendEscaped(&out, body);
          out += "\nC\n";
          body.clear();
          break;
        case ParseEvent::kError:
          Require(r.consumed == 0, "an error consumed bytes");
          Require(r.http_status >= 400 && !r.status.ok(), "a bad error");
          Require(parser.Parse(view).event == ParseEvent::kError,
                  "an error is not sticky");
          out += "E " + std::to_string(r.http_status) + " ";
          out += std::string(r.status.message());
          out += "\n";
          return out;
      }
      pending.erase(0, r.consumed);
      if (r.event == ParseEvent::kNeedMore) break;
    }
  }
  if (!body.empty()) {
    out += "b ";
    AppendEscaped(&out, body);
    out += "\n";
  }
  out += "N\n";
  return out;
}

void CheckRequestParser(const uint8_t* data, size_t size) {
  if (size < 3) return;
  const uint8_t flags = data[0];
  const size_t split_seed = static_cast<size_t>(data[1]) << 8 | data[2];
  const std::string_view input(reinterpret_cast<const char*>(data + 3),
                               size - 3);
  const ParserOptions options =
      (flags & 1) != 0 ? TinyOptions() : ParserOptions();
  const bool pin = (flags & 2) != 0;

  const std::string whole = Transcript(input, {}, options, pin);
  const size_t split[] = {split_seed % (input.size() + 1)};
  if (Transcript(input, split, options, pin) != whole) {
    Die("whole and split transcripts differ");
  }
  if (input.size() <= 256) {
    std::vector<size_t> every(input.size());
    for (size_t i = 0; i < every.size(); ++i) every[i] = i;
    if (Transcript(input, every, options, !pin) != whole) {
      Die("whole and byte-by-byte transcripts differ");
    }
  }
}

}  // namespace colony::http::fuzz
