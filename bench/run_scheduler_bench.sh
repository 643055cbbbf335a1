#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Runs the scheduler workloads (yield, spawn+complete, chained spawn,
# skynet 1M, imbalanced load, high-priority wake-to-run latency, a million
# suspended tasks) on Colony
# and its peers, Go 1.19, Boost.Fiber 1.74 (work_stealing), oneTBB
# (task_group) and Tokio 1.24 (multi_thread runtime), on 1 and 2 workers,
# and prints a markdown table of the medians, the peers' ratios to Colony
# and the targets.
#
# Usage: bench/run_scheduler_bench.sh [options] [-- extra program flags...]
#   --peers LIST       comma-separated subset of colony,go,fiber,tbb,tokio
#                      (default: all five)
#   --skip-colony      the same as leaving colony out of --peers (for use
#                      before //bench:scheduler_peer_bench builds)
#   --workers LIST     worker counts (default 1,2)
#   --workloads LIST   subset of yield,spawn,chain,skynet,imbalance,latency,
#                      suspended
#   --reps N           repetitions per program run (default $REPS or 5)
#   --out FILE         also keep the raw result lines in FILE
# Extra flags after `--` go to every program, e.g. `-- --spawn_tasks=200000`
# (see bench/peers/peer_bench.h for the sizes).
#
# Each (peer, workload, workers) is one process that prints one line per
# repetition (`peer=go workload=yield workers=1 rep=0 value=61.2
# unit=ns_per_op ...`); the table shows the median of the repetitions. The
# peers are built here, outside Bazel: Go with `go build` (GOCACHE in a
# temporary directory), the C++ peers with g++ -O2, Tokio with Debian's
# cargo against Debian's crates, offline, into build/peers/tokio_sched
# (ignored); Colony with `bazel build -c opt //bench:scheduler_peer_bench`.
# Missing Debian packages are installed through tools/install_deps.sh.
#
# Memory: Boost.Fiber keeps about 8 KiB per live fiber, so its spawn and
# skynet runs on 1 worker (a million fibers alive at once) peak near 9 GiB.
# The default run takes about 5-7 minutes on a 2-core machine, plus the
# builds (the first Tokio build takes a minute or more).

set -euo pipefail

cd "$(dirname "$0")/.."
repo="$(pwd)"
# shellcheck source=bench/peer_lib.sh
source bench/peer_lib.sh

peers="colony,go,fiber,tbb,tokio"
workers="1,2"
workloads="yield,spawn,chain,skynet,imbalance,latency,suspended"
reps="${REPS:-5}"
out=""
extra=()
skip_colony=0

usage() {
  sed -n '/^# Usage:/,/for the sizes/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --peers) peers="$2"; shift 2 ;;
    --peers=*) peers="${1#*=}"; shift ;;
    --skip-colony) skip_colony=1; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --workers=*) workers="${1#*=}"; shift ;;
    --workloads) workloads="$2"; shift 2 ;;
    --workloads=*) workloads="${1#*=}"; shift ;;
    --reps) reps="$2"; shift 2 ;;
    --reps=*) reps="${1#*=}"; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "run_scheduler_bench.sh: unknown argument $1" >&2; usage ;;
  esac
done

IFS=, read -r -a peer_list <<<"${peers}"
IFS=, read -r -a worker_list <<<"${workers}"
IFS=, read -r -a workload_list <<<"${workloads}"
if [[ ${skip_colony} -eq 1 ]]; then
  kept=()
  for p in "${peer_list[@]}"; do [[ "$p" == colony ]] || kept+=("$p"); done
  peer_list=("${kept[@]}")
