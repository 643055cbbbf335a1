#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Key-value benchmark: redis-benchmark 7.0 against colonyd's Redis-compatible
# kv backend and against redis-server 7.0 on loopback. colonyd with 1 worker
# is compared with a single-threaded redis-server, and colonyd with 2
# workers with redis-server running 2 I/O threads (--io-threads 2
# --io-threads-do-reads yes). Neither server persists anything (redis-server
# --save '' --appendonly no; colonyd --kv_appendonly=false, where the binary
# knows the flag, which is also its default). Prints one
# markdown table per worker count: requests/s (median of the repetitions),
# colonyd's ratio to redis-server, p50 and p99 latencies, and whether the
# row meets the targets (ratio >= 1.1 at 1 worker, >= 1.5 at 2 workers,
# colonyd's p99 no worse than redis-server's).
#
# Usage: bench/run_kv_bench.sh [options]
#   --colonyd PATH     the colonyd binary (default: bazel-bin/cmd/colonyd/
#                      colonyd, built here with bazel build -c opt)
#   --colonyd-args S   extra arguments for colonyd
#   --redis PATH       the redis-server binary (default: redis-server)
#   --workers LIST     comma-separated worker counts, 1 and/or 2 (default 1,2)
#   --tests LIST       comma-separated subset of PING,SET,GET,INCR,LPUSH,
#                      LPOP,SADD,HSET,ZADD,LRANGE_100,MSET (default: all)
#   --pipelines LIST   redis-benchmark -P values (default 1,16)
#   --sizes LIST       redis-benchmark -d values in bytes (default 3,256)
#   --conns N          redis-benchmark -c (default 50)
#   --keyspace N       redis-benchmark -r (default 100000)
#   --requests N       redis-benchmark -n of every measured run; default:
#                      chosen per row from the warm-up runs so that the
#                      faster server runs about --duration seconds
#   --duration S       target seconds of a measured run (default 2.5)
#   --reps N           measured runs per row and server (default $REPS or
#                      3); the tables show their medians
#   --quick            --reps 1 --duration 0.5
#   --out FILE         also keep the raw result lines in FILE
#   --memory ARGS...   instead, run bench/run_kv_memory_bench.sh (memory
#                      per key and rewrite time for a million keys) with
#                      the --colonyd given before it and ARGS
#
# Both servers of a worker count are started once, on free ports, pinned
# with taskset: to core 0 for the 1-worker comparison, to cores 0-1 for the
# 2-worker one. redis-benchmark (one thread) is pinned to core 1; with 2
# workers it shares that core with the servers, which the output says (on
# a 2-core machine nothing else is left). Each row runs one
# redis-benchmark test (PING is PING_MBULK; ZADD is the custom command
# `zadd myzset __rand_int__ member:__rand_int__`, which redis-benchmark's
# -t does not offer) with --csv, once unmeasured per server to warm up,
# then its repetitions interleaved between the servers (rep 0 of each,
# then rep 1...), so that slow drifts of a shared machine hit both alike.
# Every run prints a line `server=colonyd workers=1 test=SET pipeline=1
# size=3 rep=0 requests=... rps=... p50_ms=... p99_ms=... cpu_us=...
# client_cpu_us=... error=...` (cpu_us: the server's user+system CPU time
# per request, from /proc; client_cpu_us: redis-benchmark's, from bash's
# `time`, which the table shows as "client busy", its CPU time over the
# run's wall time: near 100% the one-threaded client, not the server, caps
# the row; error: empty, or why the run failed, e.g. a command the server
# does not know, which makes the row "n/a" with the error under the table).
# A server that exits during a run is restarted for the rows after it.
#
# The keyspace is flushed before each (pipeline, size) group; LPOP pops as
# many elements as LPUSH pushed before it, so it never pops from an empty
# list.

set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/peer_lib.sh
source bench/peer_lib.sh

all_tests="PING,SET,GET,INCR,LPUSH,LPOP,SADD,HSET,ZADD,LRANGE_100,MSET"
colonyd=""
colonyd_args=""
redis="redis-server"
workers="1,2"
tests="${all_tests}"
pipelines="1,16"
sizes="3,256"
conns=50
keyspace=100000
requests=""
duration=2.5
reps="${REPS:-3}"
out=""

