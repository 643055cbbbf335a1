// Copyright 2026 The Colony Authors.

#include "kv/types/sorted_set.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace colony::kv {
namespace {

constexpr int kMaxHeight = 32;
// The head starts with this many levels and doubles when a taller node
// arrives, so a small set does not pay for 32 levels up front.
constexpr int kInitialHeadHeight = 4;

// KeyLess() is the set's order: by score, then by member bytes.
inline bool KeyLess(double a_score, absl::string_view a_member, double b_score,
                    absl::string_view b_member) {
  return a_score < b_score || (a_score == b_score && a_member < b_member);
}

// CString holds a NUL-terminated copy of a string_view, on the stack when
// short, for the C library's parsers.
class CString {
 public:
  explicit CString(absl::string_view text) {
    if (text.size() < sizeof(small_)) {
      std::memcpy(small_, text.data(), text.size());
      small_[text.size()] = '\0';
      data_ = small_;
    } else {
      large_.assign(text.data(), text.size());
      data_ = large_.c_str();
    }
  }
  CString(const CString&) = delete;
  CString& operator=(const CString&) = delete;

  const char* c_str() const { return data_; }

 private:
  char small_[64];
  std::string large_;
  const char* data_;
};

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

// ---------------------------------------------------------------------------
// Parsing and formatting.

std::optional<ScoreBound> ParseScoreBound(absl::string_view text) {
  ScoreBound bound;
  if (!text.empty() && text.front() == '(') {
    bound.exclusive = true;
    text.remove_prefix(1);
  }
  // Redis hands the argument to strtod as a C string, so the number ends at
  // a NUL byte, and only the bytes up to it need to parse.
  text = text.substr(0, text.find('\0'));
  const CString c(text);
  char* end = nullptr;
  bound.value = std::strtod(c.c_str(), &end);
  if (*end != '\0' || std::isnan(bound.value)) return std::nullopt;
  return bound;
}

std::optional<double> ParseScore(absl::string_view text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) {
    return std::nullopt;
  }
  const CString c(text);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(c.c_str(), &end);
  if (static_cast<size_t>(end - c.c_str()) != text.size()) return std::nullopt;
  // strtod flags ERANGE both for overflow (±HUGE_VAL) and for results that
  // lose precision near zero; only the overflow and the flush to zero are
  // rejected, a subnormal result stands.
  if (errno == ERANGE && (value == HUGE_VAL || value == -HUGE_VAL ||
                          std::fpclassify(value) == FP_ZERO)) {
    return std::nullopt;
  }
  if (std::isnan(value)) return std::nullopt;
  return value;
}

std::string FormatScore(double score) {
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  return std::string(buf, static_cast<size_t>(n));
}

bool LexRange::AboveMin(absl::string_view member) const {
  switch (min.kind) {
    case LexBound::Kind::kNegativeInfinity:
      return true;
    case LexBound::Kind::kPositiveInfinity:
      return false;
    case LexBound::Kind::kInclusive:
      return member >= min.value;
    case LexBound::Kind::kExclusive:
      return member > min.value;
  }
  return false;
}

bool LexRange::BelowMax(absl::string_view member) const {
  switch (max.kind) {
    case LexBound::Kind::kNegativeInfinity:
      return false;
    case LexBound::Kind::kPositiveInfinity:
      return true;
    case LexBound::Kind::kInclusive:
      return member <= max.value;
    case LexBound::Kind::kExclusive:
      return member < max.value;
  }
  return false;
}

bool LexRange::IsEmpty() const {
  using Kind = LexBound::Kind;
  if (min.kind == Kind::kPositiveInfinity) return true;
  if (max.kind == Kind::kNegativeInfinity) return true;
  if (min.kind == Kind::kNegativeInfinity) return false;
  if (max.kind == Kind::kPositiveInfinity) return false;
  const int cmp = min.value.compare(max.value);
  return cmp > 0 || (cmp == 0 && (min.kind == Kind::kExclusive ||
                                  max.kind == Kind::kExclusive));
}

