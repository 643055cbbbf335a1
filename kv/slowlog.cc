// Copyright 2026 The Colony Authors.
#include "kv/slowlog.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace colony::kv {
namespace {

constexpr size_t kMaxArgs = 32;
constexpr size_t kMaxArgLength = 128;

}  // namespace

using base_internal::ThreadMutexLock;

void SlowLog::set_max_len(size_t n) {
  ThreadMutexLock lock(mu_);
  max_len_ = n;
  while (entries_.size() > max_len_) entries_.pop_back();
}

void SlowLog::Record(int64_t duration_us,
                     absl::Span<const absl::string_view> args,
                     const std::string& client_addr,
                     const std::string& client_name) {
  Entry e;
  e.unix_seconds = absl::ToUnixSeconds(absl::Now());
  e.duration_us = duration_us;
  const size_t shown = args.size() > kMaxArgs ? kMaxArgs - 1 : args.size();
  for (size_t i = 0; i < shown; ++i) {
    if (args[i].size() > kMaxArgLength) {
      e.args.push_back(absl::StrCat(args[i].substr(0, kMaxArgLength), "... (",
                                    args[i].size() - kMaxArgLength,
                                    " more bytes)"));
    } else {
      e.args.emplace_back(args[i]);
    }
  }
  if (shown < args.size()) {
    e.args.push_back(
        absl::StrCat("... (", args.size() - shown, " more arguments)"));
  }
  e.client_addr = client_addr;
  e.client_name = client_name;
  ThreadMutexLock lock(mu_);
  if (max_len_ == 0) return;
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  while (entries_.size() > max_len_) entries_.pop_back();
}

std::vector<SlowLog::Entry> SlowLog::Get(int64_t count) const {
  ThreadMutexLock lock(mu_);
  const size_t n = count < 0
                       ? entries_.size()
                       : std::min(entries_.size(), static_cast<size_t>(count));
  return std::vector<Entry>(entries_.begin(),
                            entries_.begin() + static_cast<long>(n));
}

size_t SlowLog::Len() const {
  ThreadMutexLock lock(mu_);
  return entries_.size();
}

void SlowLog::Reset() {
  ThreadMutexLock lock(mu_);
  entries_.clear();
}

}  // namespace colony::kv
