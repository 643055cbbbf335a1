// Copyright 2026 The Colony Authors.
//
// SortedSet: the value of a Redis sorted-set key (ZADD, ZRANGE, ZRANK, ...).
//
// A sorted set holds unique members (binary-safe byte strings), each with a
// score (a double that is never NaN; +inf and -inf are allowed). Members are
// ordered by score, and members with equal scores by their bytes compared as
// unsigned chars (shorter first on a common prefix), which is the order
// Redis replies in.
//
// Representation: an order-statistic B+tree plus a hash index.
//  - Each member is one allocation holding its score and its bytes.
//  - The B+tree keeps (score, member) pairs in order in its leaves: up to
//    62 to a leaf, scores and member pointers in two arrays, leaves linked
//    both ways. An inner node holds up to 31 children, with the smallest
//    key of each child but the first (the separators) and the number of
//    members under each child, so a descent counts ranks as it goes:
//    finding the member at a rank, the rank of a member and the first or
//    last member of a score or lex range take O(log n), and a search
//    compares scores in place, reading a member's bytes only on equal
//    scores. A leaf that falls under a quarter full merges with a
//    neighbour when both fit in three quarters of one; inner nodes alike.
//    A set's only leaf starts small and doubles up to the full size, so
//    small sets stay small.
//  - An absl::flat_hash_set of member pointers, hashed and compared by
//    member bytes, finds a member (and so its score) in O(1).
//
// Ranges use Redis' semantics once the command layer has parsed them:
// ScoreRange and LexRange carry inclusive/exclusive bounds and infinities
// (ParseScoreBound() and ParseLexBound() read Redis' argument syntax), rank
// ranges are 0-based and inclusive and already normalized by the caller
// (negative indexes resolved and clamped), and LIMIT offset/count follow
// ZRANGEBYSCORE's: a negative offset selects nothing, a negative count means
// no limit.
//
// Thread-safety: none inside. A SortedSet is a plain value; the caller
// serializes access (the keyspace's lock). Distinct sets share nothing.
//
// Lifetime: the string_views a SortedSet hands out (Entry::member, the
// visitor's member argument, iterators) point into its member allocations.
// They stay valid until that member is erased, or the set is cleared,
// assigned, moved from or destroyed. Iterators are invalidated by any
// change to the set. A visitor must not modify the set it is visiting.

#ifndef COLONY_KV_TYPES_SORTED_SET_H_
#define COLONY_KV_TYPES_SORTED_SET_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace colony::kv {

// ScoreRange is an interval of scores with inclusive or exclusive ends, as
// ZRANGEBYSCORE, ZCOUNT and ZREMRANGEBYSCORE take them. The default range
// holds every score.
struct ScoreRange {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  bool max_exclusive = false;

  // Contains() is whether `score` lies in the range.
  bool Contains(double score) const {
    return (min_exclusive ? score > min : score >= min) &&
           (max_exclusive ? score < max : score <= max);
  }

  // IsEmpty() is whether no score at all lies in the range (min > max, or
  // min == max with either end exclusive).
  bool IsEmpty() const {
    return min > max || (min == max && (min_exclusive || max_exclusive));
  }
};

// ScoreBound is one end of a score range as a client writes it.
struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};

// ParseScoreBound() reads a ZRANGEBYSCORE/ZCOUNT bound as Redis 7.0 does: an
// optional '(' (exclusive), then a number in strtod's C-locale syntax
// ("1.5", "-2e3", "0x1p4", "inf", "+inf", "-inf", "infinity", any case).
// Like Redis it reads the text as a C string: the number ends at the first
// NUL byte, an empty number is 0, and out-of-range values saturate to ±inf
// or 0. Returns nullopt for NaN and for anything else (trailing junk,
// leading "((", ...), where Redis answers "min or max is not a float".
std::optional<ScoreBound> ParseScoreBound(absl::string_view text);

// ParseScore() reads a ZADD/ZINCRBY score argument as Redis 7.0 does. It is
// stricter than ParseScoreBound(): the whole text must be the number (no
// leading whitespace, no NUL byte, not empty), and a finite literal that
// overflows to ±inf or underflows to 0 is rejected ("1e400", "1e-400"),
// while "inf" and subnormal results are accepted. Returns nullopt where
// Redis answers "value is not a valid float" (NaN included).
std::optional<double> ParseScore(absl::string_view text);