std::optional<LexBound> ParseLexBound(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  LexBound bound;
  switch (text[0]) {
    case '+':
    case '-':
      // Redis checks the byte after the sign as a C string would: "+" must
      // end there, and a NUL byte ends it too.
      if (text.size() > 1 && text[1] != '\0') return std::nullopt;
      bound.kind = text[0] == '+' ? LexBound::Kind::kPositiveInfinity
                                  : LexBound::Kind::kNegativeInfinity;
      return bound;
    case '[':
      bound.kind = LexBound::Kind::kInclusive;
      bound.value = text.substr(1);
      return bound;
    case '(':
      bound.kind = LexBound::Kind::kExclusive;
      bound.value = text.substr(1);
      return bound;
    default:
      return std::nullopt;
  }
}

// ---------------------------------------------------------------------------
// Nodes.
//
// A node is one allocation: this header, then `height` Levels, then the
// member's bytes. Level i of node x links to the next node of height > i,
// and its span is how many level-0 steps that link jumps: rank(next) -
// rank(x), counting the head as rank 0 and the nodes from 1. A link to null
// spans to rank size + 1, as if a sentinel followed the last node; keeping
// that true (on the levels in use) lets insertion and removal update every
// level the same way.

struct SortedSet::Node {
  struct Level {
    Node* next;
    size_t span;
  };

  double score;
  Node* prev;  // the previous node at level 0; null for the first
  uint64_t member_size : 56;
  uint64_t height : 8;

  static size_t AllocationSize(int height, size_t member_size) {
    return sizeof(Node) + height * sizeof(Level) + member_size;
  }

  static Node* New(int height, double score, absl::string_view member) {
    void* p = ::operator new(AllocationSize(height, member.size()));
    Node* node = new (p) Node;
    node->score = score;
    node->prev = nullptr;
    node->member_size = member.size();
    node->height = static_cast<uint64_t>(height);
    if (!member.empty()) {
      std::memcpy(node->member_bytes(), member.data(), member.size());
    }
    return node;
  }

  static void Delete(Node* node) {
    node->~Node();
    ::operator delete(node);
  }

  size_t allocation_size() const {
    return AllocationSize(static_cast<int>(height), member_size);
  }

  Level* levels() { return reinterpret_cast<Level*>(this + 1); }
  const Level* levels() const {
    return reinterpret_cast<const Level*>(this + 1);
  }
  Node* next(int i) const { return levels()[i].next; }
  size_t span(int i) const { return levels()[i].span; }

  char* member_bytes() { return reinterpret_cast<char*>(levels() + height); }
  absl::string_view member() const {
    return absl::string_view(reinterpret_cast<const char*>(levels() + height),
                             member_size);
  }
};

// Path holds, for every level in use, the last node before some position
// (the head when none) and that node's rank.
struct SortedSet::Path {
  Node* node[kMaxHeight];
  size_t rank[kMaxHeight];
};

size_t SortedSet::NodeHash::operator()(absl::string_view member) const {
  return absl::Hash<absl::string_view>()(member);
}

size_t SortedSet::NodeHash::operator()(const Node* node) const {
  return (*this)(node->member());
}

bool SortedSet::NodeEq::operator()(const Node* a, const Node* b) const {
  return a == b || a->member() == b->member();
}

bool SortedSet::NodeEq::operator()(const Node* a, absl::string_view b) const {
  return a->member() == b;
}

bool SortedSet::NodeEq::operator()(absl::string_view a, const Node* b) const {
  return a == b->member();
}

SortedSet::Entry SortedSet::const_iterator::operator*() const {
  return Entry{node_->member(), node_->score};
}

SortedSet::const_iterator& SortedSet::const_iterator::operator++() {
  node_ = node_->next(0);
  return *this;
}

// ---------------------------------------------------------------------------
// Construction.

SortedSet::SortedSet()
    : rng_state_(SplitMix64(reinterpret_cast<uintptr_t>(this)) | 1) {}

SortedSet::~SortedSet() { DestroyAll(); }

