// Copyright 2026 The Colony Authors.
//
// The RESP request parser without a server: multibulk and inline commands,
// pipelining, every protocol error with Redis 7.0's exact text, every limit
// at and one past its bound, inline quoting, blank lines, binary-safe
// bulks, the needed() hint, and every input split at every byte boundary
// and fed one byte at a time into a buffer that moves between calls.

#include "kv/resp/parser.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Result = RespParser::Result;
using Args = std::vector<std::string>;

Args ArgsOf(const RespParser& parser) {
  Args out;
  for (absl::string_view arg : parser.args()) out.emplace_back(arg);
  return out;
}

// What a connection makes of a byte stream.
struct Outcome {
  std::vector<Args> commands;
  std::vector<size_t> lengths;  // consumed() of each command
  std::string error;
  size_t left = 0;  // bytes unconsumed at the end (0 after an error)
  bool operator==(const Outcome& other) const {
    return commands == other.commands && lengths == other.lengths &&
           error == other.error && left == other.left;
  }
};

void PrintTo(const Outcome& o, std::ostream* os) {
  for (size_t i = 0; i < o.commands.size(); ++i) {
    *os << "[" << o.lengths[i] << ":";
    for (const std::string& a : o.commands[i]) *os << " '" << a << "'";
    *os << "] ";
  }
  *os << "error='" << o.error << "' left=" << o.left;
}

// Feeds `input` the way a connection loop would, in pieces ending at each
// offset of `cuts` (then the rest). Each Parse() call sees the unconsumed
// bytes in a fresh, exact-size allocation, so the buffer moves between
// calls and a read past its end is caught under AddressSanitizer.
Outcome Feed(absl::string_view input, const std::vector<size_t>& cuts,
             RespParser& parser) {
  Outcome out;
  std::string pending;
  size_t from = 0;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    const size_t to = i < cuts.size() ? cuts[i] : input.size();
    pending.append(input.data() + from, to - from);
    from = to;
    for (;;) {
      auto copy = std::make_unique<char[]>(pending.size());
      pending.copy(copy.get(), pending.size());
      const Result r =
          parser.Parse(absl::string_view(copy.get(), pending.size()));
      if (r == Result::kNeedMore) {
        EXPECT_EQ(parser.consumed(), 0u);
        break;
      }
      if (r == Result::kError) {
        // How much was unconsumed depends on when the error showed.
        out.error = std::string(parser.error());
        return out;
      }
      out.commands.push_back(ArgsOf(parser));
      out.lengths.push_back(parser.consumed());
      pending.erase(0, parser.consumed());
    }
  }
  out.left = pending.size();
  return out;
}

Outcome Feed(absl::string_view input, const std::vector<size_t>& cuts = {},
             RespLimits limits = {}, bool authenticated = true) {
  RespParser parser(limits);
  parser.set_authenticated(authenticated);
  return Feed(input, cuts, parser);
}

// Checks that `input` gives the same outcome whole, split in two at every
// byte boundary, and one byte at a time; returns the outcome.
Outcome FeedEveryWay(absl::string_view input, RespLimits limits = {},
                     bool authenticated = true) {
  const Outcome whole = Feed(input, {}, limits, authenticated);
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    EXPECT_EQ(Feed(input, {cut}, limits, authenticated), whole)
        << "split at " << cut;
  }
  std::vector<size_t> every(input.size());
  for (size_t i = 0; i < every.size(); ++i) every[i] = i;
  EXPECT_EQ(Feed(input, every, limits, authenticated), whole) << "byte by byte";
  return whole;
}

// The single command `input` holds, checked every way.
Args One(absl::string_view input) {
  const Outcome o = FeedEveryWay(input);
  EXPECT_TRUE(o.error.empty()) << o.error;
  EXPECT_EQ(o.left, 0u);
  EXPECT_EQ(o.commands.size(), 1u);
  if (o.commands.size() != 1) return {};
  EXPECT_EQ(o.lengths[0], input.size());
  return o.commands[0];
}

