// Copyright 2026 The Colony Authors.
#include "kv/types/entry.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "kv/types/heap_string.h"

namespace colony::kv {
namespace {

// Past this size an appended-to string grows by this much, not by half.
constexpr size_t kGrowthStep = 1 << 20;

// A null container is a bug in the caller, not bad input.
template <typename T>
T* NonNull(std::unique_ptr<T> p) {
  if (p == nullptr) std::abort();
  return p.release();
}

}  // namespace

absl::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kHash:
      return "hash";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
  }
  return "none";
}

Entry::Entry(std::unique_ptr<ListValue> list) : Entry() {
  SetPointer(kList, NonNull(std::move(list)));
}

Entry::Entry(std::unique_ptr<HashValue> hash) : Entry() {
  SetPointer(kHash, NonNull(std::move(hash)));
}

Entry::Entry(std::unique_ptr<SetValue> set) : Entry() {
  SetPointer(kSet, NonNull(std::move(set)));
}

Entry::Entry(std::unique_ptr<SortedSet> zset) : Entry() {
  SetPointer(kZSet, NonNull(std::move(zset)));
}

Entry& Entry::operator=(Entry&& other) noexcept {
  if (this != &other) {
    Release();
    std::memcpy(static_cast<void*>(this), &other, sizeof(Entry));
    other.Reset();
  }
  return *this;
}

ValueType Entry::type() const {
  switch (kind()) {
    case kInlineString:
    case kHeapString:
      return ValueType::kString;
    case kList:
      return ValueType::kList;
    case kHash:
      return ValueType::kHash;
    case kSet:
      return ValueType::kSet;
    case kZSet:
      return ValueType::kZSet;
  }
  std::abort();  // the tag is corrupt
}

absl::string_view Entry::str() const {
  if (kind() == kInlineString) {
    return absl::string_view(reinterpret_cast<const char*>(payload_),
                             tag_ & kLengthMask);
  }
  return heap_string::View(static_cast<const char*>(Pointer()));
}

void Entry::SetInline(absl::string_view s) {
  // Through a copy: `s` may point into the value freed below.
  unsigned char bytes[kInlineCapacity];
  if (!s.empty()) std::memcpy(bytes, s.data(), s.size());
  Release();
  std::memcpy(payload_, bytes, s.size());
  SetKind(kInlineString, s.size());
}

void Entry::SetHeapString(char* block) {
  SetPointer(kHeapString, block);
  size_t capacity = heap_string::Capacity(block);  // the block is warm
  if (capacity >= kMaxRecordedCapacity) capacity = 0;
  for (int i = 0; i < 3; ++i) {
    payload_[kCapacityByte + i] =
        static_cast<unsigned char>(capacity >> (8 * i));
  }
}

size_t Entry::HeapCapacity(const char* block) const {
  const size_t recorded = RecordedCapacity();
  return recorded != 0 ? recorded : heap_string::Capacity(block);
}

char* Entry::HeapData(char* block) const {
  return RecordedCapacity() != 0 ? heap_string::ShortData(block)
                                 : heap_string::Data(block);
}

void Entry::SetHeapLength(char* block, size_t length) const {
  if (RecordedCapacity() != 0) {
    heap_string::SetShortLength(block, length);
  } else {
    heap_string::SetLength(block, length);
  }
}

void Entry::SetString(absl::string_view s) {
  if (s.size() <= kInlineCapacity) {
    SetInline(s);
    return;
  }
  if (kind() == kHeapString) {
    char* block = static_cast<char*>(Pointer());
    const size_t capacity = HeapCapacity(block);
    // Reused unless it would waste more than half of itself.
    if (s.size() <= capacity && capacity / 2 <= s.size()) {
      std::memmove(HeapData(block), s.data(), s.size());
      SetHeapLength(block, s.size());
      return;
    }
  }
  char* block = heap_string::Allocate(s, s.size());
  Release();  // after the copy: `s` may point into the old block
  SetHeapString(block);
}