SortedSet::SortedSet(const SortedSet& other) : SortedSet() {
  if (other.size_ == 0) return;
  // The nodes arrive in order, so each is appended after the last one with
  // the height of its original: O(n), and the same shape as `other`.
  index_.reserve(other.size_);
  EnsureHeadHeight(other.level_);
  level_ = other.level_;
  Path last;  // the last node at each level so far, and its rank
  for (int i = 0; i < level_; ++i) {
    last.node[i] = head_;
    last.rank[i] = 0;
  }
  for (const Node* x = other.head_->next(0); x != nullptr; x = x->next(0)) {
    const int height = static_cast<int>(x->height);
    Node* node = Node::New(height, x->score, x->member());
    node_bytes_ += node->allocation_size();
    index_.insert(node);
    ++size_;
    for (int i = 0; i < height; ++i) {
      last.node[i]->levels()[i] = {node, size_ - last.rank[i]};
      last.node[i] = node;
      last.rank[i] = size_;
    }
    node->prev = tail_;
    tail_ = node;
  }
  for (int i = 0; i < level_; ++i) {
    last.node[i]->levels()[i] = {nullptr, size_ + 1 - last.rank[i]};
  }
}

SortedSet& SortedSet::operator=(const SortedSet& other) {
  if (this != &other) {
    SortedSet copy(other);
    *this = std::move(copy);
  }
  return *this;
}

SortedSet::SortedSet(SortedSet&& other) noexcept
    : head_(std::exchange(other.head_, nullptr)),
      tail_(std::exchange(other.tail_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      level_(std::exchange(other.level_, 0)),
      head_height_(std::exchange(other.head_height_, 0)),
      rng_state_(other.rng_state_),
      node_bytes_(std::exchange(other.node_bytes_, 0)),
      index_(std::move(other.index_)) {
  other.index_.clear();
}

SortedSet& SortedSet::operator=(SortedSet&& other) noexcept {
  if (this != &other) {
    DestroyAll();
    head_ = std::exchange(other.head_, nullptr);
    tail_ = std::exchange(other.tail_, nullptr);
    size_ = std::exchange(other.size_, 0);
    level_ = std::exchange(other.level_, 0);
    head_height_ = std::exchange(other.head_height_, 0);
    node_bytes_ = std::exchange(other.node_bytes_, 0);
    index_ = std::move(other.index_);
    other.index_.clear();
  }
  return *this;
}

void SortedSet::DestroyAll() {
  if (head_ == nullptr) return;
  Node* x = head_->next(0);
  while (x != nullptr) {
    Node* next = x->next(0);
    Node::Delete(x);
    x = next;
  }
  Node::Delete(head_);
  head_ = nullptr;
  tail_ = nullptr;
  size_ = 0;
  level_ = 0;
  head_height_ = 0;
  node_bytes_ = 0;
}

void SortedSet::Clear() {
  DestroyAll();
  index_.clear();
}

// ---------------------------------------------------------------------------
// Skip-list mechanics.

int SortedSet::RandomHeight() {
  // xorshift64*; its high bits are the good ones. Each pair of leading zero
  // bits (probability 1/4) adds a level; bit 1 is forced so that 62 zero
  // bits at most give kMaxHeight.
  uint64_t x = rng_state_;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state_ = x;
  const uint64_t r = x * 0x2545f4914f6cdd1dULL;
  return 1 + std::countl_zero(r | 2) / 2;
}

void SortedSet::EnsureHeadHeight(int height) {
  if (height <= head_height_) return;
  const int new_height = std::min(
      kMaxHeight, std::max({height, 2 * head_height_, kInitialHeadHeight}));
  Node* head = Node::New(new_height, 0, {});
  node_bytes_ += head->allocation_size();
  if (head_ != nullptr) {
    std::copy_n(head_->levels(), level_, head->levels());
    node_bytes_ -= head_->allocation_size();
    Node::Delete(head_);
  }
  // Nothing points at the head (the first node's prev is null), so moving it
  // only needs the copy of its links.
  head_ = head;
  head_height_ = new_height;
  if (level_ == 0) {
    head_->levels()[0] = {nullptr, size_ + 1};
    level_ = 1;
  }
}

template <typename Before>
void SortedSet::PathWhile(Before before, Path* path) const {
  Node* x = head_;
  size_t rank = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->next(i) != nullptr && before(x->next(i))) {
      rank += x->span(i);
      x = x->next(i);
    }
    path->node[i] = x;
    path->rank[i] = rank;
  }
}

