// Copyright 2026 The Colony Authors.
#include "kv/aof_load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kv/client.h"
#include "kv/connection.h"
#include "kv/kv_server.h"
#include "kv/resp/parser.h"
#include "spdlog/spdlog.h"

namespace colony::kv {
namespace {

absl::Status ReadFile(const std::string& path, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("can't open the append only file ",
                                            path, ": ", std::strerror(errno)));
  }
  std::string buf(1 << 20, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return absl::InternalError(absl::StrCat(
          "can't read the append only file ", path, ": ", std::strerror(err)));
    }
    if (n == 0) break;
    out->append(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return absl::OkStatus();
}

// Replayer runs loaded commands as a pseudo client.
class Replayer {
 public:
  explicit Replayer(KvServer& server) : server_(server), writer_(&sink_, 2) {}

  // Run() executes one command; an error is a command the server does not
  // know or cannot replay.
  absl::Status Run(absl::Span<const absl::string_view> args,
                   AofLoadResult* result) {
    const CommandSpec* spec = server_.commands().Find(args[0]);
    if (spec != nullptr && !spec->subcommands.empty() && args.size() >= 2) {
      spec = CommandTable::FindSub(*spec, args[1]);
    }
    if (spec == nullptr || (spec->flags & kPubSub) != 0 ||
        spec->handler == &Connection::Exec ||
        spec->handler == &Connection::Multi ||
        spec->handler == &Connection::Watch ||
        spec->handler == &Connection::Discard ||
        spec->handler == &Connection::Reset) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown command '", args[0].substr(0, 64), "'"));
    }
    const int argc = static_cast<int>(args.size());
    if ((spec->arity > 0 && argc != spec->arity) || argc < -spec->arity) {
      return absl::InvalidArgumentError(
          absl::StrCat("wrong number of arguments for '", spec->name, "'"));
    }
    LockSet locks;
    LockCommandKeys(server_, *spec, args, client_.db.load(), &locks);
    locks.Lock();
    CommandContext ctx(server_, client_, writer_, args, NowMs());
    // Blocking commands do not block.
    ctx.in_exec = true;
    spec->handler(ctx);
    locks.Unlock();
    ++result->commands;
    if (!sink_.empty() && sink_[0] == '-') {
      if (result->error_replies++ < 5) {
        spdlog::warn("kv: append only file: {} replied {}",
                     absl::AsciiStrToUpper(spec->name),
                     sink_.substr(0, sink_.find('\r')));
      }
    }
    sink_.clear();
    return absl::OkStatus();
  }

 private:
  KvServer& server_;
  Client client_;
  std::string sink_;
  RespWriter writer_;
};

}  // namespace

absl::StatusOr<AofLoadResult> LoadAof(KvServer& server, const std::string& path,
                                      const AofLoadOptions& options) {
  AofLoadResult result;
  std::string data;
  if (absl::Status s = ReadFile(path, &data); !s.ok()) return s;
  Replayer replayer(server);
  RespParser parser;
  parser.set_authenticated(true);
  parser.limits().max_bulk_len = INT64_MAX / 2;
  std::vector<std::vector<std::string>> queued;
  bool in_multi = false;
  size_t pos = 0;
  size_t good = 0;  // end of the last complete command outside MULTI
  std::string corrupt;
  while (pos < data.size()) {
    if (data[pos] != '*') {
      corrupt = "not the start of a command";
      break;
    }
    const auto r = parser.Parse(absl::string_view(data).substr(pos));
    if (r == RespParser::Result::kNeedMore) break;
    if (r == RespParser::Result::kError) {
      corrupt = std::string(parser.error());
      break;
    }
    const size_t next = pos + parser.consumed();
    const auto args = parser.args();
    if (args.empty()) {
      corrupt = "an empty command";
      break;
    }
    if (absl::EqualsIgnoreCase(args[0], "multi")) {
      if (in_multi) {
        corrupt = "MULTI inside MULTI";
        break;
      }
      in_multi = true;
      queued.clear();
    } else if (absl::EqualsIgnoreCase(args[0], "exec")) {
      if (!in_multi) {
        corrupt = "EXEC without MULTI";
        break;
      }
      for (const auto& q : queued) {
        std::vector<absl::string_view> views(q.begin(), q.end());
        if (absl::Status s = replayer.Run(views, &result); !s.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("Bad file format reading the append only file ",
                           path, " at offset ", pos, ": ", s.message()));
        }
      }
      queued.clear();
      in_multi = false;
      good = next;
    } else if (in_multi) {
      queued.emplace_back(args.begin(), args.end());
    } else {
      if (absl::Status s = replayer.Run(args, &result); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Bad file format reading the append only file ", path,
                         " at offset ", pos, ": ", s.message()));
      }
      good = next;
    }
    pos = next;
  }
  if (!corrupt.empty()) {
    if (!options.load_corrupt) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Bad file format reading the append only file ", path, " at offset ",
          pos, ": ", corrupt,
          " (start with the corrupt part dropped, losing everything after "
          "it, with --kv_aof_load_corrupt)"));
    }
    spdlog::warn(
        "kv: the append only file {} is corrupt at offset {} ({}): dropping "
        "its last {} bytes",
        path, pos, corrupt, data.size() - good);
  } else if (good < data.size()) {
    if (!options.load_truncated) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the append only file ", path, " ends inside a command at offset ",
          good, " (aof-load-truncated is no)"));
    }
    spdlog::warn(
        "kv: the append only file {} ends inside a command: loaded up to "
        "offset {}, dropped the last {} bytes",
        path, good, data.size() - good);
  }
  if (good < data.size()) {
    if (::truncate(path.c_str(), static_cast<off_t>(good)) != 0) {
      return absl::InternalError(
          absl::StrCat("can't truncate ", path, ": ", std::strerror(errno)));
    }
  }
  result.size = static_cast<int64_t>(good);
  result.dropped = static_cast<int64_t>(data.size() - good);
  return result;
}

}  // namespace colony::kv
