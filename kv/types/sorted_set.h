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
// Representation: an order-statistic skip list plus a hash index.
//  - The skip list keeps the nodes in (score, member) order. Every forward
//    link of a node records how many level-0 steps it jumps (its span), so a
//    descent from the top level counts ranks as it goes: finding the node at
//    a rank, the rank of a node and the first or last node of a score or lex
//    range all take O(log n) expected time. Each node is one allocation that
//    holds its score, its back link, its forward links (a random number of
//    levels, P(level > k) = 4^-k, at most 32) and the member's bytes.
//  - An absl::flat_hash_set of node pointers, hashed and compared by member,
//    finds a member's node (and so its score) in O(1). The member's bytes
//    exist once, inside the node.
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
// visitor's member argument, iterators) point into its nodes. They stay
// valid until that member is erased or repositioned by a score change, or
// the set is cleared, assigned, moved from or destroyed. A visitor must not
// modify the set it is visiting.

#ifndef COLONY_KV_TYPES_SORTED_SET_H_
#define COLONY_KV_TYPES_SORTED_SET_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
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
  struct Node;

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
      return a.node_ == b.node_;
    }

   private:
    friend class SortedSet;
    explicit const_iterator(const Node* node) : node_(node) {}
    const Node* node_ = nullptr;
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

 private:
  struct NodeHash {
    using is_transparent = void;
    size_t operator()(absl::string_view member) const;
    size_t operator()(const Node* node) const;
  };
  struct NodeEq {
    using is_transparent = void;
    bool operator()(const Node* a, const Node* b) const;
    bool operator()(const Node* a, absl::string_view b) const;
    bool operator()(absl::string_view a, const Node* b) const;
  };
  struct Path;  // the predecessors of a position at every level

  Node* Find(absl::string_view member) const;
  Node* NodeAtRank(size_t rank) const;    // 1-based; 0 is the head
  size_t RankOf(const Node* node) const;  // 1-based
  int RandomHeight();
  void EnsureHeadHeight(int height);
  void Link(Node* node, int height);
  void Unlink(Node* node, const Path& path);
  template <typename Before>
  void PathWhile(Before before, Path* path) const;
  void PathTo(double score, absl::string_view member, Path* path) const;
  void PathToRank(size_t rank, Path* path) const;
  size_t EraseFrom(Path* path, size_t limit,
                   absl::FunctionRef<bool(const Node*)> in_range);
  void DestroyAll();

  // The first and the last node of a range, with the first's 1-based rank;
  // the range selects nothing when first is null.
  struct Bounds {
    const Node* first = nullptr;
    const Node* last = nullptr;
    size_t first_rank = 0;
    size_t last_rank = 0;
  };
  template <typename BeforeMin, typename NotAboveMax>
  Bounds FindBounds(BeforeMin before_min, NotAboveMax not_above_max) const;
  Bounds ScoreBounds(const ScoreRange& range) const;
  Bounds LexBounds(const LexRange& range) const;
  void VisitBounds(const Bounds& bounds, bool reverse, int64_t offset,
                   int64_t count, Visitor visit) const;

  Node* head_ = nullptr;  // sentinel before the first node; null until used
  Node* tail_ = nullptr;  // the last node, or null when empty
  size_t size_ = 0;
  int level_ = 0;          // levels in use (highest node height)
  int head_height_ = 0;    // levels allocated in head_
  uint64_t rng_state_;     // xorshift64* state for node heights
  size_t node_bytes_ = 0;  // bytes of all nodes, head included
  absl::flat_hash_set<Node*, NodeHash, NodeEq> index_;
};

}  // namespace colony::kv

#endif  // COLONY_KV_TYPES_SORTED_SET_H_