void SortedSet::PathTo(double score, absl::string_view member,
                       Path* path) const {
  PathWhile(
      [score, member](const Node* n) {
        return KeyLess(n->score, n->member(), score, member);
      },
      path);
}

void SortedSet::PathToRank(size_t rank, Path* path) const {
  Node* x = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->next(i) != nullptr && traversed + x->span(i) <= rank) {
      traversed += x->span(i);
      x = x->next(i);
    }
    path->node[i] = x;
    path->rank[i] = traversed;
  }
}

void SortedSet::Link(Node* node, int height) {
  EnsureHeadHeight(height);  // before the path: it may move the head
  Path path;
  PathTo(node->score, node->member(), &path);
  for (int i = level_; i < height; ++i) {
    head_->levels()[i] = {nullptr, size_ + 1};
    path.node[i] = head_;
    path.rank[i] = 0;
  }
  level_ = std::max(level_, height);

  // The new node takes rank path.rank[0] + 1.
  const size_t before = path.rank[0];
  for (int i = 0; i < height; ++i) {
    Node::Level& pred = path.node[i]->levels()[i];
    node->levels()[i] = {pred.next, pred.span - (before - path.rank[i])};
    pred = {node, before - path.rank[i] + 1};
  }
  for (int i = height; i < level_; ++i) ++path.node[i]->levels()[i].span;

  node->prev = path.node[0] == head_ ? nullptr : path.node[0];
  if (Node* next = node->next(0); next != nullptr) {
    next->prev = node;
  } else {
    tail_ = node;
  }
  ++size_;
}

void SortedSet::Unlink(Node* node, const Path& path) {
  for (int i = 0; i < level_; ++i) {
    Node::Level& pred = path.node[i]->levels()[i];
    if (pred.next == node) {
      pred = {node->next(i), pred.span + node->span(i) - 1};
    } else {
      --pred.span;
    }
  }
  if (Node* next = node->next(0); next != nullptr) {
    next->prev = node->prev;
  } else {
    tail_ = node->prev;
  }
  while (level_ > 1 && head_->next(level_ - 1) == nullptr) --level_;
  --size_;
}

SortedSet::Node* SortedSet::Find(absl::string_view member) const {
  auto it = index_.find(member);
  return it == index_.end() ? nullptr : *it;
}

SortedSet::Node* SortedSet::NodeAtRank(size_t rank) const {
  Node* x = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->next(i) != nullptr && traversed + x->span(i) <= rank) {
      traversed += x->span(i);
      x = x->next(i);
    }
    if (traversed == rank) return x;
  }
  return x;
}

size_t SortedSet::RankOf(const Node* node) const {
  const double score = node->score;
  const absl::string_view member = node->member();
  Node* x = head_;
  size_t rank = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->next(i) != nullptr &&
           !KeyLess(score, member, x->next(i)->score, x->next(i)->member())) {
      rank += x->span(i);
      x = x->next(i);
    }
    if (x == node) return rank;
  }
  assert(x == node);
  return rank;
}

// ---------------------------------------------------------------------------
// Members.

SortedSet::InsertResult SortedSet::Insert(absl::string_view member,
                                          double score) {
  assert(!std::isnan(score));
  if (Node* node = Find(member); node != nullptr) {
    if (node->score == score) return InsertResult::kUnchanged;
    // A new score that keeps the node between its neighbours changes no
    // link; otherwise the node moves, keeping its allocation and height.
    const Node* prev = node->prev;
    const Node* next = node->next(0);
    if ((prev == nullptr ||
         KeyLess(prev->score, prev->member(), score, member)) &&
        (next == nullptr ||
         KeyLess(score, member, next->score, next->member()))) {
      node->score = score;
      return InsertResult::kUpdated;
    }
    Path path;
    PathTo(node->score, member, &path);
    Unlink(node, path);
    node->score = score;
    Link(node, static_cast<int>(node->height));
    return InsertResult::kUpdated;
  }
  const int height = RandomHeight();
  Node* node = Node::New(height, score, member);
  node_bytes_ += node->allocation_size();
  index_.insert(node);
  Link(node, height);
  return InsertResult::kAdded;
}