usage() {
  sed -n '/^# Usage:/,/the --colonyd given before it/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --colonyd) colonyd="$2"; shift 2 ;;
    --colonyd=*) colonyd="${1#*=}"; shift ;;
    --colonyd-args) colonyd_args="$2"; shift 2 ;;
    --colonyd-args=*) colonyd_args="${1#*=}"; shift ;;
    --redis) redis="$2"; shift 2 ;;
    --redis=*) redis="${1#*=}"; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --workers=*) workers="${1#*=}"; shift ;;
    --tests) tests="$2"; shift 2 ;;
    --tests=*) tests="${1#*=}"; shift ;;
    --pipelines) pipelines="$2"; shift 2 ;;
    --pipelines=*) pipelines="${1#*=}"; shift ;;
    --sizes) sizes="$2"; shift 2 ;;
    --sizes=*) sizes="${1#*=}"; shift ;;
    --conns) conns="$2"; shift 2 ;;
    --conns=*) conns="${1#*=}"; shift ;;
    --keyspace) keyspace="$2"; shift 2 ;;
    --keyspace=*) keyspace="${1#*=}"; shift ;;
    --requests) requests="$2"; shift 2 ;;
    --requests=*) requests="${1#*=}"; shift ;;
    --duration) duration="$2"; shift 2 ;;
    --duration=*) duration="${1#*=}"; shift ;;
    --reps) reps="$2"; shift 2 ;;
    --reps=*) reps="${1#*=}"; shift ;;
    --quick) reps=1; duration=0.5; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    --memory)
      shift
      exec bench/run_kv_memory_bench.sh ${colonyd:+--colonyd "${colonyd}"} \
        "$@"
      ;;
    -h|--help) usage ;;
    *) echo "run_kv_bench.sh: unknown argument $1" >&2; usage ;;
  esac
done

IFS=, read -r -a worker_list <<<"${workers}"
IFS=, read -r -a test_list <<<"${tests^^}"
IFS=, read -r -a pipeline_list <<<"${pipelines}"
IFS=, read -r -a size_list <<<"${sizes}"
for w in "${worker_list[@]}"; do
  if [[ "$w" != 1 && "$w" != 2 ]]; then
    echo "run_kv_bench.sh: --workers takes 1 and/or 2, not $w" >&2
    exit 2
  fi
done
for t in "${test_list[@]}"; do
  if [[ ",${all_tests}," != *",$t,"* ]]; then
    echo "run_kv_bench.sh: unknown test $t (known: ${all_tests})" >&2
    exit 2
  fi
done

tools/install_deps.sh
redis="$(command -v "${redis}")"

tmp="$(mktemp -d)"
if [[ -z "${colonyd}" ]]; then
  echo "building colonyd..." >&2
  bazel build -c opt //cmd/colonyd >&2
  colonyd="$(bazel info -c opt bazel-bin 2>/dev/null)/cmd/colonyd/colonyd"
fi
# A copy, so that a rebuild during the run cannot swap the binary.
cp "$(realpath "${colonyd}")" "${tmp}/colonyd"
# No persistence, said explicitly where this colonyd has the flag (older
# builds have no persistence at all).
persistence=()
if "${tmp}/colonyd" --help 2>&1 | grep -q -- '--kv_appendonly'; then
  persistence=(--kv_appendonly=false)
fi

ncpu="$(nproc)"
client_cpu=1
if [[ ${ncpu} -lt 2 ]]; then
  echo "run_kv_bench.sh: only ${ncpu} core; servers and client share it" >&2
  client_cpu=0
fi
ulimit -n "$(ulimit -Hn | sed 's/unlimited/65536/')" 2>/dev/null || true

declare -A pid port
cleanup() {
  local s
  for s in "${!pid[@]}"; do kill "${pid[$s]}" 2>/dev/null || true; done
  for s in "${!pid[@]}"; do wait "${pid[$s]}" 2>/dev/null || true; done
  rm -rf "${tmp}"
}
trap cleanup EXIT
results="${tmp}/results.txt"
: >"${results}"


# server_cpus WORKERS prints the cores the servers are pinned to.
server_cpus() {
  if [[ "$1" == 1 || ${ncpu} -lt 2 ]]; then echo 0; else echo 0-1; fi
}

