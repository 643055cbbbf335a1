#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Runs the channel workloads of sync/ (ping-pong over rendezvous and
# capacity-1 channels, unbounded channel throughput with one and several
# producers) on Colony and its peers, Go 1.19, Boost.Fiber 1.74 and Tokio
# 1.24 (tokio::sync channels on a multi_thread runtime), and the
# contended-mutex rows of //bench:sync_benchmark (Colony's Mutex against
# std::mutex and absl::Mutex), then prints markdown tables of the medians,
# the peers' ratios to Colony and the targets.
#
# Usage: bench/run_sync_bench.sh [options] [-- extra program flags...]
#   --peers LIST           comma-separated subset of colony,go,fiber,tokio
#                          (default: all four)
#   --skip-colony          the same as leaving colony out of --peers
#   --workloads LIST       subset of pingpong,pingpong_buf1,unbounded_1p,
#                          unbounded_mp (default: all four)
#   --workers LIST         worker counts of the ping-pong workloads
#                          (default 1,2)
#   --stream-workers LIST  worker counts of the unbounded workloads
#                          (default 2)
#   --reps N               repetitions per program run (default $REPS or 5)
#   --no-mutex             skip the mutex table (//bench:sync_benchmark)
#   --out FILE             also keep the raw result lines in FILE
# Extra flags after `--` go to every channel program, e.g.
# `-- --round_trips=100000 --messages=1000000 --producers=8`.
#
# Each (peer, workload, workers) is one process that prints one line per
# repetition (`peer=go workload=pingpong workers=1 rep=0 value=390.1
# unit=ns_per_round_trip`); the table shows the median of the repetitions.
# The peers are built here, outside Bazel: Go with `go build` (GOCACHE in a
# temporary directory), Boost.Fiber with g++ -O2, Tokio with Debian's cargo
# against Debian's crates, offline, into build/peers/tokio_sched (ignored);
# Colony with
# `bazel build -c opt //bench:sync_peer_bench //bench:sync_benchmark`.
# Missing Debian packages are installed through tools/install_deps.sh. The
# default run takes about 4 minutes on a 2-core machine, plus the builds.

set -euo pipefail

cd "$(dirname "$0")/.."
repo="$(pwd)"
# shellcheck source=bench/peer_lib.sh
source bench/peer_lib.sh

peers="colony,go,fiber,tokio"
workloads="pingpong,pingpong_buf1,unbounded_1p,unbounded_mp"
workers="1,2"
stream_workers="2"
reps="${REPS:-5}"
mutex=1
out=""
extra=()
skip_colony=0

usage() {
  sed -n '/^# Usage:/,/--producers=8/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --peers) peers="$2"; shift 2 ;;
    --peers=*) peers="${1#*=}"; shift ;;
    --skip-colony) skip_colony=1; shift ;;
    --workloads) workloads="$2"; shift 2 ;;
    --workloads=*) workloads="${1#*=}"; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --workers=*) workers="${1#*=}"; shift ;;
    --stream-workers) stream_workers="$2"; shift 2 ;;
    --stream-workers=*) stream_workers="${1#*=}"; shift ;;
    --reps) reps="$2"; shift 2 ;;
    --reps=*) reps="${1#*=}"; shift ;;
    --no-mutex) mutex=0; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "run_sync_bench.sh: unknown argument $1" >&2; usage ;;
  esac
done

IFS=, read -r -a peer_list <<<"${peers}"
IFS=, read -r -a workload_list <<<"${workloads}"
if [[ ${skip_colony} -eq 1 ]]; then
  kept=()
  for p in "${peer_list[@]}"; do [[ "$p" == colony ]] || kept+=("$p"); done
  peer_list=("${kept[@]}")
  mutex=0
fi
if [[ ${#peer_list[@]} -eq 0 ]]; then
  echo "run_sync_bench.sh: no peer left to run" >&2
  exit 2
fi
for wl in "${workload_list[@]}"; do
  case "${wl}" in
    pingpong|pingpong_buf1|unbounded_1p|unbounded_mp) ;;
    *) echo "run_sync_bench.sh: unknown workload ${wl}" >&2; exit 2 ;;
  esac
done
if [[ " ${peer_list[*]} " != *" colony "* ]]; then mutex=0; fi

for p in "${peer_list[@]}"; do
  case "$p" in
    colony|go|fiber|tokio) ;;
    *) echo "run_sync_bench.sh: unknown peer $p" >&2; exit 2 ;;
  esac
done
peer_install_packages "${peer_list[@]}"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
results="${tmp}/results.txt"
mutex_json="${tmp}/mutex.json"
: >"${results}"

