// Copyright 2026 The Colony Authors.
//
// DenseTable: a hash table with random access, behind the key-value
// backend's sets (DenseSet: members) and hashes (DenseHash: field, value
// pairs). SPOP, SRANDMEMBER and HRANDFIELD pick a uniformly random element
// in O(1), as Redis does, which absl's flat tables (no random access)
// cannot.
//
// The elements lie densely in a vector, in no particular order; an index,
// an absl::flat_hash_set of 32-bit positions into that vector whose hash
// and equality look the element's key up in the vector, finds a key.
// Lookups take an absl::string_view and do not allocate. Erasing moves
// the last element into the freed position (swap-remove) and fixes that
// element's index entry in place, so it is O(1) too; a table that lost most
// of its elements gives the memory back (amortized O(1)). The vector
// grows by half of itself, not double, to keep memory per element close to
// that of a flat hash set of the elements.
//
// Up to kLinearMax elements a table has no index at all: a lookup
// compares the keys in turn (Redis' listpack encoding of small sets and
// hashes does the same), which spares the many small collections the
// index's block. The index is built when an insert goes past kLinearMax
// and dropped when erasing leaves kLinearMax / 2.
//
// Positions are stable except under erase, which moves only the last
// element, and only to a lower position. Scan() builds the SSCAN/HSCAN
// cursor on that: it walks from the end of the vector down, so an element
// present for a whole scan is visited at least once (a removal can bring
// an already visited element back below the cursor, a duplicate; elements
// added meanwhile land above it and may be missed, as Redis allows).
//
// Complexity: insert, find, erase, element access by position: O(1)
// (amortized, expected; at most kLinearMax key comparisons without the
// index). Iteration is in position order.
//
// Thread-safety: none; a value type used under its keyspace shard's lock.
// Not movable (the index's functors point at the element vector, a member):
// the keyspace holds tables on the heap. Copying rebuilds the index, O(N).
// At most 2^32 - 1 elements (an insert past that aborts).
#ifndef COLONY_KV_TYPES_DENSE_TABLE_H_
#define COLONY_KV_TYPES_DENSE_TABLE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace colony::kv {

// What a DenseTable stores, and how to find and make the key of an element.
struct DenseSetTraits {
  using Element = std::string;
  static absl::string_view Key(const Element& e) { return e; }
  static Element Make(absl::string_view key) { return Element(key); }
};

struct DenseHashTraits {
  // first: the field, second: the value.
  using Element = std::pair<std::string, std::string>;
  static absl::string_view Key(const Element& e) { return e.first; }
  static Element Make(absl::string_view key) {
    return Element(std::string(key), std::string());
  }
};

template <typename Traits>
class DenseTable {
 public:
  using Element = typename Traits::Element;
  using value_type = Element;
  using const_iterator = typename std::vector<Element>::const_iterator;
  using iterator = const_iterator;

  // The most elements a table holds.
  static constexpr size_t kMaxSize = UINT32_MAX;
  // The most elements a table holds without an index.
  static constexpr size_t kLinearMax = 8;

  DenseTable() = default;
  DenseTable(const DenseTable& other) : DenseTable() {
    elements_ = other.elements_;
    if (other.indexed()) BuildIndex();
  }
  DenseTable& operator=(const DenseTable&) = delete;
  DenseTable(DenseTable&&) = delete;
  DenseTable& operator=(DenseTable&&) = delete;
  ~DenseTable() = default;

  size_t size() const { return elements_.size(); }
  bool empty() const { return elements_.empty(); }

  // The elements in position order.
  const_iterator begin() const { return elements_.begin(); }
  const_iterator end() const { return elements_.end(); }
  // at() is the element at `pos` < size().
  const Element& at(size_t pos) const { return elements_[pos]; }

  // find() is the element whose key is `key`, or end().
  const_iterator find(absl::string_view key) const {
    const size_t pos = Find(key);
    return pos == kNone ? end() : begin() + static_cast<ptrdiff_t>(pos);
  }
  bool contains(absl::string_view key) const { return Find(key) != kNone; }

