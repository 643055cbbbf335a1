// Copyright 2026 The Colony Authors.
//
// The sorted set's argument syntax: score and lex bounds as Redis reads
// them, and scores as Redis writes them.

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "kv/types/sorted_set.h"

namespace colony::kv {
namespace {

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

}  // namespace

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

}  // namespace colony::kv
