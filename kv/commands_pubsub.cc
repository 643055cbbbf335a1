// Copyright 2026 The Colony Authors.
//
// Pub/sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH
// PUBSUB.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kv/client.h"
#include "kv/commands.h"
#include "kv/connection.h"
#include "kv/kv_server.h"
#include "kv/pubsub.h"

namespace colony::kv {
namespace {

void Subscribe(CommandContext& ctx) {
  Subscriber& s = ctx.client.connection->EnsureSubscriber();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    ctx.server.pubsub().Subscribe(s, ctx.args[i]);
  }
}

void Unsubscribe(CommandContext& ctx) {
  Subscriber& s = ctx.client.connection->EnsureSubscriber();
  if (ctx.args.size() == 1) {
    ctx.server.pubsub().Unsubscribe(s, absl::string_view());
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    ctx.server.pubsub().Unsubscribe(s, ctx.args[i]);
  }
}

void PSubscribe(CommandContext& ctx) {
  Subscriber& s = ctx.client.connection->EnsureSubscriber();
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    ctx.server.pubsub().PSubscribe(s, ctx.args[i]);
  }
}

void PUnsubscribe(CommandContext& ctx) {
  Subscriber& s = ctx.client.connection->EnsureSubscriber();
  if (ctx.args.size() == 1) {
    ctx.server.pubsub().PUnsubscribe(s, absl::string_view());
    return;
  }
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    ctx.server.pubsub().PUnsubscribe(s, ctx.args[i]);
  }
}

void Publish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.server.pubsub().Publish(ctx.args[1], ctx.args[2]));
}

void PubSubCommand(CommandContext& ctx) {
  const absl::string_view sub = ctx.args[1];
  PubSub& ps = ctx.server.pubsub();
  if (absl::EqualsIgnoreCase(sub, "CHANNELS") && ctx.args.size() <= 3) {
    const auto channels =
        ps.Channels(ctx.args.size() == 3 ? ctx.args[2] : absl::string_view());
    ctx.reply.Array(channels.size());
    for (const auto& c : channels) ctx.reply.Bulk(c);
  } else if (absl::EqualsIgnoreCase(sub, "NUMSUB")) {
    ctx.reply.Array(2 * (ctx.args.size() - 2));
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      ctx.reply.Bulk(ctx.args[i]);
      ctx.reply.Integer(ps.NumSub(ctx.args[i]));
    }
  } else if (absl::EqualsIgnoreCase(sub, "NUMPAT") && ctx.args.size() == 2) {
    ctx.reply.Integer(ps.NumPat());
  } else if (absl::EqualsIgnoreCase(sub, "SHARDCHANNELS") &&
             ctx.args.size() <= 3) {
    ctx.reply.Array(0);
  } else if (absl::EqualsIgnoreCase(sub, "SHARDNUMSUB")) {
    ctx.reply.Array(2 * (ctx.args.size() - 2));
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      ctx.reply.Bulk(ctx.args[i]);
      ctx.reply.Integer(0);
    }
  } else if (absl::EqualsIgnoreCase(sub, "HELP")) {
    ctx.reply.Array(1);
    ctx.reply.Simple("PUBSUB CHANNELS|NUMSUB|NUMPAT");
  } else {
    ctx.reply.Error(absl::StrCat(
        "ERR unknown subcommand or wrong number of arguments for '", sub,
        "'. Try PUBSUB HELP."));
  }
}

}  // namespace

void RegisterPubSubCommands(CommandTable& t) {
  const uint32_t sub = kPubSub | kNoScript | kLoading | kStale | kSubscribed;
  t.Add("subscribe", -2, sub, {}, Subscribe, "@pubsub @slow");
  t.Add("unsubscribe", -1, sub, {}, Unsubscribe, "@pubsub @slow");
  t.Add("psubscribe", -2, sub, {}, PSubscribe, "@pubsub @slow");
  t.Add("punsubscribe", -1, sub, {}, PUnsubscribe, "@pubsub @slow");
  t.Add("publish", 3, kPubSub | kLoading | kStale | kFast, {}, Publish,
        "@pubsub @fast");
  t.Add("pubsub", -2, kPubSub | kLoading | kStale, {}, PubSubCommand,
        "@pubsub @slow");
  const uint32_t pf = kPubSub | kLoading | kStale;
  t.AddSub("pubsub", "channels", -2, pf, "@pubsub @slow");
  t.AddSub("pubsub", "numsub", -2, pf, "@pubsub @slow");
  t.AddSub("pubsub", "numpat", 2, pf, "@pubsub @slow");
  t.AddSub("pubsub", "shardchannels", -2, pf, "@pubsub @slow");
  t.AddSub("pubsub", "shardnumsub", -2, pf, "@pubsub @slow");
  t.AddSub("pubsub", "help", 2, kLoading | kStale, "@slow");
}

}  // namespace colony::kv
