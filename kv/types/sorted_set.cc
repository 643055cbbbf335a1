// Copyright 2026 The Colony Authors.
//
// SortedSet's order-statistic B+tree (see sorted_set.h, "Representation").

#include "kv/types/sorted_set.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <new>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace colony::kv {
namespace {

// A full leaf and an inner node each take just under 1 KiB, an allocator
// size class.
constexpr int kLeafCapacity = 62;
constexpr int kInnerCapacity = 31;
// The only leaf of a small set starts with room for this many.
constexpr int kFirstLeafCapacity = 4;
// Under a quarter full, a node merges with a neighbour when the two fit
// in three quarters of one (room is left so that the next insertion does
// not split them again).
constexpr int kLeafMin = kLeafCapacity / 4;
constexpr int kLeafMerged = kLeafCapacity * 3 / 4;
constexpr int kInnerMin = kInnerCapacity / 4;
constexpr int kInnerMerged = kInnerCapacity * 3 / 4;
// Inner levels a path can hold: 31^15 leaves is beyond any memory.
constexpr int kMaxDepth = 16;

// KeyLess() is the set's order: by score, then by member bytes.
inline bool KeyLess(double a_score, absl::string_view a_member, double b_score,
                    absl::string_view b_member) {
  return a_score < b_score || (a_score == b_score && a_member < b_member);
}

}  // namespace

// ---------------------------------------------------------------------------
// Members and nodes.

// A member: its score and its bytes, one allocation.
struct SortedSet::Member {
  double score;
  size_t size;

  static size_t AllocationSize(size_t size) { return sizeof(Member) + size; }

  static Member* New(double score, absl::string_view bytes) {
    void* p = ::operator new(AllocationSize(bytes.size()));
    Member* m = new (p) Member{score, bytes.size()};
    if (!bytes.empty()) std::memcpy(m + 1, bytes.data(), bytes.size());
    return m;
  }

  absl::string_view view() const {
    return absl::string_view(reinterpret_cast<const char*>(this + 1), size);
  }
};

struct SortedSet::Node {
  uint16_t count = 0;  // members of a leaf, children of an inner node
  bool leaf;

  explicit Node(bool is_leaf) : leaf(is_leaf) {}
};

// A leaf: `capacity` scores, then `capacity` member pointers, after the
// header, in one allocation.
struct SortedSet::Leaf : Node {
  uint16_t capacity;
  Leaf* prev = nullptr;
  Leaf* next = nullptr;

  explicit Leaf(int cap) : Node(true), capacity(static_cast<uint16_t>(cap)) {}

  static size_t AllocationSize(int cap) {
    return sizeof(Leaf) +
           static_cast<size_t>(cap) * (sizeof(double) + sizeof(Member*));
  }
  double* scores() { return reinterpret_cast<double*>(this + 1); }
  const double* scores() const {
    return reinterpret_cast<const double*>(this + 1);
  }
  Member** members() { return reinterpret_cast<Member**>(scores() + capacity); }
  Member* const* members() const {
    return reinterpret_cast<Member* const*>(scores() + capacity);
  }
};

// An inner node: per child, the child, the members under it and, from the
// second child on, its smallest key (score[0] and member[0] are unused).
struct SortedSet::Inner : Node {
  Inner() : Node(false) {}

  size_t counts[kInnerCapacity];
  Node* child[kInnerCapacity];
  double score[kInnerCapacity];
  Member* member[kInnerCapacity];

  // Moves entries [from, count) to `to` positions onwards in `dst`.
  void MoveTo(int from, Inner* dst, int to) {
    const int n = count - from;
    std::memmove(dst->counts + to, counts + from, n * sizeof(counts[0]));
    std::memmove(dst->child + to, child + from, n * sizeof(child[0]));
    std::memmove(dst->score + to, score + from, n * sizeof(score[0]));
    std::memmove(dst->member + to, member + from, n * sizeof(member[0]));
  }
  // Removes entry i.
  void RemoveEntry(int i) {
    const int n = count - i - 1;
    std::memmove(counts + i, counts + i + 1, n * sizeof(counts[0]));
    std::memmove(child + i, child + i + 1, n * sizeof(child[0]));
    std::memmove(score + i, score + i + 1, n * sizeof(score[0]));
    std::memmove(member + i, member + i + 1, n * sizeof(member[0]));
    --count;
  }
  // Inserts a child at i >= 1 with its smallest key and member count.
  void InsertEntry(int i, Node* c, double s, Member* m, size_t n) {
    MoveTo(i, this, i + 1);
    counts[i] = n;
    child[i] = c;
    score[i] = s;
    member[i] = m;
    ++count;
  }
};