# start_server SERVER WORKERS starts colonyd or redis-server on a free port
# and waits until it answers PING; false (with its log) if it does not.
start_server() {
  local s="$1" w="$2" i
  port[$s]="$(free_port)"
  local cpus
  cpus="$(server_cpus "$w")"
  case "$s" in
    colonyd)
      # shellcheck disable=SC2086
      taskset -c "${cpus}" "${tmp}/colonyd" --workers="$w" \
        --kv_listen="127.0.0.1:${port[$s]}" --http_enabled=false \
        --admin_enabled=false --log_file="${tmp}/colonyd.log" \
        "${persistence[@]}" ${colonyd_args} >>"${tmp}/colonyd.out" 2>&1 &
      ;;
    redis)
      local threads=()
      if [[ "$w" == 2 ]]; then
        threads=(--io-threads 2 --io-threads-do-reads yes)
      fi
      taskset -c "${cpus}" "${redis}" --port "${port[$s]}" \
        --bind 127.0.0.1 --save '' --appendonly no --dir "${tmp}" \
        --logfile "${tmp}/redis.log" "${threads[@]}" &
      ;;
  esac
  pid[$s]=$!
  for ((i = 0; i < 100; i++)); do
    if [[ "$(redis-cli -p "${port[$s]}" PING 2>/dev/null)" == PONG ]]; then
      return 0
    fi
    if ! kill -0 "${pid[$s]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run_kv_bench.sh: ${s} did not start on port ${port[$s]}:" >&2
  tail -20 "${tmp}/${s}.log" "${tmp}/${s}.out" >&2 2>/dev/null || true
  return 1
}

stop_server() {
  kill "${pid[$1]}" 2>/dev/null || true
  wait "${pid[$1]}" 2>/dev/null || true
  unset "pid[$1]"
}

# cpu_ticks SERVER prints the server's user+system CPU time so far, in
# clock ticks (all its threads).
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/${pid[$1]}/stat" 2>/dev/null || echo 0
}

# bench_args TEST PIPELINE SIZE N prints redis-benchmark's arguments for
# one run, one per line.
bench_args() {
  local t="$1" p="$2" d="$3" n="$4"
  printf '%s\n' -c "${conns}" -n "$n" -P "$p" -d "$d" -r "${keyspace}" --csv
  case "$t" in
    PING) printf '%s\n' -t PING_MBULK ;;
    ZADD) printf '%s\n' zadd myzset __rand_int__ member:__rand_int__ ;;
    *) printf '%s\n' -t "$t" ;;
  esac
}

# run_bench SERVER TEST PIPELINE SIZE N runs redis-benchmark once and prints
# `rps p50_ms p99_ms cpu_ticks error...` (rps FAIL on failure).
run_bench() {
  local s="$1" t="$2" p="$3" d="$4" n="$5"
  local args before after rc=0
  mapfile -t args < <(bench_args "$t" "$p" "$d" "$n")
  before="$(cpu_ticks "$s")"
  # The client's own CPU time (user + system seconds), to tell a row the
  # client caps from one the server does.
  local TIMEFORMAT='%U %S'
  { time timeout "$(awk -v d="${duration}" 'BEGIN { print int(d * 20) + 60 }')" \
    taskset -c "${client_cpu}" redis-benchmark -p "${port[$s]}" \
    "${args[@]}" >"${tmp}/bench.out" 2>"${tmp}/bench.err" || rc=$?; } \
    2>"${tmp}/bench.time"
  after="$(cpu_ticks "$s")"
  python3 - "$t" "${rc}" "$((after - before))" "${tmp}/bench.out" \
    "${tmp}/bench.err" "${tmp}/bench.time" <<'PY'
import csv, sys
test, rc, ticks = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(sys.argv[6]) as f:
    client_s = sum(float(x) for x in f.read().split()[-2:])
want = {"PING": "PING_MBULK", "ZADD": "zadd"}.get(test, test)
row = None
with open(sys.argv[4]) as f:
    for r in csv.DictReader(f):
        # LRANGE_100 comes after the "LPUSH (needed to benchmark LRANGE)"
        # line, and MSET is "MSET (10 keys)".
        if r["test"].split(" ")[0] == want:
            row = r
with open(sys.argv[5], errors="replace") as f:
    err = " ".join(f.read().split())
if rc == 124:
    err = ("timed out; " + err).strip("; ")
elif rc != 0 and not err:
    err = "redis-benchmark exited with %d" % rc
if row is None or rc != 0 or "Error from server" in err:
    print("FAIL - - %s %.3f %s" % (ticks, client_s,
                                   err[:300] or "no result line"))
else:
    print("%s %s %s %s %.3f" % (row["rps"], row["p50_latency_ms"],
                                row["p99_latency_ms"], ticks, client_s))
PY
}

