// Copyright 2026 The Colony Authors.
//
// Replays every file of the checked-in RESP command fuzz corpus through
// the fuzzer's own check (whole, split, byte by byte, and against the
// reference model; see fuzz/resp_command_check.h), so the corpus guards the
// parser in every build, not only under libFuzzer.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/resp_command_check.h"
#include "gtest/gtest.h"

namespace colony::kv {
namespace {

TEST(RespFuzzCorpusTest, EveryCorpusFilePassesTheFuzzCheck) {
  const std::filesystem::path dir = "fuzz/corpus/resp_command";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    ASSERT_TRUE(in.good() || in.eof());
    // Aborts (failing the test) when the check does not hold.
    fuzz::CheckRespParser(reinterpret_cast<const uint8_t*>(bytes.data()),
                          bytes.size());
    ++files;
  }
  EXPECT_GT(files, 10u);
}

// A transcript records each command with its length and arguments, then
// the error; the parser's, fed whole or in pieces, and the reference
// model's agree on it.
TEST(RespFuzzCorpusTest, TranscriptsRecordCommandsAndErrors) {
  const std::string input = "PING\r\n*1\r\n$1\r\nx\r\n*1\r\n!\r\n";
  const std::string transcript =
      fuzz::Transcript(input, {}, RespLimits(), /*authenticated=*/true);
  EXPECT_EQ(transcript, fuzz::ReferenceTranscript(input, RespLimits(), true));
  EXPECT_EQ(transcript,
            "C 6 [PING]\nC 11 [x]\nE Protocol\\x20error:\\x20expected\\x20"
            "'$',\\x20got\\x20'!'\n");
  const size_t cuts[] = {3, 9, 20};
  EXPECT_EQ(fuzz::Transcript(input, cuts, RespLimits(), true), transcript);
}

}  // namespace
}  // namespace colony::kv
