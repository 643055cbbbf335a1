// Copyright 2026 The Colony Authors.
#include "kv/types/compact_key.h"

#include <cstdlib>
#include <new>

namespace colony::kv {

CompactKey::CompactKey(absl::string_view s) { Assign(s); }

CompactKey& CompactKey::operator=(const CompactKey& other) {
  if (this != &other) {
    // Copied first: a key may be assigned from a view into itself.
    CompactKey copy(other.view());
    *this = std::move(copy);
  }
  return *this;
}

CompactKey& CompactKey::operator=(CompactKey&& other) noexcept {
  if (this != &other) {
    Release();
    std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
    std::memset(other.bytes_, 0, sizeof(other.bytes_));
  }
  return *this;
}

void CompactKey::Assign(absl::string_view s) {
  std::memset(bytes_, 0, sizeof(bytes_));
  if (s.size() <= kInlineCapacity) {
    if (!s.empty()) std::memcpy(bytes_, s.data(), s.size());
    bytes_[kTagByte] = static_cast<unsigned char>(s.size());
    return;
  }
  if (FitsFull(s)) {  // the last byte is the tag
    std::memcpy(bytes_, s.data(), kFullSize);
    return;
  }
  // A length needs 56 bits at most here: no process holds 2^56 bytes.
  char* block = static_cast<char*>(std::malloc(s.size()));
  if (block == nullptr) throw std::bad_alloc();
  std::memcpy(block, s.data(), s.size());
  std::memcpy(bytes_, &block, sizeof(block));
  uint64_t n = s.size();
  for (int i = 0; i < 7; ++i) {
    bytes_[8 + i] = static_cast<unsigned char>(n & 0xff);
    n >>= 8;
  }
  bytes_[kTagByte] = kHeapTag;
}

void CompactKey::Release() noexcept {
  if (!is_inline()) std::free(const_cast<char*>(HeapData()));
}

}  // namespace colony::kv