# bin PEER prints the path of PEER's built program.
bin() { echo "${tmp}/$1_sync_bench"; }

for p in "${peer_list[@]}"; do
  echo "building ${p}..." >&2
  case "$p" in
    colony)
      targets=(//bench:sync_peer_bench)
      if [[ ${mutex} -eq 1 ]]; then targets+=(//bench:sync_benchmark); fi
      if ! bazel build -c opt "${targets[@]}"; then
        echo "run_sync_bench.sh: ${targets[*]} does not build; run the" \
          "peers alone with --skip-colony" >&2
        exit 1
      fi
      bazel_bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
      cp "${bazel_bin}/bench/sync_peer_bench" "$(bin colony)"
      if [[ ${mutex} -eq 1 ]]; then
        cp "${bazel_bin}/bench/sync_benchmark" "${tmp}/sync_benchmark"
      fi
      ;;
    go)
      peer_build_go "${repo}/bench/peers/go/sync_bench.go" "$(bin go)" "${tmp}"
      ;;
    fiber)
      peer_build_cxx bench/peers/boost_fiber/sync_bench.cc "$(bin fiber)" \
        boost_fiber boost_context
      ;;
    tokio)
      peer_build_tokio bench/peers/tokio_sched \
        "${repo}/build/peers/tokio_sched" "$(bin tokio)" sync_bench
      ;;
  esac
done

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_s="${SECONDS}"
for wl in "${workload_list[@]}"; do
  IFS=, read -r -a wl_workers <<<"${workers}"
  if [[ "${wl}" == unbounded_* ]]; then
    IFS=, read -r -a wl_workers <<<"${stream_workers}"
  fi
  for w in "${wl_workers[@]}"; do
    for p in "${peer_list[@]}"; do
      peer_run "$(bin "$p")" "$p" "${wl}" "${w}" "${reps}" "${results}" \
        "${extra[@]}"
    done
  done
done
if [[ ${mutex} -eq 1 ]]; then
  echo "running //bench:sync_benchmark (mutex rows) reps=${reps}" >&2
  if ! timeout 900 "${tmp}/sync_benchmark" --benchmark_filter='Mutex' \
    --benchmark_repetitions="${reps}" \
    --benchmark_report_aggregates_only=true \
    --benchmark_out="${mutex_json}" --benchmark_out_format=json >&2; then
    echo "run_sync_bench.sh: //bench:sync_benchmark failed" >&2
    rm -f "${mutex_json}"
  fi
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "${out}" ]]; then cp "${results}" "${out}"; fi

python3 - "${results}" "$(IFS=,; echo "${peer_list[*]}")" "${reps}" \
  "$(nproc)" "${load_before} / ${load_after}" "$((SECONDS - start_s))" \
  "${mutex_json}" <<'PY'
import json
import os
import statistics
import sys

path, peers, reps, ncpu, load, secs, mutex_json = sys.argv[1:8]
peers = peers.split(",")

# (peer, workload, workers) -> {field: [values]}; "NA" and "FAIL" kept apart.
runs = {}
for line in open(path):
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    if "peer" not in kv or "workload" not in kv:
        continue
    key = (kv["peer"], kv["workload"], int(kv["workers"]))
    fields = runs.setdefault(key, {})
    for k, v in kv.items():
        if k in ("peer", "workload", "workers", "rep", "unit", "note"):
            continue
        fields.setdefault(k, []).append(v)


def median(peer, workload, w, field="value"):
    """The median of a field, or a string saying why there is none."""
    fields = runs.get((peer, workload, w))
    if fields is None:
        return "—"  # not run
    if "FAIL" in fields.get("value", []):
        return "FAIL"
    nums = [float(v) for v in fields.get(field, []) if v != "NA"]
    return statistics.median(nums) if nums else "NA"


def fmt(v):
    if isinstance(v, str):
        return v
    a = abs(v)
    return "%.0f" % v if a >= 100 else "%.1f" % v if a >= 10 else "%.2f" % v


def cell(peer, workload, w):
    """A table cell: the median, with messages per second for throughput."""
    v = median(peer, workload, w)
    if workload.startswith("unbounded") and not isinstance(v, str):
        return "%s (%s M/s)" % (fmt(v), fmt(1e3 / v))
    return fmt(v)


def ratio(a, b):
    if isinstance(a, str) or isinstance(b, str) or b == 0:
        return "—"
    return "%.2fx" % (a / b)