// The error `input` ends in, checked every way.
std::string ErrorOf(absl::string_view input, RespLimits limits = {},
                    bool authenticated = true) {
  return FeedEveryWay(input, limits, authenticated).error;
}

TEST(RespParserTest, ParsesAMultibulkCommand) {
  RespParser parser;
  const absl::string_view input =
      "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$3\r\nval\r\n";
  ASSERT_EQ(parser.Parse(input), Result::kCommand);
  EXPECT_THAT(ArgsOf(parser), ElementsAre("SET", "key", "val"));
  EXPECT_EQ(parser.consumed(), input.size());
  EXPECT_EQ(parser.needed(), 0u);
  EXPECT_TRUE(parser.error().empty());
  // Multibulk arguments are views into the input, not copies.
  EXPECT_EQ(parser.args()[0].data(), input.data() + 8);
  EXPECT_EQ(parser.args()[2].data(), input.data() + 26);
}

TEST(RespParserTest, ParsesAnInlineCommand) {
  EXPECT_THAT(One("SET key value\r\n"), ElementsAre("SET", "key", "value"));
  EXPECT_THAT(One("PING\n"), ElementsAre("PING"));
  EXPECT_THAT(One("  GET \t key  \r\n"), ElementsAre("GET", "key"));
  // A CR inside the line separates; only the one before LF is dropped.
  EXPECT_THAT(One("ECHO a\rb\r\n"), ElementsAre("ECHO", "a", "b"));
  EXPECT_THAT(One("PING\r\r\n"), ElementsAre("PING"));
  // Vertical tab and form feed are skipped between arguments but do not
  // end one.
  EXPECT_THAT(One("\x0b\x0cGET a\x0b"
                  "b\r\n"),
              ElementsAre("GET",
                          "a\x0b"
                          "b"));
  EXPECT_THAT(One("ECHO \xff\xfe\r\n"), ElementsAre("ECHO", "\xff\xfe"));
}

TEST(RespParserTest, EveryCommandParsesTheSameSplitAnywhere) {
  const std::vector<std::pair<std::string, std::vector<Args>>> cases = {
      {"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$3\r\nval\r\n",
       {{"SET", "key", "val"}}},
      {"*1\r\n$4\r\nPING\r\n", {{"PING"}}},
      {"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", {{"GET", ""}}},
      {"*0\r\n", {{}}},
      {"*-1\r\n", {{}}},
      {"PING\r\n", {{"PING"}}},
      {"SET k \"a b\\x41\\n\" 'c\\'d'\r\n", {{"SET", "k", "a bA\n", "c'd"}}},
      {"\r\n", {{}}},
      {"  \n", {{}}},
      {"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n",
       {{"GET", "k"}, {"PING"}, {"QUIT"}}},
  };
  for (const auto& [input, commands] : cases) {
    SCOPED_TRACE(input);
    const Outcome o = FeedEveryWay(input);
    EXPECT_EQ(o.commands, commands);
    EXPECT_TRUE(o.error.empty());
    EXPECT_EQ(o.left, 0u);
  }
}

TEST(RespParserTest, PipelinedCommandsBackToBack) {
  const std::string one = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n";
  const std::string two = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$2\r\nxy\r\n";
  const std::string three = "DEL a b\r\n";
  const std::string input = one + two + three + "*1\r\n$4\r\nPI";
  const Outcome o = FeedEveryWay(input);
  ASSERT_TRUE(o.error.empty()) << o.error;
  EXPECT_THAT(o.commands, ElementsAre(ElementsAre("GET", "a"),
                                      ElementsAre("SET", "b", "xy"),
                                      ElementsAre("DEL", "a", "b")));
  EXPECT_THAT(o.lengths, ElementsAre(one.size(), two.size(), three.size()));
  EXPECT_EQ(o.left, 10u);  // the incomplete fourth command
}

