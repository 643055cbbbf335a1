#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# HTTP hello benchmark: wrk against TechEmpower-style /plaintext and /json
# served by Colony's //bench:http_hello_server (//http:server, 1 worker),
# the real daemon, colonyd, on its http backend (--workers=1, kv and admin
# off: what an operator gets), Go 1.19's net/http (GOMAXPROCS=1) and nginx
# (Debian, one worker process, `return 200` with the same bodies and
# content types). Prints a markdown table of medians with Colony's and
# colonyd's ratios to Go and nginx and the targets.
#
# Usage: bench/run_http_bench.sh [options]
#   --peers LIST       comma-separated subset of colony,colonyd,go,nginx
#                      (default: all)
#   --colonyd PATH     the colonyd binary to measure (default: built here
#                      with bazel -c opt); started with --workers=1
#                      --http_listen=... --kv_enabled=false
#                      --admin_enabled=false
#   --colonyd-args S   extra arguments for colonyd
#   --workloads LIST   subset of plaintext,json (default: both)
#   --conns LIST       wrk connection counts (default 50,256)
#   --reps N           measured wrk runs per case and server (default
#                      $REPS or 5); the table shows their median
#   --duration S       seconds of each measured run (default 5)
#   --warmup S         seconds of one unmeasured run per case and server
#                      (default 1)
#   --quick            --reps 3 --duration 2 --warmup 1
#   --out FILE         also keep the raw result lines in FILE
#
# Every server runs pinned to core 0 (taskset) and wrk (one thread) to core
# 1, on loopback. All servers are started once, on free ports; for each
# case the repetitions are interleaved between servers (rep 0 of each, then
# rep 1...), so slow drifts of this shared machine hit them alike. Each run
# prints a line `peer=go workload=plaintext conns=50 rep=0 rps=... p50_us=...
# p99_us=... cpu_us=... client_cpu_us=... errors=...` (client_cpu_us: wrk's
# own CPU time per request, shown as "wrk busy", its CPU time over the
# run's wall time: near 100% wrk, not the server, caps the run; cpu_us:
# the server's user+system CPU time during the run, from /proc, per
# request); a run with socket errors or non-2xx responses is reported as
# such. Go is built here with `go build` into build/peers/
# (ignored by git); missing Debian packages (golang-go, nginx, wrk) are
# installed through tools/install_deps.sh.

set -euo pipefail

cd "$(dirname "$0")/.."
repo="$(pwd)"
# shellcheck source=bench/peer_lib.sh
source bench/peer_lib.sh

peers="colony,colonyd,go,nginx"
workloads="plaintext,json"
conns="50,256"
reps="${REPS:-5}"
duration=5
warmup=1
out=""
colonyd=""
colonyd_args=""

usage() {
  sed -n '/^# Usage:/,/--out FILE/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --peers) peers="$2"; shift 2 ;;
    --peers=*) peers="${1#*=}"; shift ;;
    --colonyd) colonyd="$2"; shift 2 ;;
    --colonyd=*) colonyd="${1#*=}"; shift ;;
    --colonyd-args) colonyd_args="$2"; shift 2 ;;
    --colonyd-args=*) colonyd_args="${1#*=}"; shift ;;
    --workloads) workloads="$2"; shift 2 ;;
    --workloads=*) workloads="${1#*=}"; shift ;;
    --conns) conns="$2"; shift 2 ;;
    --conns=*) conns="${1#*=}"; shift ;;
    --reps) reps="$2"; shift 2 ;;
    --reps=*) reps="${1#*=}"; shift ;;
    --duration) duration="$2"; shift 2 ;;
    --duration=*) duration="${1#*=}"; shift ;;
    --warmup) warmup="$2"; shift 2 ;;
    --warmup=*) warmup="${1#*=}"; shift ;;
    --quick) reps=3; duration=2; warmup=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h|--help) usage ;;
    *) echo "run_http_bench.sh: unknown argument $1" >&2; usage ;;
  esac
done

IFS=, read -r -a peer_list <<<"${peers}"
IFS=, read -r -a workload_list <<<"${workloads}"
IFS=, read -r -a conn_list <<<"${conns}"
if [[ -n "${colonyd}" ]]; then
  colonyd="$(realpath "${colonyd}")"
fi

ncpu="$(nproc)"
server_cpu=0
client_cpu=1
if [[ ${ncpu} -lt 2 ]]; then
  echo "run_http_bench.sh: only ${ncpu} core; server and client share it" >&2
  client_cpu=0
fi
ulimit -n "$(ulimit -Hn | sed 's/unlimited/65536/')" 2>/dev/null || true

# Packages: wrk always, golang-go and nginx for their peers.
needed=(wrk)
for p in "${peer_list[@]}"; do
  case "$p" in
    go) needed+=(golang-go) ;;
    nginx) needed+=(nginx) ;;
  esac
