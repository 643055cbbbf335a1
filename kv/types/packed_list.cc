// Copyright 2026 The Colony Authors.

#include "kv/types/packed_list.h"

#include <algorithm>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace colony::kv {
namespace {

// A new chunk's first buffer: room for its first element and a few more
// small ones; it doubles as it fills, up to kChunkBytes.
constexpr uint32_t kMinCapacity = 64;

uint32_t Grown(uint32_t cap, uint32_t used, uint32_t need) {
  uint32_t next = std::max(kMinCapacity, cap);
  while (next < used + need && next < PackedList::kChunkBytes) next *= 2;
  return std::max<uint32_t>(std::min<uint32_t>(next, PackedList::kChunkBytes),
                            used + need);
}

}  // namespace

// ---- Chunks ----

void PackedList::WriteEntry(char* p, absl::string_view value) {
  const auto n = static_cast<uint32_t>(value.size());
  std::memcpy(p, &n, kHeader);
  if (n != 0) std::memcpy(p + kHeader, value.data(), n);
  std::memcpy(p + kHeader + n, &n, kHeader);
}

PackedList::Chunk PackedList::NewChunk(uint32_t cap) {
  Chunk c;
  c.buf = static_cast<char*>(std::malloc(cap));
  if (c.buf == nullptr) std::abort();
  c.cap = cap;
  return c;
}

void PackedList::Free(Chunk& c) {
  std::free(c.buf);
  c = Chunk();
}

void PackedList::RoomFront(Chunk& c, uint32_t need) {
  if (c.begin >= need) return;
  const uint32_t used = c.bytes();
  if (used + need <= c.cap) {
    // Room enough, on the wrong side: move the elements to the end.
    const uint32_t begin = c.cap - used;
    std::memmove(c.buf + begin, c.buf + c.begin, used);
    c.begin = begin;
    c.end = c.cap;
    return;
  }
  Chunk grown = NewChunk(Grown(c.cap, used, need));
  const uint32_t begin = grown.cap - used;
  if (used != 0) std::memcpy(grown.buf + begin, c.buf + c.begin, used);
  grown.begin = begin;
  grown.end = grown.cap;
  grown.count = c.count;
  Free(c);
  c = grown;
}

void PackedList::RoomBack(Chunk& c, uint32_t need) {
  if (c.cap - c.end >= need) return;
  const uint32_t used = c.bytes();
  if (used + need <= c.cap) {
    std::memmove(c.buf, c.buf + c.begin, used);
    c.begin = 0;
    c.end = used;
    return;
  }
  Chunk grown = NewChunk(Grown(c.cap, used, need));
  if (used != 0) std::memcpy(grown.buf, c.buf + c.begin, used);
  grown.end = used;
  grown.count = c.count;
  Free(c);
  c = grown;
}

// ---- Construction ----

PackedList::PackedList(std::initializer_list<absl::string_view> values) {
  for (absl::string_view v : values) PushBack(v);
}

PackedList::PackedList(const PackedList& other) : size_(other.size_) {
  for (const Chunk& from : other.chunks_) {
    Chunk c = NewChunk(std::max(from.bytes(), kMinCapacity));
    std::memcpy(c.buf, from.buf + from.begin, from.bytes());
    c.end = from.bytes();
    c.count = from.count;
    chunks_.push_back(c);
  }
}

PackedList& PackedList::operator=(const PackedList& other) {
  if (this != &other) {
    PackedList copy(other);
    *this = std::move(copy);
  }
  return *this;
}

PackedList::PackedList(PackedList&& other) noexcept
    : chunks_(std::move(other.chunks_)), size_(other.size_) {
  other.chunks_.clear();
  other.size_ = 0;
}

PackedList& PackedList::operator=(PackedList&& other) noexcept {
  if (this != &other) {
    Clear();
    chunks_.swap(other.chunks_);
    std::swap(size_, other.size_);
  }
  return *this;
}

PackedList::~PackedList() { Clear(); }

void PackedList::Clear() {
  for (Chunk& c : chunks_) Free(c);
  chunks_.clear();
  size_ = 0;
}

// ---- Access ----

absl::string_view PackedList::front() const {
  const Chunk& c = chunks_.front();
  return ViewAt(c.buf + c.begin);
}

absl::string_view PackedList::back() const {
  const Chunk& c = chunks_.back();
  return ViewAt(c.buf + StartBefore(c, c.end));
}

PackedList::Position PackedList::Locate(size_t index) const {
  size_t ci = 0;
  size_t k = index;  // the element's place in chunk ci
  if (index < size_ / 2) {
    while (k >= chunks_[ci].count) k -= chunks_[ci++].count;
  } else {
    size_t from_end = size_ - 1 - index;  // counted from the tail
    ci = chunks_.size() - 1;
    while (from_end >= chunks_[ci].count) from_end -= chunks_[ci--].count;
    k = chunks_[ci].count - 1 - from_end;
  }
  const Chunk& c = chunks_[ci];
  uint32_t off;
  if (k < c.count / 2) {
    off = c.begin;
    for (; k > 0; --k) off += EntryBytes(LengthAt(c.buf + off));
  } else {
    off = c.end;
    for (size_t back = c.count - k; back > 0; --back) off = StartBefore(c, off);
  }
  return Position{ci, off};
}

