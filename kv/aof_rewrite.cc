// Copyright 2026 The Colony Authors.
#include "kv/aof_rewrite.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kv/aof.h"
#include "kv/keyspace.h"
#include "kv/kv_server.h"

namespace colony::kv {
namespace {

// Elements per command for aggregates (lists, hashes, sets, sorted sets).
constexpr size_t kItemsPerCommand = 64;

std::string FormatScore(double score) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  return std::string(buf, static_cast<size_t>(n));
}

// Batcher emits `prefix` + items, kItemsPerCommand at a time.
class Batcher {
 public:
  Batcher(std::string* out, const char* command, const std::string& key)
      : out_(out) {
    args_.emplace_back(command);
    args_.push_back(key);
  }
  ~Batcher() { Flush(); }
  void Add(std::string item) {
    args_.push_back(std::move(item));
    if (++items_ == kItemsPerCommand * per_) Flush();
  }
  void AddPair(std::string a, std::string b) {
    per_ = 2;
    Add(std::move(a));
    Add(std::move(b));
  }

 private:
  void Flush() {
    if (items_ == 0) return;
    AppendCommand(out_, args_);
    args_.resize(2);
    items_ = 0;
  }
  std::string* out_;
  std::vector<std::string> args_;
  size_t items_ = 0;
  size_t per_ = 1;
};

// One key of the snapshot: its name, a copy of its value and its expiry.
struct Copied {
  std::string key;
  Entry entry;
  int64_t expire_ms;
};

void EncodeEntry(const Copied& copied, std::string* out) {
  const std::string& key = copied.key;
  const Entry& entry = copied.entry;
  switch (entry.type()) {
    case ValueType::kString:
      AppendCommand(out, {std::string("SET"), key, std::string(entry.str())});
      break;
    case ValueType::kList: {
      Batcher b(out, "RPUSH", key);
      for (absl::string_view v : entry.list()) b.Add(std::string(v));
      break;
    }
    case ValueType::kHash: {
      Batcher b(out, "HSET", key);
      for (const auto& [f, v] : entry.hash()) b.AddPair(f, v);
      break;
    }
    case ValueType::kSet: {
      Batcher b(out, "SADD", key);
      for (const std::string& m : entry.set()) b.Add(m);
      break;
    }
    case ValueType::kZSet: {
      Batcher b(out, "ZADD", key);
      for (const SortedSet::Entry& z : entry.zset()) {
        b.AddPair(FormatScore(z.score), std::string(z.member));
      }
      break;
    }
  }
  if (copied.expire_ms != 0) {
    AppendCommand(
        out, {std::string("PEXPIREAT"), key, absl::StrCat(copied.expire_ms)});
  }
}

absl::Status WriteOut(int fd, std::string* buf, const std::string& path) {
  size_t off = 0;
  while (off < buf->size()) {
    const ssize_t n = ::write(fd, buf->data() + off, buf->size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(
          absl::StrCat("can't write ", path, ": ", std::strerror(errno)));
    }
    off += static_cast<size_t>(n);
  }
  buf->clear();
  return absl::OkStatus();
}

}  // namespace

absl::Status RewriteAof(KvServer& server, Aof* aof, const std::string& path) {
  // The copy, with every shard locked.
  using Shot = std::vector<Copied>;
  std::vector<Shot> shots(Keyspace::kDatabases * Keyspace::kShardsPerDb);
  uint64_t mark = 0;
  {
    LockSet locks;
    for (int db = 0; db < Keyspace::kDatabases; ++db) {
      locks.AddDb(server.keyspace(), db);
    }
    locks.Lock();
    const int64_t now = NowMs();
    for (int db = 0; db < Keyspace::kDatabases; ++db) {
      for (int i = 0; i < Keyspace::kShardsPerDb; ++i) {
        Shard& shard = server.keyspace().shard(db, i);
        Shot& shot =
            shots[static_cast<size_t>(db * Keyspace::kShardsPerDb + i)];
        shot.reserve(shard.map.size());
        for (const auto& [key, entry] : shard.map) {
          const int64_t expire_ms = shard.ExpireOf(key, entry);
          if (expire_ms != 0 && expire_ms <= now) continue;
          shot.push_back(
              Copied{std::string(key.view()), entry.Clone(), expire_ms});
        }
      }
    }
    if (aof != nullptr) mark = aof->MarkSnapshot();
  }
  const std::string temp = absl::StrCat(path, ".rewrite-", ::getpid(), ".tmp");
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("can't create ", temp, ": ", std::strerror(errno)));
  }
  std::string buf;
  absl::Status status;
  for (int db = 0; db < Keyspace::kDatabases && status.ok(); ++db) {
    bool selected = false;
    for (int i = 0; i < Keyspace::kShardsPerDb && status.ok(); ++i) {
      Shot& shot = shots[static_cast<size_t>(db * Keyspace::kShardsPerDb + i)];
      for (const Copied& copied : shot) {
        if (!selected) {
          AppendCommand(&buf, {std::string("SELECT"), absl::StrCat(db)});
          selected = true;
        }
        EncodeEntry(copied, &buf);
        if (buf.size() > (1 << 20)) {
          status = WriteOut(fd, &buf, temp);
          if (!status.ok()) break;
        }
      }
      Shot().swap(shot);
    }
  }
  if (status.ok()) status = WriteOut(fd, &buf, temp);
  if (status.ok() && aof == nullptr && ::fdatasync(fd) != 0) {
    status = absl::InternalError(
        absl::StrCat("can't fsync ", temp, ": ", std::strerror(errno)));
  }
  ::close(fd);
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  if (aof != nullptr) return aof->FinishRewrite(temp, mark);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const absl::Status s = absl::InternalError(
        absl::StrCat("can't rename over ", path, ": ", std::strerror(errno)));
    ::unlink(temp.c_str());
    return s;
  }
  return absl::OkStatus();
}

}  // namespace colony::kv
