// Copyright 2026 The Colony Authors.
//
// PackedList: the key-value backend's list (LPUSH, LRANGE, LPOP, ...), its
// elements packed back to back in chunks of up to kChunkBytes, as Redis'
// quicklist packs them in listpacks.
//
// A chunk is one heap buffer holding its elements in order, each as a
// 4-byte length, the bytes, and the length again (so a chunk is walked
// from either end), and its free space on the side it grows towards:
// pushes and pops at either end are O(1) amortized, copying each element
// once, and an element costs its length plus 8 bytes, where a deque of
// strings costs a 32-byte string header plus, past 15 bytes, a heap block
// of its own. An element longer than kChunkBytes gets a chunk to itself.
//
// Complexity: push and pop at either end O(1) amortized; element access by
// index, Set() and Insert() O(N / elements per chunk + elements per
// chunk) (Redis: O(N)); iteration from a position O(1) per element;
// Remove() and Trim() O(N). A chunk that an Insert() or Set() grows past
// twice kChunkBytes is split in two; after Remove(), neighbouring chunks
// whose elements fit in three quarters of one are merged.
//
// Thread-safety: none; a value type used under its keyspace shard's lock.
// Lifetime: views returned by front(), back(), At() and the iterators stay
// valid until the list is next changed.
#ifndef COLONY_KV_TYPES_PACKED_LIST_H_
#define COLONY_KV_TYPES_PACKED_LIST_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <iterator>
#include <string>

#include "absl/strings/string_view.h"

namespace colony::kv {

class PackedList {
  struct Chunk;

 public:
  // A chunk stops taking elements once they fill this many bytes (Redis'
  // default list-max-listpack-size, -2, is 8 KiB per node).
  static constexpr size_t kChunkBytes = 8192;
  // The longest element a list holds (lengths are 32-bit); callers check.
  static constexpr size_t kMaxElementBytes = UINT32_MAX - 16;

  // const_iterator visits the elements in order, as string views.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = absl::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const absl::string_view*;
    using reference = absl::string_view;

    const_iterator() = default;
    absl::string_view operator*() const;
    const_iterator& operator++();
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.left_ == b.left_;
    }
    friend bool operator!=(const const_iterator& a, const const_iterator& b) {
      return !(a == b);
    }

   private:
    friend class PackedList;
    const_iterator(const PackedList* list, size_t chunk, uint32_t offset,
                   size_t left)
        : list_(list), chunk_(chunk), offset_(offset), left_(left) {}

