// Copyright 2026 The Colony Authors.
//
// RespParser: reads client commands in the Redis serialization protocol,
// one command per Parse() call, exactly as Redis 7.0 reads them.
//
// The parser is a pure function of the bytes it is given: no I/O, no
// buffer of the connection's bytes. The connection loop owns one read
// buffer, hands the parser its unconsumed bytes and drops the prefix that
// made up a command:
//
//   colony::kv::RespParser parser;
//   for (;;) {
//     switch (parser.Parse(buffer.Readable())) {
//       case RespParser::Result::kCommand:
//         if (!parser.args().empty()) Execute(parser.args());
//         buffer.Consume(parser.consumed());
//         break;
//       case RespParser::Result::kNeedMore:   // read more, keep the bytes
//         ReadMore(&buffer, parser.needed());
//         break;
//       case RespParser::Result::kError:      // "-ERR <error>\r\n", close
//         ReplyAndClose(parser.error());
//         return;
//     }
//   }
//
// Two request forms, chosen by the first byte of a command:
//
//  * multibulk ('*'): "*<n>\r\n" then n times "$<len>\r\n<len bytes>\r\n".
//    Bulks are binary safe. As in Redis, the byte after each '\r' that ends
//    a count line and the two bytes after each bulk are skipped unchecked,
//    and a count of zero or less is an empty command.
//  * inline (anything else): one line up to '\n' (a '\r' before it is
//    dropped), split into arguments by Redis' rules: spaces, tabs and CRs
//    separate, "double quotes" take \n \r \t \b \a \xHH and \<any> escapes,
//    'single quotes' take \', and a closing quote must be followed by
//    white space or the end of the line.
//
// A blank inline line ("\r\n", "  \n") is a command with no arguments,
// which the caller skips, as Redis does.
//
// Where Redis' outcome depends on how its reads happened to split the
// input, the parser picks the outcome Redis gives when bytes trickle in,
// so that the same bytes always give the same commands however they are
// split: a count line, bulk header line or inline line whose terminator
// lies beyond limits().max_inline_len bytes from its start is "too big",
// even when the terminator has already arrived. Like Redis, which looks
// for line ends with strchr(), a NUL byte before the end of such a line
// hides the end: the line then waits for more bytes until it is too big.
//
// Cost: a command arriving in many pieces is scanned once in all (the
// parser keeps its place between calls; a line end is looked for from
// where the last call stopped). In steady state a multibulk command
// allocates nothing: the argument vectors keep their capacity (up to a
// bound, so one huge command does not pin memory for the connection's
// life).
//
// Lifetime of views: after kCommand, args() points into the `input` of
// that call (multibulk) or into the parser (inline); either way it stays
// valid until the next Parse() call, and for multibulk only while the
// caller leaves those input bytes unchanged. Between calls the parser
// keeps offsets, never pointers, so the caller's buffer may move or grow
// while a command is incomplete.
//
// Thread-safety: none; a parser belongs to one connection. Distinct
// parsers share nothing.

#ifndef COLONY_KV_RESP_PARSER_H_
#define COLONY_KV_RESP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace colony::kv {

// The limits a parser enforces, with Redis 7.0's defaults.
struct RespLimits {
  // Longest bulk (Redis' proto-max-bulk-len); longer is "invalid bulk
  // length".
  int64_t max_bulk_len = 512LL * 1024 * 1024;
  // Largest multibulk count; larger is "invalid multibulk length".
  int64_t max_multibulk_len = INT32_MAX;
  // Longest count line, bulk header line or inline line (Redis'
  // PROTO_INLINE_MAX_SIZE); longer is "too big ...".
  size_t max_inline_len = 64 * 1024;
};

class RespParser {
 public:
  // While unauthenticated, the largest multibulk count and bulk length.
  static constexpr int64_t kUnauthenticatedMaxMultibulkLen = 10;
  static constexpr int64_t kUnauthenticatedMaxBulkLen = 16384;

  explicit RespParser(RespLimits limits = {});

  RespParser(const RespParser&) = delete;
  RespParser& operator=(const RespParser&) = delete;

  enum class Result {
    // args() is the next command; consumed() bytes of the input made it.
    kCommand,
    // The input holds part of a command only; call again with the same
    // bytes at the front and more after them.
    kNeedMore,
    // The input breaks the protocol; error() says how.
    kError,
  };

