// Copyright 2026 The Colony Authors.
//
// RespWriter: appends replies in the Redis serialization protocol to a
// string, in RESP2 or RESP3 as the client chose with HELLO. Each call
// writes one reply element; aggregate headers (Array, Map, Set, Push) are
// followed by their elements. Types RESP2 lacks are written as Redis
// writes them for RESP2 clients: maps as flat arrays of 2n elements, sets
// and pushes as arrays, doubles as bulk strings, booleans as 1/0, nulls as
// $-1 (or *-1 for NullArray()).
//
//   std::string out;
//   RespWriter w(&out, /*protocol=*/3);
//   w.Map(1);
//   w.Bulk("server");
//   w.Bulk("colonyd");
//
// Error messages carry their code ("ERR unknown command", "WRONGTYPE
// ..."); CR and LF inside them become spaces so that a reply can never be
// split by the text it quotes.
//
// Thread-safety: none (one connection's task). Lifetime: `out` must
// outlive the writer.
#ifndef COLONY_KV_RESP_WRITER_H_
#define COLONY_KV_RESP_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace colony::kv {

class RespWriter {
 public:
  RespWriter(std::string* out, int protocol) : out_(out), proto_(protocol) {}

  // protocol() is 2 or 3.
  int protocol() const { return proto_; }
  void set_protocol(int protocol) { proto_ = protocol; }
  // out() is the string replies are appended to.
  std::string* out() const { return out_; }

  // Simple() writes a status reply ("+OK").
  void Simple(absl::string_view text);
  // Ok() writes "+OK".
  void Ok() { out_->append("+OK\r\n"); }
  // Error() writes "-<message>"; `message` starts with its code.
  void Error(absl::string_view message);
  // Integer() writes ":<n>".
  void Integer(int64_t n);
  // Bulk() writes a binary-safe string.
  void Bulk(absl::string_view data);
  // BulkInteger() writes `n` as a bulk string (Redis does for some replies).
  void BulkInteger(int64_t n);
  // Null() writes the null bulk string (RESP3: the null).
  void Null();
  // NullArray() writes the null array (RESP3: the null).
  void NullArray();
  // Array() starts an array of `n` elements.
  void Array(size_t n) { Header('*', n); }
  // Map() starts a map of `n` key/value pairs (RESP2: an array of 2n).
  void Map(size_t n);
  // Set() starts a set of `n` elements (RESP2: an array).
  void Set(size_t n) { Header(proto_ >= 3 ? '~' : '*', n); }
  // Push() starts an out-of-band push of `n` elements (RESP2: an array).
  void Push(size_t n) { Header(proto_ >= 3 ? '>' : '*', n); }
  // Double() writes a double as Redis 7.0 does (%.17g, "inf", "-inf");
  // RESP2: as a bulk string.
  void Double(double d);
  // Bool() writes a boolean (RESP2: the integer 1 or 0).
  void Bool(bool b);
  // Verbatim() writes verbatim text of format "txt" (RESP2: bulk).
  void Verbatim(absl::string_view text);
  // Raw() appends bytes that already are RESP.
  void Raw(absl::string_view resp) { out_->append(resp.data(), resp.size()); }

 private:
  void Header(char type, size_t n);

  std::string* out_;
  int proto_;
};

// FormatDouble() is `d` as Redis 7.0 prints doubles in replies.
std::string FormatDouble(double d);

}  // namespace colony::kv

#endif  // COLONY_KV_RESP_WRITER_H_