    const PackedList* list_ = nullptr;
    size_t chunk_ = 0;
    uint32_t offset_ = 0;
    size_t left_ = 0;  // elements from here to the end
  };

  PackedList() = default;
  PackedList(std::initializer_list<absl::string_view> values);
  PackedList(const PackedList& other);
  PackedList& operator=(const PackedList& other);
  PackedList(PackedList&& other) noexcept;
  PackedList& operator=(PackedList&& other) noexcept;
  ~PackedList();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The first and the last element; the list must not be empty.
  absl::string_view front() const;
  absl::string_view back() const;
  // The element at `index` (< size()).
  absl::string_view At(size_t index) const;

  const_iterator begin() const;
  const_iterator end() const { return const_iterator(this, 0, 0, 0); }
  // Iterator() is an iterator at `index` (<= size()).
  const_iterator Iterator(size_t index) const;

  void PushFront(absl::string_view value);
  void PushBack(absl::string_view value);
  // PopFront() and PopBack() remove and return an end's element; the list
  // must not be empty.
  std::string PopFront();
  std::string PopBack();

  // Set() replaces the element at `index` (< size()).
  void Set(size_t index, absl::string_view value);
  // Insert() puts `value` before the element at `index` (<= size(); at
  // size(), after the last).
  void Insert(size_t index, absl::string_view value);
  // Trim() keeps the elements first..last (first <= last < size()).
  void Trim(size_t first, size_t last);
  void Clear();
  // Remove() removes up to `limit` elements equal to `value`, the ones
  // nearest the head first, or the tail when `from_tail`; the others keep
  // their order. Returns how many it removed.
  size_t Remove(absl::string_view value, size_t limit, bool from_tail);

  // Find() calls f(index) for each element equal to `value`, from the head
  // or, when `from_tail`, from the tail, among the first `max_scanned`
  // elements looked at, until f returns false.
  template <typename F>
  void Find(absl::string_view value, bool from_tail, size_t max_scanned,
            F&& f) const;

  // For tests and memory figures: chunks, and bytes held in buffers.
  size_t chunks() const { return chunks_.size(); }
  size_t AllocatedBytes() const;
  // CheckInvariants() is empty when the chunks are well formed, else what
  // is wrong (tests).
  std::string CheckInvariants() const;

  friend bool operator==(const PackedList& a, const PackedList& b);
  friend bool operator!=(const PackedList& a, const PackedList& b) {
    return !(a == b);
  }

 private:
  struct Chunk {
    char* buf = nullptr;
    uint32_t cap = 0;
    uint32_t begin = 0;  // first byte of the first element
    uint32_t end = 0;    // one past the last element
    uint32_t count = 0;  // elements
    uint32_t bytes() const { return end - begin; }
  };
  // Where an element starts: a chunk and the offset of its length.
  struct Position {
    size_t chunk;
    uint32_t offset;
  };

  static constexpr uint32_t kHeader = 4;  // each of the two lengths

  static uint32_t LengthAt(const char* p) {
    uint32_t n;
    std::memcpy(&n, p, sizeof(n));
    return n;
  }
  static absl::string_view ViewAt(const char* p) {
    return absl::string_view(p + kHeader, LengthAt(p));
  }
  static uint32_t EntryBytes(size_t length) {
    return static_cast<uint32_t>(length) + 2 * kHeader;
  }
  // The offset of the element that ends at `end` in `c`.
  static uint32_t StartBefore(const Chunk& c, uint32_t end) {
    return end - EntryBytes(LengthAt(c.buf + end - kHeader));
  }
  static void WriteEntry(char* p, absl::string_view value);
  static Chunk NewChunk(uint32_t cap);
  static void Free(Chunk& c);

  // Locate() finds the element at `index` (< size()).
  Position Locate(size_t index) const;
  // Whether `c` (never empty: empty chunks are freed) can take `need`
  // more bytes.
  static bool Fits(const Chunk& c, uint32_t need) {
    return c.bytes() + need <= kChunkBytes;
  }
  // Makes room for `need` bytes before c.begin or after c.end.
  static void RoomFront(Chunk& c, uint32_t need);
  static void RoomBack(Chunk& c, uint32_t need);
  // Rebuild() replaces the bytes [from, to) of chunk `ci` with `value` as
  // an element (from == to: an insertion), then splits an oversized chunk.
  void Rebuild(size_t ci, uint32_t from, uint32_t to, absl::string_view value);
  void SplitIfLarge(size_t ci);
  void EraseFront(size_t n);
  void EraseBack(size_t n);
  // MergeThinChunks() frees the chunks Remove() emptied and merges
  // neighbours whose elements fit in kMergedBytes together, so that a list
  // thinned out by LREM gives its memory back.
  void MergeThinChunks();
  // Three quarters of a chunk: a merged chunk keeps room for pushes.
  static constexpr uint32_t kMergedBytes = kChunkBytes * 3 / 4;

  std::deque<Chunk> chunks_;
  size_t size_ = 0;
};

template <typename F>
void PackedList::Find(absl::string_view value, bool from_tail,
                      size_t max_scanned, F&& f) const {
  size_t scanned = 0;
  if (!from_tail) {
    size_t index = 0;
    for (const Chunk& c : chunks_) {
      for (uint32_t off = c.begin; off < c.end;) {
        if (scanned++ == max_scanned) return;
        const absl::string_view v = ViewAt(c.buf + off);
        if (v == value && !f(index)) return;
        ++index;
        off += EntryBytes(v.size());
      }
    }
    return;
  }
  size_t index = size_;
  for (auto it = chunks_.rbegin(); it != chunks_.rend(); ++it) {
    const Chunk& c = *it;
    for (uint32_t end = c.end; end > c.begin;) {
      if (scanned++ == max_scanned) return;
      const uint32_t start = StartBefore(c, end);
      --index;
      if (ViewAt(c.buf + start) == value && !f(index)) return;
      end = start;
    }
  }
}

}  // namespace colony::kv

#endif  // COLONY_KV_TYPES_PACKED_LIST_H_
