// Copyright 2026 The Colony Authors.
//
// ScanPipeline(): which commands the look ahead shows and where it stops.
#include "kv/resp/pipeline_scan.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

// Scan() is what ScanPipeline() shows of `input`, one "length:arg,arg"
// line per command.
std::vector<std::string> Scan(absl::string_view input, int max = 100) {
  std::vector<std::string> seen;
  const int n = ScanPipeline(
      input, max, [&](absl::Span<const absl::string_view> args, size_t len) {
        seen.push_back(std::to_string(len) + ":" + absl::StrJoin(args, ","));
        return true;
      });
  EXPECT_EQ(n, static_cast<int>(seen.size()));
  return seen;
}

constexpr absl::string_view kGet = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
constexpr absl::string_view kSet = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n";

TEST(PipelineScanTest, ShowsEachCompleteCommandWithItsLength) {
  EXPECT_EQ(Scan(absl::StrCat(kGet, kSet)),
            (std::vector<std::string>{"22:GET,key", "28:SET,k,vv"}));
}

TEST(PipelineScanTest, StopsAtACommandCutByTheEndOfTheInput) {
  const std::string input = absl::StrCat(kGet, kSet);
  for (size_t cut = 0; cut < input.size(); ++cut) {
    const std::vector<std::string> seen = Scan(input.substr(0, cut));
    EXPECT_EQ(seen.size(), cut < kGet.size() ? 0u : 1u) << cut;
  }
}

TEST(PipelineScanTest, StopsAtWhatItDoesNotRead) {
  // An inline command, an empty or negative count, a sign, a leading
  // zero, a missing LF after a bulk, a bulk header where the count
  // belongs: the scan ends there (the parser decides what they are).
  for (absl::string_view stop :
       {"PING\r\n", "*0\r\n", "*-1\r\n", "*+1\r\n$1\r\nx\r\n",
        "*1\r\n$1\r\nxx\n", "$1\r\nx\r\n", "*1\r\n$01234567890123456789\r\n",
        "*1\r\n$1\r\nx\rX", "*1\r\n$01\r\nx\r\n", "*01\r\n$1\r\nx\r\n"}) {
    EXPECT_EQ(Scan(absl::StrCat(kGet, stop, kSet)),
              (std::vector<std::string>{"22:GET,key"}))
        << absl::CEscape(stop);
  }
}

TEST(PipelineScanTest, BinaryArgumentsAndEmptyOnes) {
  const std::string input("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$3\r\na\0\n\r\n", 28);
  const std::vector<std::string> seen = Scan(input);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::string("28:SET,,a\0\n", 11));
}

TEST(PipelineScanTest, HonoursTheLimitAndTheVisitorsStop) {
  const std::string input = absl::StrCat(kGet, kGet, kGet, kGet);
  EXPECT_EQ(Scan(input, 3).size(), 3u);
  int calls = 0;
  EXPECT_EQ(ScanPipeline(input, 100,
                         [&](absl::Span<const absl::string_view>, size_t) {
                           return ++calls < 2;
                         }),
            2);
  EXPECT_EQ(calls, 2);
}

TEST(PipelineScanTest, AHugeCountWithoutTheBytesIsIncomplete) {
  EXPECT_TRUE(Scan("*999999999999999999\r\n$1\r\nx\r\n").empty());
  EXPECT_TRUE(Scan("*1\r\n$999999999999999999\r\nx\r\n").empty());
}

}  // namespace
}  // namespace colony::kv
