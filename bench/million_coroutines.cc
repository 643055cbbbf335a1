// Copyright 2026 The Colony Authors.
//
// million_coroutines: the memory cost of a suspended coroutine.
//
// Creates N coroutines (1,000,000 unless given as the first argument) on the
// default 64 KiB pooled stacks, resumes each once so that all N are
// suspended at the same time, and measures the resident memory this added:
// the peak (VmHWM from /proc/self/status, and getrusage's ru_maxrss) minus
// the resident size before the first coroutine was created. Then resumes
// every coroutine to completion and destroys it. Prints the figures per
// coroutine, the time of each phase, and the page-table memory (VmPTE, not
// part of RSS). The handles' vector is allocated before the baseline, so
// only the coroutines themselves are counted.
//
// The stacks reserve N * 68 KiB of address space (64 GiB for a million)
// with MAP_NORESERVE; only touched pages count.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "coroutine/coroutine.h"
#include "coroutine/internal/stack.h"

namespace {

using Co = colony::Coroutine<void, void, void>;
using Clock = std::chrono::steady_clock;

// ReadStatusKiB returns the value in KiB of `field` ("VmRSS", "VmHWM",
// "VmPTE") in /proc/self/status, or -1 when absent.
long ReadStatusKiB(const char* field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long value = -1;
  const size_t n = std::strlen(field);
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::strncmp(line, field, n) == 0 && line[n] == ':') {
      value = std::strtol(line + n + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return value;
}

long MaxRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux.
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1'000'000;
  if (n <= 0) {
    std::fprintf(stderr, "usage: %s [coroutine count > 0]\n", argv[0]);
    return 2;
  }

  std::vector<Co> coroutines;
  coroutines.reserve(static_cast<size_t>(n));
  // Touch the vector's pages so they are part of the baseline.
  std::memset(static_cast<void*>(coroutines.data()), 0, n * sizeof(Co));

  const long rss_before = ReadStatusKiB("VmRSS");
  const long pte_before = ReadStatusKiB("VmPTE");
  long completed = 0;

  const Clock::time_point t0 = Clock::now();
  for (long i = 0; i < n; ++i) {
    coroutines.emplace_back([&completed](Co::Suspender& s) {
      s.Suspend();
      ++completed;
    });
  }
  const Clock::time_point t1 = Clock::now();
  for (Co& co : coroutines) co.Resume();
  const Clock::time_point t2 = Clock::now();

  // All n are suspended now.
  const long rss_suspended = ReadStatusKiB("VmRSS");
  const long pte_suspended = ReadStatusKiB("VmPTE");
  const colony::coroutine_internal::StackPool::Stats stats =
      colony::coroutine_internal::StackPool::Default().stats();

  const Clock::time_point t3 = Clock::now();
  for (Co& co : coroutines) co.Resume();
  const Clock::time_point t4 = Clock::now();
  coroutines.clear();
  const Clock::time_point t5 = Clock::now();

  const long hwm = ReadStatusKiB("VmHWM");
  const long maxrss = MaxRssKiB();
  if (completed != n) {
    std::fprintf(stderr, "only %ld of %ld coroutines completed\n", completed,
                 n);
    return 1;
  }

  const double peak_bytes = (hwm - rss_before) * 1024.0 / n;
  const double maxrss_bytes = (maxrss - rss_before) * 1024.0 / n;
  const double suspended_bytes = (rss_suspended - rss_before) * 1024.0 / n;
  const double pte_bytes = (pte_suspended - pte_before) * 1024.0 / n;

  std::printf("coroutines:                %ld\n", n);
  std::printf(
      "stack guard:               %s\n",
      std::string(colony::coroutine_internal::GuardModeName(
                      colony::coroutine_internal::StackPool::Default().mode()))
          .c_str());
  std::printf("address space reserved:    %.1f GiB\n",
              stats.reserved_bytes / (1024.0 * 1024 * 1024));
  std::printf("RSS before:                %ld KiB\n", rss_before);
  std::printf("RSS all suspended:         %ld KiB\n", rss_suspended);
  std::printf("peak RSS (VmHWM):          %ld KiB\n", hwm);
  std::printf("peak RSS (ru_maxrss):      %ld KiB\n", maxrss);
  std::printf("peak RSS per coroutine:    %.0f bytes (%.2f KiB) [VmHWM]\n",
              peak_bytes, peak_bytes / 1024);
  std::printf("                           %.0f bytes (%.2f KiB) [ru_maxrss]\n",
              maxrss_bytes, maxrss_bytes / 1024);
  std::printf("RSS per suspended:         %.0f bytes (%.2f KiB)\n",
              suspended_bytes, suspended_bytes / 1024);
  std::printf("page tables per coroutine: %.0f bytes (VmPTE, not in RSS)\n",
              pte_bytes);
  std::printf("create:                    %.3f s (%.0f ns each)\n",
              Seconds(t1 - t0), Seconds(t1 - t0) * 1e9 / n);
  std::printf("first resume (suspend):    %.3f s (%.0f ns each)\n",
              Seconds(t2 - t1), Seconds(t2 - t1) * 1e9 / n);
  std::printf("resume to completion:      %.3f s (%.0f ns each)\n",
              Seconds(t4 - t3), Seconds(t4 - t3) * 1e9 / n);
  std::printf("destroy:                   %.3f s (%.0f ns each)\n",
              Seconds(t5 - t4), Seconds(t5 - t4) * 1e9 / n);
  std::printf("total time:                %.3f s\n",
              Seconds(t2 - t0) + Seconds(t5 - t3));
  // One line for scripts: count, peak bytes per coroutine, total seconds.
  std::printf(
      "RESULT coroutines=%ld peak_rss_bytes_per_coroutine=%.0f "
      "total_s=%.3f\n",
      n, peak_bytes, Seconds(t2 - t0) + Seconds(t5 - t3));
  return 0;
}
