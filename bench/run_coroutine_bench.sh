#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Builds the coroutine benchmarks optimised, runs them with repetitions and
# prints a summary of the medians: our switch against Boost.Context's,
# create+run+destroy, and the resident memory of a suspended coroutine.
#
# Usage: bench/run_coroutine_bench.sh [extra Google Benchmark flags...]
# Environment:
#   REPETITIONS   repetitions per benchmark (default 10)
#   COROUTINES    coroutines for million_coroutines (default 1000000)
#
# Times are CPU time (less sensitive than wall time to other processes on a
# small machine); each switch figure is half of a resume+suspend round trip.

set -euo pipefail

cd "$(dirname "$0")/.."

repetitions="${REPETITIONS:-10}"
coroutines="${COROUTINES:-1000000}"

bazel build -c opt //bench:all
bin="$(bazel info -c opt bazel-bin 2>/dev/null)/bench"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

"${bin}/coroutine_benchmark" \
  --benchmark_repetitions="${repetitions}" \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="${tmp}/benchmark.json" \
  --benchmark_out_format=json \
  "$@"
echo
"${bin}/million_coroutines" "${coroutines}" | tee "${tmp}/million.txt"

# median BENCHMARK FIELD prints FIELD of BENCHMARK's median aggregate from
# the JSON report (one "key": value per line, as Google Benchmark writes it).
median() {
  awk -v want="$1_median" -v field="$2" '
    $1 == "\"name\":" { name = $2; gsub(/[",]/, "", name) }
    name == want && $1 == "\"" field "\":" { v = $2; gsub(/,/, "", v); print v + 0; exit }
  ' "${tmp}/benchmark.json"
}

ours_switch="$(median BM_ResumeSuspend ns_per_switch)"
boost_switch="$(median BM_BoostContextPingPong ns_per_switch)"
raw_switch="$(median BM_RawContextSwitch ns_per_switch)"
generator="$(median BM_GeneratorNext cpu_time)"
create="$(median BM_CreateRunDestroy cpu_time)"
boost_create="$(median BM_BoostContextCreateRunDestroy cpu_time)"
rss="$(sed -n 's/.*peak_rss_bytes_per_coroutine=\([0-9]*\).*/\1/p' \
  "${tmp}/million.txt")"
total="$(sed -n 's/.*total_s=\([0-9.]*\).*/\1/p' "${tmp}/million.txt")"

if [[ -z "${ours_switch}" || -z "${boost_switch}" || -z "${create}" ]]; then
  echo "run_coroutine_bench.sh: a benchmark was filtered out or failed" >&2
  exit 1
fi

awk -v ours="${ours_switch}" -v boost="${boost_switch}" -v raw="${raw_switch:-0}" \
  -v gen="${generator:-0}" -v create="${create}" -v bcreate="${boost_create:-0}" \
  -v rss="${rss:-0}" -v n="${coroutines}" -v total="${total:-0}" \
  -v reps="${repetitions}" 'BEGIN {
  printf "\nSummary (medians of %d repetitions, CPU time)\n", reps
  printf "  %-40s %9s   %s\n", "measure", "value", "target"
  printf "  %-40s %9.2f   %s\n", "Coroutine resume/suspend, ns/switch", ours * 1e9, "<= 3"
  printf "  %-40s %9.2f\n", "Boost.Context fiber, ns/switch", boost * 1e9
  printf "  %-40s %8.2fx   %s\n", "Boost.Context / ours (per switch)", boost / ours, ">= 2.5x"
  printf "  %-40s %9.2f\n", "bare asm switch, ns/switch", raw * 1e9
  printf "  %-40s %9.2f\n", "Generator<int> next, ns", gen
  printf "  %-40s %9.2f   %s\n", "create+run+destroy, ns", create, "<= 50"
  printf "  %-40s %9.2f\n", "Boost.Context create+run+destroy, ns", bcreate
  printf "  %-40s %9.2f   %s\n", "peak RSS per suspended coroutine, KiB", rss / 1024, "<= 8"
  printf "  %-40s %9.3f   (%d coroutines)\n", "million_coroutines total time, s", total, n
}'
