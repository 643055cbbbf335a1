// Copyright 2026 The Colony Authors.

#include "fuzz/resp_command_check.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "kv/resp/pipeline_scan.h"

namespace colony::kv::fuzz {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "resp_command_check: %s\n", what);
  std::abort();
}

void Require(bool ok, const char* what) {
  if (!ok) Die(what);
}

[[noreturn]] void DieDiffering(const char* what, const std::string& a,
                               const std::string& b) {
  std::fprintf(stderr, "resp_command_check: %s\n--- one:\n%s--- other:\n%s",
               what, a.c_str(), b.c_str());
  std::abort();
}

// Appends bytes with anything unprintable escaped, so transcripts compare
// and print as text.
void AppendEscaped(std::string* out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : bytes) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7f && u != '\\') {
      out->push_back(c);
    } else {
      out->append("\\x");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    }
  }
}

// The transcript line of one command: its length in bytes, then each
// argument.
template <typename Args>
void AppendCommand(std::string* out, size_t consumed, const Args& args) {
  *out += "C " + std::to_string(consumed);
  for (const auto& arg : args) {
    out->push_back(' ');
    out->push_back('[');
    AppendEscaped(out, std::string_view(arg.data(), arg.size()));
    out->push_back(']');
  }
  out->push_back('\n');
}

void AppendError(std::string* out, std::string_view error) {
  out->append("E ");
  AppendEscaped(out, error);
  out->push_back('\n');
}

// Whether [p, p + n) overlaps [begin, end), compared as addresses.
bool Overlaps(const char* p, size_t n, const char* begin, const char* end) {
  if (n == 0) return false;
  std::less<const char*> less;
  return less(p, end) && less(begin, p + n);
}

bool Within(const char* p, size_t n, const char* begin, const char* end) {
  std::less_equal<const char*> le;
  return le(begin, p) && le(p + n, end);
}

// --- The reference model -------------------------------------------------
//
// A reading of the whole input at once, written the way Redis' C code
// reads its query buffer rather than the way the parser does: lines are
// found with strchr() on a NUL-terminated copy (so a NUL hides a line's
// end), and inline arguments are split by walking a C string with
// look-ahead through the terminating NUL. A line whose end lies more than
// max_inline_len bytes on is too big, as it is for Redis when the bytes
// trickle in.

// Redis' integer syntax: optional '-', then "0" (alone, unsigned) or a
// digit 1-9 and more digits; 20 characters at most; within long long.
bool ReferenceInteger(const char* s, size_t n, long long* value) {
  if (n == 0 || n > 20) return false;
  const bool negative = s[0] == '-';
  const char* digits = s + (negative ? 1 : 0);
  const size_t count = n - (negative ? 1 : 0);
  if (count == 0) return false;
  for (size_t i = 0; i < count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(digits[i]))) return false;
  }
  if (digits[0] == '0' && (count > 1 || negative)) return false;
  const auto [end, error] = std::from_chars(s, s + n, *value);
  return error == std::errc() && end == s + n;
}

bool IsCSpace(char c) { return std::isspace(static_cast<unsigned char>(c)); }

char Unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

int Hex(char c) {
  char text[2] = {c, '\0'};
  return static_cast<int>(std::strtol(text, nullptr, 16));
}

// Splits a NUL-terminated inline line. False on unbalanced quotes.
bool ReferenceSplit(const char* p, std::vector<std::string>* args) {
  for (;;) {
    while (*p != '\0' && IsCSpace(*p)) ++p;
    if (*p == '\0') return true;
    std::string arg;
    char quote = 0;  // '"', '\'' or none
    for (bool done = false; !done;) {
      if (quote == '"') {
        if (p[0] == '\\' && p[1] == 'x' &&
            std::isxdigit(static_cast<unsigned char>(p[2])) &&
            std::isxdigit(static_cast<unsigned char>(p[3]))) {
          arg.push_back(static_cast<char>(Hex(p[2]) << 4 | Hex(p[3])));
          p += 3;
        } else if (p[0] == '\\' && p[1] != '\0') {
          arg.push_back(Unescape(*++p));
        } else if (*p == '"') {
          if (p[1] != '\0' && !IsCSpace(p[1])) return false;
          done = true;
        } else if (*p == '\0') {
          return false;
        } else {
          arg.push_back(*p);
        }
      } else if (quote == '\'') {
        if (p[0] == '\\' && p[1] == '\'') {
          arg.push_back(*++p);
        } else if (*p == '\'') {
          if (p[1] != '\0' && !IsCSpace(p[1])) return false;
          done = true;
        } else if (*p == '\0') {
          return false;
        } else {
          arg.push_back(*p);
        }
      } else if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\r' ||
                 *p == '\n') {
        done = true;
      } else if (*p == '"' || *p == '\'') {
        quote = *p;
      } else {
        arg.push_back(*p);
      }
      if (*p != '\0') ++p;
    }
    args->push_back(std::move(arg));
  }
}

}  // namespace

