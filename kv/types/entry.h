// Copyright 2026 The Colony Authors.
//
// Entry: one key's value in the keyspace, in 16 bytes. With its
// CompactKey (kv/types/compact_key.h) a key takes a 32-byte slot of its
// shard's hash table, plus heap memory only for what does not fit.
//
// A value is a string, or a list, hash, set or sorted set held on the
// heap. Strings of up to kInlineCapacity (11) bytes live inside the entry
// (counters, flags, short tokens: most values of a cache); longer ones in
// one heap block of a 4-byte length and the bytes (12 bytes of header from
// 4 GiB on), with capacity to grow into for APPEND and SETRANGE.
//
// Layout (16 bytes, 8-aligned):
//   bytes 0..10  the inline string, or at 0..7 the address of the heap
//                string or of the container; for a heap string, bytes
//                8..10 its block's capacity when below 16 MiB (0 when
//                not recorded), so that rewriting it in place (SET over
//                a value of the same size) reads nothing from its block;
//   byte 11      the tag: bits 0-3 the inline string's length, bits 4-6
//                the kind (inline string, heap string, list, hash, set,
//                sorted set), bit 7 has_expiry;
//   bytes 12..15 access(): 32 bits for the eviction policy's clock.
//
// The expiry time itself is not here: the shard keeps it in a side table
// (Shard::expire_at) so that only keys with a TTL pay for it; an entry
// carries just the has_expiry() bit, which the shard maintains, so that a
// lookup of a key without a TTL costs no second probe.
//
// Thread-safety: a value type with no synchronization; the keyspace
// accesses an entry under its shard's lock. Lifetime: str() is a view of
// the entry's bytes, valid until the entry is changed, moved or destroyed;
// list() and the other containers live (at the same address) until the
// entry's value is replaced or the entry destroyed. Moving an entry moves
// its container or heap string without copying it.
#ifndef COLONY_KV_TYPES_ENTRY_H_
#define COLONY_KV_TYPES_ENTRY_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "kv/types/dense_table.h"
#include "kv/types/packed_list.h"
#include "kv/types/sorted_set.h"

namespace colony::kv {

// Lists pack their elements in chunks (kv/types/packed_list.h).
using ListValue = PackedList;
// Hashes and sets have random access (kv/types/dense_table.h) for
// HRANDFIELD, SPOP and SRANDMEMBER.
using HashValue = DenseHash;
using SetValue = DenseSet;

// The type of a value, as TYPE names it.
enum class ValueType : uint8_t { kString = 0, kList, kHash, kSet, kZSet };

// TypeName() is what TYPE replies ("string", "list", ...).
absl::string_view TypeName(ValueType type);

class Entry {
 public:
  // The longest string held inside the entry.
  static constexpr size_t kInlineCapacity = 11;

  // Entry() is the empty string.
  Entry() noexcept { Reset(); }
  // Entry(s) is the string `s`.
  explicit Entry(absl::string_view s) : Entry() { SetString(s); }
  // Entry(container) takes the container, which must not be null.
  explicit Entry(std::unique_ptr<ListValue> list);
  explicit Entry(std::unique_ptr<HashValue> hash);
  explicit Entry(std::unique_ptr<SetValue> set);
  explicit Entry(std::unique_ptr<SortedSet> zset);

  // Moving takes everything, has_expiry() and access() included, and
  // leaves `other` the empty string with both cleared.
  Entry(Entry&& other) noexcept {
    std::memcpy(static_cast<void*>(this), &other, sizeof(Entry));
    other.Reset();
  }
  Entry& operator=(Entry&& other) noexcept;
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;
  ~Entry() { Release(); }

  // type() is the value's type.
  ValueType type() const;

  // str() is the string value; type() must be kString.
  absl::string_view str() const;
  // SetString() makes the value the string `s`, whatever it was before
  // (a container is freed); has_expiry() and access() are kept. `s` may
  // point into this entry's own string.
  void SetString(absl::string_view s);
  // AppendString() appends `s` to the string value (type() kString),
  // growing the heap block geometrically so that repeated appends cost
  // amortized O(size of `s`).
  void AppendString(absl::string_view s);
  // OverwriteString() writes `s` at `offset` of the string value (type()
  // kString), first extending it with zero bytes to `offset` + s.size()
  // if it is shorter (SETRANGE). An empty `s` changes nothing.
  void OverwriteString(size_t offset, absl::string_view s);

