// Copyright 2026 The Colony Authors.
//
// Persistence commands: BGREWRITEAOF, SAVE, BGSAVE, LASTSAVE, SHUTDOWN.
// SAVE and BGSAVE write the append-only format (a rewrite), not RDB.
#include <signal.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "kv/commands.h"
#include "kv/kv_server.h"
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

void Shutdown(CommandContext& ctx) {
  bool save = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    const absl::string_view o = ctx.args[i];
    if (absl::EqualsIgnoreCase(o, "SAVE")) {
      save = true;
    } else if (absl::EqualsIgnoreCase(o, "ABORT")) {
      return ctx.reply.Error("ERR No shutdown in progress.");
    } else if (absl::EqualsIgnoreCase(o, "NOSAVE") ||
               absl::EqualsIgnoreCase(o, "NOW") ||
               absl::EqualsIgnoreCase(o, "FORCE")) {
    } else {
      return ctx.SyntaxError();
    }
  }
  if (save && !ctx.server.Rewrite().ok()) {
    return ctx.reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
  }
  if (Aof* a = ctx.server.aof()) a->Sync();
  spdlog::info("kv: SHUTDOWN from client {}: stopping the daemon",
               ctx.client.id);
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
