// Copyright 2026 The Colony Authors.
//
// resp_parser_benchmark: the key-value backend's RESP request parser.
//
//   BM_Multibulk/<command>   one complete multibulk command per iteration
//                            with a reused parser (ns per command)
//   BM_Inline/<command>      the same command sent inline
//   BM_Pipeline              16 SETs back to back in one buffer, parsed as
//                            a connection loop does (ns per 16 commands)
//   BM_BulkInPieces          one SET with a 1 MiB value arriving in 16 KiB
//                            reads, re-parsed after each read
//   BM_ArgsInPieces          a 10,000-argument command arriving in 4 KiB
//                            reads
//
// The last two show that a command arriving in pieces costs about as much
// as one arriving whole: the parser keeps its place between calls. Run with
//
//   bazel run //bench:resp_parser_benchmark -- --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true

#include <algorithm>
#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "benchmark/benchmark.h"
#include "kv/resp/parser.h"

namespace {

using colony::kv::RespParser;

constexpr absl::string_view kSet =
    "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$3\r\nval\r\n";
constexpr absl::string_view kGet =
    "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000042\r\n";

void BM_Multibulk(benchmark::State& state, absl::string_view command) {
  RespParser parser;
  for (auto _ : state) {
    if (parser.Parse(command) != RespParser::Result::kCommand) {
      state.SkipWithError("not a command");
      break;
    }
    benchmark::DoNotOptimize(parser.args().data());
  }
  state.SetBytesProcessed(state.iterations() * command.size());
}
BENCHMARK_CAPTURE(BM_Multibulk, set, kSet);
BENCHMARK_CAPTURE(BM_Multibulk, get, kGet);

void BM_Inline(benchmark::State& state, absl::string_view command) {
  RespParser parser;
  for (auto _ : state) {
    if (parser.Parse(command) != RespParser::Result::kCommand) {
      state.SkipWithError("not a command");
      break;
    }
    benchmark::DoNotOptimize(parser.args().data());
  }
  state.SetBytesProcessed(state.iterations() * command.size());
}
BENCHMARK_CAPTURE(BM_Inline, set, absl::string_view("SET key val\r\n"));
BENCHMARK_CAPTURE(BM_Inline, quoted,
                  absl::string_view("SET \"key with spaces\" 'v\\'al'\r\n"));

void BM_Pipeline(benchmark::State& state) {
  std::string buffer;
  for (int i = 0; i < 16; ++i) buffer.append(kSet.data(), kSet.size());
  RespParser parser;
  for (auto _ : state) {
    absl::string_view in = buffer;
    while (parser.Parse(in) == RespParser::Result::kCommand) {
      benchmark::DoNotOptimize(parser.args().data());
      in.remove_prefix(parser.consumed());
    }
  }
  state.SetItemsProcessed(state.iterations() * 16);
  state.SetBytesProcessed(state.iterations() * buffer.size());
}
BENCHMARK(BM_Pipeline);

// Feeds `command` in `read`-byte pieces, as a connection loop would, and
// returns how many Parse() calls it took.
size_t ParseInPieces(RespParser& parser, const std::string& command,
                     size_t read) {
  size_t calls = 0;
  for (size_t have = read;; have += read) {
    ++calls;
    const RespParser::Result r = parser.Parse(
        absl::string_view(command).substr(0, std::min(have, command.size())));
    if (r != RespParser::Result::kNeedMore) return calls;
  }
}

void BM_BulkInPieces(benchmark::State& state) {
  const std::string value(1 << 20, 'v');
  const std::string command = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$" +
                              std::to_string(value.size()) + "\r\n" + value +
                              "\r\n";
  RespParser parser;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseInPieces(parser, command, 16 * 1024));
  }
  state.SetBytesProcessed(state.iterations() * command.size());
}
BENCHMARK(BM_BulkInPieces);

void BM_ArgsInPieces(benchmark::State& state) {
  std::string command = "*10000\r\n";
  for (int i = 0; i < 10000; ++i) command += "$5\r\nvalue\r\n";
  RespParser parser;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseInPieces(parser, command, 4 * 1024));
  }
  state.SetItemsProcessed(state.iterations() * 10000);
  state.SetBytesProcessed(state.iterations() * command.size());
}
BENCHMARK(BM_ArgsInPieces);

}  // namespace
