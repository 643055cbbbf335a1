// Copyright 2026 The Colony Authors.
//
// The property the RESP command fuzzer checks, shared with the corpus
// replay test so that every corpus file runs through the same code under
// g++ as under libFuzzer.
//
// A fuzz input is a small header followed by the bytes of the connection:
//
//   byte 0      flags: bit 0 selects tiny limits (so every limit is easy to
//               reach), bit 1 parses as an unauthenticated client
//   bytes 1-2   where to split the connection bytes (modulo their size + 1)
//   bytes 3...  the connection bytes
//
// The check parses the connection bytes whole, split in two at that point,
// and (when short) one byte at a time, and aborts unless the transcripts
// (every command with its arguments and length, the error, the bytes left
// over) agree with each other and with a reference model: a plain,
// non-incremental reading of the whole input that follows Redis' own
// mechanics (strchr() on a NUL-terminated buffer, pointer look-ahead while
// splitting inline arguments). Each Parse() call gets an exact-size heap
// copy of its input at a new address, so a read past the end, or through a
// pointer kept from an earlier call, is caught by AddressSanitizer. With
// the default limits and an authenticated client, the commands the
// pipeline look ahead (kv/resp/pipeline_scan.h) shows must be the first
// commands of that transcript, byte counts and arguments alike.
//
// Thread-safety: the functions share nothing; call them from any thread.

#ifndef COLONY_FUZZ_RESP_COMMAND_CHECK_H_
#define COLONY_FUZZ_RESP_COMMAND_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "kv/resp/parser.h"

namespace colony::kv::fuzz {

// TinyLimits() are the limits for inputs with flag bit 0 set.
RespLimits TinyLimits();

// Transcript() feeds `input` to a fresh parser in pieces ending at each
// offset in `cuts` (increasing; the rest after the last one), and returns a
// text transcript of every command, the error if any, and how many bytes
// were left unconsumed. Aborts when the parser breaks its contract
// (consumes more than it was given, returns arguments outside the command,
// a bad needed() hint, an error that is not sticky, or makes no progress).
std::string Transcript(std::string_view input, std::span<const size_t> cuts,
                       const RespLimits& limits, bool authenticated);

// ReferenceTranscript() is the transcript the reference model gives for
// the whole of `input`.
std::string ReferenceTranscript(std::string_view input,
                                const RespLimits& limits, bool authenticated);

// CheckRespParser() is the fuzz property described above.
void CheckRespParser(const uint8_t* data, size_t size);

}  // namespace colony::kv::fuzz

#endif  // COLONY_FUZZ_RESP_COMMAND_CHECK_H_
