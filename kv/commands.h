// Copyright 2026 The Colony Authors.
//
// The command families of the key-value backend; each Register*() adds
// its commands to the table (kv_server.cc calls them all).
#ifndef COLONY_KV_COMMANDS_H_
#define COLONY_KV_COMMANDS_H_

#include "kv/command.h"

namespace colony::kv {

void RegisterConnectionCommands(CommandTable& table);
void RegisterServerCommands(CommandTable& table);
void RegisterKeyspaceCommands(CommandTable& table);
void RegisterStringCommands(CommandTable& table);
void RegisterListCommands(CommandTable& table);
void RegisterHashCommands(CommandTable& table);
void RegisterSetCommands(CommandTable& table);
void RegisterSortedSetCommands(CommandTable& table);
void RegisterPubSubCommands(CommandTable& table);
void RegisterTransactionCommands(CommandTable& table);
void RegisterPersistenceCommands(CommandTable& table);

}  // namespace colony::kv

#endif  // COLONY_KV_COMMANDS_H_
