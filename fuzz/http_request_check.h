// Copyright 2026 The Colony Authors.
//
// The property the HTTP request fuzzer checks, shared with the corpus
// replay test so that every corpus file runs through the same code under
// g++ as under libFuzzer.
//
// A fuzz input is a small header followed by the bytes of the connection:
//
//   byte 0      flags: bit 0 selects tiny limits (so every limit is easy to
//               reach), bit 1 calls PinHead() after each head and reads the
//               request again after the input it came from was freed
//   bytes 1-2   where to split the connection bytes (modulo their size + 1)
//   bytes 3...  the connection bytes
//
// The check parses the connection bytes whole, split in two at that point,
// and (when short) one byte at a time, and aborts unless the transcripts
// (requests, body bytes, completions, the error and its status) agree. Each
// Parse() call gets an exact-size heap copy of its input, so a read past the
// end is caught by AddressSanitizer.
//
// Thread-safety: the functions share nothing; call them from any thread.

#ifndef COLONY_FUZZ_HTTP_REQUEST_CHECK_H_
#define COLONY_FUZZ_HTTP_REQUEST_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http/request_parser.h"

namespace colony::http::fuzz {

// Options with tiny limits, for inputs with flag bit 0 set.
ParserOptions TinyOptions();

// Transcript() feeds `input` to a fresh parser in pieces ending at each
// offset in `cuts` (increasing; the rest after the last one), and returns a
// text transcript of every event. With `pin`, it calls PinHead() after each
// head and checks the request reads the same once its input is gone. Aborts
// when the parser breaks its contract (consumes more than it was given,
// returns body bytes outside its input, or makes no progress).
std::string Transcript(std::string_view input, std::span<const size_t> cuts,
                       const ParserOptions& options, bool pin);

// CheckRequestParser() is the fuzz property described above.
void CheckRequestParser(const uint8_t* data, size_t size);

}  // namespace colony::http::fuzz

#endif  // COLONY_FUZZ_HTTP_REQUEST_CHECK_H_
