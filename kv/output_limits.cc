// Copyright 2026 The Colony Authors.
#include "kv/output_limits.h"

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace colony::kv {
namespace {

constexpr absl::string_view kWrongCount =
    "Wrong number of arguments in buffer limit configuration.";
constexpr absl::string_view kBadClass =
    "Invalid client class specified in buffer limit configuration.";
constexpr absl::string_view kBadNumber =
    "Error in hard, soft or soft_seconds setting in buffer limit "
    "configuration.";

bool ClassByName(absl::string_view name, ClientClass* c) {
  if (absl::EqualsIgnoreCase(name, "normal")) {
    *c = ClientClass::kNormal;
  } else if (absl::EqualsIgnoreCase(name, "replica") ||
             absl::EqualsIgnoreCase(name, "slave")) {
    *c = ClientClass::kReplica;
  } else if (absl::EqualsIgnoreCase(name, "pubsub")) {
    *c = ClientClass::kPubSub;
  } else {
    return false;
  }
  return true;
}

// ParseBytes() reads a size the way Redis' configuration does: decimal
// digits (none reads as 0, too many saturate) and an optional unit; no
// sign. The product wraps as an unsigned 64-bit number, as in Redis.
bool ParseBytes(absl::string_view s, uint64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && absl::ascii_isdigit(s[digits])) ++digits;
  const absl::string_view unit = s.substr(digits);
  uint64_t mul;
  if (unit.empty() || absl::EqualsIgnoreCase(unit, "b")) {
    mul = 1;
  } else if (absl::EqualsIgnoreCase(unit, "k")) {
    mul = 1000;
  } else if (absl::EqualsIgnoreCase(unit, "kb")) {
    mul = 1024;
  } else if (absl::EqualsIgnoreCase(unit, "m")) {
    mul = 1000 * 1000;
  } else if (absl::EqualsIgnoreCase(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (absl::EqualsIgnoreCase(unit, "g")) {
    mul = 1000ull * 1000 * 1000;
  } else if (absl::EqualsIgnoreCase(unit, "gb")) {
    mul = 1024ull * 1024 * 1024;
  } else {
    return false;
  }
  if (digits >= 128) return false;
  const std::string number(s.substr(0, digits));
  errno = 0;
  const unsigned long long n = std::strtoull(number.c_str(), nullptr, 10);
  *out = static_cast<uint64_t>(n) * mul;
  return true;
}

// ParseSeconds() reads the soft-limit seconds: a decimal integer (an
// optional sign, nothing after it) kept as a 32-bit int, not negative.
bool ParseSeconds(absl::string_view s, int64_t* out) {
  const std::string text(s);
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0') return false;
  const int32_t as_int = static_cast<int32_t>(static_cast<uint64_t>(n));
  if (as_int < 0) return false;
  *out = as_int;
  return true;
}

}  // namespace

ClientOutputBufferLimits DefaultClientOutputBufferLimits() {
  ClientOutputBufferLimits limits;
  limits[static_cast<int>(ClientClass::kReplica)] = {256u << 20, 64u << 20, 60};
  limits[static_cast<int>(ClientClass::kPubSub)] = {32u << 20, 8u << 20, 60};
  return limits;
}

absl::Status ParseClientOutputBufferLimits(absl::string_view value,
                                           ClientOutputBufferLimits* limits) {
  // Split on every single space: two spaces in a row make an empty field.
  std::vector<absl::string_view> fields;
  if (!value.empty()) fields = absl::StrSplit(value, ' ');
  if (fields.size() % 4 != 0) return absl::InvalidArgumentError(kWrongCount);
  ClientOutputBufferLimits updated = *limits;
  for (size_t i = 0; i < fields.size(); i += 4) {
    ClientClass c;
    if (!ClassByName(fields[i], &c)) {
      return absl::InvalidArgumentError(kBadClass);
    }
    OutputBufferLimit limit;
    if (!ParseBytes(fields[i + 1], &limit.hard_bytes) ||
        !ParseBytes(fields[i + 2], &limit.soft_bytes) ||
        !ParseSeconds(fields[i + 3], &limit.soft_seconds)) {
      return absl::InvalidArgumentError(kBadNumber);
    }
    updated[static_cast<int>(c)] = limit;
  }
  *limits = updated;
  return absl::OkStatus();
}

std::string FormatClientOutputBufferLimits(
    const ClientOutputBufferLimits& limits) {
  static constexpr const char* kNames[] = {"normal", "slave", "pubsub"};
  std::string out;
  for (int i = 0; i < 3; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : " ", kNames[i], " ",
                    limits[i].hard_bytes, " ", limits[i].soft_bytes, " ",
                    limits[i].soft_seconds);
  }
  return out;
}

OutputLimits::OutputLimits() { Set(DefaultClientOutputBufferLimits()); }

void OutputLimits::Set(const ClientOutputBufferLimits& limits) {
  for (int i = 0; i < 3; ++i) {
    live_[i].hard.store(limits[i].hard_bytes, std::memory_order_relaxed);
    live_[i].soft.store(limits[i].soft_bytes, std::memory_order_relaxed);
    live_[i].seconds.store(limits[i].soft_seconds, std::memory_order_relaxed);
  }
}

OutputBufferLimit OutputLimits::Get(ClientClass c) const {
  const Live& l = live_[static_cast<int>(c)];
  return {l.hard.load(std::memory_order_relaxed),
          l.soft.load(std::memory_order_relaxed),
          l.seconds.load(std::memory_order_relaxed)};
}

bool OutputLimitClock::Over(const OutputBufferLimit& limit, size_t pending,
                            int64_t now_ms) {
  pending = pending > kUncountedBytes ? pending - kUncountedBytes : 0;
  if (limit.hard_bytes != 0 && pending >= limit.hard_bytes) return true;
  if (limit.soft_bytes == 0 || pending < limit.soft_bytes) {
    soft_since_ms_ = 0;
    return false;
  }
  if (soft_since_ms_ == 0) {
    soft_since_ms_ = now_ms;
    return false;
  }
  return now_ms - soft_since_ms_ > limit.soft_seconds * 1000;
}

}  // namespace colony::kv