  // The containers; type() must be the matching one.
  ListValue& list() { return *static_cast<ListValue*>(Pointer()); }
  const ListValue& list() const {
    return *static_cast<const ListValue*>(Pointer());
  }
  HashValue& hash() { return *static_cast<HashValue*>(Pointer()); }
  const HashValue& hash() const {
    return *static_cast<const HashValue*>(Pointer());
  }
  SetValue& set() { return *static_cast<SetValue*>(Pointer()); }
  const SetValue& set() const {
    return *static_cast<const SetValue*>(Pointer());
  }
  SortedSet& zset() { return *static_cast<SortedSet*>(Pointer()); }
  const SortedSet& zset() const {
    return *static_cast<const SortedSet*>(Pointer());
  }

  // Clone() is a deep copy of the value (COPY, the AOF rewrite's
  // snapshot), with access() copied and has_expiry() clear.
  Entry Clone() const;

  // has_expiry() is whether the entry's shard records an expiry time for
  // it. Only the shard sets it (Shard::SetExpire).
  bool has_expiry() const { return (tag_ & kExpiryBit) != 0; }
  void set_has_expiry(bool on) {
    tag_ = static_cast<uint8_t>(on ? tag_ | kExpiryBit : tag_ & ~kExpiryBit);
  }

  // access() is 32 bits of state for the eviction policy (a clock of the
  // last access); 0 for a new entry.
  uint32_t access() const { return access_; }
  void set_access(uint32_t access) { access_ = access; }

  // PrefetchValue() starts loading, for writing, the heap memory a read
  // or write of the value touches first: a heap string's block (its
  // first 256 bytes at most), a container's object. A hint: changes
  // nothing.
  void PrefetchValue() const;

  // IsInline() is whether the value uses no heap memory (a string of at
  // most kInlineCapacity bytes).
  bool IsInline() const { return kind() == kInlineString; }
  // HeapBytes() is the heap memory the value holds directly: a heap
  // string's block (as the allocator sized it), or sizeof the container
  // object (not its elements); 0 when inline.
  size_t HeapBytes() const;

 private:
  enum Kind : uint8_t {
    kInlineString = 0,
    kHeapString,
    kList,
    kHash,
    kSet,
    kZSet,
  };
  static constexpr uint8_t kLengthMask = 0x0f;
  static constexpr uint8_t kKindShift = 4;
  static constexpr uint8_t kKindMask = 0x70;
  static constexpr uint8_t kExpiryBit = 0x80;

  Kind kind() const {
    return static_cast<Kind>((tag_ & kKindMask) >> kKindShift);
  }
  // SetKind() sets the kind and inline length, keeping has_expiry().
  void SetKind(Kind kind, size_t inline_length = 0) {
    tag_ = static_cast<uint8_t>((tag_ & kExpiryBit) | (kind << kKindShift) |
                                inline_length);
  }
  void* Pointer() const {
    void* p;
    std::memcpy(&p, payload_, sizeof(p));
    return p;
  }
  void SetPointer(Kind kind, void* p) {
    std::memcpy(payload_, &p, sizeof(p));
    SetKind(kind);
  }

  // A heap string's recorded capacity: bytes 8..10, little-endian; 0
  // when not recorded (kMaxRecordedCapacity or more).
  static constexpr size_t kMaxRecordedCapacity = size_t{1} << 24;
  static constexpr int kCapacityByte = 8;
  size_t RecordedCapacity() const {
    return size_t{payload_[kCapacityByte]} |
           size_t{payload_[kCapacityByte + 1]} << 8 |
           size_t{payload_[kCapacityByte + 2]} << 16;
  }
  // SetHeapString() makes `block` the value (a heap string), recording
  // its capacity.
  void SetHeapString(char* block);
  // The capacity, bytes and length of the heap string `block` (this
  // entry's): without reading the block when its capacity is recorded
  // (a recorded block is in the short form).
  size_t HeapCapacity(const char* block) const;
  char* HeapData(char* block) const;
  void SetHeapLength(char* block, size_t length) const;
  // Reset() makes the entry the empty string with no flags, without
  // freeing anything.
  void Reset() noexcept {
    std::memset(static_cast<void*>(this), 0, sizeof(Entry));
  }
  // Release() frees what the value holds on the heap.
  void Release() noexcept;
  // SetInline() stores `s` (at most kInlineCapacity bytes) inline, after
  // freeing any heap value; `s` may point into the old value.
  void SetInline(absl::string_view s);

  alignas(8) unsigned char payload_[kInlineCapacity];
  uint8_t tag_;
  uint32_t access_;
};

static_assert(sizeof(Entry) == 16, "Entry is 16 bytes");

}  // namespace colony::kv

#endif  // COLONY_KV_TYPES_ENTRY_H_