bool SortedSet::Erase(absl::string_view member) {
  auto it = index_.find(member);
  if (it == index_.end()) return false;
  Node* node = *it;
  index_.erase(it);
  Path path;
  PathTo(node->score, node->member(), &path);
  Unlink(node, path);
  node_bytes_ -= node->allocation_size();
  Node::Delete(node);
  return true;
}

bool SortedSet::Contains(absl::string_view member) const {
  return index_.contains(member);
}

std::optional<double> SortedSet::Score(absl::string_view member) const {
  const Node* node = Find(member);
  if (node == nullptr) return std::nullopt;
  return node->score;
}

std::optional<size_t> SortedSet::Rank(absl::string_view member,
                                      bool reverse) const {
  const Node* node = Find(member);
  if (node == nullptr) return std::nullopt;
  const size_t rank = RankOf(node);  // 1-based
  return reverse ? size_ - rank : rank - 1;
}

SortedSet::Entry SortedSet::Nth(size_t rank) const {
  assert(rank < size_);
  const Node* node = NodeAtRank(rank + 1);
  return Entry{node->member(), node->score};
}

void SortedSet::ForEach(Visitor visit) const {
  for (const Node* x = head_ == nullptr ? nullptr : head_->next(0);
       x != nullptr; x = x->next(0)) {
    visit(x->member(), x->score);
  }
}

SortedSet::const_iterator SortedSet::begin() const {
  return const_iterator(head_ == nullptr ? nullptr : head_->next(0));
}

// ---------------------------------------------------------------------------
// Ranges.

void SortedSet::ByRank(size_t start, size_t stop, bool reverse,
                       Visitor visit) const {
  assert(start <= stop && stop < size_);
  if (!reverse) {
    const Node* x = NodeAtRank(start + 1);
    for (size_t i = start; i <= stop; ++i, x = x->next(0)) {
      visit(x->member(), x->score);
    }
  } else {
    const Node* x = NodeAtRank(size_ - start);
    for (size_t i = start; i <= stop; ++i, x = x->prev) {
      visit(x->member(), x->score);
    }
  }
}

template <typename BeforeMin, typename NotAboveMax>
SortedSet::Bounds SortedSet::FindBounds(BeforeMin before_min,
                                        NotAboveMax not_above_max) const {
  if (size_ == 0) return {};
  Path path;
  PathWhile(before_min, &path);
  const Node* first = path.node[0]->next(0);
  if (first == nullptr || !not_above_max(first)) return {};
  Bounds bounds;
  bounds.first = first;
  bounds.first_rank = path.rank[0] + 1;
  PathWhile(not_above_max, &path);
  bounds.last = path.node[0];
  bounds.last_rank = path.rank[0];
  // Only predicates that are not monotone over the order (a lex range over
  // members of different scores) can put the last node before the first.
  if (bounds.last_rank < bounds.first_rank) return {};
  return bounds;
}

namespace {

// The score and lex predicates FindBounds() and the erasers take: whether a
// member lies before the range's min, and whether it is not above its max.
struct ScoreBeforeMin {
  const ScoreRange& range;
  bool operator()(double score) const {
    return range.min_exclusive ? score <= range.min : score < range.min;
  }
};

struct ScoreNotAboveMax {
  const ScoreRange& range;
  bool operator()(double score) const {
    return range.max_exclusive ? score < range.max : score <= range.max;
  }
};

}  // namespace

SortedSet::Bounds SortedSet::ScoreBounds(const ScoreRange& range) const {
  if (range.IsEmpty()) return {};
  return FindBounds(
      [&range](const Node* n) { return ScoreBeforeMin{range}(n->score); },
      [&range](const Node* n) { return ScoreNotAboveMax{range}(n->score); });
}

SortedSet::Bounds SortedSet::LexBounds(const LexRange& range) const {
  if (range.IsEmpty()) return {};
  return FindBounds(
      [&range](const Node* n) { return !range.AboveMin(n->member()); },
      [&range](const Node* n) { return range.BelowMax(n->member()); });
}

size_t SortedSet::CountInScoreRange(const ScoreRange& range) const {
  const Bounds b = ScoreBounds(range);
  return b.first == nullptr ? 0 : b.last_rank - b.first_rank + 1;
}

size_t SortedSet::CountInLexRange(const LexRange& range) const {
  const Bounds b = LexBounds(range);
  return b.first == nullptr ? 0 : b.last_rank - b.first_rank + 1;
}