def target(workload, w, colony):
    """The target for this row, and whether Colony meets it."""
    limit = {("pingpong", 1): 60, ("pingpong", 2): 100}.get((workload, w))
    if limit is None:
        return ""
    if isinstance(colony, str):
        return "≤ %d ns" % limit
    return "≤ %d ns (%s)" % (limit, "met" if colony <= limit else "MISSED")


producers = "P"
for (peer, workload, w), fields in runs.items():
    if workload == "unbounded_mp" and fields.get("producers"):
        producers = fields["producers"][0]
rows = [
    ("pingpong", "ping-pong, rendezvous, ns/round trip"),
    ("pingpong_buf1", "ping-pong, capacity 1, ns/round trip"),
    ("unbounded_1p", "unbounded, 1 → 1, ns/msg"),
    ("unbounded_mp", "unbounded, %s → 1, ns/msg" % producers),
]
print()
print("Channel peers: medians of %s repetitions; %s CPUs; load average "
      "before / after: %s; runs took %s s." % (reps, ncpu, load, secs))
print()
print("| workload | workers | colony | go | boost.fiber | tokio | go/colony "
      "| fiber/colony | tokio/colony | target |")
print("|---|---|---|---|---|---|---|---|---|---|")
for workload, label in rows:
    for w in sorted({k[2] for k in runs if k[1] == workload}):
        m = {p: median(p, workload, w)
             for p in ("colony", "go", "fiber", "tokio")}
        print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, w, cell("colony", workload, w), cell("go", workload, w),
            cell("fiber", workload, w), cell("tokio", workload, w),
            ratio(m["go"], m["colony"]), ratio(m["fiber"], m["colony"]),
            ratio(m["tokio"], m["colony"]), target(workload, w, m["colony"])))
print("""
Ratios are peer/colony: above 1 Colony is faster. — means not run.
Ping-pong: two coroutines (Colony tasks, goroutines, fibers) bounce a
counter over two channels, values checked in order. Unbounded: Go and
Boost.Fiber have no unbounded channel; they use a buffered channel whose
capacity exceeds the message count, so a send never waits; Tokio uses its
mpsc::unbounded_channel. Tokio has no rendezvous channel: its "rendezvous"
row hands each message over in a fresh oneshot (a single slot, no queue)
and its capacity-1 row uses mpsc::channel(1). Tokio runs a multi_thread
runtime on 1 worker too (worker_threads = 1). Boost.Fiber runs round_robin
on 1 worker and work_stealing (idle threads spinning) on 2.""")

if not mutex_json or not os.path.exists(mutex_json):
    sys.exit(0)
bench = json.load(open(mutex_json))
# name -> median of ns_per_lock (contended) or real time in ns (uncontended);
# with one repetition there are no aggregates, only the run itself.
scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
samples = {}
for b in bench.get("benchmarks", []):
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
        continue
    if b.get("error_occurred"):
        v = "FAIL"
    elif "ns_per_lock" in b:
        v = b["ns_per_lock"]
    else:
        v = b["real_time"] * scale[b.get("time_unit", "ns")]
    samples.setdefault(b["run_name"], {}).setdefault(b["run_type"], []).append(v)
med = {}
for name, kinds in samples.items():
    vs = kinds.get("aggregate") or kinds.get("iteration", [])
    med[name] = "FAIL" if "FAIL" in vs else statistics.median(vs)


def get(kind, suffix):
    for name, v in med.items():
        if name.startswith("BM_%sMutex" % kind) and name.endswith(suffix):
            return v
    return "—"


print()
print("Mutex: medians of %s repetitions of //bench:sync_benchmark, ns per "
      "lock/unlock pair (lower is better)." % reps)
print()
print("| contenders | colony::Mutex (tasks, 2 workers) | std::mutex (threads) "
      "| absl::Mutex (threads) | std/colony | absl/colony |")
print("|---|---|---|---|---|---|")
for label, suffix in (("1 (uncontended)", "Uncontended"),
                      ("2", "contenders:2/manual_time"),
                      ("8", "contenders:8/manual_time"),
                      ("64", "contenders:64/manual_time")):
    c, s, a = get("Colony", suffix), get("Std", suffix), get("Absl", suffix)
    print("| %s | %s | %s | %s | %s | %s |" % (
        label, fmt(c), fmt(s), fmt(a), ratio(s, c), ratio(a, c)))
print("""
Each contender locks, increments a shared counter and unlocks; the counter
is checked against contenders × iterations. Colony's contenders are tasks on
a 2-worker scheduler (a waiter suspends; unlock hands the mutex to the
longest waiter); the baselines' contenders are plain threads on the same 2
cores.""")
PY