RespLimits TinyLimits() {
  RespLimits limits;
  limits.max_bulk_len = 8;
  limits.max_multibulk_len = 4;
  limits.max_inline_len = 12;
  return limits;
}

std::string ReferenceTranscript(std::string_view input,
                                const RespLimits& limits, bool authenticated) {
  const std::string buffer(input);
  const char* const base = buffer.c_str();
  const size_t size = buffer.size();
  const size_t max_line = limits.max_inline_len;
  std::string out;

  enum class Found { kYes, kWait, kTooBig };
  // The end of the line starting at `from`.
  const auto find = [&](size_t from, char c, size_t* at) {
    const char* p = std::strchr(base + from, c);
    if (p == nullptr || static_cast<size_t>(p - base) - from > max_line) {
      return size - from > max_line ? Found::kTooBig : Found::kWait;
    }
    *at = p - base;
    return Found::kYes;
  };
  const auto fail = [&](std::string_view error) {
    AppendError(&out, error);
    return out;
  };

  size_t pos = 0;
  while (pos < size) {
    std::vector<std::string> args;
    size_t at;
    if (base[pos] != '*') {
      const Found found = find(pos, '\n', &at);
      if (found == Found::kTooBig) {
        return fail("Protocol error: too big inline request");
      }
      if (found == Found::kWait) break;
      size_t line_end = at;
      if (line_end > pos && base[line_end - 1] == '\r') --line_end;
      const std::string line(base + pos, line_end - pos);
      if (!ReferenceSplit(line.c_str(), &args)) {
        return fail("Protocol error: unbalanced quotes in request");
      }
      AppendCommand(&out, at + 1 - pos, args);
      pos = at + 1;
      continue;
    }

    const Found found = find(pos, '\r', &at);
    if (found == Found::kTooBig) {
      return fail("Protocol error: too big mbulk count string");
    }
    if (found == Found::kWait || at + 2 > size) break;
    long long count;
    if (!ReferenceInteger(base + pos + 1, at - pos - 1, &count) ||
        count > limits.max_multibulk_len) {
      return fail("Protocol error: invalid multibulk length");
    }
    if (count > 10 && !authenticated) {
      return fail("Protocol error: unauthenticated multibulk length");
    }
    size_t p = at + 2;
    bool whole = true;
    for (long long i = 0; i < count && whole; ++i) {
      const Found header = find(p, '\r', &at);
      if (header == Found::kTooBig) {
        return fail("Protocol error: too big bulk count string");
      }
      if (header == Found::kWait || at + 2 > size) {
        whole = false;
        break;
      }
      if (base[p] != '$') {
        std::string error = "Protocol error: expected '$', got '";
        error.push_back(base[p] == '\r' || base[p] == '\n' ? ' ' : base[p]);
        error.push_back('\'');
        return fail(error);
      }
      long long len;
      if (!ReferenceInteger(base + p + 1, at - p - 1, &len) || len < 0 ||
          len > limits.max_bulk_len) {
        return fail("Protocol error: invalid bulk length");
      }
      if (len > 16384 && !authenticated) {
        return fail("Protocol error: unauthenticated bulk length");
      }
      p = at + 2;
      if (size - p < static_cast<unsigned long long>(len) + 2) {
        whole = false;
        break;
      }
      args.emplace_back(base + p, len);
      p += len + 2;
    }
    if (!whole) break;
    AppendCommand(&out, p - pos, args);
    pos = p;
  }
  out += "N " + std::to_string(size - pos) + "\n";
  return out;
}

