// Copyright 2026 The Colony Authors.
//
// http_parser_benchmark: Colony's HTTP/1.1 request parser against Node's
// http_parser 2.9 (Debian's libhttp-parser-dev), on the same requests:
//
//   BM_Colony/<request>, BM_HttpParser/<request>
//       parse one complete request per iteration with a reused parser,
//       collecting the method, target and every header as (pointer, size)
//       views, the work a server needs either way.
//
// Requests: `wrk`, the GET wrk sends by default (Host only); `browser`, a
// GET with the ten headers a desktop browser sends. Time per iteration is
// ns per request; bytes_per_second is the throughput over the request
// bytes. Run with
//
//   bazel run //bench:http_parser_benchmark -- --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true

#include <http_parser.h>

#include <cstddef>
#include <cstdlib>
#include <string_view>

#include "benchmark/benchmark.h"
#include "http/request_parser.h"

namespace {

constexpr std::string_view kWrk =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

constexpr std::string_view kBrowser =
    "GET /articles/2024/http-parsing.html?utm_source=feed&page=2 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "Cache-Control: max-age=0\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/"
    "avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-GB,en;q=0.9\r\n"
    "Cookie: session=8f2c1e9a7b6d4c3e; theme=dark; consent=yes\r\n"
    "Referer: https://www.example.com/articles/\r\n"
    "\r\n";

void BM_Colony(benchmark::State& state, std::string_view request) {
  colony::http::RequestParser parser;
  size_t headers = 0;
  for (auto _ : state) {
    std::string_view in = request;
    for (;;) {
      const colony::http::ParseResult r = parser.Parse(in);
      in.remove_prefix(r.consumed);
      if (r.event == colony::http::ParseEvent::kHeadersComplete) {
        headers += parser.request().headers.size();
        benchmark::DoNotOptimize(parser.request().method.data());
      } else if (r.event == colony::http::ParseEvent::kMessageComplete) {
        break;
      } else if (r.event != colony::http::ParseEvent::kBodyData) {
        state.SkipWithError("parse failed");
        return;
      }
    }
  }
  benchmark::DoNotOptimize(headers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(request.size()));
}

// What the http_parser callbacks collect: the same views as Request holds.
struct Collected {
  const char* url = nullptr;
  size_t url_size = 0;
  struct Field {
    const char* name;
    size_t name_size;
    const char* value;
    size_t value_size;
  } fields[32];
  size_t count = 0;
  bool done = false;
};

int OnUrl(http_parser* p, const char* at, size_t n) {
  auto* c = static_cast<Collected*>(p->data);
  c->url = at;
  c->url_size = n;
  return 0;
}

int OnHeaderField(http_parser* p, const char* at, size_t n) {
  auto* c = static_cast<Collected*>(p->data);
  if (c->count == 32) return 1;
  c->fields[c->count] = {at, n, nullptr, 0};
  return 0;
}

int OnHeaderValue(http_parser* p, const char* at, size_t n) {
  auto* c = static_cast<Collected*>(p->data);
  c->fields[c->count].value = at;
  c->fields[c->count].value_size = n;
  ++c->count;
  return 0;
}

int OnMessageComplete(http_parser* p) {
  static_cast<Collected*>(p->data)->done = true;
  return 0;
}

void BM_HttpParser(benchmark::State& state, std::string_view request) {
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_url = OnUrl;
  settings.on_header_field = OnHeaderField;
  settings.on_header_value = OnHeaderValue;
  settings.on_message_complete = OnMessageComplete;
  http_parser parser;
  http_parser_init(&parser, HTTP_REQUEST);
  Collected collected;
  parser.data = &collected;
  size_t headers = 0;
  for (auto _ : state) {
    collected.count = 0;
    collected.done = false;
    const size_t n =
        http_parser_execute(&parser, &settings, request.data(), request.size());
    if (n != request.size() || !collected.done) {
      state.SkipWithError("parse failed");
      return;
    }
    headers += collected.count;
    benchmark::DoNotOptimize(collected.url);
  }
  benchmark::DoNotOptimize(headers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(request.size()));
}

BENCHMARK_CAPTURE(BM_Colony, wrk, kWrk);
BENCHMARK_CAPTURE(BM_HttpParser, wrk, kWrk);
BENCHMARK_CAPTURE(BM_Colony, browser, kBrowser);
BENCHMARK_CAPTURE(BM_HttpParser, browser, kBrowser);

}  // namespace