TEST(RespParserTest, ConsumesOneCommandPerCall) {
  RespParser parser;
  const absl::string_view input = "PING\r\n*1\r\n$4\r\nPING\r\n";
  ASSERT_EQ(parser.Parse(input), Result::kCommand);
  EXPECT_EQ(parser.consumed(), 6u);
  ASSERT_EQ(parser.Parse(input.substr(6)), Result::kCommand);
  EXPECT_EQ(parser.consumed(), 14u);
  EXPECT_EQ(parser.Parse(input.substr(20)), Result::kNeedMore);
  EXPECT_THAT(parser.args(), IsEmpty());
  EXPECT_EQ(parser.consumed(), 0u);
}

TEST(RespParserTest, BlankLinesAndEmptyMultibulksAreEmptyCommands) {
  for (const absl::string_view input :
       {"\r\n", "\n", "  \n", " \t \r\n", "*0\r\n", "*-1\r\n", "*-5\r\n",
        "*-9223372036854775808\r\n"}) {
    SCOPED_TRACE(input);
    const Outcome o = FeedEveryWay(input);
    ASSERT_EQ(o.commands.size(), 1u) << o.error;
    EXPECT_THAT(o.commands[0], IsEmpty());
    EXPECT_EQ(o.lengths[0], input.size());
  }
  // Between commands.
  const Outcome o = FeedEveryWay("\r\nPING\r\n\n*0\r\nPING\n");
  EXPECT_THAT(o.commands, ElementsAre(IsEmpty(), ElementsAre("PING"), IsEmpty(),
                                      IsEmpty(), ElementsAre("PING")));
}

TEST(RespParserTest, BulksAreBinarySafe) {
  const std::string payload("a\r\nb\0c\r\n*1\r\n$", 13);
  const std::string input = "*2\r\n$3\r\nSET\r\n$" +
                            std::to_string(payload.size()) + "\r\n" + payload +
                            "\r\n";
  EXPECT_THAT(One(input), ElementsAre("SET", payload));
}

// Redis skips the byte after the CR of a header line and the two bytes
// after a bulk without looking at them.
TEST(RespParserTest, SkipsTheBytesRedisSkips) {
  EXPECT_THAT(One("*1\rX$4\rYPINGZZ"), ElementsAre("PING"));
  EXPECT_THAT(One("*2\r\n$1\r\na\n\n$1\r\nbxx"), ElementsAre("a", "b"));
}

TEST(RespParserTest, ErrorsHaveRedisText) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"*x\r\n", "Protocol error: invalid multibulk length"},
      {"*\r\n", "Protocol error: invalid multibulk length"},
      {"*01\r\n", "Protocol error: invalid multibulk length"},
      {"*-0\r\n", "Protocol error: invalid multibulk length"},
      {"*+1\r\n", "Protocol error: invalid multibulk length"},
      {"* 1\r\n", "Protocol error: invalid multibulk length"},
      {"*1 \r\n", "Protocol error: invalid multibulk length"},
      {"*-9223372036854775809\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n$x\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$01\r\nx\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$99999999999999999999\r\n",
       "Protocol error: invalid bulk length"},
      {"*1\r\nx4\r\n", "Protocol error: expected '$', got 'x'"},
      {"*2\r\n$1\r\na\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
      // CR and LF are quoted as spaces, as Redis does.
      {"*1\r\n\r\r\n", "Protocol error: expected '$', got ' '"},
      {"*1\r\n\n\r\n", "Protocol error: expected '$', got ' '"},
      {"ECHO \"abc\r\n", "Protocol error: unbalanced quotes in request"},
      {"ECHO 'abc\r\n", "Protocol error: unbalanced quotes in request"},
      {"ECHO \"a\"b\r\n", "Protocol error: unbalanced quotes in request"},
      {"ECHO 'a'b\r\n", "Protocol error: unbalanced quotes in request"},
      {"ECHO \"a\\\r\n", "Protocol error: unbalanced quotes in request"},
  };
  for (const auto& [input, error] : cases) {
    SCOPED_TRACE(input);
    EXPECT_EQ(ErrorOf(input), error);
  }
}

