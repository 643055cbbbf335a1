// Copyright 2026 The Colony Authors.
//
// libFuzzer entry point for the RESP command parser; see
// fuzz/resp_command_check.h for the input layout and the property, and
// tools/fuzz.sh for how to build and run it.

#include <cstddef>
#include <cstdint>

#include "fuzz/resp_command_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  colony::kv::fuzz::CheckRespParser(data, size);
  return 0;
}
