// Copyright 2026 The Colony Authors.
//
// The HTTP/1.1 request parser, byte by byte and without a server: valid
// requests and their views, body framing, pipelining, every rejection with
// its status, every limit exactly at and one past its bound, and a corpus
// parsed whole, split at every byte boundary and one byte at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/http_request_check.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/request_parser.h"

namespace colony::http {
namespace {

using ::testing::HasSubstr;

// A request copied out of the parser, with its body.
struct Parsed {
  std::string method, target, path, query;
  TargetForm form = TargetForm::kOrigin;
  Version version = Version::kHttp11;
  std::vector<std::pair<std::string, std::string>> headers;
  BodyFraming framing = BodyFraming::kNone;
  uint64_t content_length = 0;
  bool keep_alive = false;
  bool expect_continue = false;
  std::string body;
  size_t end = 0;  // offset just past the request in the input
};

struct Outcome {
  std::vector<Parsed> requests;
  int http_status = 0;  // of the error, if any
  std::string message;
  bool complete = true;  // the input ended between requests
};

// Parses `input` given whole, copying every request out.
Outcome ParseWhole(std::string_view input, ParserOptions options = {}) {
  RequestParser parser(options);
  Outcome out;
  size_t pos = 0;
  Parsed current;
  bool in_request = false;
  for (int guard = 0; guard < 100000; ++guard) {
    const ParseResult r = parser.Parse(input.substr(pos));
    EXPECT_LE(r.consumed, input.size() - pos);
    pos += r.consumed;
    switch (r.event) {
      case ParseEvent::kNeedMore:
        out.complete = !in_request;
        return out;
      case ParseEvent::kHeadersComplete: {
        const Request& q = parser.request();
        current = Parsed{};
        in_request = true;
        current.method = std::string(q.method);
        current.target = std::string(q.target);
        current.path = std::string(q.path);
        current.query = std::string(q.query);
        current.form = q.target_form;
        current.version = q.version;
        for (const Header& h : q.headers) {
          current.headers.emplace_back(h.name, h.value);
        }
        current.framing = q.body_framing;
        current.content_length = q.content_length;
        current.keep_alive = q.keep_alive;
        current.expect_continue = q.expect_continue;
        break;
      }
      case ParseEvent::kBodyData:
        current.body.append(r.body);
        break;
      case ParseEvent::kMessageComplete:
        current.end = pos;
        out.requests.push_back(current);
        in_request = false;
        break;
      case ParseEvent::kError:
        out.http_status = r.http_status;
        out.message = std::string(r.status.message());
        return out;
    }
  }
  ADD_FAILURE() << "parser made no progress";
  return out;
}

// Expects `input` to be rejected with `status` and a message naming
// `what`, the same way however it is split.
void ExpectError(std::string_view input, int status, std::string_view what,
                 ParserOptions options = {}) {
  SCOPED_TRACE(std::string(input));
  const Outcome out = ParseWhole(input, options);
  EXPECT_EQ(out.http_status, status);
  EXPECT_THAT(out.message, HasSubstr(std::string(what)));
  const std::string whole = fuzz::Transcript(input, {}, options, false);
  std::vector<size_t> every(input.size());
  for (size_t i = 0; i < every.size(); ++i) every[i] = i;
  EXPECT_EQ(fuzz::Transcript(input, every, options, true), whole);
}

// Expects one complete request (and nothing else) from `input`.
Parsed ExpectOne(std::string_view input, ParserOptions options = {}) {
  SCOPED_TRACE(std::string(input));
  const Outcome out = ParseWhole(input, options);
  EXPECT_EQ(out.http_status, 0) << out.message;
  EXPECT_TRUE(out.complete);
  EXPECT_EQ(out.requests.size(), 1u);
  if (out.requests.empty()) return Parsed{};
  EXPECT_EQ(out.requests[0].end, input.size());
  return out.requests[0];
}

// --- Valid requests --------------------------------------------------------

TEST(HttpParserTest, SimpleGet) {
  const std::string input =
      "GET /index.html?a=1&b=2 HTTP/1.1\r\nHost: example.com\r\n"
      "User-Agent: t\r\nAccept: */*\r\n\r\n";
  const Parsed r = ExpectOne(input);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/index.html?a=1&b=2");
  EXPECT_EQ(r.form, TargetForm::kOrigin);
  EXPECT_EQ(r.path, "/index.html");
  EXPECT_EQ(r.query, "a=1&b=2");
  EXPECT_EQ(r.version, Version::kHttp11);
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[0].first, "Host");
  EXPECT_EQ(r.headers[0].second, "example.com");
  EXPECT_EQ(r.headers[2].second, "*/*");
  EXPECT_EQ(r.framing, BodyFraming::kNone);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_FALSE(r.expect_continue);
  EXPECT_TRUE(r.body.empty());
}

TEST(HttpParserTest, EventSequenceAndConsumed) {
  const std::string input = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  RequestParser parser;
  ParseResult r = parser.Parse(input);
  EXPECT_EQ(r.event, ParseEvent::kHeadersComplete);
  EXPECT_EQ(r.consumed, input.size());
  EXPECT_TRUE(r.status.ok());
  r = parser.Parse("");
  EXPECT_EQ(r.event, ParseEvent::kMessageComplete);
  EXPECT_EQ(r.consumed, 0u);
  r = parser.Parse("");
  EXPECT_EQ(r.event, ParseEvent::kNeedMore);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(HttpParserTest, EmptyTargetPartsAndForms) {
  Parsed r = ExpectOne("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.query, "");
  r = ExpectOne("GET /p? HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(r.path, "/p");
  EXPECT_EQ(r.query, "");
  r = ExpectOne(
      "GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.form, TargetForm::kAbsolute);
  EXPECT_EQ(r.path, "/a/b");
  EXPECT_EQ(r.query, "c=d");
  r = ExpectOne("GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.form, TargetForm::kAbsolute);
  EXPECT_EQ(r.path, "");
  r = ExpectOne("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(r.form, TargetForm::kAsterisk);
  EXPECT_EQ(r.path, "*");
  r = ExpectOne(
      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(r.form, TargetForm::kAuthority);
  EXPECT_EQ(r.target, "example.com:443");
  EXPECT_EQ(r.path, "");
}

TEST(HttpParserTest, HeadIsJustAMethod) {
  const Parsed r = ExpectOne("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(r.method, "HEAD");
  EXPECT_EQ(r.framing, BodyFraming::kNone);
}

TEST(HttpParserTest, ValuesAreTrimmedAndMayBeEmpty) {
  const Parsed r = ExpectOne(
      "GET / HTTP/1.1\r\nHost:h\r\nX-A: \t a b \t\r\nX-Empty:\r\n"
      "X-Sp:   \r\nX-Obs: caf\xc3\xa9\r\n\r\n");
  ASSERT_EQ(r.headers.size(), 5u);
  EXPECT_EQ(r.headers[0].second, "h");
  EXPECT_EQ(r.headers[1].second, "a b");
  EXPECT_EQ(r.headers[2].second, "");
  EXPECT_EQ(r.headers[3].second, "");
  EXPECT_EQ(r.headers[4].second, "caf\xc3\xa9");
}

TEST(HttpParserTest, FindHeaderIsCaseInsensitiveAndFirst) {
  RequestParser parser;
  const std::string input =
      "GET / HTTP/1.1\r\nHost: h\r\nX-Thing: 1\r\nx-thing: 2\r\n\r\n";
  ASSERT_EQ(parser.Parse(input).event, ParseEvent::kHeadersComplete);
  EXPECT_EQ(parser.request().FindHeader("X-THING"), "1");
  EXPECT_EQ(parser.request().FindHeader("host"), "h");
  EXPECT_EQ(parser.request().FindHeader("missing"), std::nullopt);
}

TEST(HttpParserTest, KeepAliveSemantics) {
  EXPECT_TRUE(ExpectOne("GET / HTTP/1.1\r\nHost: h\r\n\r\n").keep_alive);
  EXPECT_FALSE(
      ExpectOne("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
          .keep_alive);
  EXPECT_FALSE(
      ExpectOne(
          "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n")
          .keep_alive);
  EXPECT_FALSE(ExpectOne("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(
      ExpectOne("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
  EXPECT_FALSE(ExpectOne("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"
                         "Connection: close\r\n\r\n")
                   .keep_alive);
}

TEST(HttpParserTest, ExpectContinue) {
  EXPECT_TRUE(ExpectOne("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n"
                        "Content-Length: 0\r\n\r\n")
                  .expect_continue);
  // RFC 9110 section 10.1.1: ignored in an HTTP/1.0 request.
  EXPECT_FALSE(ExpectOne("PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n")
                   .expect_continue);
  EXPECT_FALSE(ExpectOne("PUT / HTTP/1.1\r\nHost: h\r\nExpect: other\r\n\r\n")
                   .expect_continue);
}

TEST(HttpParserTest, Http10NeedsNoHostAndHigherMinorIsHttp11) {
  EXPECT_EQ(ExpectOne("GET / HTTP/1.0\r\n\r\n").version, Version::kHttp10);
  EXPECT_EQ(ExpectOne("GET / HTTP/1.9\r\nHost: h\r\n\r\n").version,
            Version::kHttp11);
}

TEST(HttpParserTest, LeadingEmptyLinesAreIgnored) {
  EXPECT_EQ(ExpectOne("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").method,
            "GET");
  ExpectError("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "too many empty lines");
}

TEST(HttpParserTest, ContentLengthBody) {
  const Parsed r = ExpectOne(
      "POST /submit HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"
      "hello world");
  EXPECT_EQ(r.framing, BodyFraming::kContentLength);
  EXPECT_EQ(r.content_length, 11u);
  EXPECT_EQ(r.body, "hello world");
  const Parsed zero =
      ExpectOne("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(zero.framing, BodyFraming::kContentLength);
  EXPECT_EQ(zero.body, "");
}

TEST(HttpParserTest, IdenticalContentLengthsAreAccepted) {
  EXPECT_EQ(ExpectOne("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n"
                      "Content-Length: 003\r\n\r\nabc")
                .body,
            "abc");
}

TEST(HttpParserTest, ChunkedBody) {
  const Parsed r = ExpectOne(
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5\r\nhello\r\n"
      "1;name=value;quoted=\"a \\\" b\" ; bare\r\n \r\n"
      "0A\r\n0123456789\r\n"
      "0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n");
  EXPECT_EQ(r.framing, BodyFraming::kChunked);
  EXPECT_EQ(r.body, "hello 0123456789");
}

TEST(HttpParserTest, ChunkedBodyWithoutTrailers) {
  EXPECT_EQ(ExpectOne("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n3\r\nabc\r\n000\r\n\r\n")
                .body,
            "abc");
}

TEST(HttpParserTest, PipelinedRequestsShareTheBuffer) {
  const std::string a = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string b =
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz";
  const std::string c =
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nhi\r\n0\r\n\r\n";
  const std::string d = "GET /d HTTP/1.0\r\n\r\n";
  const Outcome out = ParseWhole(a + b + c + d + "GET /partial");
  EXPECT_EQ(out.http_status, 0);
  EXPECT_TRUE(out.complete);  // the partial head is buffered, not a request
  ASSERT_EQ(out.requests.size(), 4u);
  EXPECT_EQ(out.requests[0].path, "/a");
  EXPECT_EQ(out.requests[0].end, a.size());
  EXPECT_EQ(out.requests[1].body, "xyz");
  EXPECT_EQ(out.requests[1].end, a.size() + b.size());
  EXPECT_EQ(out.requests[2].body, "hi");
  EXPECT_EQ(out.requests[2].end, a.size() + b.size() + c.size());
  EXPECT_EQ(out.requests[3].version, Version::kHttp10);
  EXPECT_FALSE(out.requests[3].keep_alive);
}

TEST(HttpParserTest, ViewsPointIntoTheInputWhenTheHeadArrivesWhole) {
  const std::string input = "GET /x HTTP/1.1\r\nHost: h\r\n\r\nrest";
  RequestParser parser;
  const ParseResult r = parser.Parse(input);
  ASSERT_EQ(r.event, ParseEvent::kHeadersComplete);
  EXPECT_EQ(r.consumed, input.size() - 4);
  EXPECT_EQ(parser.request().method.data(), input.data());
  EXPECT_EQ(parser.request().headers[0].value.data(), input.data() + 23);
}

TEST(HttpParserTest, ViewsPointIntoTheParserWhenTheHeadSpansCalls) {
  std::string first = "GET /x HTTP/1.1\r\nHo";
  std::string second = "st: h\r\n\r\n";
  RequestParser parser;
  ParseResult r = parser.Parse(first);
  ASSERT_EQ(r.event, ParseEvent::kNeedMore);
  EXPECT_EQ(r.consumed, first.size());
  first.assign(first.size(), '#');  // the caller reuses its buffer
  r = parser.Parse(second);
  ASSERT_EQ(r.event, ParseEvent::kHeadersComplete);
  EXPECT_EQ(r.consumed, second.size());
  second.assign(second.size(), '#');
  EXPECT_EQ(parser.request().target, "/x");
  EXPECT_EQ(parser.request().FindHeader("host"), "h");
}

TEST(HttpParserTest, PinHeadDetachesViewsFromTheInput) {
  std::string input =
      "POST /p?q HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab";
  RequestParser parser;
  ParseResult r = parser.Parse(input);
  ASSERT_EQ(r.event, ParseEvent::kHeadersComplete);
  const size_t head = r.consumed;
  parser.PinHead();
  const std::string body = input.substr(head);
  input.assign(input.size(), '#');
  EXPECT_EQ(parser.request().method, "POST");
  EXPECT_EQ(parser.request().path, "/p");
  EXPECT_EQ(parser.request().query, "q");
  EXPECT_EQ(parser.request().FindHeader("content-length"), "2");
  r = parser.Parse(body);
  ASSERT_EQ(r.event, ParseEvent::kBodyData);
  EXPECT_EQ(r.body, "ab");
  EXPECT_EQ(parser.Parse("").event, ParseEvent::kMessageComplete);
  EXPECT_EQ(parser.request().target, "/p?q");
}

TEST(HttpParserTest, ErrorsAreStickyUntilReset) {
  RequestParser parser;
  ParseResult r = parser.Parse("GET / HTTP/1.1\n");
  ASSERT_EQ(r.event, ParseEvent::kError);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  r = parser.Parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(r.event, ParseEvent::kError);
  EXPECT_EQ(r.consumed, 0u);
  parser.Reset();
  EXPECT_EQ(parser.Parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n").event,
            ParseEvent::kHeadersComplete);
}

// --- Rejections ------------------------------------------------------------

TEST(HttpParserTest, LineEndingsMustBeCrlf) {
  ExpectError("GET / HTTP/1.1\nHost: h\r\n\r\n", 400, "bare LF");
  ExpectError("GET / HTTP/1.1\r\nHost: h\n\r\n", 400, "bare LF");
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\n\n", 400, "bare LF");
  ExpectError("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", 400, "bare CR");
  ExpectError("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400, "bare CR");
  ExpectError("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bare CR");
}

TEST(HttpParserTest, ObsFoldIsRejected) {
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400,
              "obs-fold");
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", 400,
              "obs-fold");
  ExpectError("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400, "obs-fold");
}

TEST(HttpParserTest, FieldNamesAreTokens) {
  ExpectError("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400,
              "whitespace between field name");
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\nX(y): z\r\n\r\n", 400,
              "field line 2: field name is not a token");
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\n: z\r\n\r\n", 400,
              "empty field name");
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400,
              "without ':'");
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\nX\xc3\xa9: z\r\n\r\n", 400,
              "not a token");
}

TEST(HttpParserTest, FieldValuesRejectControls) {
  ExpectError(std::string("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 35),
              400, "invalid character in field value");
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n", 400,
              "invalid character in field value");
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01\r\n\r\n", 400,
              "invalid character in field value");
}

TEST(HttpParserTest, MalformedRequestLines) {
  ExpectError("GET\r\n\r\n", 400, "malformed request line");
  ExpectError("GET /\r\n\r\n", 400, "malformed request line");
  ExpectError(" / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "empty method");
  ExpectError("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "method is not a token");
  ExpectError("GET  HTTP/1.1\r\nHost: h\r\n\r\n", 400, "empty request target");
  ExpectError("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "empty request target");
  ExpectError("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400,
              "malformed HTTP version");
  ExpectError("GET / http/1.1\r\nHost: h\r\n\r\n", 400,
              "malformed HTTP version");
  ExpectError("GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400,
              "malformed HTTP version");
  ExpectError("GET / HTTP/1\r\nHost: h\r\n\r\n", 400, "malformed HTTP version");
  ExpectError("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "invalid character in request target");
  ExpectError("GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "invalid character in request target");
  ExpectError("GET \xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "invalid character in request target");
  ExpectError("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400, "OPTIONS only");
  ExpectError("CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "authority-form");
  ExpectError("CONNECT host HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "malformed authority-form");
  ExpectError("CONNECT host:x HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "malformed authority-form");
  ExpectError("GET 1http://x/ HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "malformed request target");
  ExpectError("GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", 400,
              "malformed request target");
}

TEST(HttpParserTest, UnsupportedVersionIs505) {
  ExpectError("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, "HTTP/2.0");
  ExpectError("GET / HTTP/0.9\r\n\r\n", 505, "unsupported HTTP version");
}

TEST(HttpParserTest, HostRules) {
  ExpectError("GET / HTTP/1.1\r\n\r\n", 400, "missing Host");
  ExpectError("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400,
              "more than one Host");
  ExpectError("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400,
              "more than one Host");
}

TEST(HttpParserTest, ContentLengthRules) {
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
      "Content-Length: 4\r\n\r\nabcd",
      400, "conflicting Content-Length");
  ExpectError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\n", 400,
              "conflicting Content-Length");
  for (const char* bad : {"+5", "-1", "5a", "", "0x10", "1 2", ",", "3,"}) {
    ExpectError(std::string("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ") +
                    bad + "\r\n\r\n",
                400, "invalid Content-Length");
  }
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: "
      "99999999999999999999999999\r\n\r\n",
      413, "Content-Length exceeds the body limit");
}

TEST(HttpParserTest, SmugglingDefences) {
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
      "Transfer-Encoding: chunked\r\n\r\n",
      400, "both Transfer-Encoding and Content-Length");
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
      "Content-Length: 3\r\n\r\n",
      400, "both Transfer-Encoding and Content-Length");
  ExpectError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
              400, "final transfer coding is not chunked");
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip"
      "\r\n\r\n",
      400, "final transfer coding is not chunked");
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: identity\r\n\r\n",
      400, "final transfer coding is not chunked");
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: chunked\r\n\r\n",
      400, "more than once");
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked"
      "\r\n\r\n",
      501, "unsupported transfer coding gzip");
  ExpectError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n", 400,
              "empty Transfer-Encoding");
  ExpectError(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;x=1"
      "\r\n\r\n",
      400, "final transfer coding is not chunked");
  ExpectError("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
              "HTTP/1.0");
}

TEST(HttpParserTest, ChunkedFramingErrors) {
  const std::string head =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  ExpectError(head + "x\r\n", 400, "not hexadecimal");
  ExpectError(head + "\r\n", 400, "not hexadecimal");
  ExpectError(head + "-1\r\n", 400, "not hexadecimal");
  ExpectError(head + "3\r\nabcX", 400, "chunk data not followed by CRLF");
  ExpectError(head + "3\r\nabc\rX", 400, "chunk data not followed by CRLF");
  ExpectError(head + "3\nabc\r\n", 400, "bare LF");
  ExpectError(head + "3\r\r\nabc\r\n", 400, "bare CR");
  ExpectError(head + "3 x\r\nabc\r\n", 400, "malformed chunk extension");
  ExpectError(head + "3;\r\nabc\r\n", 400, "malformed chunk extension");
  ExpectError(head + "3;a=\r\nabc\r\n", 400, "malformed chunk extension");
  ExpectError(head + "3;a=\"open\r\nabc\r\n", 400, "malformed chunk extension");
  ExpectError(head + "3;a=\"\x01\"\r\nabc\r\n", 400,
              "malformed chunk extension");
  ExpectError(head + "FFFFFFFFFFFFFFFFFF\r\n", 413, "exceeds the body limit");
  ExpectError(head + "0\r\nX: a\r\n b\r\n\r\n", 400,
              "trailer line 2: obs-fold");
  ExpectError(head + "0\r\nBad Name: a\r\n\r\n", 400, "trailer line 1");
  ExpectError(head + "0\r\nX: a\n\r\n", 400, "bare LF");
}

// --- Limits, exactly at the bound and one past ------------------------------

TEST(HttpParserTest, RequestLineLimit) {
  ParserOptions options;
  options.max_request_line_bytes = 40;
  // "GET " + target + " HTTP/1.1" is 13 bytes plus the target.
  const std::string at = "GET /" + std::string(26, 'a') + " HTTP/1.1";
  ASSERT_EQ(at.size(), 40u);
  ExpectOne(at + "\r\nHost: h\r\n\r\n", options);
  ExpectError("GET /" + std::string(27, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n",
              400, "request line too long", options);
  ExpectError("GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n",
              414, "request target too long", options);
  ExpectError(std::string(41, 'G') + " / HTTP/1.1\r\n\r\n", 400,
              "in the method", options);
  // Past the limit with no line end yet: the same answer, without waiting.
  ExpectError("GET /" + std::string(60, 'a'), 414, "request target too long",
              options);
}

TEST(HttpParserTest, HeaderSectionLimit) {
  ParserOptions options;
  options.max_header_section_bytes = 64;
  // "Host: h\r\n" (9) + "X: " + v + "\r\n" (5 + v) + "\r\n" (2) = 16 + v.
  const std::string at =
      "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(48, 'v') + "\r\n\r\n";
  ExpectOne(at, options);
  ExpectError(
      "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(49, 'v') + "\r\n\r\n",
      431, "header section too large", options);
  ExpectError("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(100, 'v'), 431,
              "header section too large", options);
}

TEST(HttpParserTest, HeaderCountLimit) {
  ParserOptions options;
  options.max_headers = 4;
  std::string at = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 3; ++i) at += "X-" + std::to_string(i) + ": v\r\n";
  ExpectOne(at + "\r\n", options);
  ExpectError(at + "X-3: v\r\n\r\n", 431, "too many header fields", options);
}

TEST(HttpParserTest, ContentLengthLimit) {
  ParserOptions options;
  options.max_body_bytes = 10;
  EXPECT_EQ(ExpectOne("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n"
                      "0123456789",
                      options)
                .body,
            "0123456789");
  ExpectError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 413,
              "Content-Length exceeds the body limit", options);
}

TEST(HttpParserTest, ChunkedBodyLimit) {
  ParserOptions options;
  options.max_body_bytes = 10;
  const std::string head =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(
      ExpectOne(head + "4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n", options).body,
      "0123456789");
  ExpectError(head + "4\r\n0123\r\n7\r\n4567890\r\n0\r\n\r\n", 413,
              "chunked body exceeds the body limit", options);
}

TEST(HttpParserTest, ChunkLineLimit) {
  ParserOptions options;
  options.max_chunk_line_bytes = 10;
  const std::string head =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  // "1;abcdefgh" is 10 bytes.
  EXPECT_EQ(ExpectOne(head + "1;abcdefgh\r\nx\r\n0\r\n\r\n", options).body,
            "x");
  ExpectError(head + "1;abcdefghi\r\nx\r\n0\r\n\r\n", 400,
              "chunk-size line too long", options);
  ExpectError(head + "1" + std::string(30, '0'), 400,
              "chunk-size line too long", options);
}

TEST(HttpParserTest, TrailerLimits) {
  // The trailer section has the header section's limits; this head's own
  // section is 39 bytes and 2 fields, within them.
  ParserOptions options;
  options.max_header_section_bytes = 40;
  options.max_headers = 2;
  const std::string head =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  // "X: " + 33 bytes + "\r\n" (38) + "\r\n" (2) is exactly 40 bytes.
  ExpectOne(head + "X: " + std::string(33, 'v') + "\r\n\r\n", options);
  ExpectError(head + "X: " + std::string(34, 'v') + "\r\n\r\n", 431,
              "trailer section too large", options);
  ExpectError(head + "X: " + std::string(60, 'v'), 431,
              "trailer section too large", options);
  ExpectOne(head + "A: 1\r\nB: 2\r\n\r\n", options);
  ExpectError(head + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431,
              "too many trailer fields", options);
}

// --- Any split gives the same result ----------------------------------------

const char* const kCorpus[] = {
    "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "GET /index.html?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: wrk\r\n\r\n"
    "GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
    "GET / HTTP/1.0\r\n\r\n",
    "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;a=\"b\"\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n"
    "GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
    "PUT /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
    "Content-Length: 3\r\n\r\nabc",
    "\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
    "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    "GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
    "Transfer-Encoding: chunked\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /bad\n",
    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nabc\r\n4\r\nde",
    "GET /"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nshort",
};

TEST(HttpParserTest, CorpusParsesIdenticallyAtEverySplit) {
  for (bool tiny : {false, true}) {
    const ParserOptions options = tiny ? fuzz::TinyOptions() : ParserOptions();
    for (const char* item : kCorpus) {
      const std::string_view input(item);
      SCOPED_TRACE(std::string(input) + (tiny ? " (tiny limits)" : ""));
      const std::string whole = fuzz::Transcript(input, {}, options, false);
      for (size_t cut = 0; cut <= input.size(); ++cut) {
        const size_t cuts[] = {cut};
        ASSERT_EQ(fuzz::Transcript(input, cuts, options, cut % 2 == 0), whole)
            << "split at " << cut;
      }
      std::vector<size_t> every(input.size());
      for (size_t i = 0; i < every.size(); ++i) every[i] = i;
      EXPECT_EQ(fuzz::Transcript(input, every, options, true), whole);
    }
  }
}

TEST(HttpParserTest, ChunkedBodySplitEverywhereInThreePieces) {
  const std::string input =
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n";
  const std::string whole = fuzz::Transcript(input, {}, ParserOptions(), false);
  EXPECT_THAT(whole, HasSubstr("B abcde\nC\n"));
  for (size_t a = 0; a <= input.size(); ++a) {
    for (size_t b = a; b <= input.size(); b += 3) {
      const size_t cuts[] = {a, b};
      ASSERT_EQ(fuzz::Transcript(input, cuts, ParserOptions(), false), whole)
          << "cuts at " << a << " and " << b;
    }
  }
}

}  // namespace
}  // namespace colony::http