TEST(RespParserTest, CommandsBeforeAnErrorStillParse) {
  const Outcome o =
      FeedEveryWay("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n!\r\nPING\r\n");
  EXPECT_THAT(o.commands,
              ElementsAre(ElementsAre("PING"), ElementsAre("PING")));
  EXPECT_EQ(o.error, "Protocol error: expected '$', got '!'");
}

TEST(RespParserTest, AnErrorIsSticky) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*1\r\n$x\r\n"), Result::kError);
  EXPECT_EQ(parser.Parse("PING\r\n"), Result::kError);
  EXPECT_EQ(parser.error(), "Protocol error: invalid bulk length");
  EXPECT_THAT(parser.args(), IsEmpty());
  EXPECT_EQ(parser.consumed(), 0u);
}

TEST(RespParserTest, InlineQuoting) {
  const std::vector<std::pair<std::string, Args>> cases = {
      {"SET k \"\"", {"SET", "k", ""}},
      {"SET k ''", {"SET", "k", ""}},
      {"ECHO \"a b\"", {"ECHO", "a b"}},
      {"ECHO 'a b'", {"ECHO", "a b"}},
      {"ECHO \"\\n\\r\\t\\b\\a\\\\\\\"\"", {"ECHO", "\n\r\t\b\a\\\""}},
      {"ECHO \"\\x41\\x7a\\xfF\\x00\"", {"ECHO", std::string("Az\xff\0", 4)}},
      // \x without two hex digits is an x; any other escape is the byte.
      {"ECHO \"\\xZZ\\x4\\q\"", {"ECHO", "xZZx4q"}},
      // Single quotes take \' only; other backslashes are literal.
      {"ECHO 'a\\'b\\n'", {"ECHO", "a'b\\n"}},
      // Quotes may open inside a word and join it.
      {"ECHO x\"\" a\"b c\" 'd'e", {}},
      {"ECHO x\"\" a\"b c\" d", {"ECHO", "x", "ab c", "d"}},
      // A closing quote may be followed by any white space.
      {"ECHO \"a\"\tb 'c'\x0b"
       "d",
       {"ECHO", "a", "b", "c", "d"}},
      {"ECHO \"a\"\rb", {"ECHO", "a", "b"}},
      // An escaped quote does not close.
      {"ECHO \"a\\\" b\"", {"ECHO", "a\" b"}},
      {"ECHO 'a\\' b'", {"ECHO", "a' b"}},
      // The other kind of quote is plain inside quotes.
      {"ECHO \"it's\" 'say \"hi\"'", {"ECHO", "it's", "say \"hi\""}},
  };
  for (const auto& [line, args] : cases) {
    SCOPED_TRACE(line);
    if (args.empty()) {
      EXPECT_EQ(ErrorOf(line + "\r\n"),
                "Protocol error: unbalanced quotes in request");
    } else {
      EXPECT_EQ(One(line + "\r\n"), args);
      EXPECT_EQ(One(line + "\n"), args);
    }
  }
}

TEST(RespParserTest, InlineArgumentsOutliveTheInput) {
  RespParser parser;
  auto input = std::make_unique<std::string>("SET \"k\\x41\" v\r\n");
  ASSERT_EQ(parser.Parse(*input), Result::kCommand);
  input.reset();
  EXPECT_THAT(ArgsOf(parser), ElementsAre("SET", "kA", "v"));
}

TEST(RespParserTest, MultibulkCountLimit) {
  const RespLimits defaults;
  EXPECT_EQ(defaults.max_multibulk_len, INT32_MAX);
  EXPECT_EQ(Feed("*2147483647\r\n").error, "");
  EXPECT_EQ(ErrorOf("*2147483648\r\n"),
            "Protocol error: invalid multibulk length");
  RespLimits small;
  small.max_multibulk_len = 3;
  EXPECT_THAT(
      FeedEveryWay("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", small).commands,
      ElementsAre(ElementsAre("a", "b", "c")));
  EXPECT_EQ(ErrorOf("*4\r\n", small),
            "Protocol error: invalid multibulk length");
}