// FormatScore() is `score` as Redis 7.0 writes a score in a reply: printf's
// "%.17g" ("1.1000000000000001", "3", "1e+20", "-0"), and "inf" / "-inf".
std::string FormatScore(double score);

// LexBound is one end of a lexicographic range (ZRANGEBYLEX, ZLEXCOUNT,
// ZREMRANGEBYLEX).
struct LexBound {
  enum class Kind : uint8_t {
    kNegativeInfinity,  // "-": below every member
    kPositiveInfinity,  // "+": above every member
    kInclusive,         // "[value"
    kExclusive,         // "(value"
  };
  Kind kind = Kind::kNegativeInfinity;
  // The member bytes of kInclusive and kExclusive bounds; a view, so the
  // bytes must outlive the bound (ParseLexBound() points into its input).
  absl::string_view value;
};

// LexRange is an interval of members compared by their bytes. It is only
// meaningful over members that all have the same score (Redis' contract for
// the *BYLEX commands): SortedSet compares members alone and assumes they
// are ordered, which holds only then.
struct LexRange {
  LexBound min;  // default "-"
  LexBound max = {LexBound::Kind::kPositiveInfinity, {}};

  // AboveMin() is whether `member` is not below the min bound.
  bool AboveMin(absl::string_view member) const;
  // BelowMax() is whether `member` is not above the max bound.
  bool BelowMax(absl::string_view member) const;
  // Contains() is whether `member` lies in the range.
  bool Contains(absl::string_view member) const {
    return AboveMin(member) && BelowMax(member);
  }
  // IsEmpty() is whether no member at all lies in the range ("+" as min,
  // "-" as max, min above max, or equal values with an exclusive end).
  bool IsEmpty() const;
};

// ParseLexBound() reads a lex bound in Redis' syntax: "-", "+", "[member"
// or "(member" (member may be empty or hold any bytes). Like Redis, it
// accepts "+" and "-" followed by a NUL byte and anything after it. Returns
// nullopt for anything else (including the empty string), where Redis
// answers "min or max not valid string range item". The returned bound's
// value points into `text`.
std::optional<LexBound> ParseLexBound(absl::string_view text);

class SortedSet {
 private:
  struct Leaf;

 public:
  // Entry is a member and its score, viewed in place (see Lifetime above).
  struct Entry {
    absl::string_view member;
    double score;
  };

  // ScoredMember is a member and its score owned by the caller (what the
  // pops return, after the node is gone).
  struct ScoredMember {
    std::string member;
    double score;

    friend bool operator==(const ScoredMember&, const ScoredMember&) = default;
  };

  // InsertResult says what Insert() did.
  enum class InsertResult : uint8_t {
    kAdded,      // the member was new
    kUpdated,    // the member existed with another score, now replaced
    kUnchanged,  // the member existed with an equal score (0 equals -0)
  };

  // Visitor receives the members of a range in the order asked for.
  using Visitor =
      absl::FunctionRef<void(absl::string_view member, double score)>;

  // const_iterator walks the members in ascending order; *it is an Entry.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Entry;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Entry;

