// Copyright 2026 The Colony Authors.
//
// Addresses, Resolve(), Unix sockets, UDP and buffered I/O, parameterised
// over worker counts.

#include <unistd.h>

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/buffered.h"
#include "net/errors.h"
#include "net/socket_address.h"
#include "net/tcp.h"
#include "net/udp.h"
#include "net/unix.h"
#include "tests/net_test_util.h"

namespace colony {
namespace {

using ::colony::testing::NetTest;
using ::testing::HasSubstr;

TEST(SocketAddressTest, ParseAndPrint) {
  for (const char* text :
       {"127.0.0.1:6379", "[::1]:80", "0.0.0.0:0", "[fe80::1]:65535",
        "unix:/run/x.sock", "unix:@colony-abstract"}) {
    absl::StatusOr<SocketAddress> a = SocketAddress::Parse(text);
    ASSERT_TRUE(a.ok()) << text << ": " << a.status();
    EXPECT_EQ(a->ToString(), text);
    EXPECT_EQ(*SocketAddress::Parse(a->ToString()), *a);
  }
  EXPECT_EQ(SocketAddress::Parse("127.0.0.1:6379")->port(), 6379);
  EXPECT_EQ(SocketAddress::Parse("[::1]:80")->family(),
            SocketAddress::Family::kIPv6);
  EXPECT_EQ(SocketAddress::Parse("unix:@x")->family(),
            SocketAddress::Family::kUnix);
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:70000", "[::1:80",
                          "localhost:80", "1.2.3:4", "unix:"}) {
    absl::StatusOr<SocketAddress> a = SocketAddress::Parse(bad);
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(SocketAddress::Unix(std::string(200, 'x')).ok());
}

TEST_P(NetTest, ResolveFromTaskAndThread) {
  absl::StatusOr<std::vector<SocketAddress>> r = Resolve("127.0.0.1", 99);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].ToString(), "127.0.0.1:99");
  ASSERT_TRUE(Run([] {
    absl::StatusOr<std::vector<SocketAddress>> l = Resolve("localhost", 7);
    ASSERT_TRUE(l.ok()) << l.status();
    ASSERT_FALSE(l->empty());
    for (const SocketAddress& a : *l) EXPECT_EQ(a.port(), 7);
    absl::StatusOr<std::vector<SocketAddress>> none =
        Resolve("no-such-host.invalid", 1);
    EXPECT_FALSE(none.ok());
  }));
}

TEST_P(NetTest, UnixPathAbstractAndPair) {
  const std::string path =
      absl::StrCat("/tmp/colony-net-", getpid(), "-", GetParam(), ".sock");
  unlink(path.c_str());
  for (const std::string& where :
       {absl::StrCat("unix:", path),
        absl::StrCat("unix:@colony-test-", getpid(), "-", GetParam())}) {
    ASSERT_TRUE(Run([&] {
      absl::StatusOr<UnixListener> l =
          UnixListener::Bind(*SocketAddress::Parse(where));
      ASSERT_TRUE(l.ok()) << l.status();
      EXPECT_EQ(l->LocalAddress()->ToString(), where);
      auto server = Spawn([&] {
        absl::StatusOr<UnixStream> c = l->Accept();
        ASSERT_TRUE(c.ok());
        BufferedReader in(*c);
        absl::StatusOr<std::string> line = in.ReadLine(100);
        ASSERT_TRUE(line.ok()) << line.status();
        ASSERT_TRUE(c->WriteAll(absl::StrCat(*line, "!\n")).ok());
      });
      absl::StatusOr<UnixStream> c =
          UnixStream::Connect(*SocketAddress::Parse(where));
      ASSERT_TRUE(c.ok()) << c.status();
      ASSERT_TRUE(c->WriteAll("hello\n").ok());
      BufferedReader in(*c);
      absl::StatusOr<std::string> back = in.ReadLine(100);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(*back, "hello!");
      server.Join();
    }));
  }
  unlink(path.c_str());
  ASSERT_TRUE(Run([] {
    absl::StatusOr<std::pair<UnixStream, UnixStream>> p = UnixStream::Pair();
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(p->first.WriteAll("pair").ok());
    char b[4];
    ASSERT_TRUE(p->second.ReadFull(absl::MakeSpan(b)).ok());
    EXPECT_EQ(std::string(b, 4), "pair");
  }));
}