TEST(RespParserTest, BulkLengthLimit) {
  const RespLimits defaults;
  EXPECT_EQ(defaults.max_bulk_len, 512 * 1024 * 1024);
  EXPECT_EQ(Feed("*1\r\n$536870912\r\n").error, "");
  EXPECT_EQ(ErrorOf("*1\r\n$536870913\r\n"),
            "Protocol error: invalid bulk length");
  RespLimits small;
  small.max_bulk_len = 3;
  EXPECT_THAT(FeedEveryWay("*1\r\n$3\r\nabc\r\n", small).commands,
              ElementsAre(ElementsAre("abc")));
  EXPECT_EQ(ErrorOf("*1\r\n$4\r\nabcd\r\n", small),
            "Protocol error: invalid bulk length");
}

TEST(RespParserTest, LimitsMayChangeBetweenCommands) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*1\r\n$5\r\nhello\r\n"), Result::kCommand);
  parser.limits().max_bulk_len = 4;  // CONFIG SET proto-max-bulk-len
  EXPECT_EQ(parser.Parse("*1\r\n$5\r\nhello\r\n"), Result::kError);
  EXPECT_EQ(parser.error(), "Protocol error: invalid bulk length");
}

TEST(RespParserTest, InlineLineLimit) {
  constexpr size_t kMax = 64 * 1024;
  EXPECT_EQ(RespLimits().max_inline_len, kMax);
  // Up to 64 KiB without a line end: wait for more.
  EXPECT_EQ(Feed(std::string(kMax, 'a')).left, kMax);
  EXPECT_EQ(Feed(std::string(kMax, 'a')).error, "");
  // One byte more is too big.
  EXPECT_EQ(Feed(std::string(kMax + 1, 'a')).error,
            "Protocol error: too big inline request");
  // A line end at most 64 KiB from the start of the line is fine...
  const Outcome fits = Feed(std::string(kMax, 'a') + "\n");
  ASSERT_EQ(fits.commands.size(), 1u) << fits.error;
  EXPECT_EQ(fits.commands[0][0].size(), kMax);
  const Outcome fits_cr = Feed(std::string(kMax - 1, 'a') + "\r\n");
  ASSERT_EQ(fits_cr.commands.size(), 1u) << fits_cr.error;
  EXPECT_EQ(fits_cr.commands[0][0].size(), kMax - 1);
  // ...one further is too big even when it has arrived, so the outcome
  // does not depend on how the bytes were split.
  EXPECT_EQ(Feed(std::string(kMax + 1, 'a') + "\n").error,
            "Protocol error: too big inline request");
  EXPECT_EQ(Feed(std::string(kMax + 1, 'a') + "\n", {kMax}).error,
            "Protocol error: too big inline request");
  // Each command of a pipeline has its own 64 KiB.
  const std::string line = std::string(kMax - 1, 'b') + "\n";
  EXPECT_EQ(Feed(line + line + line).commands.size(), 3u);
}

