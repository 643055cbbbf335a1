// Copyright 2026 The Colony Authors.

#include "kv/resp/parser.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"

namespace colony::kv {
namespace {

constexpr absl::string_view kInvalidMultibulkLength =
    "Protocol error: invalid multibulk length";
constexpr absl::string_view kInvalidBulkLength =
    "Protocol error: invalid bulk length";
constexpr absl::string_view kUnauthenticatedMultibulkLength =
    "Protocol error: unauthenticated multibulk length";
constexpr absl::string_view kUnauthenticatedBulkLength =
    "Protocol error: unauthenticated bulk length";
constexpr absl::string_view kTooBigInline =
    "Protocol error: too big inline request";
constexpr absl::string_view kTooBigCount =
    "Protocol error: too big mbulk count string";
constexpr absl::string_view kTooBigBulkCount =
    "Protocol error: too big bulk count string";
constexpr absl::string_view kUnbalancedQuotes =
    "Protocol error: unbalanced quotes in request";

// Past these capacities the argument vectors and the inline buffer are
// freed between commands rather than kept for the next one.
constexpr size_t kRetainedArgs = 1024;
constexpr size_t kRetainedInlineBytes = 4096;

// Line ends are looked for byte by byte over the first few bytes (count
// and bulk header lines are short), then with memchr().
constexpr size_t kShortLine = 16;

// ParseLength() reads a decimal integer the way Redis' string2ll() does:
// an optional '-', no '+', no leading zeros ("0" alone is fine, "-0" is
// not), at most 20 characters, within int64_t.
bool ParseLength(absl::string_view s, int64_t* value) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() == 1 && s[0] == '0') {
    *value = 0;
    return true;
  }
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative && ++i == s.size()) return false;
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const unsigned digit = static_cast<unsigned char>(s[i]) - '0';
    if (digit > 9) return false;
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
  }
  constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;
  if (negative) {
    if (v > kMaxMagnitude) return false;
    *value = static_cast<int64_t>(0 - v);  // modular: -2^63 included
  } else {
    if (v >= kMaxMagnitude) return false;
    *value = static_cast<int64_t>(v);
  }
  return true;
}

// QuickHeaderLine() reads a count or bulk header line starting at `start`
// (its '*' or '$') the quick way, for the lengths clients send: 1 to 18
// digits without a leading zero, or a lone zero, then '\r' and one more
// byte, within `max_line`. Returns the offset past the line with *value
// set, or 0 for the careful way to decide.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline size_t QuickHeaderLine(
    absl::string_view input, size_t start, size_t max_line, int64_t* value) {
  const char* const data = input.data();
  const size_t size = input.size();
  size_t i = start + 1;
  if (i >= size) return 0;
  unsigned digit = static_cast<unsigned char>(data[i]) - '0';
  if (digit > 9) return 0;
  uint64_t v = digit;
  ++i;
  if (digit != 0) {
    const size_t stop = std::min(size, start + 19);
    while (i < stop &&
           (digit = static_cast<unsigned char>(data[i]) - '0') <= 9) {
      v = v * 10 + digit;
      ++i;
    }
  }
  if (i + 1 >= size || data[i] != '\r' || i - start > max_line) return 0;
  *value = static_cast<int64_t>(v);
  return i + 2;
}

// White space as C's isspace() in the "C" locale: what inline splitting
// skips between arguments and accepts after a closing quote.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

// Ends an unquoted argument (vertical tab and form feed do not).
bool EndsWord(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// SplitInline() splits an inline line (no '\n', no NUL) into arguments,
// appending their unescaped bytes to `out` and where each lies to `pieces`.
// Returns false on unbalanced quotes.
template <typename PieceVector>
bool SplitInline(absl::string_view line, std::string* out,
                 PieceVector* pieces) {
  const size_t n = line.size();
  size_t i = 0;
  for (;;) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i == n) return true;
    const size_t begin = out->size();
    enum class Quote { kNone, kDouble, kSingle } quote = Quote::kNone;
    bool done = false;
    while (!done) {
      switch (quote) {
        case Quote::kNone:
          if (i == n) {
            done = true;
          } else if (EndsWord(line[i])) {
            done = true;
            ++i;
          } else if (line[i] == '"') {
            quote = Quote::kDouble;
            ++i;
          } else if (line[i] == '\'') {
            quote = Quote::kSingle;
            ++i;
          } else {
            out->push_back(line[i++]);
          }
          break;
        case Quote::kDouble:
          if (i == n) return false;
          if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' &&
              HexValue(line[i + 2]) >= 0 && HexValue(line[i + 3]) >= 0) {
            out->push_back(static_cast<char>(HexValue(line[i + 2]) * 16 +
                                             HexValue(line[i + 3])));
            i += 4;
          } else if (line[i] == '\\' && i + 1 < n) {
            char c = line[i + 1];
            switch (c) {
              case 'n':
                c = '\n';
                break;
              case 'r':
                c = '\r';
                break;
              case 't':
                c = '\t';
                break;
              case 'b':
                c = '\b';
                break;
              case 'a':
                c = '\a';
                break;
              default:
                break;
            }
            out->push_back(c);
            i += 2;
          } else if (line[i] == '"') {
            if (i + 1 < n && !IsSpace(line[i + 1])) return false;
            done = true;
            ++i;
          } else {
            // Includes a '\\' that ends the line: the quote is then
            // unterminated, found on the next round.
            out->push_back(line[i++]);
          }
          break;
        case Quote::kSingle:
          if (i == n) return false;
          if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
            out->push_back('\'');
            i += 2;
          } else if (line[i] == '\'') {
            if (i + 1 < n && !IsSpace(line[i + 1])) return false;
            done = true;
            ++i;
          } else {
            out->push_back(line[i++]);
          }
          break;
      }
    }
    pieces->push_back({begin, out->size() - begin});
  }
}

}  // namespace

