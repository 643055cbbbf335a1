// Copyright 2026 The Colony Authors.
//
// Connection commands: PING ECHO SELECT AUTH HELLO QUIT RESET CLIENT, and
// the transaction commands (their work lives in connection.cc).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kv/blocking.h"
#include "kv/client.h"
#include "kv/commands.h"
#include "kv/connection.h"
#include "kv/kv_server.h"

namespace colony::kv {
namespace {

void Ping(CommandContext& ctx) {
  const bool subscribed = ctx.client.subscriber != nullptr &&
                          ctx.client.protocol.load() == 2 &&
                          !(ctx.client.subscriber->channels.empty() &&
                            ctx.client.subscriber->patterns.empty());
  if (ctx.args.size() > 2) {
    ctx.WrongArity();
    return;
  }
  if (subscribed) {
    ctx.reply.Array(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.args.size() == 2 ? ctx.args[1] : "");
    return;
  }
  if (ctx.args.size() == 2) {
    ctx.reply.Bulk(ctx.args[1]);
  } else {
    ctx.reply.Simple("PONG");
  }
}

void Echo(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

void Select(CommandContext& ctx) {
  int64_t db;
  if (!ParseInt64(ctx.args[1], &db)) {
    ctx.NotInteger();
    return;
  }
  if (db < 0 || db >= Keyspace::kDatabases) {
    ctx.reply.Error("ERR DB index is out of range");
    return;
  }
  ctx.client.db.store(static_cast<int>(db));
  ctx.reply.Ok();
}

// Authenticate() checks a password (user "default" only) and replies.
bool Authenticate(CommandContext& ctx, absl::string_view user,
                  absl::string_view password, bool reply_ok) {
  if (!ctx.server.auth_required()) {
    if (user.empty()) {
      ctx.reply.Error(
          "ERR AUTH <password> called without any password configured for "
          "the default user. Are you sure your configuration is correct?");
      return false;
    }
    // The default user without a password accepts any.
    if (user == "default") {
      ctx.client.connection->SetAuthenticated(true);
      if (reply_ok) ctx.reply.Ok();
      return true;
    }
  }
  if ((!user.empty() && user != "default") ||
      !ctx.server.CheckPassword(password)) {
    ctx.reply.Error(
        "WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  ctx.client.connection->SetAuthenticated(true);
  if (reply_ok) ctx.reply.Ok();
  return true;
}

void Auth(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.SyntaxError();
    return;
  }
  if (ctx.args.size() == 2) {
    Authenticate(ctx, "", ctx.args[1], true);
  } else {
    Authenticate(ctx, ctx.args[1], ctx.args[2], true);
  }
}

void Hello(CommandContext& ctx) {
  Client& c = ctx.client;
  int64_t proto = c.protocol.load();
  size_t i = 1;
  if (ctx.args.size() >= 2) {
    if (!ParseInt64(ctx.args[1], &proto)) {
      ctx.reply.Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    i = 2;
    if (proto < 2 || proto > 3) {
      ctx.reply.Error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::string setname;
  bool has_setname = false;
  for (; i < ctx.args.size(); ++i) {
    const bool more = i + 1 < ctx.args.size();
    if (absl::EqualsIgnoreCase(ctx.args[i], "AUTH") &&
        i + 2 < ctx.args.size()) {
      if (!Authenticate(ctx, ctx.args[i + 1], ctx.args[i + 2], false)) return;
      i += 2;
    } else if (absl::EqualsIgnoreCase(ctx.args[i], "SETNAME") && more) {
      setname = std::string(ctx.args[i + 1]);
      has_setname = true;
      ++i;
    } else {
      ctx.reply.Error(
          absl::StrCat("ERR Syntax error in HELLO option '", ctx.args[i], "'"));
      return;
    }
  }
  if (!c.authenticated) {
    ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, "
        "otherwise the HELLO AUTH <user> <pass> option can be used to "
        "authenticate the client and select the RESP protocol version at the "
        "same time");
    return;
  }
  if (has_setname) {
    for (char ch : setname) {
      if (ch < '!' || ch > '~') {
        ctx.reply.Error(
            "ERR Client names cannot contain spaces, newlines or special "
            "characters.");
        return;
      }
    }
    base_internal::ThreadMutexLock lock(c.info_mu);
    c.name = setname;
  }
  c.protocol.store(static_cast<int>(proto));
  ctx.reply.set_protocol(static_cast<int>(proto));
  ctx.reply.Map(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk("7.0.15");
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(proto);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(c.id));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.Array(0);
}

}  // namespace

// ClientInfoLine() is one line of CLIENT LIST / CLIENT INFO.
std::string ClientInfoLine(Client& c, int64_t now_ms) {
  std::string name, lib_name, lib_ver;
  {
    base_internal::ThreadMutexLock lock(c.info_mu);
    name = c.name;
    lib_name = c.lib_name;
    lib_ver = c.lib_ver;
  }
  // Only what other tasks may read (atomics, info_mu) is shown.
  const std::string flags = c.blocked.load() ? "b" : "N";
  std::string cmd = c.last_command.load();
  return absl::StrCat(
      "id=", c.id, " addr=", c.addr, " laddr=", c.laddr, " fd=0 name=", name,
      " age=", (now_ms - c.created_ms) / 1000,
      " idle=", (now_ms - c.last_interaction_ms.load()) / 1000,
      " flags=", flags, " db=", c.db.load(), " sub=0 psub=0 ssub=0 multi=-1",
      " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 "
      "omem=0 tot-mem=0 events=r cmd=",
      cmd, " user=default redir=-1 resp=", c.protocol.load(),
      " lib-name=", lib_name, " lib-ver=", lib_ver);
}

namespace {

void ClientCommand(CommandContext& ctx) {
  Client& c = ctx.client;
  const absl::string_view sub = ctx.args[1];
  const size_t argc = ctx.args.size();
  auto bad_arity = [&] {
    ctx.reply.Error(
        absl::StrCat("ERR unknown subcommand or wrong number of "
                     "arguments for '",
                     sub, "'. Try CLIENT HELP."));
  };
  if (absl::EqualsIgnoreCase(sub, "ID")) {
    if (argc != 2) return bad_arity();
    ctx.reply.Integer(static_cast<int64_t>(c.id));
  } else if (absl::EqualsIgnoreCase(sub, "SETNAME")) {
    if (argc != 3) return bad_arity();
    for (char ch : ctx.args[2]) {
      if (ch < '!' || ch > '~') {
        ctx.reply.Error(
            "ERR Client names cannot contain spaces, newlines or special "
            "characters.");
        return;
      }
    }
    base_internal::ThreadMutexLock lock(c.info_mu);
    c.name = std::string(ctx.args[2]);
    ctx.reply.Ok();
  } else if (absl::EqualsIgnoreCase(sub, "GETNAME")) {
    if (argc != 2) return bad_arity();
    std::string name;
    {
      base_internal::ThreadMutexLock lock(c.info_mu);
      name = c.name;
    }
    if (name.empty()) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(name);
    }
  } else if (absl::EqualsIgnoreCase(sub, "SETINFO")) {
    if (argc != 4) return bad_arity();
    const absl::string_view attr = ctx.args[2];
    for (char ch : ctx.args[3]) {
      if (ch < '!' || ch > '~') {
        ctx.reply.Error(
            absl::StrCat("ERR ", attr,
                         " cannot contain spaces, newlines or special "
                         "characters."));
        return;
      }
    }
    base_internal::ThreadMutexLock lock(c.info_mu);
    if (absl::EqualsIgnoreCase(attr, "lib-name")) {
      c.lib_name = std::string(ctx.args[3]);
    } else if (absl::EqualsIgnoreCase(attr, "lib-ver")) {
      c.lib_ver = std::string(ctx.args[3]);
    } else {
      ctx.reply.Error(absl::StrCat("ERR Unrecognized option '", attr, "'"));
      return;
    }
    ctx.reply.Ok();
  } else if (absl::EqualsIgnoreCase(sub, "INFO")) {
    if (argc != 2) return bad_arity();
    ctx.reply.Verbatim(ClientInfoLine(c, ctx.now_ms) + "\n");
  } else if (absl::EqualsIgnoreCase(sub, "LIST")) {
    std::vector<uint64_t> ids;
    if (argc >= 4 && absl::EqualsIgnoreCase(ctx.args[2], "TYPE") && argc == 4) {
      const absl::string_view type = ctx.args[3];
      if (!absl::EqualsIgnoreCase(type, "normal") &&
          !absl::EqualsIgnoreCase(type, "master") &&
          !absl::EqualsIgnoreCase(type, "replica") &&
          !absl::EqualsIgnoreCase(type, "slave") &&
          !absl::EqualsIgnoreCase(type, "pubsub")) {
        ctx.reply.Error(absl::StrCat("ERR Unknown client type '", type, "'"));
        return;
      }
      if (!absl::EqualsIgnoreCase(type, "normal")) {
        ctx.reply.Verbatim("");
        return;
      }
    } else if (argc >= 4 && absl::EqualsIgnoreCase(ctx.args[2], "ID")) {
      for (size_t i = 3; i < argc; ++i) {
        int64_t id;
        if (!ParseInt64(ctx.args[i], &id) || id <= 0) {
          ctx.reply.Error("ERR Invalid client ID");
          return;
        }
        ids.push_back(static_cast<uint64_t>(id));
      }
    } else if (argc != 2) {
      ctx.SyntaxError();
      return;
    }
    std::string out;
    ctx.server.ForEachClient([&](Client& other) {
      if (!ids.empty() &&
          std::find(ids.begin(), ids.end(), other.id) == ids.end()) {
        return;
      }
      absl::StrAppend(&out, ClientInfoLine(other, ctx.now_ms), "\n");
    });
    ctx.reply.Verbatim(out);
  } else if (absl::EqualsIgnoreCase(sub, "KILL")) {
    if (argc == 3) {
      const std::string addr(ctx.args[2]);
      const int n = ctx.server.KillClients(
          [&](Client& other) { return other.addr == addr; }, &c);
      if (n == 0) {
        ctx.reply.Error("ERR No such client");
      } else {
        ctx.reply.Ok();
      }
      return;
    }
    if (argc % 2 != 0) {
      ctx.SyntaxError();
      return;
    }
    int64_t id = -1;
    std::string addr, laddr;
    bool skipme = true;
    for (size_t i = 2; i + 1 < argc; i += 2) {
      const absl::string_view opt = ctx.args[i];
      const absl::string_view val = ctx.args[i + 1];
      if (absl::EqualsIgnoreCase(opt, "ID")) {
        if (!ParseInt64(val, &id) || id <= 0) {
          ctx.reply.Error("ERR client-id should be greater than 0");
          return;
        }
      } else if (absl::EqualsIgnoreCase(opt, "ADDR")) {
        addr = std::string(val);
      } else if (absl::EqualsIgnoreCase(opt, "LADDR")) {
        laddr = std::string(val);
      } else if (absl::EqualsIgnoreCase(opt, "SKIPME")) {
        if (absl::EqualsIgnoreCase(val, "yes")) {
          skipme = true;
        } else if (absl::EqualsIgnoreCase(val, "no")) {
          skipme = false;
        } else {
          ctx.SyntaxError();
          return;
        }
      } else {
        ctx.SyntaxError();
        return;
      }
    }
    const int n = ctx.server.KillClients(
        [&](Client& other) {
          if (skipme && &other == &c) return false;
          if (id > 0 && other.id != static_cast<uint64_t>(id)) return false;
          if (!addr.empty() && other.addr != addr) return false;
          if (!laddr.empty() && other.laddr != laddr) return false;
          return true;
        },
        &c);
    ctx.reply.Integer(n);
  } else if (absl::EqualsIgnoreCase(sub, "UNBLOCK")) {
    int64_t id;
    if (!ParseInt64(ctx.args[2], &id)) return ctx.NotInteger();
    int mode = 1;
    if (argc == 4) {
      if (absl::EqualsIgnoreCase(ctx.args[3], "ERROR")) {
        mode = 2;
      } else if (!absl::EqualsIgnoreCase(ctx.args[3], "TIMEOUT")) {
        ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        return;
      }
    } else if (argc > 4) {
      return ctx.SyntaxError();
    }
    int unblocked = 0;
    ctx.server.ForEachClient([&](Client& other) {
      if (other.id != static_cast<uint64_t>(id)) return;
      std::shared_ptr<BlockedClient> block;
      {
        base_internal::ThreadMutexLock lock(other.info_mu);
        block = other.current_block;
      }
      if (block == nullptr || block->state.load() != BlockedClient::kWaiting) {
        return;
      }
      other.unblock.store(mode);
      block->done.Set();
      unblocked = 1;
    });
    ctx.reply.Integer(unblocked);
  } else if (absl::EqualsIgnoreCase(sub, "NO-EVICT") ||
             absl::EqualsIgnoreCase(sub, "NO-TOUCH") ||
             absl::EqualsIgnoreCase(sub, "REPLY")) {
    ctx.reply.Ok();
  } else if (absl::EqualsIgnoreCase(sub, "HELP")) {
    ctx.reply.Array(1);
    ctx.reply.Simple(
        "CLIENT <subcommand>: ID, SETNAME, GETNAME, SETINFO, INFO, LIST, "
        "KILL");
  } else {
    bad_arity();
  }
}

}  // namespace

void RegisterConnectionCommands(CommandTable& t) {
  t.Add("ping", -1, kFast | kSubscribed, {}, Ping, "@fast @connection");
  t.Add("echo", 2, kFast, {}, Echo, "@fast @connection");
  t.Add("select", 2, kLoading | kStale | kFast, {}, Select,
        "@fast @connection");
  t.Add(
      "auth", -2,
      kNoAuth | kNoScript | kLoading | kStale | kFast | kNoMulti | kSkipSlowlog,
      {}, Auth, "@fast @connection");
  t.Add(
      "hello", -1,
      kNoAuth | kNoScript | kLoading | kStale | kFast | kNoMulti | kSkipSlowlog,
      {}, Hello, "@fast @connection");
  t.Add("client", -2, kAdmin | kNoScript | kLoading | kStale, {}, ClientCommand,
        "@slow @connection");
  const uint32_t cf = kNoScript | kLoading | kStale;
  const char* admin = "@admin @slow @dangerous @connection";
  t.AddSub("client", "id", 2, cf, "@slow @connection");
  t.AddSub("client", "info", 2, cf, "@slow @connection");
  t.AddSub("client", "list", -2, kAdmin | cf, admin);
  t.AddSub("client", "kill", -3, kAdmin | cf, admin);
  t.AddSub("client", "getname", 2, cf, "@slow @connection");
  t.AddSub("client", "setname", 3, cf, "@slow @connection");
  t.AddSub("client", "setinfo", 4, cf, "@slow @connection");
  t.AddSub("client", "no-evict", 3, kAdmin | cf, admin);
  t.AddSub("client", "reply", 3, cf, "@slow @connection");
  t.AddSub("client", "unblock", -3, kAdmin | cf, admin);
  t.AddSub("client", "help", 2, cf, "@slow @connection");
  t.Add("quit", -1, kNoAuth | kSubscribed | kNoMulti | kFast, {},
        Connection::Quit, "@fast @connection");
  t.Add("reset", 1, kNoAuth | kSubscribed | kNoMulti | kFast, {},
        Connection::Reset, "@fast @connection");
}

void RegisterTransactionCommands(CommandTable& t) {
  t.Add("multi", 1, kNoScript | kLoading | kStale | kFast | kNoMulti, {},
        Connection::Multi, "@fast @transaction");
  t.Add("exec", 1, kNoScript | kLoading | kStale | kNoMulti | kSkipCommandStats,
        {}, Connection::Exec, "@slow @transaction");
  t.Add("discard", 1, kNoScript | kLoading | kStale | kFast | kNoMulti, {},
        Connection::Discard, "@fast @transaction");
  t.Add("watch", -2, kNoScript | kLoading | kStale | kFast | kNoMulti,
        {1, -1, 1}, Connection::Watch, "@fast @transaction");
  t.Add("unwatch", 1, kNoScript | kLoading | kStale | kFast, {},
        Connection::Unwatch, "@fast @transaction");
}

}  // namespace colony::kv
