// Copyright 2026 The Colony Authors.
#include "kv/commands.h"

namespace colony::kv {

void RegisterSortedSetCommands(CommandTable& t) {}

}  // namespace colony::kv