done
tools/install_deps.sh "${needed[@]}"

tmp="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "${pid}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "${pid}" 2>/dev/null || true; done
  rm -rf "${tmp}"
}
trap cleanup EXIT
results="${tmp}/results.txt"
: >"${results}"


# wait_http URL waits until URL answers 200; false after 10 s.
wait_http() {
  local i
  for ((i = 0; i < 100; i++)); do
    if curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

declare -A port
declare -A cpu_pid
for p in "${peer_list[@]}"; do
  echo "building and starting ${p}..." >&2
  port[$p]="$(free_port)"
  addr="127.0.0.1:${port[$p]}"
  case "$p" in
    colony)
      bazel build -c opt //bench:http_hello_server >&2
      bin="$(bazel info -c opt bazel-bin 2>/dev/null)/bench/http_hello_server"
      cp "${bin}" "${tmp}/http_hello_server"
      taskset -c "${server_cpu}" "${tmp}/http_hello_server" \
        --listen="${addr}" --workers=1 >"${tmp}/colony.log" 2>&1 &
      ;;
    go)
      mkdir -p "${repo}/build/peers"
      peer_build_go "${repo}/bench/peers/go/http_hello/http_hello.go" \
        "${repo}/build/peers/http_hello_go" "${tmp}"
      GOMAXPROCS=1 taskset -c "${server_cpu}" \
        "${repo}/build/peers/http_hello_go" --listen="${addr}" --workers=1 \
        >"${tmp}/go.log" 2>&1 &
      ;;
    nginx)
      mkdir -p "${tmp}/nginx/logs"
      cat >"${tmp}/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
master_process on;
pid ${tmp}/nginx/nginx.pid;
error_log ${tmp}/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 65;
  server {
    listen ${addr} backlog=4096;
    location = /plaintext {
      default_type "text/plain; charset=utf-8";
      return 200 "Hello, World!";
    }
    location = /json {
      default_type "application/json";
      return 200 '{"message":"Hello, World!"}';
    }
  }
}
NGINX
      taskset -c "${server_cpu}" /usr/sbin/nginx -p "${tmp}/nginx" \
        -e "${tmp}/nginx/logs/error.log" -c "${tmp}/nginx/nginx.conf" \
        >"${tmp}/nginx.log" 2>&1 &
      ;;
    colonyd)
      if [[ -z "${colonyd}" ]]; then
        bazel build -c opt //cmd/colonyd:colonyd >&2
        cp "$(bazel info -c opt bazel-bin 2>/dev/null)/cmd/colonyd/colonyd" \
          "${tmp}/colonyd"
        colonyd="${tmp}/colonyd"
      fi
      # shellcheck disable=SC2086
      taskset -c "${server_cpu}" "${colonyd}" --workers=1 \
        --http_listen="${addr}" --kv_enabled=false --admin_enabled=false \
        ${colonyd_args} >"${tmp}/colonyd.log" 2>&1 &
      ;;
    *) echo "run_http_bench.sh: unknown peer $p" >&2; exit 2 ;;
  esac
  pids+=($!)
  cpu_pid[$p]=$!
  if ! wait_http "http://${addr}/plaintext"; then
    echo "run_http_bench.sh: ${p} did not start on ${addr}:" >&2
    cat "${tmp}/${p}.log" >&2 || true
    exit 1
  fi
  if [[ "$p" == nginx ]]; then
    # The CPU that serves is the worker process's, not the master's.
    cpu_pid[$p]="$(pgrep -P "${cpu_pid[$p]}" | head -1)"
  fi
done

# cpu_ticks PEER prints the server's user+system CPU time so far, in clock
# ticks (all its threads).
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/${cpu_pid[$1]}/stat" 2>/dev/null || echo 0
}

# run_wrk PEER WORKLOAD CONNS SECONDS prints wrk's output.
run_wrk() {
  timeout $(($4 + 30)) taskset -c "${client_cpu}" wrk -t1 -c"$3" -d"$4s" \
    --timeout 10s --latency "http://127.0.0.1:${port[$1]}/$2" 2>&1
}