TEST(RespParserTest, HeaderLineLimits) {
  RespLimits small;
  small.max_inline_len = 8;
  // "*" and seven digits end at offset 8: allowed; one more digit is not.
  EXPECT_EQ(ErrorOf("*0000000\r\n", small),
            "Protocol error: invalid multibulk length");
  EXPECT_EQ(ErrorOf("*00000000\r\n", small),
            "Protocol error: too big mbulk count string");
  EXPECT_EQ(ErrorOf("*000000000", small),
            "Protocol error: too big mbulk count string");
  // The same with well-formed lengths.
  EXPECT_EQ(FeedEveryWay("*1234567\r\n", small).error, "");
  EXPECT_EQ(FeedEveryWay("*1234567\r\n", small).left, 10u);
  EXPECT_EQ(ErrorOf("*12345678\r\n", small),
            "Protocol error: too big mbulk count string");
  EXPECT_EQ(FeedEveryWay("*1\r\n$1234567\r\n", small).error, "");
  EXPECT_EQ(ErrorOf("*1\r\n$12345678\r\n", small),
            "Protocol error: too big bulk count string");
  EXPECT_EQ(Feed("*0000000", {}, small).left, 8u);
  EXPECT_EQ(Feed("*0000000", {}, small).error, "");
  EXPECT_EQ(ErrorOf("*1\r\n$0000000\r\n", small),
            "Protocol error: invalid bulk length");
  EXPECT_EQ(ErrorOf("*1\r\n$00000000\r\n", small),
            "Protocol error: too big bulk count string");
  EXPECT_EQ(ErrorOf("*1\r\n$000000000", small),
            "Protocol error: too big bulk count string");
  // The line end may sit at offset 8 at most.
  EXPECT_THAT(FeedEveryWay("ECHO ab\r\n", small).commands,
              ElementsAre(ElementsAre("ECHO", "ab")));
  EXPECT_EQ(ErrorOf("ECHO abc\r\n", small),
            "Protocol error: too big inline request");
  // The default: 64 KiB.
  EXPECT_EQ(Feed("*" + std::string(64 * 1024 + 1, '1')).error,
            "Protocol error: too big mbulk count string");
  EXPECT_EQ(Feed("*1\r\n$" + std::string(64 * 1024 + 1, '1')).error,
            "Protocol error: too big bulk count string");
}

// Redis finds line ends with strchr(), which stops at a NUL: a NUL before
// the end of a line leaves the line waiting until it is too big.
TEST(RespParserTest, ANulHidesTheEndOfALine) {
  const std::string nul_inline("ECHO a\0b\r\nPING\r\n", 16);
  const Outcome waits = FeedEveryWay(nul_inline);
  EXPECT_THAT(waits.commands, IsEmpty());
  EXPECT_EQ(waits.error, "");
  EXPECT_EQ(waits.left, nul_inline.size());
  EXPECT_EQ(Feed(nul_inline + std::string(64 * 1024, 'x')).error,
            "Protocol error: too big inline request");
  const std::string nul_count("*1\0\r\n", 5);
  EXPECT_EQ(Feed(nul_count + std::string(64 * 1024, 'x')).error,
            "Protocol error: too big mbulk count string");
  const std::string nul_header("*1\r\nx\0\r\n", 8);
  EXPECT_EQ(FeedEveryWay(nul_header).error, "");
  EXPECT_EQ(Feed(nul_header + std::string(64 * 1024, 'x')).error,
            "Protocol error: too big bulk count string");
  // A NUL inside a bulk is data.
  EXPECT_THAT(One(std::string("*1\r\n$1\r\n\0\r\n", 11)),
              ElementsAre(std::string(1, '\0')));
}

TEST(RespParserTest, UnauthenticatedLimits) {
  const auto unauthenticated = [](absl::string_view input) {
    return FeedEveryWay(input, RespLimits(), /*authenticated=*/false);
  };
  EXPECT_EQ(unauthenticated("*10\r\n").error, "");
  EXPECT_EQ(unauthenticated("*11\r\n").error,
            "Protocol error: unauthenticated multibulk length");
  // The count is checked for validity first.
  EXPECT_EQ(unauthenticated("*2147483648\r\n").error,
            "Protocol error: invalid multibulk length");
  EXPECT_THAT(unauthenticated("*-20\r\n").commands, ElementsAre(IsEmpty()));
  EXPECT_EQ(unauthenticated("*1\r\n$16384\r\n").error, "");
  EXPECT_EQ(unauthenticated("*1\r\n$16385\r\n").error,
            "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(unauthenticated("*1\r\n$99999999999\r\n").error,
            "Protocol error: invalid bulk length");
  // Inline commands have no such limits.
  EXPECT_THAT(unauthenticated("A B C D E F G H I J K L\r\n").commands,
              ElementsAre(::testing::SizeIs(12)));

  RespParser parser;
  parser.set_authenticated(false);
  ASSERT_EQ(parser.Parse("AUTH pw\r\n"), Result::kCommand);
  parser.set_authenticated(true);
  EXPECT_EQ(parser.Parse("*11\r\n"), Result::kNeedMore);
  EXPECT_EQ(parser.Parse("*11\r\n$16385\r\n"), Result::kNeedMore);
}