    const_iterator() = default;
    Entry operator*() const;
    const_iterator& operator++();
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const_iterator a, const_iterator b) {
      return a.leaf_ == b.leaf_ && a.pos_ == b.pos_;
    }

   private:
    friend class SortedSet;
    const_iterator(const Leaf* leaf, int pos) : leaf_(leaf), pos_(pos) {}
    const Leaf* leaf_ = nullptr;
    int pos_ = 0;
  };

  SortedSet();
  ~SortedSet();
  // Copies are deep (every member is copied; O(n)).
  SortedSet(const SortedSet& other);
  SortedSet& operator=(const SortedSet& other);
  // A moved-from set is empty and usable.
  SortedSet(SortedSet&& other) noexcept;
  SortedSet& operator=(SortedSet&& other) noexcept;

  // size() is the number of members.
  size_t size() const { return size_; }
  // empty() is whether there are no members.
  bool empty() const { return size_ == 0; }

  // Insert() adds `member` with `score`, or gives an existing member the new
  // score (moving it to its new place when its order changes). O(log n).
  // `score` must not be NaN.
  InsertResult Insert(absl::string_view member, double score);

  // Erase() removes `member`; returns whether it was there. O(log n).
  bool Erase(absl::string_view member);

  // Contains() is whether `member` is in the set. O(1).
  bool Contains(absl::string_view member) const;

  // Score() is the score of `member`, or nullopt if absent. O(1).
  std::optional<double> Score(absl::string_view member) const;

  // Rank() is the 0-based position of `member` in ascending order (in
  // descending order when `reverse`), or nullopt if absent. O(log n).
  std::optional<size_t> Rank(absl::string_view member,
                             bool reverse = false) const;

  // Nth() is the member at 0-based ascending rank `rank` (ZRANDMEMBER draws
  // a rank). Requires rank < size(). O(log n).
  Entry Nth(size_t rank) const;

  // ByRank() visits the members of 0-based ranks start..stop inclusive, in
  // ascending order, or in descending order of score with ranks counted
  // from the highest when `reverse` (ZREVRANGE). Requires
  // start <= stop < size(). O(log n + stop - start).
  void ByRank(size_t start, size_t stop, bool reverse, Visitor visit) const;

  // CountInScoreRange() is the number of members whose score lies in
  // `range` (ZCOUNT). O(log n).
  size_t CountInScoreRange(const ScoreRange& range) const;

  // CountInLexRange() is the number of members in `range` (ZLEXCOUNT).
  // O(log n).
  size_t CountInLexRange(const LexRange& range) const;

  // VisitScoreRange() visits the members whose score lies in `range`, in
  // ascending order, or descending when `reverse` (ZREVRANGEBYSCORE; the
  // range is still given as min and max). It skips the first `offset` of
  // them and then visits at most `count` (LIMIT offset count): a negative
  // offset visits nothing, a negative count means no limit. The offset is
  // skipped by rank, in O(log n). O(log n + visited).
  void VisitScoreRange(const ScoreRange& range, bool reverse, int64_t offset,
                       int64_t count, Visitor visit) const;

  // VisitLexRange() is VisitScoreRange() for a lex range (ZRANGEBYLEX,
  // ZREVRANGEBYLEX).
  void VisitLexRange(const LexRange& range, bool reverse, int64_t offset,
                     int64_t count, Visitor visit) const;

  // EraseRankRange() removes the members of 0-based ascending ranks
  // start..stop inclusive (ZREMRANGEBYRANK); returns how many it removed.
  // Requires start <= stop < size(). O(log n + removed).
  size_t EraseRankRange(size_t start, size_t stop);

  // EraseScoreRange() removes the members whose score lies in `range`
  // (ZREMRANGEBYSCORE); returns how many. O(log n + removed).
  size_t EraseScoreRange(const ScoreRange& range);

  // EraseLexRange() removes the members in `range` (ZREMRANGEBYLEX);
  // returns how many. O(log n + removed).
  size_t EraseLexRange(const LexRange& range);

  // PopMin() removes the min(n, size()) lowest members and returns them
  // lowest first (ZPOPMIN). O(log n + n).
  std::vector<ScoredMember> PopMin(size_t n);

  // PopMax() removes the min(n, size()) highest members and returns them
  // highest first (ZPOPMAX). O(log n + n).
  std::vector<ScoredMember> PopMax(size_t n);

  // Clear() removes every member.
  void Clear();

  // MemoryUsage() is an estimate of the bytes this set holds: the nodes as
  // allocated (before the allocator's rounding), the hash index's slots and
  // the object itself.
  size_t MemoryUsage() const;

  // ForEach() visits every member in ascending order (ZSCAN, ZUNIONSTORE,
  // copies, ...). O(n).
  void ForEach(Visitor visit) const;

  // begin() and end() iterate in ascending order, as ForEach() does.
  const_iterator begin() const;
  const_iterator end() const { return const_iterator(); }

  // TreeBytes() is the part of MemoryUsage() that the B+tree's nodes take
  // (the rest is the members and the hash index).
  size_t TreeBytes() const { return node_bytes_; }

  // InvariantsHold() checks the tree's order, counts, separators, links
  // and fill against each other and the index; O(n), for tests.
  bool InvariantsHold() const;

 private:
  struct Member;
  struct Node;
  struct Inner;
  struct MemberHash {
    using is_transparent = void;
    size_t operator()(absl::string_view member) const;
    size_t operator()(const Member* m) const;
  };
  struct MemberEq {
    using is_transparent = void;
    bool operator()(const Member* a, const Member* b) const;
    bool operator()(const Member* a, absl::string_view b) const;
    bool operator()(absl::string_view a, const Member* b) const;
  };
  // Path is a descent: the inner nodes from the root and the child taken
  // at each, then a position in a leaf (possibly just past its last
  // member) and that position's 0-based rank.
  struct Path;
  // Position is a member's place in the leaves (pos < leaf->count), or
  // none (leaf null).
  struct Position {
    const Leaf* leaf = nullptr;
    int pos = 0;
  };

  Member* Find(absl::string_view member) const;
  // Descend() leads to the first member for which `before` is false;
  // `before` must hold for a prefix of the order. `past` says whether a
  // separator (the smallest key under a child) lies before the position
  // looked for. Requires a non-empty set.
  template <typename Past, typename Before>
  void Descend(Past past, Before before, Path* path) const;
  // DescendTo() leads to the member (score, m) or where it would go.
  void DescendTo(double score, const Member* m, Path* path) const;
  // DescendToRank() leads to 0-based rank `rank` <= size().
  void DescendToRank(size_t rank, Path* path) const;
  // RankWhere() is the rank of the first member for which `before` is
  // false (size() when none).
  template <typename Before>
  size_t RankWhere(Before before) const;
  Position AtRank(size_t rank) const;  // requires rank < size()
  static Position Next(Position p);
  static Position Prev(Position p);

  Leaf* NewLeaf(int capacity);
  Inner* NewInner();
  void FreeNode(Node* node);
  void InsertAt(Path* path, double score, Member* m);
  void AddChild(Path* path, int level, Node* child, double min_score,
                Member* min_member, size_t count);
  // EraseAt() removes up to `n` members from the path's position within
  // its leaf, deleting them when `destroy`; returns how many it removed.
  size_t EraseAt(Path* path, size_t n, bool destroy);
  void SetMinAbove(const Path& path, int level, double score, Member* m);
  void RemoveChild(Path* path, int level);
  void MergeLeaf(Path* path);
  void MergeInner(Path* path, int level);
  void CollapseRoot();
  void UnlinkLeaf(Leaf* leaf);
  // AddMember() allocates a member and indexes it (not yet in the tree).
  Member* AddMember(double score, absl::string_view bytes);
  // EnsureRoot() gives an empty set its first, small leaf.
  void EnsureRoot();
  void DeleteMember(Member* m);
  void DestroyAll();
  // The members of 0-based ranks [first, last) as a range visit.
  void VisitRanks(size_t first, size_t last, bool reverse, int64_t offset,
                  int64_t count, Visitor visit) const;
  template <typename BeforeMin, typename NotAboveMax>
  std::pair<size_t, size_t> RankBounds(BeforeMin before_min,
                                       NotAboveMax not_above_max) const;
  std::pair<size_t, size_t> ScoreRanks(const ScoreRange& range) const;
  std::pair<size_t, size_t> LexRanks(const LexRange& range) const;
  size_t CheckSubtree(const Node* node, int level, const Leaf** prev_leaf,
                      bool* ok) const;

  Node* root_ = nullptr;   // null when empty
  int height_ = 0;         // inner levels above the leaves
  Leaf* first_ = nullptr;  // the leftmost leaf
  Leaf* last_ = nullptr;   // the rightmost leaf
  size_t size_ = 0;
  size_t member_bytes_ = 0;  // bytes of all member allocations
  size_t node_bytes_ = 0;    // bytes of all tree nodes
  absl::flat_hash_set<Member*, MemberHash, MemberEq> index_;
};

}  // namespace colony::kv

#endif  // COLONY_KV_TYPES_SORTED_SET_H_