fi
if [[ ${#peer_list[@]} -eq 0 ]]; then
  echo "run_scheduler_bench.sh: no peer left to run" >&2
  exit 2
fi

peer_install_packages "${peer_list[@]}"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
results="${tmp}/results.txt"
: >"${results}"

# bin PEER prints the path of PEER's built program.
bin() { echo "${tmp}/$1_sched_bench"; }

for p in "${peer_list[@]}"; do
  echo "building ${p}..." >&2
  case "$p" in
    colony)
      if ! bazel build -c opt //bench:scheduler_peer_bench; then
        echo "run_scheduler_bench.sh: //bench:scheduler_peer_bench does not" \
          "build; run the peers alone with --skip-colony" >&2
        exit 1
      fi
      cp "$(bazel info -c opt bazel-bin 2>/dev/null)/bench/scheduler_peer_bench" \
        "$(bin colony)"
      ;;
    go)
      peer_build_go "${repo}/bench/peers/go/sched_bench.go" "$(bin go)" "${tmp}"
      ;;
    fiber)
      peer_build_cxx bench/peers/boost_fiber/sched_bench.cc "$(bin fiber)" \
        boost_fiber boost_context
      ;;
    tbb)
      peer_build_cxx bench/peers/tbb/sched_bench.cc "$(bin tbb)" tbb
      ;;
    tokio)
      peer_build_tokio bench/peers/tokio_sched \
        "${repo}/build/peers/tokio_sched" "$(bin tokio)" sched_bench
      ;;
  esac
done

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_s="${SECONDS}"
for wl in "${workload_list[@]}"; do
  for w in "${worker_list[@]}"; do
    for p in "${peer_list[@]}"; do
      peer_run "$(bin "$p")" "$p" "${wl}" "${w}" "${reps}" "${results}" \
        "${extra[@]}"
    done
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "${out}" ]]; then cp "${results}" "${out}"; fi

python3 - "${results}" "$(IFS=,; echo "${peer_list[*]}")" "${workers}" \
  "${reps}" "$(nproc)" "${load_before} / ${load_after}" \
  "$((SECONDS - start_s))" <<'PY'
import statistics
import sys

path, peers, workers, reps, ncpu, load, secs = sys.argv[1:8]
peers = peers.split(",")
workers = [int(w) for w in workers.split(",")]

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


def median(peer, workload, w, field):
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


def ratio(a, b):
    if isinstance(a, str) or isinstance(b, str) or b == 0:
        return "—"
    return "%.2fx" % (a / b)


def met(ok):
    return " (met)" if ok else " (MISSED)"


def target(workload, field, w, colony):
    """The issue's target for this row, and whether Colony meets it."""
    have = not isinstance(colony, str)

    def peers_2x():
        # At least 2x Go and 2x Tokio (Colony at most half their figure).
        parts, ok = [], True
        for p in ("go", "tokio"):
            v = median(p, workload, w, field)
            if isinstance(v, str):
                continue
            parts.append("%s/2 = %s" % (p, fmt(v / 2)))
            ok = ok and have and colony <= v / 2
        return parts, ok

    if workload == "yield" and w == 1:
        fiber = median("fiber", "yield", 1, "value")
        if isinstance(fiber, str):
            return "≤ Boost.Fiber's"
        return "≤ Boost.Fiber's (%s)" % fmt(fiber) + (
            met(colony <= fiber) if have else "")
    if workload == "spawn" and field == "value":
        parts, ok = peers_2x()
        if w == 1:
            bound, limit = "≤ 200 ns", 200.0
        else:
            one = median("colony", "spawn", 1, "value")
            if isinstance(one, str):
                bound, limit = "≤ 1 worker's", None
            else:
                bound, limit = "≤ 1 worker's (%s)" % fmt(one), one
        ok = ok and have and (limit is None or colony <= limit)
        return ", ".join([bound] + parts) + (met(ok) if have else "")
    if workload == "skynet" and field == "value":
        parts, ok = peers_2x()
        bound = ["≤ 250 ms"] if w == 2 else []
        if w == 2:
            ok = ok and have and colony <= 250
        return ", ".join(bound + parts) + (met(ok) if have else "")
    if workload == "suspended" and field == "value":
        go = median("go", "suspended", w, "value")
        if isinstance(go, str):
            return "< Go's"
        return "< Go's (%s s)" % fmt(go) + (met(colony < go) if have else "")
    if workload == "imbalance" and field == "efficiency" and w == 2:
        return "≥ 0.9" + (met(colony >= 0.9) if have else "")
    if workload == "latency" and field == "p99_us":
        tbb = median("tbb", "latency", w, "p99_us")
        if isinstance(tbb, str):
            return "≤ oneTBB's"
        return "≤ oneTBB's (%s µs)" % fmt(tbb) + (
            met(colony <= tbb) if have else "")
    return ""