struct SortedSet::Path {
  Inner* node[kMaxDepth];
  int idx[kMaxDepth];
  int depth = 0;
  Leaf* leaf = nullptr;
  int pos = 0;
  size_t rank = 0;
};

namespace {

// Moves members [from, src->count) of a leaf to `to` positions onwards in
// `dst` (which may be the same leaf).
template <typename LeafT>
void MoveMembers(LeafT* src, int from, LeafT* dst, int to) {
  const int n = src->count - from;
  std::memmove(dst->scores() + to, src->scores() + from, n * sizeof(double));
  std::memmove(dst->members() + to, src->members() + from,
               n * sizeof(src->members()[0]));
}

}  // namespace

size_t SortedSet::MemberHash::operator()(absl::string_view member) const {
  return absl::Hash<absl::string_view>()(member);
}

size_t SortedSet::MemberHash::operator()(const Member* m) const {
  return (*this)(m->view());
}

bool SortedSet::MemberEq::operator()(const Member* a, const Member* b) const {
  return a == b || a->view() == b->view();
}

bool SortedSet::MemberEq::operator()(const Member* a,
                                     absl::string_view b) const {
  return a->view() == b;
}

bool SortedSet::MemberEq::operator()(absl::string_view a,
                                     const Member* b) const {
  return a == b->view();
}

SortedSet::Entry SortedSet::const_iterator::operator*() const {
  return Entry{leaf_->members()[pos_]->view(), leaf_->scores()[pos_]};
}

SortedSet::const_iterator& SortedSet::const_iterator::operator++() {
  const Position p = SortedSet::Next(Position{leaf_, pos_});
  leaf_ = p.leaf;
  pos_ = p.pos;
  return *this;
}

SortedSet::Position SortedSet::Next(Position p) {
  if (++p.pos < p.leaf->count) return p;
  return p.leaf->next == nullptr ? Position{} : Position{p.leaf->next, 0};
}

SortedSet::Position SortedSet::Prev(Position p) {
  if (p.pos > 0) return Position{p.leaf, p.pos - 1};
  const Leaf* prev = p.leaf->prev;
  return prev == nullptr ? Position{} : Position{prev, prev->count - 1};
}

SortedSet::Leaf* SortedSet::NewLeaf(int capacity) {
  const size_t bytes = Leaf::AllocationSize(capacity);
  node_bytes_ += bytes;
  return new (::operator new(bytes)) Leaf(capacity);
}

SortedSet::Inner* SortedSet::NewInner() {
  node_bytes_ += sizeof(Inner);
  return new Inner;
}

void SortedSet::FreeNode(Node* node) {
  if (node->leaf) {
    Leaf* leaf = static_cast<Leaf*>(node);
    node_bytes_ -= Leaf::AllocationSize(leaf->capacity);
    leaf->~Leaf();
    ::operator delete(leaf);
  } else {
    node_bytes_ -= sizeof(Inner);
    delete static_cast<Inner*>(node);
  }
}

SortedSet::Member* SortedSet::AddMember(double score, absl::string_view bytes) {
  Member* m = Member::New(score, bytes);
  member_bytes_ += Member::AllocationSize(m->size);
  index_.insert(m);
  return m;
}

void SortedSet::EnsureRoot() {
  if (root_ != nullptr) return;
  first_ = last_ = NewLeaf(kFirstLeafCapacity);
  root_ = first_;
}

void SortedSet::DeleteMember(Member* m) {
  member_bytes_ -= Member::AllocationSize(m->size);
  m->~Member();
  ::operator delete(m);
}

// ---------------------------------------------------------------------------
// Construction.

SortedSet::SortedSet() = default;

SortedSet::~SortedSet() { DestroyAll(); }

