// Copyright 2026 The Colony Authors.
#include "kv/types/heap_string.h"

#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace colony::kv::heap_string {
namespace {

constexpr uint32_t kLongMark = 0xffffffffu;
constexpr size_t kLongHeader = sizeof(uint32_t) + sizeof(uint64_t);
// The largest capacity a short block may have: its length must stay below
// kLongMark.
constexpr size_t kShortMax = kLongMark - 1;

bool IsLong(const char* block) {
  uint32_t mark;
  std::memcpy(&mark, block, sizeof(mark));
  return mark == kLongMark;
}

size_t Header(const char* block) {
  return IsLong(block) ? kLongHeader : kShortHeader;
}

}  // namespace

char* Allocate(absl::string_view s, size_t capacity) {
  capacity = std::max(capacity, s.size());
  const bool is_long = capacity > kShortMax;
  const size_t header = is_long ? kLongHeader : kShortHeader;
  char* block = static_cast<char*>(std::malloc(header + capacity));
  if (block == nullptr) throw std::bad_alloc();
  if (is_long) {
    const uint64_t n = s.size();
    std::memcpy(block, &kLongMark, sizeof(kLongMark));
    std::memcpy(block + sizeof(uint32_t), &n, sizeof(n));
  } else {
    const uint32_t n = static_cast<uint32_t>(s.size());
    std::memcpy(block, &n, sizeof(n));
  }
  if (!s.empty()) std::memcpy(block + header, s.data(), s.size());
  return block;
}

void Free(char* block) { std::free(block); }

absl::string_view View(const char* block) {
  if (IsLong(block)) {
    uint64_t n;
    std::memcpy(&n, block + sizeof(uint32_t), sizeof(n));
    return absl::string_view(block + kLongHeader, static_cast<size_t>(n));
  }
  uint32_t n;
  std::memcpy(&n, block, sizeof(n));
  return absl::string_view(block + kShortHeader, n);
}

char* Data(char* block) { return block + Header(block); }

size_t Capacity(const char* block) {
  const size_t usable = malloc_usable_size(const_cast<char*>(block));
  if (IsLong(block)) return usable - kLongHeader;
  return std::min(usable - kShortHeader, kShortMax);
}

void SetLength(char* block, size_t length) {
  if (IsLong(block)) {
    const uint64_t n = length;
    std::memcpy(block + sizeof(uint32_t), &n, sizeof(n));
  } else {
    const uint32_t n = static_cast<uint32_t>(length);
    std::memcpy(block, &n, sizeof(n));
  }
}

size_t AllocatedBytes(const char* block) {
  return malloc_usable_size(const_cast<char*>(block));
}

}  // namespace colony::kv::heap_string
