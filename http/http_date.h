// Copyright 2026 The Colony Authors.
//
// HTTP dates (RFC 9110 section 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
//
//   std::string text = colony::http::FormatHttpDate(st.st_mtime);
//   std::optional<int64_t> t = colony::http::ParseHttpDate(text);
//   std::string_view now = colony::http::CurrentHttpDate();
//
// CurrentHttpDate() formats the wall clock at most once a second per
// thread: servers put it in every response.
//
// Thread-safety: every function may be called from any task or thread.
// CurrentHttpDate()'s view lives in the calling thread's cache: use it
// before the task next suspends (it may then resume on another thread).

#ifndef COLONY_HTTP_HTTP_DATE_H_
#define COLONY_HTTP_HTTP_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace colony::http {

// The length of every IMF-fixdate.
inline constexpr size_t kHttpDateLength = 29;

// FormatHttpDate() formats `unix_seconds` as an IMF-fixdate.
std::string FormatHttpDate(int64_t unix_seconds);

// ParseHttpDate() reads an IMF-fixdate, or either obsolete form (RFC 850,
// asctime) as RFC 9110 asks recipients to; nullopt when it is none of them.
std::optional<int64_t> ParseHttpDate(std::string_view text);

// CurrentHttpDate() is the wall-clock time as an IMF-fixdate, refreshed
// when the second changes. See the banner for the view's lifetime.
std::string_view CurrentHttpDate();

}  // namespace colony::http

#endif  // COLONY_HTTP_HTTP_DATE_H_