SortedSet::SortedSet(const SortedSet& other) : SortedSet() {
  if (other.size_ == 0) return;
  // In order, each appended at the end: full leaves (see InsertAt()).
  index_.reserve(other.size_);
  for (const Entry e : other) {
    Member* m = AddMember(e.score, e.member);
    EnsureRoot();
    Path path;
    DescendToRank(size_, &path);
    InsertAt(&path, e.score, m);
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
    : root_(std::exchange(other.root_, nullptr)),
      height_(std::exchange(other.height_, 0)),
      first_(std::exchange(other.first_, nullptr)),
      last_(std::exchange(other.last_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      member_bytes_(std::exchange(other.member_bytes_, 0)),
      node_bytes_(std::exchange(other.node_bytes_, 0)),
      index_(std::move(other.index_)) {
  other.index_.clear();
}

SortedSet& SortedSet::operator=(SortedSet&& other) noexcept {
  if (this != &other) {
    DestroyAll();
    root_ = std::exchange(other.root_, nullptr);
    height_ = std::exchange(other.height_, 0);
    first_ = std::exchange(other.first_, nullptr);
    last_ = std::exchange(other.last_, nullptr);
    size_ = std::exchange(other.size_, 0);
    member_bytes_ = std::exchange(other.member_bytes_, 0);
    node_bytes_ = std::exchange(other.node_bytes_, 0);
    index_ = std::move(other.index_);
    other.index_.clear();
  }
  return *this;
}

void SortedSet::DestroyAll() {
  if (root_ == nullptr) return;
  for (Leaf* leaf = first_; leaf != nullptr; leaf = leaf->next) {
    for (int i = 0; i < leaf->count; ++i) DeleteMember(leaf->members()[i]);
  }
  // Free the nodes level by level, each level's nodes found from the one
  // above (a stack of inner nodes to visit).
  std::vector<Node*> stack{root_};
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    if (!node->leaf) {
      const Inner* in = static_cast<const Inner*>(node);
      stack.insert(stack.end(), in->child, in->child + in->count);
    }
    FreeNode(node);
  }
  root_ = nullptr;
  height_ = 0;
  first_ = last_ = nullptr;
  size_ = 0;
  index_.clear();
}

void SortedSet::Clear() { DestroyAll(); }

// ---------------------------------------------------------------------------
// Descents.

template <typename Past, typename Before>
void SortedSet::Descend(Past past, Before before, Path* path) const {
  path->depth = 0;
  path->rank = 0;
  Node* node = root_;
  while (!node->leaf) {
    Inner* in = static_cast<Inner*>(node);
    // The last child whose smallest key lies before the position (the
    // first when none does).
    int lo = 1, hi = in->count;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (past(in->score[mid], in->member[mid])) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    const int i = lo - 1;
    for (int j = 0; j < i; ++j) path->rank += in->counts[j];
    path->node[path->depth] = in;
    path->idx[path->depth] = i;
    ++path->depth;
    node = in->child[i];
  }
  Leaf* leaf = static_cast<Leaf*>(node);
  const double* scores = leaf->scores();
  Member* const* members = leaf->members();
  int lo = 0, hi = leaf->count;
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (before(scores[mid], members[mid])) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  path->leaf = leaf;
  path->pos = lo;
  path->rank += static_cast<size_t>(lo);
}

void SortedSet::DescendTo(double score, const Member* m, Path* path) const {
  const absl::string_view bytes = m->view();
  Descend(
      // A separator at or before the key: the key is in that child or after.
      // Scores first: a member's bytes are a cache miss away from the
      // node, and only a tie needs them; a tie with `m` itself (the walk
      // to a member of the set) needs only the pointer.
      [score, m, bytes](double s, const Member* sm) {
        return s < score || (s == score && (sm == m || !(bytes < sm->view())));
      },
      [score, m, bytes](double s, const Member* sm) {
        return s < score || (s == score && sm != m && sm->view() < bytes);
      },
      path);
}

void SortedSet::DescendToRank(size_t rank, Path* path) const {
  path->depth = 0;
  path->rank = rank;
  Node* node = root_;
  while (!node->leaf) {
    Inner* in = static_cast<Inner*>(node);
    int i = 0;
    while (i < in->count - 1 && rank >= in->counts[i]) rank -= in->counts[i++];
    path->node[path->depth] = in;
    path->idx[path->depth] = i;
    ++path->depth;
    node = in->child[i];
  }
  path->leaf = static_cast<Leaf*>(node);
  path->pos = static_cast<int>(rank);
}

template <typename Before>
size_t SortedSet::RankWhere(Before before) const {
  if (size_ == 0) return 0;
  Path path;
  Descend(before, before, &path);
  return path.rank;
}

SortedSet::Position SortedSet::AtRank(size_t rank) const {
  assert(rank < size_);
  Path path;
  DescendToRank(rank, &path);
  return Position{path.leaf, path.pos};
}

SortedSet::Member* SortedSet::Find(absl::string_view member) const {
  auto it = index_.find(member);
  return it == index_.end() ? nullptr : *it;
}

// ---------------------------------------------------------------------------
// Insertion.

void SortedSet::InsertAt(Path* path, double score, Member* m) {
  for (int l = 0; l < path->depth; ++l) ++path->node[l]->counts[path->idx[l]];
  ++size_;
  Leaf* leaf = path->leaf;
  int pos = path->pos;
  if (leaf->count == leaf->capacity && leaf->capacity < kLeafCapacity) {
    // The only leaf of a small set grows (a set's first leaf is its root
    // until it is full at the largest capacity).
    assert(path->depth == 0);
    Leaf* grown = NewLeaf(std::min<int>(2 * leaf->capacity, kLeafCapacity));
    grown->count = leaf->count;
    MoveMembers(leaf, 0, grown, 0);
    FreeNode(leaf);
    root_ = first_ = last_ = leaf = grown;
  }
  Leaf* target = leaf;
  Leaf* right = nullptr;
  if (leaf->count == leaf->capacity) {
    // Split: the upper half moves to a new right neighbour, or nothing
    // when appending at the end (so that members added in order fill
    // their leaves).
    right = NewLeaf(kLeafCapacity);
    const int keep = pos == leaf->count ? leaf->count : leaf->count / 2;
    MoveMembers(leaf, keep, right, 0);
    right->count = static_cast<uint16_t>(leaf->count - keep);
    leaf->count = static_cast<uint16_t>(keep);
    right->next = leaf->next;
    right->prev = leaf;
    if (right->next != nullptr) {
      right->next->prev = right;
    } else {
      last_ = right;
    }
    leaf->next = right;
    if (pos > keep || (pos == keep && right->count == 0)) {
      target = right;
      pos -= keep;
    }
  }
  MoveMembers(target, pos, target, pos + 1);
  target->scores()[pos] = score;
  target->members()[pos] = m;
  ++target->count;
  if (right != nullptr) {
    AddChild(path, path->depth - 1, right, right->scores()[0],
             right->members()[0], right->count);
  }
}

void SortedSet::AddChild(Path* path, int level, Node* child, double min_score,
                         Member* min_member, size_t count) {
  if (level < 0) {
    // The root split: a new root above the two halves.
    Inner* root = NewInner();
    root->count = 2;
    root->child[0] = root_;
    root->counts[0] = size_ - count;
    root->child[1] = child;
    root->counts[1] = count;
    root->score[1] = min_score;
    root->member[1] = min_member;
    root_ = root;
    ++height_;
    return;
  }
  Inner* in = path->node[level];
  const int at = path->idx[level] + 1;
  in->counts[at - 1] -= count;
  if (in->count < kInnerCapacity) {
    in->InsertEntry(at, child, min_score, min_member, count);
    return;
  }
  // Split this node too: the upper half (or, when appending, nothing)
  // moves to a new right neighbour, whose smallest key is that of its
  // first child.
  Inner* right = NewInner();
  const bool append = at == in->count;
  const int keep = append ? in->count : in->count / 2;
  in->MoveTo(keep, right, 0);
  right->count = static_cast<uint16_t>(in->count - keep);
  in->count = static_cast<uint16_t>(keep);
  double right_score;
  Member* right_member;
  if (append) {
    right->counts[0] = count;
    right->child[0] = child;
    right->count = 1;
    right_score = min_score;
    right_member = min_member;
  } else if (at <= keep) {
    in->InsertEntry(at, child, min_score, min_member, count);
    right_score = right->score[0];
    right_member = right->member[0];
  } else {
    right->InsertEntry(at - keep, child, min_score, min_member, count);
    right_score = right->score[0];
    right_member = right->member[0];
  }
  size_t right_count = 0;
  for (int i = 0; i < right->count; ++i) right_count += right->counts[i];
  AddChild(path, level - 1, right, right_score, right_member, right_count);
}

SortedSet::InsertResult SortedSet::Insert(absl::string_view member,
                                          double score) {
  assert(!std::isnan(score));
  Member* m = Find(member);
  const bool added = m == nullptr;
  if (!added) {
    if (m->score == score) return InsertResult::kUnchanged;
    Path path;
    DescendTo(m->score, m, &path);
    assert(path.pos < path.leaf->count && path.leaf->members()[path.pos] == m);
    // A new score that keeps the member between its neighbours changes
    // its score in place; otherwise it moves.
    const Position here{path.leaf, path.pos};
    const Position prev = Prev(here);
    const Position next = Next(here);
    if ((prev.leaf == nullptr ||
         KeyLess(prev.leaf->scores()[prev.pos],
                 prev.leaf->members()[prev.pos]->view(), score, member)) &&
        (next.leaf == nullptr ||
         KeyLess(score, member, next.leaf->scores()[next.pos],
                 next.leaf->members()[next.pos]->view()))) {
      m->score = score;
      path.leaf->scores()[path.pos] = score;
      if (path.pos == 0) SetMinAbove(path, path.depth, score, m);
      return InsertResult::kUpdated;
    }
    EraseAt(&path, 1, /*destroy=*/false);
    m->score = score;
  } else {
    m = AddMember(score, member);
  }
  EnsureRoot();
  Path path;
  DescendTo(score, m, &path);
  InsertAt(&path, score, m);
  return added ? InsertResult::kAdded : InsertResult::kUpdated;
}

// ---------------------------------------------------------------------------
// Removal.

void SortedSet::SetMinAbove(const Path& path, int level, double score,
                            Member* m) {
  // A subtree's smallest key is stored once: at the lowest ancestor where
  // the path does not take the first child (nowhere for the set's first).
  for (int l = level - 1; l >= 0; --l) {
    if (path.idx[l] > 0) {
      path.node[l]->score[path.idx[l]] = score;
      path.node[l]->member[path.idx[l]] = m;
      return;
    }
  }
}

void SortedSet::UnlinkLeaf(Leaf* leaf) {
  if (leaf->prev != nullptr) {
    leaf->prev->next = leaf->next;
  } else {
    first_ = leaf->next;
  }
  if (leaf->next != nullptr) {
    leaf->next->prev = leaf->prev;
  } else {
    last_ = leaf->prev;
  }
}

size_t SortedSet::EraseAt(Path* path, size_t n, bool destroy) {
  Leaf* leaf = path->leaf;
  const int pos = path->pos;
  n = std::min(n, static_cast<size_t>(leaf->count - pos));
  if (destroy) {
    for (size_t i = 0; i < n; ++i) {
      Member* m = leaf->members()[pos + i];
      index_.erase(m);
      DeleteMember(m);
    }
  }
  MoveMembers(leaf, pos + static_cast<int>(n), leaf, pos);
  leaf->count = static_cast<uint16_t>(leaf->count - n);
  size_ -= n;
  for (int l = 0; l < path->depth; ++l)
    path->node[l]->counts[path->idx[l]] -= n;
  if (leaf->count == 0) {
    UnlinkLeaf(leaf);
    FreeNode(leaf);
    if (path->depth == 0) {
      root_ = nullptr;
      first_ = last_ = nullptr;
    } else {
      RemoveChild(path, path->depth - 1);
    }
  } else {
    if (pos == 0) {
      SetMinAbove(*path, path->depth, leaf->scores()[0], leaf->members()[0]);
    }
    if (leaf->count < kLeafMin && path->depth > 0) MergeLeaf(path);
  }
  CollapseRoot();
  return n;
}

void SortedSet::RemoveChild(Path* path, int level) {
  Inner* in = path->node[level];
  const int i = path->idx[level];
  in->RemoveEntry(i);
  if (in->count == 0) {
    FreeNode(in);
    if (level == 0) {
      root_ = nullptr;
      height_ = 0;
    } else {
      RemoveChild(path, level - 1);
    }
    return;
  }
  // The first child gone: the next one's smallest key is the node's.
  if (i == 0) SetMinAbove(*path, level, in->score[0], in->member[0]);
  if (in->count < kInnerMin && level > 0) MergeInner(path, level);
}

namespace {

// MergeEntry() is the entry under `parent` of the right one of the pair
// that child `i` (of `count` entries) merges into one node with a
// neighbour when the two fit in `limit`: its right neighbour's, else
// its own (with its left neighbour); 0 when neither fits.
template <typename InnerT>
int MergeEntry(const InnerT* parent, int i, int count, int limit) {
  if (i + 1 < parent->count && parent->child[i + 1]->count + count <= limit) {
    return i + 1;
  }
  if (i > 0 && parent->child[i - 1]->count + count <= limit) return i;
  return 0;
}

}  // namespace

void SortedSet::MergeLeaf(Path* path) {
  Inner* parent = path->node[path->depth - 1];
  const int r = MergeEntry(parent, path->idx[path->depth - 1],
                           path->leaf->count, kLeafMerged);
  if (r == 0) return;
  Leaf* left = static_cast<Leaf*>(parent->child[r - 1]);
  Leaf* right = static_cast<Leaf*>(parent->child[r]);
  MoveMembers(right, 0, left, left->count);
  left->count = static_cast<uint16_t>(left->count + right->count);
  parent->counts[r - 1] += parent->counts[r];
  UnlinkLeaf(right);
  FreeNode(right);
  parent->RemoveEntry(r);
  if (parent->count < kInnerMin && path->depth > 1) {
    MergeInner(path, path->depth - 1);
  }
}

void SortedSet::MergeInner(Path* path, int level) {
  Inner* parent = path->node[level - 1];
  const int r = MergeEntry(parent, path->idx[level - 1],
                           path->node[level]->count, kInnerMerged);
  if (r == 0) return;
  Inner* left = static_cast<Inner*>(parent->child[r - 1]);
  Inner* right = static_cast<Inner*>(parent->child[r]);
  // The right node's first child keeps its smallest key, which the parent
  // held for the right node.
  const int at = left->count;
  right->MoveTo(0, left, at);
  left->score[at] = parent->score[r];
  left->member[at] = parent->member[r];
  left->count = static_cast<uint16_t>(left->count + right->count);
  parent->counts[r - 1] += parent->counts[r];
  FreeNode(right);
  parent->RemoveEntry(r);
  if (parent->count < kInnerMin && level > 1) MergeInner(path, level - 1);
}

void SortedSet::CollapseRoot() {
  while (root_ != nullptr && !root_->leaf &&
         static_cast<Inner*>(root_)->count == 1) {
    Inner* old = static_cast<Inner*>(root_);
    root_ = old->child[0];
    FreeNode(old);
    --height_;
  }
  if (root_ == nullptr) height_ = 0;
}

bool SortedSet::Erase(absl::string_view member) {
  Member* m = Find(member);
  if (m == nullptr) return false;
  Path path;
  DescendTo(m->score, m, &path);
  assert(path.pos < path.leaf->count && path.leaf->members()[path.pos] == m);
  EraseAt(&path, 1, /*destroy=*/true);
  return true;
}

// ---------------------------------------------------------------------------
// Lookups.

bool SortedSet::Contains(absl::string_view member) const {
  return index_.contains(member);
}

std::optional<double> SortedSet::Score(absl::string_view member) const {
  const Member* m = Find(member);
  if (m == nullptr) return std::nullopt;
  return m->score;
}

std::optional<size_t> SortedSet::Rank(absl::string_view member,
                                      bool reverse) const {
  const Member* m = Find(member);
  if (m == nullptr) return std::nullopt;
  Path path;
  DescendTo(m->score, m, &path);
  return reverse ? size_ - 1 - path.rank : path.rank;
}

SortedSet::Entry SortedSet::Nth(size_t rank) const {
  const Position p = AtRank(rank);
  return Entry{p.leaf->members()[p.pos]->view(), p.leaf->scores()[p.pos]};
}

void SortedSet::ForEach(Visitor visit) const {
  for (const Leaf* leaf = first_; leaf != nullptr; leaf = leaf->next) {
    for (int i = 0; i < leaf->count; ++i) {
      visit(leaf->members()[i]->view(), leaf->scores()[i]);
    }
  }
}

SortedSet::const_iterator SortedSet::begin() const {
  return first_ == nullptr ? const_iterator() : const_iterator(first_, 0);
}

// ---------------------------------------------------------------------------
// Ranges.

void SortedSet::ByRank(size_t start, size_t stop, bool reverse,
                       Visitor visit) const {
  assert(start <= stop && stop < size_);
  if (!reverse) {
    VisitRanks(start, stop + 1, false, 0, -1, visit);
  } else {
    VisitRanks(size_ - 1 - stop, size_ - start, true, 0, -1, visit);
  }
}

void SortedSet::VisitRanks(size_t first, size_t last, bool reverse,
                           int64_t offset, int64_t count, Visitor visit) const {
  if (first >= last || offset < 0 || count == 0) return;
  const size_t skip = static_cast<size_t>(offset);
  if (skip >= last - first) return;
  size_t todo = last - first - skip;
  if (count > 0 && static_cast<uint64_t>(count) < todo) {
    todo = static_cast<size_t>(count);
  }
  Position p = AtRank(reverse ? last - 1 - skip : first + skip);
  for (; todo > 0; --todo) {
    visit(p.leaf->members()[p.pos]->view(), p.leaf->scores()[p.pos]);
    if (todo > 1) p = reverse ? Prev(p) : Next(p);
  }
}

template <typename BeforeMin, typename NotAboveMax>
std::pair<size_t, size_t> SortedSet::RankBounds(
    BeforeMin before_min, NotAboveMax not_above_max) const {
  const size_t first = RankWhere(before_min);
  const size_t last = RankWhere(not_above_max);
  // Only predicates that are not monotone over the order (a lex range over
  // members of different scores) can put the end before the start.
  if (last <= first) return {0, 0};
  return {first, last};
}

std::pair<size_t, size_t> SortedSet::ScoreRanks(const ScoreRange& range) const {
  if (range.IsEmpty()) return {0, 0};
  // Whether a score lies before the range's min; whether it is not above
  // its max.
  return RankBounds(
      [&range](double s, const Member*) {
        return range.min_exclusive ? s <= range.min : s < range.min;
      },
      [&range](double s, const Member*) {
        return range.max_exclusive ? s < range.max : s <= range.max;
      });
}

std::pair<size_t, size_t> SortedSet::LexRanks(const LexRange& range) const {
  if (range.IsEmpty()) return {0, 0};
  return RankBounds(
      [&range](double, const Member* m) { return !range.AboveMin(m->view()); },
      [&range](double, const Member* m) { return range.BelowMax(m->view()); });
}

size_t SortedSet::CountInScoreRange(const ScoreRange& range) const {
  const auto [first, last] = ScoreRanks(range);
  return last - first;
}

size_t SortedSet::CountInLexRange(const LexRange& range) const {
  const auto [first, last] = LexRanks(range);
  return last - first;
}

void SortedSet::VisitScoreRange(const ScoreRange& range, bool reverse,
                                int64_t offset, int64_t count,
                                Visitor visit) const {
  const auto [first, last] = ScoreRanks(range);
  VisitRanks(first, last, reverse, offset, count, visit);
}

void SortedSet::VisitLexRange(const LexRange& range, bool reverse,
                              int64_t offset, int64_t count,
                              Visitor visit) const {
  const auto [first, last] = LexRanks(range);
  VisitRanks(first, last, reverse, offset, count, visit);
}

// ---------------------------------------------------------------------------
// Removal of ranges.

size_t SortedSet::EraseRankRange(size_t start, size_t stop) {
  assert(start <= stop && stop < size_);
  size_t todo = stop - start + 1;
  const size_t removed = todo;
  // A leaf's run at a time: O(log n) per leaf touched.
  while (todo > 0) {
    Path path;
    DescendToRank(start, &path);
    todo -= EraseAt(&path, todo, /*destroy=*/true);
  }
  return removed;
}

size_t SortedSet::EraseScoreRange(const ScoreRange& range) {
  const auto [first, last] = ScoreRanks(range);
  return first == last ? 0 : EraseRankRange(first, last - 1);
}

size_t SortedSet::EraseLexRange(const LexRange& range) {
  const auto [first, last] = LexRanks(range);
  return first == last ? 0 : EraseRankRange(first, last - 1);
}

std::vector<SortedSet::ScoredMember> SortedSet::PopMin(size_t n) {
  n = std::min(n, size_);
  std::vector<ScoredMember> popped;
  if (n == 0) return popped;
  popped.reserve(n);
  VisitRanks(0, n, false, 0, -1, [&](absl::string_view m, double s) {
    popped.push_back({std::string(m), s});
  });
  EraseRankRange(0, n - 1);
  return popped;
}

std::vector<SortedSet::ScoredMember> SortedSet::PopMax(size_t n) {
  n = std::min(n, size_);
  std::vector<ScoredMember> popped;
  if (n == 0) return popped;
  popped.reserve(n);
  VisitRanks(size_ - n, size_, true, 0, -1, [&](absl::string_view m, double s) {
    popped.push_back({std::string(m), s});
  });
  EraseRankRange(size_ - n, size_ - 1);
  return popped;
}

size_t SortedSet::MemoryUsage() const {
  // A flat_hash_set slot is the pointer plus one control byte.
  return sizeof(*this) + member_bytes_ + node_bytes_ +
         index_.capacity() * (sizeof(Member*) + 1);
}

// ---------------------------------------------------------------------------
// Invariants.

size_t SortedSet::CheckSubtree(const Node* node, int level,
                               const Leaf** prev_leaf, bool* ok) const {
  auto fail = [ok] { *ok = false; };
  if (node->count == 0) fail();
  if (node->leaf != (level == height_)) fail();
  if (node->leaf) {
    const Leaf* leaf = static_cast<const Leaf*>(node);
    if (leaf->prev != *prev_leaf) fail();
    if (*prev_leaf != nullptr && (*prev_leaf)->next != leaf) fail();
    if (*prev_leaf == nullptr && first_ != leaf) fail();
    *prev_leaf = leaf;
    if (leaf->count > leaf->capacity) fail();
    if (height_ > 0 && leaf->capacity != kLeafCapacity) fail();
    for (int i = 0; i < leaf->count; ++i) {
      const Member* m = leaf->members()[i];
      if (m->score != leaf->scores()[i]) fail();
      auto it = index_.find(m->view());
      if (it == index_.end() || *it != m) fail();
      if (i > 0 &&
          !KeyLess(leaf->scores()[i - 1], leaf->members()[i - 1]->view(),
                   m->score, m->view())) {
        fail();
      }
    }
    return leaf->count;
  }
  // A non-root inner node may have a single child (merges happen only
  // when they fit), never none.
  const Inner* in = static_cast<const Inner*>(node);
  size_t total = 0;
  for (int i = 0; i < in->count; ++i) {
    const Leaf* before = *prev_leaf;
    const size_t n = CheckSubtree(in->child[i], level + 1, prev_leaf, ok);
    if (n != in->counts[i]) fail();
    total += n;
    if (i > 0) {
      // The separator is the smallest key of the child: the first member
      // of the first leaf visited under it.
      const Leaf* first = before == nullptr ? first_ : before->next;
      if (first == nullptr || first->members()[0] != in->member[i] ||
          first->scores()[0] != in->score[i]) {
        fail();
      }
    }
  }
  return total;
}

bool SortedSet::InvariantsHold() const {
  if (root_ == nullptr) {
    return size_ == 0 && height_ == 0 && first_ == nullptr &&
           last_ == nullptr && index_.empty();
  }
  if (!root_->leaf && static_cast<const Inner*>(root_)->count < 2) {
    return false;
  }
  bool ok = true;
  const Leaf* prev_leaf = nullptr;
  const size_t total = CheckSubtree(root_, 0, &prev_leaf, &ok);
  return ok && total == size_ && prev_leaf == last_ && last_->next == nullptr &&
         index_.size() == size_;
}

}  // namespace colony::kv
