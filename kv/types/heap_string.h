// Copyright 2026 The Colony Authors.
//
// Heap strings: the block behind an Entry's string of more than
// Entry::kInlineCapacity bytes. A block is one malloc() allocation:
//
//   short form: [uint32 length][bytes...]            (capacity < 4 GiB - 1)
//   long form:  [0xffffffff][uint64 length][bytes...]
//
// The form is chosen when the block is allocated, from its capacity, so a
// short block's length always fits its 32 bits. The capacity is what the
// allocator really reserved (malloc_usable_size() less the header): a
// string may grow into the allocator's rounding without reallocating.
//
// Thread-safety: plain memory; the owner serializes access. Internal to
// kv/types/entry.cc (and its test).
#ifndef COLONY_KV_TYPES_HEAP_STRING_H_
#define COLONY_KV_TYPES_HEAP_STRING_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace colony::kv::heap_string {

// The header of a short-form block.
inline constexpr size_t kShortHeader = sizeof(uint32_t);

// Allocate() is a new block holding `s`, with capacity for at least
// `capacity` bytes (>= s.size()). Throws std::bad_alloc when out of memory.
char* Allocate(absl::string_view s, size_t capacity);
// Free() frees a block.
void Free(char* block);
// View() is the block's string.
absl::string_view View(const char* block);
// Data() is where the block's bytes start.
char* Data(char* block);
// Capacity() is how many bytes the block can hold.
size_t Capacity(const char* block);
// SetLength() sets the length (at most Capacity()).
void SetLength(char* block, size_t length);
// AllocatedBytes() is the block's size as the allocator reserved it.
size_t AllocatedBytes(const char* block);

// ShortData() and SetShortLength() are Data() and SetLength() for a block
// its owner knows to be in the short form (capacity < 4 GiB - 1): they
// read nothing from the block, so a write into a block not in the cache
// does not wait for its header first.
inline char* ShortData(char* block) { return block + kShortHeader; }
inline void SetShortLength(char* block, size_t length) {
  const auto n = static_cast<uint32_t>(length);
  std::memcpy(block, &n, sizeof(n));
}

}  // namespace colony::kv::heap_string

#endif  // COLONY_KV_TYPES_HEAP_STRING_H_