# record LABELS SERVER N RESULT appends one result line.
record() {
  local labels="$1" s="$2" n="$3" rps p50 p99 ticks client err cpu ccpu
  read -r rps p50 p99 ticks client err <<<"$4"
  cpu="$(awk -v t="${ticks}" -v hz="$(getconf CLK_TCK)" -v n="$n" \
    'BEGIN { printf "%.2f", t / hz * 1e6 / n }')"
  ccpu="$(awk -v c="${client}" -v n="$n" 'BEGIN { printf "%.2f", c * 1e6 / n }')"
  echo "server=${s} ${labels} requests=${n} rps=${rps} p50_ms=${p50}" \
    "p99_ms=${p99} cpu_us=${cpu} client_cpu_us=${ccpu} error=${err}" |
    tee -a "${results}" >&2
}

# ensure_alive SERVER WORKERS restarts a server that exited; the exit is
# noted in the results.
ensure_alive() {
  if ! kill -0 "${pid[$1]}" 2>/dev/null; then
    wait "${pid[$1]}" 2>/dev/null || true
    echo "run_kv_bench.sh: $1 exited; restarting it" >&2
    tail -5 "${tmp}/$1.log" "${tmp}/$1.out" >&2 2>/dev/null || true
    echo "server=$1 workers=$2 exited=1" >>"${results}"
    start_server "$1" "$2"
  fi
}

# flush SERVER empties the server's keyspace.
flush() {
  redis-cli -p "${port[$1]}" FLUSHALL >/dev/null 2>&1 || true
}

servers=(colonyd redis)
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_s="${SECONDS}"
for w in "${worker_list[@]}"; do
  for s in "${servers[@]}"; do
    echo "starting ${s} for the ${w}-worker rows..." >&2
    start_server "$s" "$w"
  done
  for p in "${pipeline_list[@]}"; do
    for d in "${size_list[@]}"; do
      for s in "${servers[@]}"; do flush "$s"; done
      lpush_n=""
      lpush_warm=""
      for t in "${test_list[@]}"; do
        labels="workers=${w} test=${t} pipeline=${p} size=${d}"
        # Warm-up: a short unmeasured run per server, whose rate sizes the
        # measured runs.
        warm_n=$((20000 * p))
        if [[ "$t" == LRANGE_100 || "$t" == MSET ]]; then
          warm_n=$((warm_n / 10))
        fi
        if [[ "$t" == LPOP && -n "${lpush_warm}" ]]; then
          warm_n="${lpush_warm}"
        fi
        best=0
        for s in "${servers[@]}"; do
          ensure_alive "$s" "$w"
          echo "warming up ${s} ${labels}" >&2
          read -r rps _ <<<"$(run_bench "$s" "$t" "$p" "$d" "${warm_n}")"
          if [[ "${rps}" != FAIL ]] &&
            awk -v a="${rps}" -v b="${best}" 'BEGIN { exit !(a > b) }'; then
            best="${rps}"
          fi
        done
        n="${requests}"
        if [[ -z "$n" ]]; then
          n="$(awk -v r="${best}" -v d="${duration}" -v p="$p" 'BEGIN {
            n = int(r * d); if (n < 10000 * p) n = 10000 * p;
            if (n > 20000000) n = 20000000; print n }')"
        fi
        if [[ "$t" == LPOP && -n "${lpush_n}" ]]; then n="${lpush_n}"; fi
        if [[ "$t" == LPUSH ]]; then
          lpush_n="$n"
          lpush_warm="${warm_n}"
        fi
        for ((rep = 0; rep < reps; rep++)); do
          for s in "${servers[@]}"; do
            ensure_alive "$s" "$w"
            record "${labels} rep=${rep}" "$s" "$n" \
              "$(run_bench "$s" "$t" "$p" "$d" "$n")"
          done
        done
      done
    done
  done
  for s in "${servers[@]}"; do stop_server "$s"; done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ -n "${out}" ]]; then cp "${results}" "${out}"; fi

echo
echo "redis-benchmark $(redis-benchmark --version | awk '{print $2}')" \
  "-c ${conns} -r ${keyspace} --csv, one thread on core ${client_cpu};" \
  "colonyd and redis-server $("${redis}" --version | awk '{print $3}' |
    tr -d 'v=')" \
  "on core 0 (1 worker) or cores 0-1 (2 workers, shared with the client:" \
  "this machine has ${ncpu} cores); medians of ${reps} interleaved runs" \
  "per row, each sized for about ${duration} s${requests:+ (fixed -n ${requests})};" \
  "load average before ${load_before}, after ${load_after};" \
  "$((SECONDS - start_s)) s"