rows = [
    ("yield", "value", "yield, ns/yield"),
    ("spawn", "value", "spawn+complete, ns/task"),
    ("chain", "value", "chained spawn, µs/1000 links"),
    ("skynet", "value", "skynet 1M, ms"),
    ("skynet", "rss_mib", "skynet 1M peak RSS, MiB"),
    ("imbalance", "value", "imbalanced makespan, ms"),
    ("imbalance", "ideal_ms", "imbalanced ideal (serial/workers), ms"),
    ("imbalance", "efficiency", "imbalanced efficiency (ideal/makespan) ↑"),
    ("imbalance", "threads_efficiency",
     "imbalanced efficiency vs plain threads ↑"),
    ("latency", "value", "high-prio wake-to-run p50, µs"),
    ("latency", "p99_us", "high-prio wake-to-run p99, µs"),
    ("suspended", "value", "1M suspended: create + release, s"),
    ("suspended", "create_s", "1M suspended: create until all wait, s"),
    ("suspended", "release_s", "1M suspended: wake, finish, free, s"),
    ("suspended", "kib_per_task", "1M suspended: RSS per waiting task, KiB"),
]
cols = ["colony", "go", "fiber", "tbb", "tokio"]
print()
print("Scheduler peers: medians of %s repetitions; %s CPUs; load average "
      "before / after: %s; runs took %s s." % (reps, ncpu, load, secs))
print()
print("| workload | workers | colony | go | boost.fiber | tbb | tokio "
      "| go/colony | fiber/colony | tokio/colony | target |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for workload, field, label in rows:
    for w in workers:
        if not any(k[1] == workload and k[2] == w for k in runs):
            continue
        m = {p: median(p, workload, w, field) for p in cols}
        print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, w, fmt(m["colony"]), fmt(m["go"]), fmt(m["fiber"]),
            fmt(m["tbb"]), fmt(m["tokio"]), ratio(m["go"], m["colony"]),
            ratio(m["fiber"], m["colony"]), ratio(m["tokio"], m["colony"]),
            target(workload, field, w, m["colony"])))
print("""
Ratios are peer/colony: above 1 Colony is faster or smaller, except on the
efficiency rows (↑, higher is better). — means not run, NA not applicable.
Notes: TBB tasks cannot yield (NA). Boost.Fiber runs round_robin on 1 worker
(work_stealing(1) spins forever once idle) and work_stealing otherwise, with
idle threads spinning; its stacks come from a reusing 64 KiB pool. Latency:
Colony wakes with a priority-2 spawn from a plain thread over priority-0
load; TBB enqueues into a high-priority task_arena over a low-priority one;
Boost.Fiber (no priorities) notifies a fiber condition variable from a plain
thread; Go (no priorities, no thread outside the runtime) measures how late a
timer-woken goroutine runs after its deadline; Tokio (no priorities) spawns
the wake from a plain thread through the runtime's Handle. Tokio runs a
multi_thread runtime on 1 worker too (worker_threads = 1), so that its
1-worker rows take the same queue, stealing and wake paths as Go's and
Colony's, and yields with yield_now(). "vs plain threads" compares
the makespan with the same spins split evenly over `workers` std::threads
(goroutines for Go), i.e. what the machine allows.""")
PY
