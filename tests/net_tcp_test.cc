// Copyright 2026 The Colony Authors.
//
// TCP over the netpoller, parameterised over worker counts: echo at scale
// with every byte checked, deadlines (accept, connect to a blackhole, read,
// write, changed while waiting, already past), cancellation and Close()
// during each wait, fd-number reuse under fire, resets, half-close, EOF,
// refusal, IPv6, backpressure, a CPU hog on one worker, threads and tasks
// on the same sockets, and the poller's counters in Stats() and Dump().

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/errors.h"
#include "net/tcp.h"
#include "scheduler/scheduler.h"
#include "sync/locks/wait_group.h"
#include "tests/net_test_util.h"

namespace colony {
namespace {

using ::colony::testing::kAsanBuild;
using ::colony::testing::kTsanBuild;
using ::colony::testing::NetTest;
using ::colony::testing::RaiseFdLimit;
using ::testing::HasSubstr;

TcpListener MustBind(TcpListenOptions options = {}) {
  absl::StatusOr<TcpListener> l =
      TcpListener::Bind(SocketAddress::Loopback4(0), options);
  EXPECT_TRUE(l.ok()) << l.status();
  return *std::move(l);
}

SocketAddress AddressOf(const TcpListener& l) {
  absl::StatusOr<SocketAddress> a = l.LocalAddress();
  EXPECT_TRUE(a.ok()) << a.status();
  return *a;
}

// The byte at offset `i` of connection `c`'s stream.
char Pattern(int c, size_t i) {
  return static_cast<char>((c * 131 + i * 7 + (i >> 8)) & 0xff);
}

// Echo: `conns` clients, each writes `bytes` in chunks and reads them back;
// the server echoes with one task per connection.
void Echo(Scheduler* s, int conns, size_t bytes) {
  TcpListener listener = MustBind({.backlog = 4096});
  const SocketAddress address = AddressOf(listener);
  std::atomic<int> accepted{0};
  std::atomic<int> verified{0};
  std::atomic<int> failures{0};
  auto server = s->Spawn([&] {
    for (int i = 0; i < conns; ++i) {
      absl::StatusOr<TcpStream> c = listener.Accept();
      if (!c.ok()) {
        ADD_FAILURE() << c.status();
        failures++;
        return;
      }
      accepted++;
      Spawn([c = *std::move(c), &failures]() mutable {
        char buf[4096];
        for (;;) {
          absl::StatusOr<size_t> n = c.Read(absl::MakeSpan(buf));
          if (!n.ok()) {
            failures++;
            ADD_FAILURE() << n.status();
            return;
          }
          if (*n == 0) return;
          if (absl::Status w = c.WriteAll(absl::string_view(buf, *n));
              !w.ok()) {
            failures++;
            ADD_FAILURE() << w;
            return;
          }
        }
      }).Detach();
    }
  });
  std::vector<JoinHandle<void>> clients;
  for (int c = 0; c < conns; ++c) {
    clients.push_back(s->Spawn([&, c] {
      absl::StatusOr<TcpStream> conn = TcpStream::Connect(address);
      if (!conn.ok()) {
        failures++;
        ADD_FAILURE() << conn.status();
        return;
      }
      std::string out(bytes, 0);
      for (size_t i = 0; i < bytes; ++i) out[i] = Pattern(c, i);
      // A writer task, so that a large message cannot deadlock on both
      // sides' buffers.
      auto writer = Spawn([&] {
        for (size_t off = 0; off < bytes; off += 1000) {
          const size_t n = std::min<size_t>(1000, bytes - off);
          if (!conn->WriteAll(absl::string_view(out.data() + off, n)).ok()) {
            failures++;
            return;
          }
        }
        EXPECT_TRUE(conn->ShutdownWrite().ok());
      });
      std::string in(bytes, 0);
      absl::Status r = conn->ReadFull(absl::MakeSpan(in));
      writer.Join();
      if (!r.ok()) {
        failures++;
        ADD_FAILURE() << r;
        return;
      }
      char extra;
      absl::StatusOr<size_t> eof = conn->Read({&extra, 1});
      if (in == out && eof.ok() && *eof == 0) {
        verified++;
      } else {
        failures++;
        ADD_FAILURE() << "connection " << c << " echoed wrong bytes";
      }
    }));
  }
  for (auto& h : clients) h.Join();
  server.Join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(accepted.load(), conns);
  EXPECT_EQ(verified.load(), conns);
}

TEST_P(NetTest, EchoSmall) { Echo(s_.get(), 16, 100'000); }

// The client side of 10,000 connections in a child process: one process
// holding both ends would need more than 20,000 descriptors. The child
// makes only system calls (what is safe after fork() in a threaded
// process), on memory prepared before the fork; every connection is open
// at once, and every byte is checked on both sides.
void EchoWithChildClients(Scheduler* s, int conns, size_t bytes,
                          const SocketAddress& bind_to) {
  absl::StatusOr<TcpListener> bound =
      TcpListener::Bind(bind_to, {.backlog = 4096});
  ASSERT_TRUE(bound.ok()) << bound.status();
  TcpListener listener = *std::move(bound);
  const SocketAddress address = AddressOf(listener);
  std::atomic<int> served{0};
  std::atomic<int> failures{0};
  auto server = s->Spawn([&] {
    for (int i = 0; i < conns; ++i) {
      absl::StatusOr<TcpStream> c = listener.Accept();
      if (!c.ok()) {
        ADD_FAILURE() << c.status();
        return;
      }
      Spawn([c = *std::move(c), bytes, &served, &failures]() mutable {
        std::string buf(bytes, 0);
        absl::Status r = c.ReadFull(absl::MakeSpan(buf));
        bool good = r.ok();
        // The first byte names the connection; the rest follow from it.
        const int id = static_cast<unsigned char>(buf[0]);
        for (size_t i = 1; good && i < bytes; ++i) {
          good = buf[i] == Pattern(id, i);
        }
        good = good && c.WriteAll(buf).ok();
        char extra;
        absl::StatusOr<size_t> eof = c.Read({&extra, 1});
        good = good && eof.ok() && *eof == 0;
        (good ? served : failures)++;
      }).Detach();
    }
  });
  std::vector<int> fds(static_cast<size_t>(conns), -1);
  std::vector<std::string> out(static_cast<size_t>(conns));
  for (int c = 0; c < conns; ++c) {
    std::string& o = out[static_cast<size_t>(c)];
    o.resize(bytes);
    o[0] = static_cast<char>(c & 0xff);
    for (size_t i = 1; i < bytes; ++i) o[i] = Pattern(c & 0xff, i);
  }
  std::string in(bytes, 0);
  const pid_t pid = fork();
  if (pid == 0) {
    for (int c = 0; c < conns; ++c) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0 || connect(fd, address.sockaddr(), address.length()) != 0) {
        _exit(2);
      }
      fds[static_cast<size_t>(c)] = fd;
    }
    for (int c = 0; c < conns; ++c) {
      const std::string& o = out[static_cast<size_t>(c)];
      if (write(fds[static_cast<size_t>(c)], o.data(), bytes) !=
          static_cast<ssize_t>(bytes)) {
        _exit(3);
      }
    }
    for (int c = 0; c < conns; ++c) {
      size_t got = 0;
      while (got < bytes) {
        const ssize_t n =
            read(fds[static_cast<size_t>(c)], in.data() + got, bytes - got);
        if (n <= 0) _exit(4);
        got += static_cast<size_t>(n);
      }
      if (std::memcmp(in.data(), out[static_cast<size_t>(c)].data(), bytes) !=
          0) {
        _exit(5);
      }
    }
    for (int fd : fds) close(fd);
    _exit(0);
  }
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "client process status " << status
      << " (2 connect, 3 write, 4 read, 5 wrong bytes)";
  server.Join();
  for (int i = 0; i < 2000 && served.load() + failures.load() < conns; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(served.load(), conns);
}

TEST_P(NetTest, EchoTenThousandConnections) {
  if (kTsanBuild || kAsanBuild) {
    // Smaller, in one process, clients as tasks.
    const int conns = kTsanBuild ? 300 : 1000;
    RaiseFdLimit(2 * conns + 200);
    Echo(s_.get(), conns, 512);
    return;
  }
  const int conns = 10'000;
  const rlim_t need = conns + 200;
  const rlim_t have = RaiseFdLimit(need);
  if (have < need) {
    GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << have << " is below the "
                 << need << " descriptors " << conns
                 << " connections need; raise it (ulimit -Hn) to run this";
  }
  // A loopback address of its own per worker count, so that one run's
  // TIME_WAIT connections never crowd the next run's ports.
  SocketAddress a =
      *SocketAddress::Parse(absl::StrCat("127.0.1.", GetParam(), ":0"));
  EchoWithChildClients(s_.get(), conns, 512, a);
  EXPECT_GT(s_->Stats().io.ready_events, 0u);
}

TEST_P(NetTest, AcceptDeadline) {
  TcpListener listener = MustBind();
  Run([&] {
    const int64_t start = NowNanos();
    absl::StatusOr<TcpStream> c =
        listener.Accept(Deadline::After(absl::Milliseconds(50)));
    EXPECT_EQ(c.status().code(), absl::StatusCode::kDeadlineExceeded)
        << c.status();
    EXPECT_GE(NowNanos() - start, 50'000'000);
  });
}

TEST_P(NetTest, DeadlineInThePastFailsAtOnce) {
  TcpListener listener = MustBind();
  Run([&] {
    absl::StatusOr<TcpStream> client = TcpStream::Connect(AddressOf(listener));
    ASSERT_TRUE(client.ok());
    absl::StatusOr<TcpStream> server = listener.Accept();
    ASSERT_TRUE(server.ok());
    ASSERT_TRUE(client->WriteAll("x").ok());
    colony::SleepFor(absl::Milliseconds(5));
    char b;
    // Data is there, but the deadline passed: fail, without reading.
    EXPECT_EQ(server->Read({&b, 1}, Deadline::Passed()).status().code(),
              absl::StatusCode::kDeadlineExceeded);
    EXPECT_EQ(listener.Accept(absl::InfinitePast()).status().code(),
              absl::StatusCode::kDeadlineExceeded);
    EXPECT_EQ(TcpStream::Connect(AddressOf(listener), Deadline::Passed())
                  .status()
                  .code(),
              absl::StatusCode::kDeadlineExceeded);
    absl::StatusOr<size_t> n = server->Read({&b, 1});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(b, 'x');
  });
}

TEST_P(NetTest, ConnectDeadlineToBlackhole) {
  // A listener whose backlog is full and which never accepts: the kernel
  // drops further SYNs, so a connect hangs until its deadline.
  TcpListener listener = MustBind({.backlog = 0});
  const SocketAddress address = AddressOf(listener);
  Run([&] {
    std::vector<TcpStream> fillers;
    bool hung = false;
    for (int i = 0; i < 16 && !hung; ++i) {
      const int64_t start = NowNanos();
      absl::StatusOr<TcpStream> c =
          TcpStream::Connect(address, Deadline::After(absl::Milliseconds(200)));
      if (c.ok()) {
        fillers.push_back(*std::move(c));
        continue;
      }
      EXPECT_EQ(c.status().code(), absl::StatusCode::kDeadlineExceeded)
          << c.status();
      EXPECT_GE(NowNanos() - start, 200'000'000);
      hung = true;
    }
    EXPECT_TRUE(hung) << "the backlog never filled";
  });
}

TEST_P(NetTest, ReadAndWriteDeadlines) {
  TcpListener listener = MustBind();
  Run([&] {
    absl::StatusOr<TcpStream> client = TcpStream::Connect(AddressOf(listener));
    ASSERT_TRUE(client.ok());
    absl::StatusOr<TcpStream> server = listener.Accept();
    ASSERT_TRUE(server.ok());
    char b;
    const int64_t start = NowNanos();
    EXPECT_EQ(server->Read({&b, 1}, Deadline::After(absl::Milliseconds(30)))
                  .status()
                  .code(),
              absl::StatusCode::kDeadlineExceeded);
    EXPECT_GE(NowNanos() - start, 30'000'000);
    // Write until the buffers are full; the socket deadline stops it.
    client->SetWriteDeadline(Deadline::After(absl::Milliseconds(100)));
    std::string chunk(64 * 1024, 'w');
    absl::Status w;
    size_t total = 0;
    while ((w = client->WriteAll(chunk)).ok()) total += chunk.size();
    EXPECT_EQ(w.code(), absl::StatusCode::kDeadlineExceeded) << w;
    EXPECT_GT(total, 0u);
    // Bounded: the kernel buffers, not ours, hold what was written.
    EXPECT_LT(total, size_t{64} << 20);
    // Cleared, and the reader drains some: writes go on.
    client->SetWriteDeadline(Deadline::Infinite());
    std::string sink(256 * 1024, 0);
    ASSERT_TRUE(server->Read(absl::MakeSpan(sink)).ok());
    EXPECT_TRUE(client->Write("y", Deadline::After(absl::Seconds(10))).ok());
  });
}

TEST_P(NetTest, DeadlineChangedWhileWaiting) {
  TcpListener listener = MustBind();
  Run([&] {
    absl::StatusOr<TcpStream> client = TcpStream::Connect(AddressOf(listener));
    ASSERT_TRUE(client.ok());
    absl::StatusOr<TcpStream> server = listener.Accept();
    ASSERT_TRUE(server.ok());
    TcpStream& srv = *server;
    auto reader = Spawn([&] {
      char b;
      return srv.Read({&b, 1}).status();
    });
    colony::SleepFor(absl::Milliseconds(20));
    // Shorten the deadline of the read already waiting (no deadline yet).
    const int64_t start = NowNanos();
    srv.SetReadDeadline(Deadline::After(absl::Milliseconds(20)));
    TaskResult<absl::Status> r = reader.Join();
    ASSERT_TRUE(r.completed());
    EXPECT_EQ(r.value().code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_GE(NowNanos() - start, 20'000'000);
    EXPECT_LT(NowNanos() - start, 5'000'000'000);
    // Extend it while waiting: the data that comes before it is read.
    srv.SetReadDeadline(Deadline::After(absl::Milliseconds(20)));
    auto reader2 = Spawn([&] {
      char b = 0;
      absl::StatusOr<size_t> n = srv.Read({&b, 1});
      return n.ok() && *n == 1 && b == 'z';
    });
    colony::SleepFor(absl::Milliseconds(5));
    srv.SetReadDeadline(Deadline::After(absl::Seconds(30)));
    colony::SleepFor(absl::Milliseconds(40));
    ASSERT_TRUE(client->WriteAll("z").ok());
    TaskResult<bool> r2 = reader2.Join();
    ASSERT_TRUE(r2.completed());
    EXPECT_TRUE(r2.value());
  });
}

TEST_P(NetTest, CancelDuringEachWait) {
  TcpListener listener = MustBind({.backlog = 0});
  const SocketAddress address = AddressOf(listener);
  std::atomic<int> drops{0};
  // Accept.
  {
    auto h = s_->Spawn([&] {
      testing::DropCounter guard(&drops);
      (void)listener.Accept();
      ADD_FAILURE() << "Accept returned after cancellation";
    });
    absl::SleepFor(absl::Milliseconds(20));
    h.Cancel("test");
    EXPECT_TRUE(h.Join().cancelled());
  }
  // Read and write.
  Run([&] {
    absl::StatusOr<TcpStream> client = TcpStream::Connect(address);
    ASSERT_TRUE(client.ok());
    absl::StatusOr<TcpStream> server = listener.Accept();
    ASSERT_TRUE(server.ok());
    auto reader = Spawn([&] {
      testing::DropCounter guard(&drops);
      char b;
      (void)client->Read({&b, 1});
      ADD_FAILURE() << "Read returned after cancellation";
    });
    auto writer = Spawn([&] {
      testing::DropCounter guard(&drops);
      std::string chunk(64 * 1024, 'w');
      for (;;) {
        if (!client->WriteAll(chunk).ok()) break;
      }
      ADD_FAILURE() << "Write returned after cancellation";
    });
    colony::SleepFor(absl::Milliseconds(50));
    reader.Cancel("test");
    writer.Cancel("test");
    EXPECT_TRUE(reader.Join().cancelled());
    EXPECT_TRUE(writer.Join().cancelled());
    // The sockets are consistent: a new read sees new data.
    char buf[1];
    ASSERT_TRUE(server->WriteAll("k").ok());
    absl::StatusOr<size_t> n = client->Read(absl::MakeSpan(buf));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(buf[0], 'k');
  });
  // Connect to a blackhole.
  {
    auto h = s_->Spawn([&] {
      testing::DropCounter guard(&drops);
      std::vector<TcpStream> fillers;
      for (int i = 0; i < 64; ++i) {
        absl::StatusOr<TcpStream> c =
            TcpStream::Connect(address, Deadline::After(absl::Seconds(60)));
        if (c.ok()) fillers.push_back(*std::move(c));
      }
    });
    absl::SleepFor(absl::Milliseconds(100));
    h.Cancel("test");
    EXPECT_TRUE(h.Join().cancelled());
  }
  EXPECT_EQ(drops.load(), 4);
  EXPECT_EQ(s_->Stats().io.io_waiters, 0u);
}

TEST_P(NetTest, CloseFromAnotherTaskWakesBothWaiters) {
  TcpListener listener = MustBind();
  Run([&] {
    absl::StatusOr<TcpStream> client = TcpStream::Connect(AddressOf(listener));
    ASSERT_TRUE(client.ok());
    absl::StatusOr<TcpStream> server = listener.Accept();
    ASSERT_TRUE(server.ok());
    TcpStream& c = *client;
    auto reader = Spawn([&] {
      char b;
      return c.Read({&b, 1}).status();
    });
    auto writer = Spawn([&] {
      std::string chunk(64 * 1024, 'w');
      absl::Status s;
      while ((s = c.WriteAll(chunk)).ok()) {
      }
      return s;
    });
    auto acceptor = Spawn([&] { return listener.Accept().status(); });
    colony::SleepFor(absl::Milliseconds(50));
    EXPECT_TRUE(c.Close().ok());
    EXPECT_TRUE(listener.Close().ok());
    absl::Status r = reader.Join().value();
    absl::Status w = writer.Join().value();
    absl::Status a = acceptor.Join().value();
    EXPECT_TRUE(IsClosed(r)) << r;
    EXPECT_TRUE(IsClosed(w)) << w;
    EXPECT_TRUE(IsClosed(a)) << a;
    // Closed again: fine. Used after close: "closed".
    EXPECT_TRUE(c.Close().ok());
    char b;
    EXPECT_TRUE(IsClosed(c.Read({&b, 1}).status()));
    // The peer sees the end of the stream.
    absl::StatusOr<size_t> n;
    std::string sink(1 << 16, 0);
    while ((n = server->Read(absl::MakeSpan(sink))).ok() && *n > 0) {
    }
    EXPECT_TRUE(!n.ok() || *n == 0);
  });
}

TEST_P(NetTest, FdReuseStress) {
  // Pairs are opened, used and closed fast while events are in flight, so
  // fd numbers are reused constantly; every exchange must see its own
  // bytes, and nothing may hang (a lost wake-up) or wake wrongly (a read
  // returning someone else's byte).
  TcpListener listener = MustBind({.backlog = 1024});
  const SocketAddress address = AddressOf(listener);
  const int rounds = kTsanBuild ? 100 : 1000;
  const int parallel = 8;
  std::atomic<int> ok{0};
  auto server = s_->Spawn([&] {
    for (int i = 0; i < rounds * parallel; ++i) {
      absl::StatusOr<TcpStream> c = listener.Accept();
      if (!c.ok()) return;
      Spawn([c = *std::move(c)]() mutable {
        char b[2];
        if (c.ReadFull(absl::MakeSpan(b)).ok()) {
          (void)c.WriteAll(absl::string_view(b, 2));
        }
        // Closing with data possibly unread: events still in flight.
      }).Detach();
    }
  });
  std::vector<JoinHandle<void>> hs;
  for (int p = 0; p < parallel; ++p) {
    hs.push_back(s_->Spawn([&, p] {
      for (int i = 0; i < rounds; ++i) {
        absl::StatusOr<TcpStream> c = TcpStream::Connect(address);
        ASSERT_TRUE(c.ok()) << c.status();
        const char msg[2] = {static_cast<char>(p), static_cast<char>(i)};
        ASSERT_TRUE(c->WriteAll(absl::string_view(msg, 2)).ok());
        char back[2];
        absl::Status r = c->ReadFull(absl::MakeSpan(back),
                                     Deadline::After(absl::Seconds(20)));
        ASSERT_TRUE(r.ok()) << r;
        ASSERT_EQ(std::memcmp(msg, back, 2), 0);
        ok++;
      }
    }));
  }
  for (auto& h : hs) h.Join();
  server.Join();
  EXPECT_EQ(ok.load(), rounds * parallel);
}

TEST_P(NetTest, PeerResetHalfCloseAndEof) {
  TcpListener listener = MustBind();
  Run([&] {
    // Half-close: the client shuts down writing and still reads.
    {
      absl::StatusOr<TcpStream> client =
          TcpStream::Connect(AddressOf(listener));
      ASSERT_TRUE(client.ok());
      absl::StatusOr<TcpStream> server = listener.Accept();
      ASSERT_TRUE(server.ok());
      ASSERT_TRUE(client->WriteAll("abc").ok());
      ASSERT_TRUE(client->ShutdownWrite().ok());
      char buf[8];
      ASSERT_TRUE(server->ReadFull({buf, 3}).ok());
      EXPECT_EQ(std::string(buf, 3), "abc");
      absl::StatusOr<size_t> eof = server->Read(absl::MakeSpan(buf));
      ASSERT_TRUE(eof.ok());
      EXPECT_EQ(*eof, 0u);  // end of stream, not an error
      ASSERT_TRUE(server->WriteAll("back").ok());
      ASSERT_TRUE(client->ReadFull({buf, 4}).ok());
      EXPECT_EQ(std::string(buf, 4), "back");
    }
    // EOF in the middle of a message.
    {
      absl::StatusOr<TcpStream> client =
          TcpStream::Connect(AddressOf(listener));
      ASSERT_TRUE(client.ok());
      absl::StatusOr<TcpStream> server = listener.Accept();
      ASSERT_TRUE(server.ok());
      ASSERT_TRUE(client->WriteAll("12345").ok());
      ASSERT_TRUE(client->Close().ok());
      char buf[10];
      absl::Status s = server->ReadFull(absl::MakeSpan(buf));
      EXPECT_TRUE(IsEndOfStream(s)) << s;
      EXPECT_THAT(s.message(), HasSubstr("5 of 10"));
    }
    // Reset: SO_LINGER 0 makes close() send RST.
    {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      ASSERT_GE(fd, 0);
      const SocketAddress a = AddressOf(listener);
      ASSERT_EQ(connect(fd, a.sockaddr(), a.length()), 0);
      absl::StatusOr<TcpStream> server = listener.Accept();
      ASSERT_TRUE(server.ok());
      TcpStream& srv = *server;
      auto reader = Spawn([&] {
        char b;
        absl::StatusOr<size_t> n = srv.Read({&b, 1});
        return n.ok() ? absl::OkStatus() : n.status();
      });
      colony::SleepFor(absl::Milliseconds(20));
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
      close(fd);
      absl::Status s = reader.Join().value();
      EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
      EXPECT_THAT(s.message(), HasSubstr("ECONNRESET"));
    }
  });
}

// A read that returns less than asked makes the next read wait for an
// event first (one system call less per message). These are the cases
// where a short read leaves something to read without a further event:
// the end of the stream, and urgent data (the read stops at its mark).
TEST_P(NetTest, ShortReadsNeverStall) {
  TcpListener listener = MustBind();
  Run([&] {
    const Deadline give_up = Deadline::After(absl::Seconds(10));
    // Data then FIN, both seen by the poller before the first read.
    {
      absl::StatusOr<TcpStream> client =
          TcpStream::Connect(AddressOf(listener));
      ASSERT_TRUE(client.ok());
      absl::StatusOr<TcpStream> server = listener.Accept();
      ASSERT_TRUE(server.ok());
      ASSERT_TRUE(client->WriteAll("abc").ok());
      ASSERT_TRUE(client->Close().ok());
      colony::SleepFor(absl::Milliseconds(20));
      char buf[8];
      absl::StatusOr<size_t> n = server->Read(absl::MakeSpan(buf), give_up);
      ASSERT_TRUE(n.ok()) << n.status();
      EXPECT_EQ(std::string(buf, *n), "abc");
      n = server->Read(absl::MakeSpan(buf), give_up);
      ASSERT_TRUE(n.ok()) << n.status();
      EXPECT_EQ(*n, 0u);
    }
    // Urgent data in the middle, the connection left open.
    {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      ASSERT_GE(fd, 0);
      const SocketAddress a = AddressOf(listener);
      ASSERT_EQ(connect(fd, a.sockaddr(), a.length()), 0);
      absl::StatusOr<TcpStream> server = listener.Accept();
      ASSERT_TRUE(server.ok());
      ASSERT_EQ(send(fd, "ab", 2, 0), 2);
      ASSERT_EQ(send(fd, "!", 1, MSG_OOB), 1);
      ASSERT_EQ(send(fd, "cd", 2, 0), 2);
      colony::SleepFor(absl::Milliseconds(20));
      std::string got;
      char buf[64];
      while (got.size() < 4) {
        absl::StatusOr<size_t> n = server->Read(absl::MakeSpan(buf), give_up);
        ASSERT_TRUE(n.ok()) << n.status() << " after '" << got << "'";
        ASSERT_GT(*n, 0u);
        got.append(buf, *n);
      }
      // The urgent byte is out of band (SO_OOBINLINE is off).
      EXPECT_EQ(got, "abcd");
      // Later bytes still wake a reader whose last read was short.
      auto reader = Spawn([&]() -> absl::StatusOr<size_t> {
        return server->Read(absl::MakeSpan(buf), give_up);
      });
      colony::SleepFor(absl::Milliseconds(20));
      ASSERT_EQ(send(fd, "ef", 2, 0), 2);
      absl::StatusOr<size_t> n = reader.Join().value();
      ASSERT_TRUE(n.ok()) << n.status();
      EXPECT_EQ(std::string(buf, *n), "ef");
      close(fd);
    }
  });
}

// ReadWouldWait(): true after a read that emptied the socket, until
// readiness is latched or the stream ends; the reads themselves still see
// every byte.
TEST_P(NetTest, ReadWouldWaitAfterAShortRead) {
  TcpListener listener = MustBind();
  Run([&] {
    absl::StatusOr<TcpStream> client = TcpStream::Connect(AddressOf(listener));
    ASSERT_TRUE(client.ok());
    absl::StatusOr<TcpStream> server = listener.Accept();
    ASSERT_TRUE(server.ok());
    EXPECT_FALSE(server->ReadWouldWait());
    char buf[16];
    int would_wait = 0;
    for (int round = 0; round < 20; ++round) {
      const std::string msg = absl::StrCat("round ", round);
      // Even rounds: the bytes come while the reader waits.
      auto writer = Spawn([&] {
        if (round % 2 == 0) colony::SleepFor(absl::Milliseconds(5));
        return client->WriteAll(msg);
      });
      size_t got = 0;
      while (got < msg.size()) {
        absl::StatusOr<size_t> n =
            server->Read(absl::MakeSpan(buf + got, sizeof(buf) - got),
                         Deadline::After(absl::Seconds(10)));
        ASSERT_TRUE(n.ok()) << n.status();
        ASSERT_GT(*n, 0u);
        got += *n;
      }
      EXPECT_EQ(std::string(buf, got), msg);
      // Readiness latched for bytes already read can make it false now and
      // then; a wait that an event ended leaves it true.
      if (server->ReadWouldWait()) ++would_wait;
      ASSERT_TRUE(writer.Join().value().ok());
    }
    EXPECT_GE(would_wait, 10);
    // A read that fills the buffer says nothing about what is left.
    ASSERT_TRUE(client->WriteAll("0123456789").ok());
    ASSERT_TRUE(server->ReadFull({buf, 4}).ok());
    EXPECT_FALSE(server->ReadWouldWait());
    absl::StatusOr<size_t> rest = server->Read(absl::MakeSpan(buf));
    ASSERT_TRUE(rest.ok());
    EXPECT_EQ(std::string(buf, *rest), "456789");
    // A deadline still ends the wait that follows a short read.
    absl::StatusOr<size_t> late = server->Read(
        absl::MakeSpan(buf), Deadline::After(absl::Milliseconds(20)));
    EXPECT_TRUE(absl::IsDeadlineExceeded(late.status())) << late.status();
    ASSERT_TRUE(client->Close().ok());
    absl::StatusOr<size_t> end =
        server->Read(absl::MakeSpan(buf), Deadline::After(absl::Seconds(10)));
    ASSERT_TRUE(end.ok()) << end.status();
    EXPECT_EQ(*end, 0u);
    EXPECT_FALSE(server->ReadWouldWait());
  });
}

TEST_P(NetTest, ConnectionRefused) {
  Run([&] {
    // Bind a port, close it: nothing listens there now.
    uint16_t port;
    {
      TcpListener l = MustBind();
      port = AddressOf(l).port();
    }
    absl::StatusOr<TcpStream> c =
        TcpStream::Connect(SocketAddress::Loopback4(port));
    EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable) << c.status();
    EXPECT_THAT(c.status().message(), HasSubstr("ECONNREFUSED"));
  });
}

TEST_P(NetTest, IPv6Loopback) {
  absl::StatusOr<TcpListener> l =
      TcpListener::Bind(SocketAddress::Loopback6(0));
  if (!l.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << l.status();
  Run([&] {
    const SocketAddress a = AddressOf(*l);
    EXPECT_EQ(a.family(), SocketAddress::Family::kIPv6);
    absl::StatusOr<TcpStream> c = TcpStream::Connect(a);
    ASSERT_TRUE(c.ok()) << c.status();
    absl::StatusOr<TcpStream> s = l->Accept();
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(c->WriteAll("six").ok());
    char b[3];
    ASSERT_TRUE(s->ReadFull(absl::MakeSpan(b)).ok());
    EXPECT_EQ(std::string(b, 3), "six");
    EXPECT_THAT(s->PeerAddress()->ToString(), HasSubstr("[::1]:"));
  });
}

TEST_P(NetTest, BackpressureSlowReader) {
  TcpListener listener = MustBind();
  Run([&] {
    absl::StatusOr<TcpStream> client = TcpStream::Connect(AddressOf(listener));
    ASSERT_TRUE(client.ok());
    absl::StatusOr<TcpStream> server = listener.Accept();
    ASSERT_TRUE(server.ok());
    std::atomic<size_t> written{0};
    std::atomic<bool> stop{false};
    TcpStream& c = *client;
    auto writer = Spawn([&] {
      std::string chunk(16 * 1024, 'b');
      while (!stop.load()) {
        absl::StatusOr<size_t> n =
            c.Write(chunk, Deadline::After(absl::Milliseconds(50)));
        if (n.ok()) written += *n;
      }
    });
    colony::SleepFor(absl::Milliseconds(200));
    const size_t stalled = written.load();
    colony::SleepFor(absl::Milliseconds(200));
    // Nobody reads: the writer waits, so the total stays where the
    // kernel's buffers end.
    EXPECT_EQ(written.load(), stalled);
    EXPECT_LT(stalled, size_t{64} << 20);
    // A slow reader lets it go on, a little at a time.
    std::string sink(4096, 0);
    size_t read = 0;
    for (int i = 0; i < 200; ++i) {
      absl::StatusOr<size_t> n = server->Read(absl::MakeSpan(sink));
      ASSERT_TRUE(n.ok());
      read += *n;
    }
    EXPECT_GT(read, 0u);
    colony::SleepFor(absl::Milliseconds(50));
    EXPECT_GT(written.load(), stalled);
    stop = true;
    writer.Join();
  });
}

TEST_P(NetTest, CpuHogDoesNotDelayIoElsewhere) {
  if (GetParam() < 2) GTEST_SKIP() << "needs a second worker";
  TcpListener listener = MustBind();
  std::atomic<bool> stop{false};
  // One task spins without yielding, holding a worker.
  auto hog = s_->Spawn([&] {
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  int64_t worst = 0;
  Run([&] {
    absl::StatusOr<TcpStream> client = TcpStream::Connect(AddressOf(listener));
    ASSERT_TRUE(client.ok());
    absl::StatusOr<TcpStream> server = listener.Accept();
    ASSERT_TRUE(server.ok());
    TcpStream& srv = *server;
    auto echo = Spawn([&] {
      char b;
      while (srv.Read({&b, 1}).value_or(0) == 1) {
        if (!srv.WriteAll(absl::string_view(&b, 1)).ok()) return;
      }
    });
    for (int i = 0; i < 50; ++i) {
      const int64_t start = NowNanos();
      ASSERT_TRUE(client->WriteAll("p").ok());
      char b;
      ASSERT_TRUE(client->ReadFull({&b, 1}).ok());
      worst = std::max(worst, NowNanos() - start);
    }
    ASSERT_TRUE(client->Close().ok());
    echo.Join();
  });
  stop = true;
  hog.Join();
  // Generous for sanitizers on a loaded machine; a ping-pong stuck behind
  // the hog would wait until the hog ends, which it does only after the
  // last ping.
  EXPECT_LT(worst, 2'000'000'000) << "worst round trip " << worst << " ns";
}

TEST_P(NetTest, ThreadsAndTasksShareSocketTypes) {
  // A listener opened by a plain thread (process poller), connections from
  // tasks; and a listener opened by a task, used by a thread.
  TcpListener from_thread = MustBind();
  const SocketAddress a1 = AddressOf(from_thread);
  auto client = s_->Spawn([&] {
    absl::StatusOr<TcpStream> c = TcpStream::Connect(a1);
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE(c->WriteAll("from task").ok());
    char b[11];
    EXPECT_TRUE(c->ReadFull(absl::MakeSpan(b)).ok());
    EXPECT_EQ(std::string(b, 11), "from thread");
  });
  absl::StatusOr<TcpStream> conn = from_thread.Accept();
  ASSERT_TRUE(conn.ok());
  char b[9];
  ASSERT_TRUE(conn->ReadFull(absl::MakeSpan(b)).ok());
  EXPECT_EQ(std::string(b, 9), "from task");
  ASSERT_TRUE(conn->WriteAll("from thread").ok());
  ASSERT_TRUE(client.Join().completed());

  TcpListener from_task;
  ASSERT_TRUE(Run([&] { from_task = MustBind(); }));
  const SocketAddress a2 = AddressOf(from_task);
  std::thread t([&] {
    absl::StatusOr<TcpStream> c = TcpStream::Connect(a2);
    ASSERT_TRUE(c.ok());
    char x;
    // Blocks this thread until the task writes.
    ASSERT_TRUE(c->ReadFull({&x, 1}).ok());
    EXPECT_EQ(x, 'q');
  });
  ASSERT_TRUE(Run([&] {
    absl::StatusOr<TcpStream> c = from_task.Accept();
    ASSERT_TRUE(c.ok());
    colony::SleepFor(absl::Milliseconds(20));
    ASSERT_TRUE(c->WriteAll("q").ok());
    colony::SleepFor(absl::Milliseconds(20));
  }));
  t.join();
}

TEST_P(NetTest, StatsAndDumpShowIo) {
  TcpListener listener = MustBind();
  ASSERT_TRUE(Run([&] { listener = MustBind(); }));
  auto waiter = s_->Spawn([&] { (void)listener.Accept(); });
  bool seen = false;
  for (int i = 0; i < 200 && !seen; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
    for (const TaskInfo& t : s_->Dump()) {
      if (t.io_wait == IoWait::kRead && t.io_fd >= 0) seen = true;
    }
  }
  EXPECT_TRUE(seen) << "Dump() never showed the task waiting in Accept()";
  SchedulerStats st = s_->Stats();
  EXPECT_GE(st.io.registered_fds, 1u);
  EXPECT_EQ(st.io.io_waiters, 1u);
  std::ostringstream dump;
  for (const TaskInfo& t : s_->Dump()) dump << t << "\n";
  EXPECT_THAT(dump.str(), HasSubstr(" read"));
  waiter.Cancel("done");
  EXPECT_TRUE(waiter.Join().cancelled());
  EXPECT_EQ(s_->Stats().io.io_waiters, 0u);
}

INSTANTIATE_TEST_SUITE_P(Workers, NetTest, testing::kWorkerCounts,
                         testing::WorkersTest::Name);

}  // namespace
}  // namespace colony