void Entry::AppendString(absl::string_view s) {
  const absl::string_view current = str();
  const size_t need = current.size() + s.size();
  if (kind() == kInlineString && need <= kInlineCapacity) {
    std::memmove(payload_ + current.size(), s.data(), s.size());
    SetKind(kInlineString, need);
    return;
  }
  if (kind() == kHeapString) {
    char* block = static_cast<char*>(Pointer());
    if (need <= HeapCapacity(block)) {
      std::memmove(HeapData(block) + current.size(), s.data(), s.size());
      SetHeapLength(block, need);
      return;
    }
  }
  const size_t capacity = need < kGrowthStep ? 2 * need : need + kGrowthStep;
  char* block = heap_string::Allocate(current, capacity);
  std::memcpy(heap_string::Data(block) + current.size(), s.data(), s.size());
  heap_string::SetLength(block, need);
  Release();  // after the copy: `s` may point into the old value
  SetHeapString(block);
}

void Entry::OverwriteString(size_t offset, absl::string_view s) {
  if (s.empty()) return;
  const absl::string_view current = str();
  const size_t old_size = current.size();
  const size_t need = std::max(old_size, offset + s.size());
  char* data;
  if (kind() == kInlineString && need <= kInlineCapacity) {
    data = reinterpret_cast<char*>(payload_);
    SetKind(kInlineString, need);
  } else if (kind() == kHeapString &&
             need <= HeapCapacity(static_cast<char*>(Pointer()))) {
    char* block = static_cast<char*>(Pointer());
    data = HeapData(block);
    SetHeapLength(block, need);
  } else {
    char* block = heap_string::Allocate(current, need);
    data = heap_string::Data(block);
    heap_string::SetLength(block, need);
    if (offset > old_size) std::memset(data + old_size, 0, offset - old_size);
    std::memcpy(data + offset, s.data(), s.size());
    Release();  // after the copy: `s` may point into the old value
    SetHeapString(block);
    return;
  }
  // In place. `s` lies within the old bytes if it aliases them, so the
  // zero fill past them cannot clobber it.
  if (offset > old_size) std::memset(data + old_size, 0, offset - old_size);
  std::memmove(data + offset, s.data(), s.size());
}

Entry Entry::Clone() const {
  Entry copy;
  switch (kind()) {
    case kInlineString:
    case kHeapString:
      copy.SetString(str());
      break;
    case kList:
      copy.SetPointer(kList, new ListValue(list()));
      break;
    case kHash:
      copy.SetPointer(kHash, new HashValue(hash()));
      break;
    case kSet:
      copy.SetPointer(kSet, new SetValue(set()));
      break;
    case kZSet:
      copy.SetPointer(kZSet, new SortedSet(zset()));
      break;
  }
  copy.access_ = access_;
  return copy;
}

void Entry::PrefetchValue() const {
  constexpr size_t kLine = 64;
  constexpr size_t kMaxBytes = 256;
  if (kind() == kInlineString) return;
  const char* p = static_cast<const char*>(Pointer());
  // A container's object, or a string's header and bytes (one line when
  // its capacity is not recorded).
  const size_t bytes =
      kind() == kHeapString
          ? std::clamp(RecordedCapacity() + heap_string::kShortHeader, kLine,
                       kMaxBytes)
          : kLine;
  for (size_t at = 0; at < bytes; at += kLine) {
    __builtin_prefetch(p + at, /*rw=*/1, /*locality=*/3);
  }
}

size_t Entry::HeapBytes() const {
  switch (kind()) {
    case kInlineString:
      return 0;
    case kHeapString:
      return heap_string::AllocatedBytes(static_cast<const char*>(Pointer()));
    case kList:
      return sizeof(ListValue);
    case kHash:
      return sizeof(HashValue);
    case kSet:
      return sizeof(SetValue);
    case kZSet:
      return sizeof(SortedSet);
  }
  return 0;
}

void Entry::Release() noexcept {
  switch (kind()) {
    case kInlineString:
      break;
    case kHeapString:
      heap_string::Free(static_cast<char*>(Pointer()));
      break;
    case kList:
      delete static_cast<ListValue*>(Pointer());
      break;
    case kHash:
      delete static_cast<HashValue*>(Pointer());
      break;
    case kSet:
      delete static_cast<SetValue*>(Pointer());
      break;
    case kZSet:
      delete static_cast<SortedSet*>(Pointer());
      break;
  }
}

}  // namespace colony::kv