  // FindOrInsert() is the position of the element whose key is `key`,
  // appended (Traits::Make) if missing, and whether it was.
  std::pair<size_t, bool> FindOrInsert(absl::string_view key) {
    if (!indexed()) {
      if (const size_t pos = Find(key); pos != kNone) return {pos, false};
      if (elements_.size() < kLinearMax) {
        Append(key);
        return {elements_.size() - 1, true};
      }
      BuildIndex();
    }
    bool inserted = false;
    auto it = index_->lazy_emplace(key, [&](const auto& construct) {
      Append(key);
      construct(static_cast<uint32_t>(elements_.size() - 1));
      inserted = true;
    });
    return {*it, inserted};
  }

  // erase() removes the element whose key is `key`; 1 if there was one.
  // The last element takes its position.
  size_t erase(absl::string_view key) {
    if (!indexed()) {
      const size_t pos = Find(key);
      if (pos == kNone) return 0;
      FillHole(static_cast<uint32_t>(pos));
      return 1;
    }
    auto it = index_->find(key);
    if (it == index_->end()) return 0;
    const uint32_t pos = *it;
    index_->erase(it);
    FillHole(pos);
    return 1;
  }

  // EraseAt() removes the element at `pos` < size(); the last element
  // takes its position.
  void EraseAt(size_t pos) {
    if (indexed()) index_->erase(index_->find(Traits::Key(elements_[pos])));
    FillHole(static_cast<uint32_t>(pos));
  }

  // indexed() is whether lookups go through the index (more than
  // kLinearMax elements at some point, and more than kLinearMax / 2 since).
  bool indexed() const { return index_ != nullptr; }

  // Equal tables hold equal elements (in any order). O(N).
  friend bool operator==(const DenseTable& a, const DenseTable& b) {
    if (a.size() != b.size()) return false;
    for (const Element& e : a) {
      auto it = b.find(Traits::Key(e));
      if (it == b.end() || !(*it == e)) return false;
    }
    return true;
  }
  friend bool operator!=(const DenseTable& a, const DenseTable& b) {
    return !(a == b);
  }

  // reserve() makes room for `n` elements.
  void reserve(size_t n) {
    elements_.reserve(n);
    if (n <= kLinearMax) return;
    if (!indexed()) BuildIndex();
    index_->reserve(n);
  }

  // Scan() calls visit(element) for up to `count` (> 0) elements going
  // down from the position the cursor names, and returns the next cursor,
  // 0 when the walk is done. Cursor 0 starts at the end; any other is the
  // position below which elements remain (clamped to size()).
  template <typename Visit>
  uint64_t Scan(uint64_t cursor, uint64_t count, Visit visit) const {
    size_t pos =
        cursor == 0 || cursor > elements_.size() ? elements_.size() : cursor;
    const size_t stop = pos > count ? pos - static_cast<size_t>(count) : 0;
    while (pos > stop) visit(elements_[--pos]);
    return stop;
  }

 protected:
  // The element at `pos`, for subclasses that let a part other than the
  // key change in place.
  Element& mutable_at(size_t pos) { return elements_[pos]; }

 private:
  // Hashes and compares index entries by the key of the element they
  // point at, and a string_view key the same way (heterogeneous lookup).
  struct Functor {
    using is_transparent = void;
    const std::vector<Element>* elements;

    absl::string_view KeyAt(uint32_t pos) const {
      return Traits::Key((*elements)[pos]);
    }
    size_t operator()(uint32_t pos) const { return Hash(KeyAt(pos)); }
    size_t operator()(absl::string_view key) const { return Hash(key); }
    bool operator()(uint32_t a, uint32_t b) const {
      return a == b || KeyAt(a) == KeyAt(b);
    }
    bool operator()(uint32_t a, absl::string_view b) const {
      return KeyAt(a) == b;
    }
    bool operator()(absl::string_view a, uint32_t b) const {
      return a == KeyAt(b);
    }
    static size_t Hash(absl::string_view key) {
      return absl::Hash<absl::string_view>()(key);
    }
  };
  using Index = absl::flat_hash_set<uint32_t, Functor, Functor>;
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // Find() is the position of `key`, or kNone.
  size_t Find(absl::string_view key) const {
    if (indexed()) {
      auto it = index_->find(key);
      return it == index_->end() ? kNone : *it;
    }
    for (size_t i = 0; i < elements_.size(); ++i) {
      if (Traits::Key(elements_[i]) == key) return i;
    }
    return kNone;
  }