TEST_P(NetTest, UdpSendRecvAndDeadline) {
  ASSERT_TRUE(Run([] {
    absl::StatusOr<UdpSocket> a = UdpSocket::Bind(SocketAddress::Loopback4(0));
    absl::StatusOr<UdpSocket> b = UdpSocket::Bind(SocketAddress::Loopback4(0));
    ASSERT_TRUE(a.ok() && b.ok());
    const SocketAddress to_b = *b->LocalAddress();
    char buf[16];
    // Nothing sent yet: the receive times out.
    EXPECT_EQ(b->RecvFrom(absl::MakeSpan(buf),
                          Deadline::After(absl::Milliseconds(20)))
                  .status()
                  .code(),
              absl::StatusCode::kDeadlineExceeded);
    auto receiver = Spawn([&] { return b->RecvFrom(absl::MakeSpan(buf)); });
    colony::SleepFor(absl::Milliseconds(10));
    ASSERT_TRUE(a->SendTo("datagram", to_b).ok());
    absl::StatusOr<Datagram> d = receiver.Join().value();
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(std::string(buf, d->size), "datagram");
    EXPECT_FALSE(d->truncated);
    EXPECT_EQ(d->from, *a->LocalAddress());
    // Truncation is reported.
    ASSERT_TRUE(a->SendTo(std::string(40, 'l'), to_b).ok());
    d = b->RecvFrom(absl::MakeSpan(buf));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->size, sizeof(buf));
    EXPECT_TRUE(d->truncated);
  }));
}

TEST_P(NetTest, BufferedReaderBoundsAndEof) {
  ASSERT_TRUE(Run([] {
    absl::StatusOr<std::pair<UnixStream, UnixStream>> p = UnixStream::Pair();
    ASSERT_TRUE(p.ok());
    UnixStream& w = p->first;
    BufferedReader in(p->second, /*buffer_size=*/16);
    ASSERT_TRUE(w.WriteAll("short\r\nline two\n").ok());
    EXPECT_EQ(*in.ReadLine(100), "short");
    EXPECT_EQ(*in.ReadUntil('t', 100), "line t");
    EXPECT_EQ(*in.Peek(3, 16), "wo\n");
    EXPECT_EQ(*in.ReadExactly(3, 16), "wo\n");
    // A line longer than its maximum fails cleanly.
    ASSERT_TRUE(w.WriteAll(std::string(100, 'x') + "\nok\n").ok());
    absl::StatusOr<std::string> tooLong = in.ReadLine(50);
    EXPECT_EQ(tooLong.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_LE(in.buffered(), 50u);
    // ReadExactly beyond its maximum reads nothing.
    EXPECT_EQ(in.ReadExactly(1000, 100).status().code(),
              absl::StatusCode::kResourceExhausted);
    // Peek beyond the buffer and the maximum.
    EXPECT_EQ(in.Peek(1000, 64).status().code(),
              absl::StatusCode::kResourceExhausted);
    // Drain the x's, then read the next line.
    std::string rest;
    while (true) {
      absl::StatusOr<std::string> l = in.ReadUntil('\n', 200);
      ASSERT_TRUE(l.ok());
      if (*l == "ok\n") break;
    }
    // A large ReadExactly streams past the buffer.
    std::string big(100'000, 'b');
    auto writer = Spawn([&] { return w.WriteAll(big); });
    absl::StatusOr<std::string> got = in.ReadExactly(big.size(), big.size());
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, big);
    ASSERT_TRUE(writer.Join().value().ok());
    // End of stream in the middle of a line and of a message.
    ASSERT_TRUE(w.WriteAll("partial").ok());
    ASSERT_TRUE(w.ShutdownWrite().ok());
    absl::StatusOr<std::string> partial = in.ReadLine(100);
    EXPECT_TRUE(IsEndOfStream(partial.status())) << partial.status();
    absl::StatusOr<std::string> exact = in.ReadExactly(100, 100);
    EXPECT_TRUE(IsEndOfStream(exact.status())) << exact.status();
    EXPECT_THAT(exact.status().message(), HasSubstr("7 of 100"));
  }));
}

TEST_P(NetTest, BufferedWriterCoalescesAndFlushes) {
  ASSERT_TRUE(Run([] {
    absl::StatusOr<std::pair<UnixStream, UnixStream>> p = UnixStream::Pair();
    ASSERT_TRUE(p.ok());
    BufferedWriter out(p->first, /*capacity=*/64);
    ASSERT_TRUE(out.Write("a").ok());
    ASSERT_TRUE(out.Write("b").ok());
    EXPECT_EQ(out.buffered(), 2u);
    // Nothing reached the peer yet.
    char c;
    EXPECT_EQ(p->second.Read({&c, 1}, Deadline::After(absl::Milliseconds(10)))
                  .status()
                  .code(),
              absl::StatusCode::kDeadlineExceeded);
    const std::string ds(100, 'd');
    const absl::string_view parts[] = {"c", ds, "e"};
    ASSERT_TRUE(out.Writev(absl::MakeConstSpan(parts)).ok());
    EXPECT_LE(out.buffered(), 64u);
    ASSERT_TRUE(out.Flush().ok());
    EXPECT_EQ(out.buffered(), 0u);
    std::string got(104, 0);
    ASSERT_TRUE(p->second.ReadFull(absl::MakeSpan(got)).ok());
    EXPECT_EQ(got, "abc" + std::string(100, 'd') + "e");
  }));
}

INSTANTIATE_TEST_SUITE_P(Workers, NetTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