void SortedSet::VisitBounds(const Bounds& b, bool reverse, int64_t offset,
                            int64_t count, Visitor visit) const {
  if (b.first == nullptr || offset < 0 || count == 0) return;
  const size_t in_range = b.last_rank - b.first_rank + 1;
  const size_t skip = static_cast<size_t>(offset);
  if (skip >= in_range) return;
  size_t todo = in_range - skip;
  if (count > 0 && static_cast<uint64_t>(count) < todo) {
    todo = static_cast<size_t>(count);
  }
  if (!reverse) {
    const Node* x = skip == 0 ? b.first : NodeAtRank(b.first_rank + skip);
    for (; todo > 0; --todo, x = x->next(0)) visit(x->member(), x->score);
  } else {
    const Node* x = skip == 0 ? b.last : NodeAtRank(b.last_rank - skip);
    for (; todo > 0; --todo, x = x->prev) visit(x->member(), x->score);
  }
}

void SortedSet::VisitScoreRange(const ScoreRange& range, bool reverse,
                                int64_t offset, int64_t count,
                                Visitor visit) const {
  VisitBounds(ScoreBounds(range), reverse, offset, count, visit);
}

void SortedSet::VisitLexRange(const LexRange& range, bool reverse,
                              int64_t offset, int64_t count,
                              Visitor visit) const {
  VisitBounds(LexBounds(range), reverse, offset, count, visit);
}

// ---------------------------------------------------------------------------
// Removal of ranges.

size_t SortedSet::EraseFrom(Path* path, size_t limit,
                            absl::FunctionRef<bool(const Node*)> in_range) {
  size_t removed = 0;
  Node* x = path->node[0]->next(0);
  while (x != nullptr && removed < limit && in_range(x)) {
    Node* next = x->next(0);
    Unlink(x, *path);
    index_.erase(x);
    node_bytes_ -= x->allocation_size();
    Node::Delete(x);
    ++removed;
    x = next;
  }
  return removed;
}

size_t SortedSet::EraseRankRange(size_t start, size_t stop) {
  assert(start <= stop && stop < size_);
  Path path;
  PathToRank(start, &path);
  return EraseFrom(&path, stop - start + 1, [](const Node*) { return true; });
}

size_t SortedSet::EraseScoreRange(const ScoreRange& range) {
  if (size_ == 0 || range.IsEmpty()) return 0;
  Path path;
  PathWhile([&range](const Node* n) { return ScoreBeforeMin{range}(n->score); },
            &path);
  return EraseFrom(&path, size_, [&range](const Node* n) {
    return ScoreNotAboveMax{range}(n->score);
  });
}

size_t SortedSet::EraseLexRange(const LexRange& range) {
  if (size_ == 0 || range.IsEmpty()) return 0;
  Path path;
  PathWhile([&range](const Node* n) { return !range.AboveMin(n->member()); },
            &path);
  return EraseFrom(&path, size_, [&range](const Node* n) {
    return range.BelowMax(n->member());
  });
}

std::vector<SortedSet::ScoredMember> SortedSet::PopMin(size_t n) {
  n = std::min(n, size_);
  std::vector<ScoredMember> popped;
  if (n == 0) return popped;
  popped.reserve(n);
  for (const Node* x = head_->next(0); popped.size() < n; x = x->next(0)) {
    popped.push_back({std::string(x->member()), x->score});
  }
  EraseRankRange(0, n - 1);
  return popped;
}

std::vector<SortedSet::ScoredMember> SortedSet::PopMax(size_t n) {
  n = std::min(n, size_);
  std::vector<ScoredMember> popped;
  if (n == 0) return popped;
  popped.reserve(n);
  for (const Node* x = tail_; popped.size() < n; x = x->prev) {
    popped.push_back({std::string(x->member()), x->score});
  }
  EraseRankRange(size_ - n, size_ - 1);
  return popped;
}

size_t SortedSet::MemoryUsage() const {
  // A flat_hash_set slot is the pointer plus one control byte.
  return sizeof(*this) + node_bytes_ + index_.capacity() * (sizeof(Node*) + 1);
}

}  // namespace colony::kv
