// Copyright 2026 The Colony Authors.

#include "metrics/process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "spdlog/spdlog.h"

namespace colony::metrics {
namespace {

// ParseDouble() reads a whole decimal number.
bool ParseDouble(std::string_view text, double* out) {
  if (text.empty()) return false;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Fields() splits `text` at spaces.
std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n') ++j;
    if (j > i) fields.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return fields;
}

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) {
    spdlog::debug("metrics: cannot open {}", path);
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The boot time from /proc/stat's `btime` line, seconds since the epoch.
std::optional<double> BootTime() {
  std::optional<std::string> stat = ReadFile("/proc/stat");
  if (!stat) return std::nullopt;
  const size_t at = stat->find("\nbtime ");
  if (at == std::string::npos) return std::nullopt;
  const size_t begin = at + 7;
  const size_t end = stat->find('\n', begin);
  double btime;
  if (ParseDouble(std::string_view(*stat).substr(begin, end - begin), &btime)) {
    return btime;
  }
  return std::nullopt;
}

void ReadStat(ProcessStats& stats) {
  std::optional<std::string> stat = ReadFile("/proc/self/stat");
  if (!stat) return;
  // The command name (field 2) is in parentheses and may hold spaces or
  // parentheses itself: the fields that follow start after the last ')'.
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) return;
  std::vector<std::string_view> f =
      Fields(std::string_view(*stat).substr(close + 1));
  // f[0] is field 3 (state): field N is f[N - 3].
  auto field = [&](int n, double* out) {
    const size_t i = static_cast<size_t>(n - 3);
    return i < f.size() && ParseDouble(f[i], out);
  };
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  double utime, stime, start, vsize, rss;
  if (ticks > 0 && field(14, &utime) && field(15, &stime)) {
    stats.cpu_seconds = (utime + stime) / ticks;
  }
  if (ticks > 0 && field(22, &start)) {
    if (std::optional<double> boot = BootTime()) {
      stats.start_time_seconds = *boot + start / ticks;
    }
  }
  if (field(23, &vsize)) stats.virtual_bytes = vsize;
  if (page > 0 && field(24, &rss)) stats.resident_bytes = rss * page;
}

std::optional<double> CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  double n = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  // The directory stream's own descriptor was listed too.
  return n - 1;
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats stats;
  ReadStat(stats);
  stats.open_fds = CountOpenFds();
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    stats.max_fds = limit.rlim_cur == RLIM_INFINITY
                        ? std::numeric_limits<double>::infinity()
                        : static_cast<double>(limit.rlim_cur);
  }
  return stats;
}

void WriteProcessMetrics(PrometheusWriter& writer) {
  const ProcessStats stats = ReadProcessStats();
  auto write = [&](const char* name, MetricType type, const char* help,
                   const std::optional<double>& value) {
    if (!value) return;
    writer.Family(name, type, help);
    writer.Sample({}, *value);
  };
  write("process_cpu_seconds_total", MetricType::kCounter,
        "Total user and system CPU time spent in seconds.", stats.cpu_seconds);
  write("process_resident_memory_bytes", MetricType::kGauge,
        "Resident memory size in bytes.", stats.resident_bytes);
  write("process_virtual_memory_bytes", MetricType::kGauge,
        "Virtual memory size in bytes.", stats.virtual_bytes);
  write("process_open_fds", MetricType::kGauge,
        "Number of open file descriptors.", stats.open_fds);
  write("process_max_fds", MetricType::kGauge,
        "Maximum number of open file descriptors.", stats.max_fds);
  write("process_start_time_seconds", MetricType::kGauge,
        "Start time of the process since unix epoch in seconds.",
        stats.start_time_seconds);
}

}  // namespace colony::metrics