absl::string_view PackedList::At(size_t index) const {
  const Position p = Locate(index);
  return ViewAt(chunks_[p.chunk].buf + p.offset);
}

PackedList::const_iterator PackedList::begin() const {
  if (size_ == 0) return end();
  return const_iterator(this, 0, chunks_.front().begin, size_);
}

PackedList::const_iterator PackedList::Iterator(size_t index) const {
  if (index >= size_) return end();
  const Position p = Locate(index);
  return const_iterator(this, p.chunk, p.offset, size_ - index);
}

absl::string_view PackedList::const_iterator::operator*() const {
  return ViewAt(list_->chunks_[chunk_].buf + offset_);
}

PackedList::const_iterator& PackedList::const_iterator::operator++() {
  const Chunk& c = list_->chunks_[chunk_];
  offset_ += EntryBytes(LengthAt(c.buf + offset_));
  if (--left_ != 0 && offset_ == c.end)
    offset_ = list_->chunks_[++chunk_].begin;
  return *this;
}

// ---- Ends ----

void PackedList::PushFront(absl::string_view value) {
  const uint32_t need = EntryBytes(value.size());
  if (chunks_.empty() || !Fits(chunks_.front(), need)) {
    chunks_.push_front(Chunk());
  }
  Chunk& c = chunks_.front();
  RoomFront(c, need);
  c.begin -= need;
  WriteEntry(c.buf + c.begin, value);
  ++c.count;
  ++size_;
}

void PackedList::PushBack(absl::string_view value) {
  const uint32_t need = EntryBytes(value.size());
  if (chunks_.empty() || !Fits(chunks_.back(), need)) {
    chunks_.push_back(Chunk());
  }
  Chunk& c = chunks_.back();
  RoomBack(c, need);
  WriteEntry(c.buf + c.end, value);
  c.end += need;
  ++c.count;
  ++size_;
}

std::string PackedList::PopFront() {
  Chunk& c = chunks_.front();
  const absl::string_view v = ViewAt(c.buf + c.begin);
  std::string out(v);
  c.begin += EntryBytes(v.size());
  --size_;
  if (--c.count == 0) {
    Free(c);
    chunks_.pop_front();
  }
  return out;
}

std::string PackedList::PopBack() {
  Chunk& c = chunks_.back();
  const uint32_t start = StartBefore(c, c.end);
  std::string out(ViewAt(c.buf + start));
  c.end = start;
  --size_;
  if (--c.count == 0) {
    Free(c);
    chunks_.pop_back();
  }
  return out;
}

// ---- Changes in the middle ----

void PackedList::Rebuild(size_t ci, uint32_t from, uint32_t to,
                         absl::string_view value) {
  Chunk& c = chunks_[ci];
  const uint32_t need = EntryBytes(value.size());
  const uint32_t used = c.bytes() - (to - from) + need;
  Chunk next = NewChunk(std::max(used, kMinCapacity));
  const uint32_t head = from - c.begin;
  std::memcpy(next.buf, c.buf + c.begin, head);
  WriteEntry(next.buf + head, value);
  std::memcpy(next.buf + head + need, c.buf + to, c.end - to);
  next.end = used;
  next.count = c.count + (from == to ? 1 : 0);
  Free(c);
  c = next;
  SplitIfLarge(ci);
}

void PackedList::SplitIfLarge(size_t ci) {
  Chunk& c = chunks_[ci];
  if (c.bytes() <= 2 * kChunkBytes || c.count < 2) return;
  // Split at the first element that starts past the middle byte (never
  // the first element, so both halves hold one or more).
  const uint32_t middle = c.begin + c.bytes() / 2;
  uint32_t off = c.begin + EntryBytes(LengthAt(c.buf + c.begin));
  uint32_t left_count = 1;
  while (off < middle && left_count + 1 < c.count) {
    off += EntryBytes(LengthAt(c.buf + off));
    ++left_count;
  }
  const uint32_t right_bytes = c.end - off;
  Chunk right = NewChunk(std::max(right_bytes, kMinCapacity));
  std::memcpy(right.buf, c.buf + off, right_bytes);
  right.end = right_bytes;
  right.count = c.count - left_count;
  c.end = off;
  c.count = left_count;
  chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(ci) + 1, right);
  // Halves of a chunk of large elements can still be too large.
  SplitIfLarge(ci + 1);
  SplitIfLarge(ci);
}

void PackedList::Set(size_t index, absl::string_view value) {
  const Position p = Locate(index);
  Chunk& c = chunks_[p.chunk];
  const uint32_t old = LengthAt(c.buf + p.offset);
  if (old == value.size()) {
    if (old != 0) std::memcpy(c.buf + p.offset + kHeader, value.data(), old);
    return;
  }
  Rebuild(p.chunk, p.offset, p.offset + EntryBytes(old), value);
}