RespParser::RespParser(RespLimits limits) : limits_(limits) {}

RespParser::Result RespParser::Parse(absl::string_view input) {
  switch (state_) {
    case State::kError:
      return Result::kError;
    case State::kDone:
      StartCommand();
      [[fallthrough]];
    case State::kIdle:
      if (input.empty()) return NeedMore(0);
      state_ = input[0] == '*' ? State::kCount : State::kInline;
      break;
    case State::kInline:
    case State::kCount:
    case State::kBulks:
      if (ABSL_PREDICT_FALSE(input.size() < pos_ || input.size() < scanned_)) {
        std::fprintf(stderr,
                     "RespParser: Parse() was given fewer bytes than the "
                     "last call that returned kNeedMore\n");
        std::abort();
      }
      break;
  }
  switch (state_) {
    case State::kInline:
      return ParseInline(input);
    case State::kCount:
      return ParseCount(input);
    default:
      return ParseBulks(input);
  }
}

void RespParser::StartCommand() {
  state_ = State::kIdle;
  pos_ = 0;
  scanned_ = 0;
  bulks_left_ = 0;
  bulk_len_ = -1;
  consumed_ = 0;
  needed_ = 0;
  if (ABSL_PREDICT_FALSE(args_.capacity() > kRetainedArgs)) {
    std::vector<Piece>().swap(pieces_);
    std::vector<absl::string_view>().swap(args_);
  } else {
    pieces_.clear();
    args_.clear();
  }
  if (ABSL_PREDICT_FALSE(inline_.capacity() > kRetainedInlineBytes)) {
    std::string().swap(inline_);
  } else {
    inline_.clear();
  }
}

RespParser::Line RespParser::FindLineEnd(absl::string_view input, size_t start,
                                         char terminator, size_t* end) {
  const size_t max_len = limits_.max_inline_len;
  // The terminator may sit at most max_len bytes after the line's start.
  const size_t limit =
      input.size() - start > max_len ? start + max_len + 1 : input.size();
  const char* const data = input.data();
  size_t i = std::max(scanned_, start);
  const size_t short_limit = std::min(limit, start + kShortLine);
  for (; i < short_limit; ++i) {
    if (data[i] == terminator) {
      scanned_ = *end = i;
      return Line::kFound;
    }
    if (data[i] == '\0') break;
  }
  if (i >= short_limit && i < limit) {
    const void* found = std::memchr(data + i, terminator, limit - i);
    const size_t stop =
        found != nullptr ? static_cast<const char*>(found) - data : limit;
    const void* nul = std::memchr(data + i, '\0', stop - i);
    if (nul != nullptr) {
      i = static_cast<const char*>(nul) - data;
    } else if (found != nullptr) {
      scanned_ = *end = stop;
      return Line::kFound;
    } else {
      i = limit;
    }
  }
  // Either a NUL hides the end of the line (Redis looks for it with
  // strchr()), so later calls stop at the NUL again, or none of the bytes
  // so far ends the line.
  scanned_ = i;
  return input.size() - start > max_len ? Line::kTooBig : Line::kMissing;
}

RespParser::Result RespParser::ParseInline(absl::string_view input) {
  size_t end;
  switch (FindLineEnd(input, 0, '\n', &end)) {
    case Line::kMissing:
      return NeedMore(0);
    case Line::kTooBig:
      return Fail(kTooBigInline);
    case Line::kFound:
      break;
  }
  absl::string_view line = input.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Unescaping never lengthens an argument, so one reservation holds them.
  inline_.reserve(line.size());
  if (!SplitInline(line, &inline_, &pieces_)) return Fail(kUnbalancedQuotes);
  PointArgsInto(inline_);
  return Complete(end + 1);
}

