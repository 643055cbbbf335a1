// Copyright 2026 The Colony Authors.
//
// libFuzzer entry point for the HTTP request parser; see
// fuzz/http_request_check.h for the input layout and the property, and
// tools/fuzz.sh for how to build and run it.

#include <cstddef>
#include <cstdint>

#include "fuzz/http_request_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  colony::http::fuzz::CheckRequestParser(data, size);
  return 0;
}
