// Copyright 2026 The Colony Authors.
//
// Replays every file of the checked-in HTTP request fuzz corpus through the
// fuzzer's own check (whole, split, byte by byte; see
// fuzz/http_request_check.h), so the corpus guards the parser in every
// build, not only under libFuzzer.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/http_request_check.h"
#include "gtest/gtest.h"

namespace colony::http {
namespace {

TEST(HttpFuzzCorpusTest, EveryCorpusFilePassesTheFuzzCheck) {
  const std::filesystem::path dir = "fuzz/corpus/http_request";
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
    fuzz::CheckRequestParser(reinterpret_cast<const uint8_t*>(bytes.data()),
                             bytes.size());
    ++files;
  }
  EXPECT_GT(files, 10u);
}

}  // namespace
}  // namespace colony::http