std::string Transcript(std::string_view input, std::span<const size_t> cuts,
                       const RespLimits& limits, bool authenticated) {
  RespParser parser(limits);
  parser.set_authenticated(authenticated);
  std::string out;
  std::string pending;
  size_t calls = 0;
  const size_t max_calls = 2 * (input.size() + cuts.size()) + 16;
  size_t from = 0;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    const size_t to = i < cuts.size() ? cuts[i] : input.size();
    Require(from <= to && to <= input.size(), "cuts out of order");
    pending.append(input.substr(from, to - from));
    from = to;
    for (;;) {
      Require(++calls <= max_calls, "parser makes no progress");
      // An exact-size copy at a new address, freed before the next call:
      // reads past its end, or through a pointer kept from an earlier
      // call, are caught by AddressSanitizer.
      auto copy = std::make_unique<char[]>(pending.size());
      pending.copy(copy.get(), pending.size());
      const absl::string_view view(copy.get(), pending.size());
      const char* const begin = view.data();
      const RespParser::Result r = parser.Parse(view);
      if (r == RespParser::Result::kNeedMore) {
        Require(parser.consumed() == 0, "kNeedMore consumed bytes");
        Require(parser.args().empty(), "kNeedMore with arguments");
        Require(parser.error().empty(), "kNeedMore with an error");
        Require(parser.needed() == 0 || parser.needed() > view.size(),
                "needed() within the input it was given");
        break;
      }
      if (r == RespParser::Result::kError) {
        const absl::string_view error = parser.error();
        Require(error.substr(0, 16) == "Protocol error: ",
                "an error that is not a protocol error");
        Require(error.find_first_of("\r\n") == absl::string_view::npos,
                "CR or LF in an error");
        Require(parser.args().empty() && parser.consumed() == 0,
                "an error with a command");
        const std::string first(error.data(), error.size());
        Require(parser.Parse(view) == RespParser::Result::kError &&
                    parser.error() == first,
                "an error is not sticky");
        AppendError(&out, std::string_view(first));
        return out;
      }
      const size_t consumed = parser.consumed();
      Require(consumed > 0 && consumed <= view.size(),
              "a command of a bad length");
      Require(parser.error().empty(), "a command with an error");
      Require(parser.needed() == 0, "a command with needed()");
      for (const absl::string_view arg : parser.args()) {
        // Multibulk arguments lie inside the command; inline ones in the
        // parser's own storage, apart from the input.
        Require(
            Within(arg.data(), arg.size(), begin, begin + consumed) ||
                !Overlaps(arg.data(), arg.size(), begin, begin + view.size()),
            "an argument straddles the command");
      }
      AppendCommand(&out, consumed, parser.args());
      pending.erase(0, consumed);
    }
  }
  out += "N " + std::to_string(pending.size()) + "\n";
  return out;
}

void CheckRespParser(const uint8_t* data, size_t size) {
  if (size < 3) return;
  const uint8_t flags = data[0];
  const size_t split_seed = static_cast<size_t>(data[1]) << 8 | data[2];
  const std::string_view input(reinterpret_cast<const char*>(data + 3),
                               size - 3);
  const RespLimits limits = (flags & 1) != 0 ? TinyLimits() : RespLimits();
  const bool authenticated = (flags & 2) == 0;

  const std::string whole = Transcript(input, {}, limits, authenticated);
  const std::string reference =
      ReferenceTranscript(input, limits, authenticated);
  if (whole != reference) {
    DieDiffering("parser and reference model differ", whole, reference);
  }
  const size_t split[] = {split_seed % (input.size() + 1)};
  const std::string halves = Transcript(input, split, limits, authenticated);
  if (halves != whole) {
    DieDiffering("whole and split transcripts differ", whole, halves);
  }
  if ((flags & 3) == 0) {
    // The look ahead (kv/resp/pipeline_scan.h) never shows a command the
    // parser does not return in the same place with the same arguments.
    std::string scanned;
    ScanPipeline(absl::string_view(input.data(), input.size()),
                 std::numeric_limits<int>::max(),
                 [&](absl::Span<const absl::string_view> args, size_t length) {
                   AppendCommand(&scanned, length, args);
                   return true;
                 });
    if (whole.compare(0, scanned.size(), scanned) != 0) {
      DieDiffering("pipeline scan is not a prefix of the parser's commands",
                   whole, scanned);
    }
  }
  if (input.size() <= 256) {
    std::vector<size_t> every(input.size());
    for (size_t i = 0; i < every.size(); ++i) every[i] = i;
    const std::string bytes = Transcript(input, every, limits, authenticated);
    if (bytes != whole) {
      DieDiffering("whole and byte-by-byte transcripts differ", whole, bytes);
    }
  }
}

}  // namespace colony::kv::fuzz