void PackedList::Insert(size_t index, absl::string_view value) {
  if (index == 0) return PushFront(value);
  if (index == size_) return PushBack(value);
  const Position p = Locate(index);
  Rebuild(p.chunk, p.offset, p.offset, value);
  ++size_;
}

void PackedList::EraseFront(size_t n) {
  while (n > 0) {
    Chunk& c = chunks_.front();
    if (c.count <= n) {
      n -= c.count;
      size_ -= c.count;
      Free(c);
      chunks_.pop_front();
      continue;
    }
    for (size_t i = 0; i < n; ++i)
      c.begin += EntryBytes(LengthAt(c.buf + c.begin));
    c.count -= static_cast<uint32_t>(n);
    size_ -= n;
    n = 0;
  }
}

void PackedList::EraseBack(size_t n) {
  while (n > 0) {
    Chunk& c = chunks_.back();
    if (c.count <= n) {
      n -= c.count;
      size_ -= c.count;
      Free(c);
      chunks_.pop_back();
      continue;
    }
    for (size_t i = 0; i < n; ++i) c.end = StartBefore(c, c.end);
    c.count -= static_cast<uint32_t>(n);
    size_ -= n;
    n = 0;
  }
}

void PackedList::Trim(size_t first, size_t last) {
  EraseBack(size_ - 1 - last);
  EraseFront(first);
}

size_t PackedList::Remove(absl::string_view value, size_t limit,
                          bool from_tail) {
  size_t removed = 0;
  std::vector<uint32_t> starts;
  std::vector<bool> drop;
  const size_t n = chunks_.size();
  for (size_t step = 0; step < n && removed < limit; ++step) {
    Chunk& c = chunks_[from_tail ? n - 1 - step : step];
    starts.clear();
    for (uint32_t off = c.begin; off < c.end;
         off += EntryBytes(LengthAt(c.buf + off))) {
      starts.push_back(off);
    }
    drop.assign(starts.size(), false);
    size_t dropped = 0;
    for (size_t j = 0; j < starts.size() && removed < limit; ++j) {
      const size_t k = from_tail ? starts.size() - 1 - j : j;
      if (ViewAt(c.buf + starts[k]) == value) {
        drop[k] = true;
        ++dropped;
        ++removed;
      }
    }
    if (dropped == 0) continue;
    uint32_t out = c.begin;
    for (size_t k = 0; k < starts.size(); ++k) {
      const uint32_t bytes = EntryBytes(LengthAt(c.buf + starts[k]));
      if (drop[k]) continue;
      if (out != starts[k]) std::memmove(c.buf + out, c.buf + starts[k], bytes);
      out += bytes;
    }
    c.end = out;
    c.count -= static_cast<uint32_t>(dropped);
    size_ -= dropped;
  }
  if (removed > 0) MergeThinChunks();
  return removed;
}

void PackedList::MergeThinChunks() {
  std::deque<Chunk> kept;
  for (Chunk& c : chunks_) {
    if (c.count == 0) {
      Free(c);
      continue;
    }
    if (!kept.empty() && kept.back().bytes() + c.bytes() <= kMergedBytes) {
      Chunk& last = kept.back();
      const uint32_t bytes = c.bytes();
      RoomBack(last, bytes);
      std::memcpy(last.buf + last.end, c.buf + c.begin, bytes);
      last.end += bytes;
      last.count += c.count;
      Free(c);
      continue;
    }
    kept.push_back(c);
  }
  chunks_.swap(kept);
}

// ---- Checks ----

size_t PackedList::AllocatedBytes() const {
  size_t bytes = 0;
  for (const Chunk& c : chunks_) bytes += c.cap;
  return bytes;
}

std::string PackedList::CheckInvariants() const {
  size_t total = 0;
  for (size_t i = 0; i < chunks_.size(); ++i) {
    const Chunk& c = chunks_[i];
    if (c.count == 0) return absl::StrCat("chunk ", i, " is empty");
    if (c.begin > c.end || c.end > c.cap) {
      return absl::StrCat("chunk ", i, " bounds ", c.begin, "..", c.end, " of ",
                          c.cap);
    }
    uint32_t elements = 0;
    uint32_t off = c.begin;
    while (off < c.end) {
      const uint32_t n = LengthAt(c.buf + off);
      if (off + EntryBytes(n) > c.end ||
          LengthAt(c.buf + off + kHeader + n) != n) {
        return absl::StrCat("chunk ", i, " element ", elements,
                            " is malformed");
      }
      off += EntryBytes(n);
      ++elements;
    }
    if (elements != c.count) {
      return absl::StrCat("chunk ", i, " holds ", elements,
                          " elements, counts ", c.count);
    }
    if (c.bytes() > 2 * kChunkBytes && c.count > 1) {
      return absl::StrCat("chunk ", i, " holds ", c.bytes(), " bytes");
    }
    total += c.count;
  }
  if (total != size_) {
    return absl::StrCat("chunks hold ", total, " elements, size ", size_);
  }
  return "";
}

bool operator==(const PackedList& a, const PackedList& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace colony::kv