  // Append() adds the element of `key` (Traits::Make) at the end.
  void Append(absl::string_view key) {
    if (elements_.size() >= kMaxSize) std::abort();
    // Made first: `key` may point into an element that growing moves.
    Element element = Traits::Make(key);
    if (const size_t n = elements_.size(); n == elements_.capacity()) {
      // Small tables grow one element at a time (most stay small, and
      // moving a few elements is cheap), then by half.
      elements_.reserve(n + (n < kLinearMax ? 1 : n / 2));
    }
    elements_.push_back(std::move(element));
  }

  // BuildIndex() indexes every element (the keys are distinct).
  void BuildIndex() {
    index_ =
        std::make_unique<Index>(0, Functor{&elements_}, Functor{&elements_});
    index_->reserve(elements_.size() + 1);
    for (size_t i = 0; i < elements_.size(); ++i) {
      index_->insert(static_cast<uint32_t>(i));
    }
  }

  // FillHole() moves the last element into `pos`, whose index entry is
  // gone, and drops the last slot.
  void FillHole(uint32_t pos) {
    const size_t last = elements_.size() - 1;
    if (pos != last) {
      if (indexed()) {
        auto it = index_->find(Traits::Key(elements_[last]));
        // The entry keeps its hash (that of the same key), so it may be
        // rewritten in place; the slot's storage is not const.
        const_cast<uint32_t&>(*it) = pos;
      }
      elements_[pos] = std::move(elements_[last]);
    }
    elements_.pop_back();
    ShrinkIfSparse();
  }

  // ShrinkIfSparse() gives back the room of a table that lost most of its
  // elements (at three quarters empty, so that it is amortized O(1)).
  void ShrinkIfSparse() {
    const size_t n = elements_.size();
    if (elements_.capacity() > 16 && n * 4 < elements_.capacity()) {
      std::vector<Element> smaller;
      smaller.reserve(n + n / 2);
      for (Element& e : elements_) smaller.push_back(std::move(e));
      elements_.swap(smaller);  // the functors point at the member
    }
    if (!indexed()) return;
    if (n <= kLinearMax / 2) {
      index_.reset();  // back to comparing keys in turn
    } else if (index_->capacity() > 64 && n * 8 < index_->capacity()) {
      index_->rehash(0);
    }
  }

  std::vector<Element> elements_;
  // Null while the table compares keys in turn; on the heap, so that a
  // small table's object is only the vector and this pointer.
  std::unique_ptr<Index> index_;
};

// A set's members.
class DenseSet : public DenseTable<DenseSetTraits> {
 public:
  DenseSet() = default;
  DenseSet(std::initializer_list<absl::string_view> members) {
    for (absl::string_view m : members) insert(m);
  }

  // insert() adds `member`; whether it was missing.
  bool insert(absl::string_view member) { return FindOrInsert(member).second; }
};

// A hash's field, value pairs.
class DenseHash : public DenseTable<DenseHashTraits> {
 public:
  DenseHash() = default;
  DenseHash(
      std::initializer_list<std::pair<absl::string_view, absl::string_view>>
          fields) {
    for (const auto& [f, v] : fields) insert_or_assign(f, std::string(v));
  }

  // try_emplace() is the value of `field`, added with an empty value if
  // missing, and whether it was. The reference lasts until the next
  // insertion or erasure.
  std::pair<std::string*, bool> try_emplace(absl::string_view field) {
    const auto [pos, inserted] = FindOrInsert(field);
    return {&mutable_at(pos).second, inserted};
  }

  // insert_or_assign() sets `field` to `value`; whether it was missing.
  bool insert_or_assign(absl::string_view field, std::string value) {
    auto [v, inserted] = try_emplace(field);
    *v = std::move(value);
    return inserted;
  }
};

}  // namespace colony::kv

#endif  // COLONY_KV_TYPES_DENSE_TABLE_H_