TEST(RespParserTest, NeededIsTheEndOfALargeBulk) {
  RespParser parser;
  const std::string head = "*2\r\n$3\r\nSET\r\n$1000000\r\n";
  ASSERT_EQ(parser.Parse(head), Result::kNeedMore);
  EXPECT_EQ(parser.needed(), head.size() + 1000000 + 2);
  std::string input = head + std::string(500000, 'v');
  ASSERT_EQ(parser.Parse(input), Result::kNeedMore);
  EXPECT_EQ(parser.needed(), head.size() + 1000000 + 2);
  input += std::string(500000, 'v') + "\r";
  ASSERT_EQ(parser.Parse(input), Result::kNeedMore);
  EXPECT_EQ(parser.needed(), head.size() + 1000000 + 2);
  input += "\n";
  ASSERT_EQ(parser.Parse(input), Result::kCommand);
  EXPECT_EQ(parser.needed(), 0u);
  EXPECT_EQ(parser.consumed(), input.size());
  EXPECT_EQ(parser.args()[1].size(), 1000000u);
}

TEST(RespParserTest, NeededIsZeroWhileALineIsIncomplete) {
  RespParser parser;
  EXPECT_EQ(parser.Parse("*2\r\n$3"), Result::kNeedMore);
  EXPECT_EQ(parser.needed(), 0u);
  RespParser inline_parser;
  EXPECT_EQ(inline_parser.Parse("GET k"), Result::kNeedMore);
  EXPECT_EQ(inline_parser.needed(), 0u);
}

TEST(RespParserTest, TheBufferMayMoveBetweenCalls) {
  RespParser parser;
  const std::string input = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
  auto first = std::make_unique<std::string>(input.substr(0, 20));
  ASSERT_EQ(parser.Parse(*first), Result::kNeedMore);
  first.reset();  // the old buffer is gone
  std::string second = input;
  second.reserve(4096);  // a new, larger buffer
  ASSERT_EQ(parser.Parse(second), Result::kCommand);
  EXPECT_THAT(ArgsOf(parser), ElementsAre("SET", "key", "value"));
  EXPECT_EQ(parser.args()[0].data(), second.data() + 8);
}

// The parser keeps its place: the headers and arguments of a command it has
// read are not read again when more bytes arrive.
TEST(RespParserTest, KeepsItsPlaceBetweenCalls) {
  RespParser parser;
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nfoo\r\n$3\r\nb"), Result::kNeedMore);
  // Same length, headers overwritten: still read as before.
  ASSERT_EQ(parser.Parse("########foo\r\n####bar\r\n"), Result::kCommand);
  EXPECT_THAT(ArgsOf(parser), ElementsAre("foo", "bar"));
}

TEST(RespParserTest, EmptyInputNeedsMore) {
  RespParser parser;
  EXPECT_EQ(parser.Parse(""), Result::kNeedMore);
  EXPECT_EQ(parser.needed(), 0u);
  ASSERT_EQ(parser.Parse("PING\r\n"), Result::kCommand);
  EXPECT_EQ(parser.Parse(""), Result::kNeedMore);
  EXPECT_THAT(parser.args(), IsEmpty());
}

TEST(RespParserTest, ManyArgumentsInManyPieces) {
  std::string input = "*5000\r\n";
  for (int i = 0; i < 5000; ++i) {
    const std::string arg = std::to_string(i);
    input += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  }
  std::vector<size_t> cuts;
  for (size_t cut = 7; cut < input.size(); cut += 7) cuts.push_back(cut);
  const Outcome o = Feed(input, cuts);
  ASSERT_EQ(o.commands.size(), 1u) << o.error;
  ASSERT_EQ(o.commands[0].size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(o.commands[0][i], std::to_string(i));
  }
}

}  // namespace
}  // namespace colony::kv