# parse_wrk LABELS TICKS HZ reads wrk's output and prints one result line;
# TICKS is the server's CPU time during the run, for cpu_us (CPU
# microseconds per request).
parse_wrk() {
  python3 -c '
import re, sys
labels = sys.argv[1]
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
client_s = float(sys.argv[4])
text = sys.stdin.read()
def us(v, unit):
    return float(v) * {"us": 1, "ms": 1e3, "s": 1e6}[unit]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
errors = 0
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
if m:
    errors += sum(int(x) for x in m.groups())
m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if m:
    errors += int(m.group(1))
total = re.search(r"(\d+) requests in", text)
n = int(total.group(1)) if total else 0
cpu_us = ticks / hz * 1e6 / n if n else 0
client_cpu_us = client_s * 1e6 / n if n else 0
if not (rps and p50 and p99):
    print(f"{labels} rps=FAIL")
else:
    print(f"{labels} rps={float(rps.group(1)):.1f} p50_us={us(*p50.groups()):.1f} "
          f"p99_us={us(*p99.groups()):.1f} cpu_us={cpu_us:.1f} "
          f"client_cpu_us={client_cpu_us:.1f} errors={errors}")
' "$1" "$2" "$3" "$4"
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_s="${SECONDS}"
# wrk's own CPU time (user + system seconds) per run, from bash's `time`.
TIMEFORMAT='%U %S'

for wl in "${workload_list[@]}"; do
  for c in "${conn_list[@]}"; do
    for p in "${peer_list[@]}"; do
      echo "warming up ${p} ${wl} c=${c}" >&2
      run_wrk "$p" "${wl}" "$c" "${warmup}" >/dev/null || true
    done
    for ((rep = 0; rep < reps; rep++)); do
      for p in "${peer_list[@]}"; do
        before="$(cpu_ticks "$p")"
        { time output="$(run_wrk "$p" "${wl}" "$c" "${duration}")"; } \
          2>"${tmp}/wrk.time"
        after="$(cpu_ticks "$p")"
        line="$(echo "${output}" |
          parse_wrk "peer=${p} workload=${wl} conns=${c} rep=${rep}" \
            "$((after - before))" "$(getconf CLK_TCK)" \
            "$(awk '{print $1 + $2}' "${tmp}/wrk.time")")"
        echo "${line}" | tee -a "${results}" >&2
      done
    done
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ -n "${out}" ]]; then cp "${results}" "${out}"; fi

echo
echo "wrk -t1 on core ${client_cpu}, servers on core ${server_cpu}," \
  "${reps} x ${duration} s per case, medians;" \
  "load average before ${load_before}, after ${load_after};" \
  "$((SECONDS - start_s)) s"
echo
python3 - "${results}" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(lambda: collections.defaultdict(list))
fails = collections.Counter()
order = []
for line in open(sys.argv[1]):
    kv = dict(f.split("=", 1) for f in line.split())
    key = (kv["workload"], int(kv["conns"]))
    if key not in order:
        order.append(key)
    if kv["rps"] == "FAIL" or int(kv.get("errors", "0")) > 0:
        fails[(key, kv["peer"])] += 1
        if kv["rps"] == "FAIL":
            continue
    rows[key][kv["peer"]].append(
        (float(kv["rps"]), float(kv["p50_us"]), float(kv["p99_us"]),
         float(kv.get("cpu_us", "0")),
         # How busy the one-threaded wrk was: its CPU time over the wall
         # time of the requests it made (requests / rps).
         float(kv.get("client_cpu_us", "nan")) * float(kv["rps"]) / 1e6))
def med(xs, i):
    return statistics.median(x[i] for x in xs) if xs else None
peers = []
for key in order:
    for p in rows[key]:
        if p not in peers:
            peers.append(p)
head = "| workload | conns | " + " | ".join(
    f"{p} req/s (p50/p99 us; CPU us/req; wrk busy)" for p in peers)
head += (" | colony/go | colony/nginx | colony p99 / nginx p99 |"
         " CPU/req go/colony | CPU/req nginx/colony |")
if "colonyd" in peers:
    head += " colonyd/go | colonyd/nginx | colonyd p99 / nginx p99 |"
print(head)
print("|" + "---|" * (head.count("|") - 1))
for key in order:
    r = rows[key]
    cells = []
    for p in peers:
        xs = r.get(p, [])
        if not xs:
            cells.append("FAIL")
            continue
        note = " (errors)" if fails[(key, p)] else ""
        cells.append(f"{med(xs,0):,.0f} ({med(xs,1):.0f}/{med(xs,2):.0f}; "
                     f"{med(xs,3):.1f}; wrk {med(xs,4):.0%}){note}")
    def ratio(a, b, i=0):
        if not r.get(a) or not r.get(b):
            return "n/a"
        return f"{med(r[a], i) / med(r[b], i):.2f}"
    line = f"| {key[0]} | {key[1]} | " + " | ".join(cells)
    line += (f" | {ratio('colony','go')} | {ratio('colony','nginx')} |"
             f" {ratio('colony','nginx',2)} | {ratio('go','colony',3)} |"
             f" {ratio('nginx','colony',3)} |")
    if "colonyd" in peers:
        line += (f" {ratio('colonyd','go')} | {ratio('colonyd','nginx')} |"
                 f" {ratio('colonyd','nginx',2)} |")
    print(line)
print()
print("Targets: colony/go >= 1.5, colony/nginx >= 1.0, "
      "colony p99 / nginx p99 <= 1.2 (the same for colonyd).")
PY
