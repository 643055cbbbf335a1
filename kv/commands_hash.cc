// Copyright 2026 The Colony Authors.
#include "kv/commands.h"

namespace colony::kv {

void RegisterHashCommands(CommandTable& t) {}

}  // namespace colony::kv