python3 - "${results}" "${ncpu}" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(lambda: collections.defaultdict(list))
errors = collections.defaultdict(dict)
exits = collections.Counter()
order = []
for line in open(sys.argv[1]):
    head, _, err = line.rstrip("\n").partition(" error=")
    kv = dict(f.split("=", 1) for f in head.split())
    if "exited" in kv:
        exits[(kv["server"], kv["workers"])] += 1
        continue
    key = (int(kv["workers"]), kv["test"], int(kv["pipeline"]),
           int(kv["size"]))
    if key not in order:
        order.append(key)
    if kv["rps"] == "FAIL":
        errors[key].setdefault(kv["server"], err)
        continue
    runs[key][kv["server"]].append(
        (float(kv["rps"]), float(kv["p50_ms"]), float(kv["p99_ms"]),
         float(kv["cpu_us"]),
         # How busy the one-threaded client was: its CPU time over the
         # run's wall time (requests / rps).
         float(kv.get("client_cpu_us", "nan")) * float(kv["rps"]) / 1e6))
targets = {1: 1.1, 2: 1.5}
peer = {1: "redis-server (single thread)",
        2: "redis-server --io-threads 2 --io-threads-do-reads yes"}
for workers in sorted({k[0] for k in order}):
    print()
    print(f"### colonyd --workers={workers} vs {peer[workers]}")
    print()
    print(f"Targets: colonyd/redis >= {targets[workers]}x requests/s, "
          "colonyd p99 <= redis p99.")
    if workers == 2 and int(sys.argv[2]) < 4:
        print()
        print(f"Only {sys.argv[2]} cores: redis-benchmark shares core 1 with "
              "the servers. redis-server's I/O threads poll while they wait "
              "for work, taking CPU from the client and its main thread "
              "(see its CPU us/req), so these rows say more about sharing a "
              "core than about scaling to 2.")
    print()
    print("| row | colonyd req/s | redis req/s | ratio | p50 ms colonyd / "
          "redis | p99 ms colonyd / redis | CPU us/req colonyd / redis "
          "| client busy colonyd / redis | targets |")
    print("|---|---|---|---|---|---|---|---|---|")
    notes = []
    for key in order:
        if key[0] != workers:
            continue
        _, test, pipeline, size = key
        r = runs[key]
        def med(server, i):
            xs = r.get(server)
            return statistics.median(x[i] for x in xs) if xs else None
        row = f"{test} -P {pipeline} -d {size}"
        cells = []
        for server in ("colonyd", "redis"):
            v = med(server, 0)
            if v is None or server in errors[key]:
                cells.append("n/a")
                message = errors[key].get(server, "no result")
                # Redis quotes the arguments of an unknown command; they
                # differ from run to run and say nothing more.
                message = message.split(", with args beginning with:")[0]
                notes.append((message[:200], server, row))
            else:
                cells.append(f"{v:,.0f}")
        def pair(i, fmt):
            a, b = med("colonyd", i), med("redis", i)
            return " / ".join("n/a" if x is None else fmt.format(x)
                              for x in (a, b))
        c, rd = med("colonyd", 0), med("redis", 0)
        if "n/a" in cells or c is None or rd is None:
            ratio, verdict = "n/a", "n/a"
        else:
            ratio = f"{c / rd:.2f}"
            ok_rps = c / rd >= targets[workers]
            ok_p99 = med("colonyd", 2) <= med("redis", 2)
            verdict = ("met" if ok_rps and ok_p99 else
                       "missed: " + ", ".join(
                           x for x, ok in (("req/s", ok_rps),
                                           ("p99", ok_p99)) if not ok))
        print(f"| {row} | {cells[0]} | {cells[1]} | {ratio} | "
              f"{pair(1, '{:.3f}')} | {pair(2, '{:.3f}')} | "
              f"{pair(3, '{:.1f}')} | {pair(4, '{:.0%}')} | {verdict} |")
    for (server, w), count in sorted(exits.items()):
        if int(w) == workers:
            notes.append((f"exited {count} time(s) and was restarted",
                          server, ""))
    # One line per error, with the rows it spoiled.
    grouped = collections.defaultdict(list)
    for message, server, row in notes:
        grouped[(server, message)].append(row)
    if grouped:
        print()
    for (server, message), rows_hit in grouped.items():
        where = "; ".join(r for r in rows_hit if r)
        print(f"- {server}: {message}" + (f" ({where})" if where else ""))
PY
