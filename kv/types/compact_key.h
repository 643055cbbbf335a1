// Copyright 2026 The Colony Authors.
//
// CompactKey: an immutable byte string in 16 bytes, the key of the
// keyspace's hash tables. Keys of up to 15 bytes (most keys: `user:1234`,
// `session:ab12cd`), and most of 16, live inside the object; longer ones in one
// heap block of exactly their size, with the length kept in the object. A
// std::string takes 32 bytes and allocates past 15 bytes as well, so a
// table slot of CompactKey + Entry (kv/types/entry.h) is 32 bytes where
// std::string + the old entry took 80.
//
// Layout (16 bytes, 8-aligned; byte 15 is the tag):
//   inline: bytes 0..14 hold the key, byte 15 its length (0..15);
//   full:   a key of exactly 16 bytes whose last byte is neither a length
//           (0..15) nor kHeapTag fills all 16 bytes, its last byte
//           doubling as the tag (`key:000000012345`, 16 hex digits:
//           most 16-byte keys end in a printable byte);
//   heap:   bytes 0..7 the block's address, bytes 8..14 the length (56
//           bits, little-endian), byte 15 kHeapTag.
//
// CompactKeyHash and CompactKeyEq are transparent, and hash a key exactly
// as absl::Hash<absl::string_view> hashes its bytes, so a
// flat_hash_map<CompactKey, V, CompactKeyHash, CompactKeyEq> is searched
// with an absl::string_view or a std::string without building a key.
//
// Thread-safety: a value type; const methods may be called concurrently,
// anything else needs exclusive access (the shard's lock, for the
// keyspace). Lifetime: the view() of a key is valid until the key is
// destroyed or assigned to; moving a long key moves its block (views of
// it stay valid), moving a short one copies its bytes (views of the moved-
// from key become dangling).
#ifndef COLONY_KV_TYPES_COMPACT_KEY_H_
#define COLONY_KV_TYPES_COMPACT_KEY_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace colony::kv {

class CompactKey {
 public:
  // The longest key always held inside the object.
  static constexpr size_t kInlineCapacity = 15;
  // A key of kFullSize bytes is held inside the object too when
  // FitsFull() (its last byte is free to be the tag).
  static constexpr size_t kFullSize = 16;
  static bool FitsFull(absl::string_view s) {
    if (s.size() != kFullSize) return false;
    const auto last = static_cast<unsigned char>(s.back());
    return last > kInlineCapacity && last != kHeapTag;
  }

  // CompactKey() is the empty key.
  CompactKey() noexcept { std::memset(bytes_, 0, sizeof(bytes_)); }
  // CompactKey(s) copies `s`.
  explicit CompactKey(absl::string_view s);
  CompactKey(const CompactKey& other) : CompactKey(other.view()) {}
  CompactKey& operator=(const CompactKey& other);
  // Moving leaves `other` empty.
  CompactKey(CompactKey&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
    std::memset(other.bytes_, 0, sizeof(other.bytes_));
  }
  CompactKey& operator=(CompactKey&& other) noexcept;
  ~CompactKey() { Release(); }

  // view() is the key's bytes.
  absl::string_view view() const {
    if (is_inline()) {
      return absl::string_view(reinterpret_cast<const char*>(bytes_),
                               InlineSize());
    }
    return absl::string_view(HeapData(), HeapSize());
  }
  // A key reads as its bytes wherever a string_view is expected.
  operator absl::string_view() const { return view(); }  // NOLINT
  // size() is the key's length in bytes.
  size_t size() const { return is_inline() ? InlineSize() : HeapSize(); }
  // is_inline() is true when the bytes live inside the object (no heap).
  bool is_inline() const { return bytes_[kTagByte] != kHeapTag; }

  friend bool operator==(const CompactKey& a, const CompactKey& b) {
    return a.view() == b.view();
  }
  friend bool operator!=(const CompactKey& a, const CompactKey& b) {
    return !(a == b);
  }
  template <typename H>
  friend H AbslHashValue(H h, const CompactKey& k) {
    return H::combine(std::move(h), k.view());
  }

 private:
  static constexpr size_t kTagByte = 15;
  static constexpr unsigned char kHeapTag = 0x80;

  // InlineSize() is the length of an inline key: the tag, or kFullSize
  // where the tag is the key's last byte.
  size_t InlineSize() const {
    const unsigned char tag = bytes_[kTagByte];
    return tag <= kInlineCapacity ? tag : kFullSize;
  }
  const char* HeapData() const {
    const char* p;
    std::memcpy(&p, bytes_, sizeof(p));
    return p;
  }
  size_t HeapSize() const {
    uint64_t n = 0;
    for (int i = 6; i >= 0; --i) n = (n << 8) | bytes_[8 + i];
    return static_cast<size_t>(n);
  }
  // Assign() makes the key `s`, which must not point into this key.
  void Assign(absl::string_view s);
  // Release() frees the heap block, if any (the bytes are left stale).
  void Release() noexcept;

  alignas(8) unsigned char bytes_[16];
};

static_assert(sizeof(CompactKey) == 16, "CompactKey is 16 bytes");

// CompactKeyHash hashes a CompactKey, an absl::string_view or a std::string
// by its bytes (the same value for the same bytes, whatever the type).
struct CompactKeyHash {
  using is_transparent = void;
  size_t operator()(absl::string_view s) const {
    return absl::Hash<absl::string_view>{}(s);
  }
};

// CompactKeyEq compares any two of CompactKey, absl::string_view and
// std::string by their bytes.
struct CompactKeyEq {
  using is_transparent = void;
  bool operator()(absl::string_view a, absl::string_view b) const {
    return a == b;
  }
};

}  // namespace colony::kv

#endif  // COLONY_KV_TYPES_COMPACT_KEY_H_
