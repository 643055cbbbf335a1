// Copyright 2026 The Colony Authors.
//
// Persistence commands: BGREWRITEAOF, SAVE, BGSAVE, LASTSAVE, SHUTDOWN.
// SAVE and BGSAVE write the append-only format (a rewrite), not RDB: with
// appendonly off they write a snapshot in that format to the same path,
// which the next start loads (docs/kv.md, "Shutdown and snapshots").
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "kv/commands.h"
#include "kv/kv_server.h"
#include "scheduler/scheduler.h"
#include "spdlog/spdlog.h"

namespace colony::kv {
namespace {

void BgRewriteAof(CommandContext& ctx) {
  const absl::Status s = ctx.server.StartRewrite();
  if (!s.ok()) return ctx.reply.Error(absl::StrCat("ERR ", s.message()));
  ctx.reply.Simple("Background append only file rewriting started");
}

void BgSave(CommandContext& ctx) {
  if (ctx.args.size() > 2 ||
      (ctx.args.size() == 2 &&
       !absl::EqualsIgnoreCase(ctx.args[1], "SCHEDULE"))) {
    return ctx.SyntaxError();
  }
  if (!ctx.server.StartRewrite().ok()) {
    return ctx.reply.Error("ERR Background save already in progress");
  }
  ctx.reply.Simple("Background saving started");
}

void Save(CommandContext& ctx) {
  const absl::Status s = ctx.server.Rewrite();
  if (absl::IsAlreadyExists(s)) {
    return ctx.reply.Error("ERR Background save already in progress");
  }
  if (!s.ok()) return ctx.reply.Error("ERR");
  ctx.reply.Ok();
}

void LastSave(CommandContext& ctx) {
  ctx.reply.Integer(ctx.server.last_save_ms() / 1000);
}

// Snapshot() takes a snapshot (SAVE), waiting for a rewrite under way to
// end first.
absl::Status Snapshot(KvServer& server) {
  for (;;) {
    absl::Status s = server.Rewrite();
    if (!absl::IsAlreadyExists(s)) return s;
    colony::SleepFor(absl::Milliseconds(10));
  }
}

void Shutdown(CommandContext& ctx) {
  bool save = false, nosave = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const absl::string_view o = ctx.args[i];
    if (absl::EqualsIgnoreCase(o, "SAVE")) {
      save = true;
    } else if (absl::EqualsIgnoreCase(o, "NOSAVE")) {
      nosave = true;
    } else if (absl::EqualsIgnoreCase(o, "NOW")) {
      now = true;  // no replicas to wait for
    } else if (absl::EqualsIgnoreCase(o, "FORCE")) {
      force = true;
    } else if (absl::EqualsIgnoreCase(o, "ABORT")) {
      abort = true;
    } else {
      return ctx.SyntaxError();
    }
  }
  if ((abort && (save || nosave || now || force)) || (save && nosave)) {
    return ctx.SyntaxError();
  }
  if (abort) return ctx.reply.Error("ERR No shutdown in progress.");
  KvServer& server = ctx.server;
  Aof* aof = server.aof();
  auto refuse = [&](absl::string_view why) {
    spdlog::warn("kv: SHUTDOWN from client {} refused: {}", ctx.client.id,
                 std::string(why));
    ctx.reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
  };
  if (aof != nullptr && aof->write_errno() != 0 && !force) {
    return refuse(absl::StrCat("the append only file cannot be written (",
                               std::strerror(aof->write_errno()),
                               "); SHUTDOWN FORCE exits anyway"));
  }
  // A snapshot when asked, or by default when `save` has save points.
  const bool snapshot =
      save || (!nosave && !server.config().Value("save").empty());
  if (snapshot) {
    const absl::Status s = Snapshot(server);
    if (!s.ok() && !force) {
      return refuse(absl::StrCat("the snapshot failed: ", s.ToString()));
    }
  }
  // With appendonly every write acknowledged so far is on disk before the
  // daemon begins to stop; later ones (other clients, until the drain
  // ends) are flushed after the last client.
  if (aof != nullptr && aof->write_errno() == 0) aof->Sync();
  if (aof == nullptr) {
    // Writes acknowledged until the drain ends go into a last snapshot.
    server.set_stop_save(snapshot ? KvServer::StopSave::kSave
                                  : KvServer::StopSave::kNoSave);
  }
  spdlog::info("kv: SHUTDOWN{} from client {}: stopping the daemon",
               snapshot ? " (with a snapshot)" : "", ctx.client.id);
  // The daemon drains and stops as on SIGTERM; the client gets no reply.
  ctx.client.close_after_reply = true;
  ::kill(::getpid(), SIGTERM);
}

}  // namespace

void RegisterPersistenceCommands(CommandTable& t) {
  t.Add("bgrewriteaof", 1, kAdmin | kNoScript, {}, BgRewriteAof,
        "@admin @slow @dangerous");
  t.Add("bgsave", -1, kAdmin | kNoScript, {}, BgSave,
        "@admin @slow @dangerous");
  t.Add("save", 1, kAdmin | kNoScript | kNoMulti, {}, Save,
        "@admin @slow @dangerous");
  t.Add("lastsave", 1, kFast | kLoading | kStale, {}, LastSave,
        "@admin @fast @dangerous");
  t.Add("shutdown", -1, kAdmin | kNoScript | kLoading | kStale | kNoMulti, {},
        Shutdown, "@admin @slow @dangerous");
}

}  // namespace colony::kv