RespParser::Line RespParser::ReadHeaderLine(absl::string_view input,
                                            size_t start, size_t* next,
                                            int64_t* value, bool* valid) {
  size_t end;
  const Line line = FindLineEnd(input, start, '\r', &end);
  if (line != Line::kFound) return line;
  // Like Redis, the byte after '\r' is taken for '\n' without a look.
  if (input.size() - end < 2) return Line::kMissing;
  *next = end + 2;
  *valid = ParseLength(input.substr(start + 1, end - start - 1), value);
  return Line::kFound;
}

RespParser::Result RespParser::ParseCount(absl::string_view input) {
  int64_t count = 0;
  size_t next = QuickHeaderLine(input, 0, limits_.max_inline_len, &count);
  if (next == 0) {
    bool valid = false;
    switch (ReadHeaderLine(input, 0, &next, &count, &valid)) {
      case Line::kMissing:
        return NeedMore(0);
      case Line::kTooBig:
        return Fail(kTooBigCount);
      case Line::kFound:
        break;
    }
    if (!valid) return Fail(kInvalidMultibulkLength);
  }
  if (count > limits_.max_multibulk_len) return Fail(kInvalidMultibulkLength);
  if (count > kUnauthenticatedMaxMultibulkLen && !authenticated_) {
    return Fail(kUnauthenticatedMultibulkLength);
  }
  pos_ = next;
  if (count <= 0) return Complete(pos_);
  bulks_left_ = count;
  state_ = State::kBulks;
  return ParseBulks(input);
}

RespParser::Result RespParser::ParseBulks(absl::string_view input) {
  const char* const data = input.data();
  while (bulks_left_ > 0) {
    if (bulk_len_ < 0) {
      int64_t len = 0;
      size_t next =
          pos_ < input.size() && data[pos_] == '$'
              ? QuickHeaderLine(input, pos_, limits_.max_inline_len, &len)
              : 0;
      if (next == 0) {
        bool valid = false;
        switch (ReadHeaderLine(input, pos_, &next, &len, &valid)) {
          case Line::kMissing:
            return SaveAndNeedMore(input, 0);
          case Line::kTooBig:
            return Fail(kTooBigBulkCount);
          case Line::kFound:
            break;
        }
        if (data[pos_] != '$') return FailExpectedDollar(data[pos_]);
        if (!valid || len < 0) return Fail(kInvalidBulkLength);
      }
      if (len > limits_.max_bulk_len) return Fail(kInvalidBulkLength);
      if (len > kUnauthenticatedMaxBulkLen && !authenticated_) {
        return Fail(kUnauthenticatedBulkLength);
      }
      pos_ = next;
      bulk_len_ = len;
    }
    // The bulk and the two bytes after it, taken for "\r\n" unchecked.
    const uint64_t with_crlf = static_cast<uint64_t>(bulk_len_) + 2;
    if (input.size() - pos_ < with_crlf) {
      return SaveAndNeedMore(input, pos_ + with_crlf);
    }
    args_.emplace_back(data + pos_, static_cast<size_t>(bulk_len_));
    pos_ += with_crlf;
    bulk_len_ = -1;
    --bulks_left_;
  }
  if (ABSL_PREDICT_FALSE(!pieces_.empty())) PointArgsInto(input);
  return Complete(pos_);
}

void RespParser::PointArgsInto(absl::string_view base) {
  if (args_.size() < pieces_.size()) args_.resize(pieces_.size());
  for (size_t i = 0; i < pieces_.size(); ++i) {
    args_[i] =
        absl::string_view(base.data() + pieces_[i].offset, pieces_[i].length);
  }
}

RespParser::Result RespParser::Complete(size_t consumed) {
  state_ = State::kDone;
  consumed_ = consumed;
  needed_ = 0;
  return Result::kCommand;
}

RespParser::Result RespParser::NeedMore(size_t needed) {
  needed_ = needed;
  return Result::kNeedMore;
}

RespParser::Result RespParser::SaveAndNeedMore(absl::string_view input,
                                               size_t needed) {
  // The arguments read by this call become offsets: the next call may see
  // the bytes at another address.
  for (size_t i = pieces_.size(); i < args_.size(); ++i) {
    pieces_.push_back(
        {static_cast<size_t>(args_[i].data() - input.data()), args_[i].size()});
  }
  return NeedMore(needed);
}

RespParser::Result RespParser::FailExpectedDollar(char got) {
  // Redis quotes the byte, with CR and LF turned into spaces.
  if (got == '\r' || got == '\n') got = ' ';
  error_.assign("Protocol error: expected '$', got '");
  error_.push_back(got);
  error_.push_back('\'');
  return Fail(error_);
}

RespParser::Result RespParser::Fail(absl::string_view message) {
  if (message.data() != error_.data())
    error_.assign(message.data(), message.size());
  state_ = State::kError;
  consumed_ = 0;
  needed_ = 0;
  return Result::kError;
}

}  // namespace colony::kv
