// Copyright 2026 The Colony Authors.
//
// The built-in handlers behind a real server: the hellos, the echo, and
// static files (traversal and symlink attempts refused, content types,
// 304, ranges, index files, large files sent in pieces).

#include "http/handlers.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "http/http_date.h"
#include "http/server.h"
#include "tests/http/http_test_util.h"

namespace colony::http {
namespace {

using testing::Client;
using testing::ClientResponse;
using testing::TestServer;

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
}

class HandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string tmpl = absl::StrCat(tmp != nullptr ? tmp : "/tmp",
                                    "/colony_http_static_XXXXXX");
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    root_ = base_ + "/root";
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/dir").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/noindex").c_str(), 0755), 0);
    WriteFile(base_ + "/secret.txt", "outside the root");
    WriteFile(root_ + "/hello.txt", "hello file\n");
    WriteFile(root_ + "/page.HTML", "<p>hi</p>");
    WriteFile(root_ + "/app.js", "let x = 1;");
    WriteFile(root_ + "/data.bin", "\x01\x02\x03");
    WriteFile(root_ + "/.hidden", "dotfile");
    WriteFile(root_ + "/dir/index.html", "<h1>index</h1>");
    big_.resize(1 << 20);
    for (size_t i = 0; i < big_.size(); ++i) {
      big_[i] = static_cast<char>('a' + (i * 7) % 26);
    }
    WriteFile(root_ + "/big.txt", big_);
    ASSERT_EQ(::symlink((base_ + "/secret.txt").c_str(),
                        (root_ + "/link.txt").c_str()),
              0);
    ASSERT_EQ(::symlink(base_.c_str(), (root_ + "/up").c_str()), 0);
    ASSERT_EQ(::symlink((root_ + "/hello.txt").c_str(),
                        (root_ + "/inner.txt").c_str()),
              0);
    // A fixed modification time for hello.txt.
    timeval times[2] = {{1700000000, 0}, {1700000000, 0}};
    ASSERT_EQ(::utimes((root_ + "/hello.txt").c_str(), times), 0);

    Router router;
    ASSERT_TRUE(router.Handle("GET", "/plaintext", PlaintextHandler()).ok());
    ASSERT_TRUE(router.Handle("GET", "/json", JsonHandler()).ok());
    ASSERT_TRUE(router.Handle("*", "/echo/{rest...}", EchoHandler()).ok());
    auto files = StaticFilesHandler(root_, {.max_inline_bytes = 64 * 1024});
    ASSERT_TRUE(files.ok()) << files.status();
    ASSERT_TRUE(router.Handle("*", "/static/{path...}", *files).ok());
    server_ = std::make_unique<TestServer>(ServerOptions{}, router.handler());
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(base_, ec);
  }

  ClientResponse Get(const std::string& target, const std::string& extra = "",
                     const std::string& method = "GET") {
    Client c(server_->port());
    EXPECT_TRUE(c.Send(absl::StrCat(
        method, " ", target, " HTTP/1.1\r\nHost: x\r\n", extra, "\r\n")));
    auto r = c.ReadResponse(method == "HEAD");
    EXPECT_TRUE(r.has_value()) << target;
    return r.value_or(ClientResponse{});
  }

  std::string base_, root_, big_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(HandlersTest, Hellos) {
  ClientResponse r = Get("/plaintext");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Hello, World!");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  r = Get("/json");
  EXPECT_EQ(r.body, R"({"message":"Hello, World!"})");
  EXPECT_EQ(r.Header("content-type"), "application/json");
}

TEST_F(HandlersTest, EchoDescribesTheRequest) {
  ClientResponse r =
      Get("/echo/a?b=1", "Content-Length: 8\r\nX-Q: \"q\"\r\n\r\nab\ncd\x01",
          "POST");
  // The bytes after the head, with the CRLF Get() appends, are the body.
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "{\"method\":\"POST\",\"target\":\"/echo/a?b=1\",\"path\":\"/echo/"
            "a\",\"query\":\"b=1\",\"version\":\"HTTP/1.1\",\"headers\":[["
            "\"Host\",\"x\"],[\"Content-Length\",\"8\"],[\"X-Q\",\"\\\"q\\\"\"]"
            "],\"body\":\"ab\\ncd\\u0001\\r\\n\"}\n");
}

