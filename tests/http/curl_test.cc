// Copyright 2026 The Colony Authors.
//
// The server against a real client, curl: large uploads with
// "Expect: 100-continue", chunked uploads, chunked downloads, connection
// reuse, HTTP/1.0 and HEAD.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "http/handlers.h"
#include "http/server.h"
#include "tests/http/http_test_util.h"

namespace colony::http {
namespace {

using testing::TestServer;

// Shell() runs a shell command and returns its stdout and stderr together.
std::string Shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

class CurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Shell("command -v curl").empty())
      GTEST_SKIP() << "curl is not installed";
    Router router;
    ASSERT_TRUE(router
                    .Handle("POST", "/size",
                            [](RequestContext& ctx) {
                              unsigned sum = 0;
                              for (char c : ctx.body) {
                                sum = sum * 31 + static_cast<unsigned char>(c);
                              }
                              return Response::Text(
                                  200, absl::StrCat(ctx.body.size(), " ", sum));
                            })
                    .ok());
    ASSERT_TRUE(router.Handle("GET", "/plaintext", PlaintextHandler()).ok());
    ASSERT_TRUE(router
                    .Handle("GET", "/chunks",
                            [](RequestContext&) {
                              return Response::Stream(
                                  200, "text/plain", [](BodyWriter& w) {
                                    for (int i = 0; i < 1000; ++i) {
                                      absl::Status s =
                                          w.Write(absl::StrCat(i, "\n"));
                                      if (!s.ok()) return s;
                                    }
                                    return absl::OkStatus();
                                  });
                            })
                    .ok());
    ServerOptions o;
    o.parser.max_body_bytes = 16 << 20;
    server_ = std::make_unique<TestServer>(o, router.handler());
    url_ = absl::StrCat("http://127.0.0.1:", server_->port());
    const char* tmp = std::getenv("TEST_TMPDIR");
    upload_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/curl_upload.bin");
    std::ofstream f(upload_, std::ios::binary);
    for (int i = 0; i < (3 << 20); ++i) {
      const char c = static_cast<char>((i * 131) % 251);
      f.put(c);
      sum_ = sum_ * 31 + static_cast<unsigned char>(c);
    }
  }

  std::unique_ptr<TestServer> server_;
  std::string url_;
  std::string upload_;
  unsigned sum_ = 0;
};

TEST_F(CurlTest, LargePostWithExpectContinue) {
  const std::string out =
      Shell(absl::StrCat("curl -sS -v --max-time 30 -H 'Expect: 100-continue' "
                         "--data-binary @",
                         upload_, " ", url_, "/size"));
  EXPECT_NE(out.find("HTTP/1.1 100 Continue"), std::string::npos) << out;
  EXPECT_NE(out.find(absl::StrCat(3 << 20, " ", sum_)), std::string::npos)
      << out;
}

TEST_F(CurlTest, ChunkedUpload) {
  const std::string out = Shell(
      absl::StrCat("curl -sS -v --max-time 30 -H 'Transfer-Encoding: chunked' "
                   "--data-binary @",
                   upload_, " ", url_, "/size"));
  EXPECT_NE(out.find("Transfer-Encoding: chunked"), std::string::npos) << out;
  EXPECT_NE(out.find(absl::StrCat(3 << 20, " ", sum_)), std::string::npos)
      << out;
}

TEST_F(CurlTest, ChunkedDownload) {
  std::string expected;
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&expected, i, "\n");
  EXPECT_EQ(Shell(absl::StrCat("curl -sS --max-time 30 ", url_, "/chunks")),
            expected);
}

TEST_F(CurlTest, ReusesTheConnection) {
  const std::string out = Shell(absl::StrCat(
      "curl -sS -v --max-time 30 ", url_, "/plaintext ", url_, "/plaintext"));
  EXPECT_NE(out.find("Re-using existing connection"), std::string::npos) << out;
  EXPECT_EQ(server_->server().Stats().connections_accepted, 1u);
}

TEST_F(CurlTest, Http10AndHead) {
  std::string out =
      Shell(absl::StrCat("curl -sS -0 --max-time 30 ", url_, "/plaintext"));
  EXPECT_EQ(out, "Hello, World!");
  out = Shell(absl::StrCat("curl -sS -I --max-time 30 ", url_, "/plaintext"));
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Length: 13"), std::string::npos) << out;
}

}  // namespace
}  // namespace colony::http