  // Parse() parses the command at the front of `input`.
  //
  // kCommand: args() is the command and consumed() (> 0) is its length in
  // bytes; the next call starts with the bytes after it. args() is empty
  // for a blank inline line and for a multibulk count of zero or less.
  //
  // kNeedMore: nothing is consumed; call again once more bytes have been
  // appended (the unconsumed ones at the front, possibly at a new address).
  // needed() hints at how many bytes the whole command takes, when known.
  //
  // kError: error() is Redis' message, without "-ERR ". The parser stays
  // in error: later calls return kError again.
  //
  // Warning: between kNeedMore and the next call the bytes already given
  // must not change; the parser does not look at them again.
  Result Parse(absl::string_view input);

  // args() is the command returned by the last Parse() (empty unless it
  // returned kCommand). See the banner for how long the views live.
  absl::Span<const absl::string_view> args() const {
    if (state_ != State::kDone) return {};
    return absl::MakeConstSpan(args_);
  }

  // consumed() is the length of the command returned by the last Parse(),
  // 0 unless it returned kCommand.
  size_t consumed() const { return consumed_; }

  // needed() is, after kNeedMore, the total length of input the command
  // needs at least to make progress (the end of the bulk being read), or 0
  // when unknown (a line whose end has not arrived). Callers use it to
  // size their buffer for a large bulk in one allocation.
  size_t needed() const { return needed_; }

  // error() is the protocol error after kError, worded as Redis 7.0 words
  // it without the "-ERR " prefix (for instance "Protocol error: invalid
  // bulk length"); it never contains CR or LF. Empty otherwise.
  absl::string_view error() const { return error_; }

  // set_authenticated() says whether the client has authenticated. While
  // it has not (a password is set and AUTH has not succeeded), counts over
  // kUnauthenticatedMaxMultibulkLen and bulks over
  // kUnauthenticatedMaxBulkLen are errors, as in Redis. Parsers start
  // authenticated. Takes effect from the next count or bulk header read.
  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }

  // limits() are the limits in force; they may be changed between calls
  // (CONFIG SET proto-max-bulk-len) and apply from the next header read.
  RespLimits& limits() { return limits_; }
  const RespLimits& limits() const { return limits_; }

 private:
  enum class State : uint8_t {
    kIdle,    // between commands
    kInline,  // inside an inline line
    kCount,   // inside a multibulk's "*<n>" line
    kBulks,   // reading a multibulk's bulks
    kDone,    // returned kCommand; the next call starts afresh
    kError,   // returned kError; stays
  };

  // Where an argument lies: an offset into the input (multibulk) or into
  // inline_ (inline), and its length.
  struct Piece {
    size_t offset;
    size_t length;
  };

  // How a search for the end of a line came out.
  enum class Line : uint8_t { kFound, kMissing, kTooBig };

  void StartCommand();
  Result ParseInline(absl::string_view input);
  Result ParseCount(absl::string_view input);
  Result ParseBulks(absl::string_view input);
  Line FindLineEnd(absl::string_view input, size_t start, char terminator,
                   size_t* end);
  Line ReadHeaderLine(absl::string_view input, size_t start, size_t* next,
                      int64_t* value, bool* valid);
  void PointArgsInto(absl::string_view base);
  Result Complete(size_t consumed);
  Result NeedMore(size_t needed);
  Result SaveAndNeedMore(absl::string_view input, size_t needed);
  Result FailExpectedDollar(char got);
  Result Fail(absl::string_view message);

  RespLimits limits_;
  bool authenticated_ = true;
  State state_ = State::kIdle;
  // Offset of the first byte not yet parsed in the current command.
  size_t pos_ = 0;
  // Offset up to which the current line has been searched for its end.
  size_t scanned_ = 0;
  // Bulks still to read, and the length of the current one (-1 while its
  // header line is unread).
  int64_t bulks_left_ = 0;
  int64_t bulk_len_ = -1;
  size_t consumed_ = 0;
  size_t needed_ = 0;
  // The arguments of the current command: args_ holds views into the
  // input of the current call; those read by earlier calls are kept as
  // pieces_ (args_[i] for i < pieces_.size() is stale until PointArgsInto()).
  // Inline commands keep all their arguments as pieces_ of inline_.
  std::vector<Piece> pieces_;
  std::vector<absl::string_view> args_;
  std::string inline_;  // the unescaped arguments of an inline command
  std::string error_;
};

}  // namespace colony::kv

#endif  // COLONY_KV_RESP_PARSER_H_