TEST_F(HandlersTest, JsonEscapeHandlesUtf8AndBytes) {
  std::string out;
  JsonEscape("h\xC3\xA9llo", out);
  EXPECT_EQ(out, "\"h\xC3\xA9llo\"");
  out.clear();
  JsonEscape("bad\xC3", out);
  EXPECT_EQ(out, "\"bad\\u00c3\"");
}

TEST_F(HandlersTest, StaticFilesWithTypes) {
  ClientResponse r = Get("/static/hello.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello file\n");
  EXPECT_EQ(r.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.Header("last-modified"), FormatHttpDate(1700000000));
  EXPECT_EQ(Get("/static/page.HTML").Header("content-type"),
            "text/html; charset=utf-8");
  EXPECT_EQ(Get("/static/app.js").Header("content-type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/static/data.bin").Header("content-type"),
            "application/octet-stream");
  r = Get("/static/dir/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<h1>index</h1>");
  EXPECT_EQ(Get("/static/dir").body, "<h1>index</h1>");
  EXPECT_EQ(Get("/static/noindex/").status, 404);
  EXPECT_EQ(Get("/static/missing.txt").status, 404);
  EXPECT_EQ(Get("/static/hello%2etxt").body, "hello file\n");
  r = Get("/static/hello.txt", "", "HEAD");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-length"), "11");
  EXPECT_EQ(Get("/static/hello.txt", "", "POST").status, 405);
}

TEST_F(HandlersTest, TraversalAndSymlinksAreRefused) {
  for (const char* target : {
           "/static/../secret.txt",
           "/static/%2e%2e/secret.txt",
           "/static/..%2fsecret.txt",
           "/static/dir/../../secret.txt",
           "/static/%2E%2E%2Fsecret.txt",
           "/static/link.txt",       // a symlink out of the root
           "/static/up/secret.txt",  // a symlinked directory
           "/static/inner.txt",      // even a symlink that stays inside
           "/static/.hidden",
           "/static//etc/passwd",
           "/static/hello.txt%00.png",
           "/static/%zz",
       }) {
    ClientResponse r = Get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body.find("outside"), std::string::npos) << target;
  }
}

TEST_F(HandlersTest, IfModifiedSinceGives304) {
  ClientResponse r = Get(
      "/static/hello.txt",
      absl::StrCat("If-Modified-Since: ", FormatHttpDate(1700000000), "\r\n"));
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.Header("last-modified"), FormatHttpDate(1700000000));
  r = Get(
      "/static/hello.txt",
      absl::StrCat("If-Modified-Since: ", FormatHttpDate(1699999999), "\r\n"));
  EXPECT_EQ(r.status, 200);
  r = Get("/static/hello.txt", "If-Modified-Since: not a date\r\n");
  EXPECT_EQ(r.status, 200);
}

TEST_F(HandlersTest, RangesAndLargeFiles) {
  ClientResponse r = Get("/static/hello.txt", "Range: bytes=0-4\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.Header("content-range"), "bytes 0-4/11");
  r = Get("/static/hello.txt", "Range: bytes=-5\r\n");
  EXPECT_EQ(r.body, "file\n");
  r = Get("/static/hello.txt", "Range: bytes=20-\r\n");
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.Header("content-range"), "bytes */11");
  // Larger than max_inline_bytes: sent in pieces from the descriptor.
  r = Get("/static/big.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), big_.size());
  EXPECT_TRUE(r.body == big_);
  r = Get("/static/big.txt", "Range: bytes=100000-899999\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_TRUE(r.body == big_.substr(100000, 800000));
}

TEST_F(HandlersTest, RootMustBeADirectory) {
  EXPECT_FALSE(StaticFilesHandler(root_ + "/hello.txt").ok());
  EXPECT_FALSE(StaticFilesHandler(root_ + "/nope").ok());
}

}  // namespace
}  // namespace colony::http
