// Copyright 2026 The Colony Authors.

#include "http/http_date.h"

#include <time.h>

#include <cstdio>
#include <cstring>

#include "absl/time/time.h"

namespace colony::http {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed",
                                 "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void FormatInto(int64_t unix_seconds, char* out /* kHttpDateLength + 1 */) {
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  // The year is four digits for every date a server meets (0-9999); the
  // larger scratch buffer keeps any other one from overflowing.
  char scratch[64];
  std::snprintf(scratch, sizeof(scratch), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::memcpy(out, scratch, kHttpDateLength);
  out[kHttpDateLength] = '\0';
}

struct DateCache {
  int64_t second = -1;
  char text[kHttpDateLength + 1] = {};
};

}  // namespace

std::string FormatHttpDate(int64_t unix_seconds) {
  char buf[kHttpDateLength + 1];
  FormatInto(unix_seconds, buf);
  return std::string(buf, kHttpDateLength);
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  static constexpr const char* kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850
      "%a %b %e %H:%M:%S %Y",       // asctime
  };
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(format, absl::string_view(text.data(), text.size()),
                        absl::UTCTimeZone(), &t, &err)) {
      return absl::ToUnixSeconds(t);
    }
  }
  return std::nullopt;
}

std::string_view CurrentHttpDate() {
  thread_local DateCache cache;
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  if (ts.tv_sec != cache.second) {
    FormatInto(ts.tv_sec, cache.text);
    cache.second = ts.tv_sec;
  }
  return std::string_view(cache.text, kHttpDateLength);
}

}  // namespace colony::http
