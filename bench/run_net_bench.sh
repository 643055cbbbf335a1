#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Runs the networking workloads (TCP echo ping-pong, accept rate, bulk
# transfer) against three echo servers, Colony's (//bench:net_echo_server),
# Go 1.19's net package and Tokio 1.24, all driven by the same client
# (//bench:net_load), and prints a markdown table of the medians, Colony's
# ratios to the peers and the targets.
#
# Usage: bench/run_net_bench.sh [options]
#   --peers LIST          comma-separated subset of colony,go,tokio
#                         (default: all three)
#   --skip-colony         the same as leaving colony out of --peers
#   --colony-server PATH  Colony's echo server binary (default: build
#                         //bench:net_echo_server; when that does not
#                         build, Colony is skipped with a message)
#   --workloads LIST      subset of echo,accept,bulk (default: all three)
#   --workers LIST        server worker counts for echo and accept
#                         (default 1,2; bulk runs on 1)
#   --sizes LIST          echo message sizes in bytes (default 64,512)
#   --conns LIST          echo connection counts (default 1,100,1000)
#   --paced-rate N        echo at 1,000 or more connections also runs paced
#                         at N requests/s in all, for the p99 target
#                         (default 20000; 0: no paced runs)
#   --accept-conns N      accept: connections in flight (default 32)
#   --accept-size N       accept: bytes exchanged per connection (default 64)
#   --bulk-size N         bulk: bytes per write (default 65536)
#   --client-threads N    client threads (default 1; all on the client core)
#   --reps N              client runs per server start (default $REPS or 5)
#   --warmup S            unmeasured seconds before each run (default 1)
#   --duration S          measured seconds of each run (default 3)
#   --quick               --warmup 0.2 --duration 1
#   --out FILE            also keep the raw result lines in FILE
#
# For each workload and each server: start the server pinned with taskset
# (core 0 for 1 worker, cores 0-1 for 2), wait for its "listening on" line,
# run the client pinned to core 1 (so on 2 workers it shares a core with
# the server) --reps times, stop the server. Every client run prints one
# line (`peer=go workload=echo size=64 conns=100 workers=1 rep=0
# value=81234.5 unit=req_per_s p50_us=... p99_us=...`); the table shows the
# median of the repetitions. The peers are built here, outside Bazel: Go
# with `go build` (caches in a temporary directory), Tokio with Debian's
# cargo against Debian's crates, offline, into build/peers/tokio (ignored).
# Missing Debian packages are installed through tools/install_deps.sh. With
# three servers the default run takes about 20 minutes and `--quick --reps 1`
# about 2, plus the builds.

set -euo pipefail

cd "$(dirname "$0")/.."
repo="$(pwd)"
# shellcheck source=bench/peer_lib.sh
source bench/peer_lib.sh

peers="colony,go,tokio"
workloads="echo,accept,bulk"
workers="1,2"
sizes="64,512"
conns="1,100,1000"
paced_rate=20000
accept_conns=32
accept_size=64
bulk_size=65536
client_threads=1
reps="${REPS:-5}"
warmup=1
duration=3
out=""
colony_server=""
skip_colony=0

usage() {
  sed -n '/^# Usage:/,/--out FILE/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --peers) peers="$2"; shift 2 ;;
    --peers=*) peers="${1#*=}"; shift ;;
    --skip-colony) skip_colony=1; shift ;;
    --colony-server) colony_server="$2"; shift 2 ;;
    --colony-server=*) colony_server="${1#*=}"; shift ;;
    --workloads) workloads="$2"; shift 2 ;;
    --workloads=*) workloads="${1#*=}"; shift ;;
    --workers) workers="$2"; shift 2 ;;
    --workers=*) workers="${1#*=}"; shift ;;
    --sizes) sizes="$2"; shift 2 ;;
    --sizes=*) sizes="${1#*=}"; shift ;;
    --conns) conns="$2"; shift 2 ;;
    --conns=*) conns="${1#*=}"; shift ;;
    --paced-rate) paced_rate="$2"; shift 2 ;;
    --paced-rate=*) paced_rate="${1#*=}"; shift ;;
    --accept-conns) accept_conns="$2"; shift 2 ;;
    --accept-conns=*) accept_conns="${1#*=}"; shift ;;
    --accept-size) accept_size="$2"; shift 2 ;;
    --accept-size=*) accept_size="${1#*=}"; shift ;;
    --bulk-size) bulk_size="$2"; shift 2 ;;
    --bulk-size=*) bulk_size="${1#*=}"; shift ;;
    --client-threads) client_threads="$2"; shift 2 ;;
    --client-threads=*) client_threads="${1#*=}"; shift ;;
    --reps) reps="$2"; shift 2 ;;
    --reps=*) reps="${1#*=}"; shift ;;
    --warmup) warmup="$2"; shift 2 ;;
    --warmup=*) warmup="${1#*=}"; shift ;;
    --duration) duration="$2"; shift 2 ;;
    --duration=*) duration="${1#*=}"; shift ;;
    --quick) warmup=0.2; duration=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h|--help) usage ;;
    *) echo "run_net_bench.sh: unknown argument $1" >&2; usage ;;
  esac
done

IFS=, read -r -a peer_list <<<"${peers}"
IFS=, read -r -a workload_list <<<"${workloads}"
IFS=, read -r -a worker_list <<<"${workers}"
IFS=, read -r -a size_list <<<"${sizes}"
IFS=, read -r -a conn_list <<<"${conns}"

# drop_peer NAME removes NAME from peer_list.
drop_peer() {
  local kept=() p
  for p in "${peer_list[@]}"; do [[ "$p" == "$1" ]] || kept+=("$p"); done
  peer_list=("${kept[@]}")
}
if [[ ${skip_colony} -eq 1 ]]; then drop_peer colony; fi
if [[ ${#peer_list[@]} -eq 0 ]]; then
  echo "run_net_bench.sh: no peer left to run" >&2
  exit 2
fi

# Pinning: servers on cores 0..workers-1, the client on core 1. With fewer
# than 2 cores nothing can be kept apart; run unpinned on core 0.
ncpu="$(nproc)"
client_cpus=1
if [[ ${ncpu} -lt 2 ]]; then
  echo "run_net_bench.sh: only ${ncpu} core; server and client share it" >&2
  client_cpus=0
fi
server_cpus() {
  if [[ ${ncpu} -lt 2 ]]; then echo 0; else echo "0-$(($1 - 1))"; fi
}
for w in "${worker_list[@]}"; do
  if [[ $w -gt ${ncpu} ]]; then
    echo "run_net_bench.sh: ${w} workers but only ${ncpu} cores" >&2
    exit 2
  fi
done

# 1,000 connections need more than the usual 1,024 descriptors on both
# sides; children inherit the raised limit.
hard_fds="$(ulimit -Hn)"
if [[ "${hard_fds}" == unlimited || ${hard_fds} -gt 65536 ]]; then
  hard_fds=65536
fi
ulimit -n "${hard_fds}"
max_conns=0
for c in "${conn_list[@]}"; do
  if [[ $c -gt ${max_conns} ]]; then max_conns=$c; fi
done
if [[ $((max_conns + 64)) -gt ${hard_fds} ]]; then
  echo "run_net_bench.sh: warning: ${max_conns} connections but only" \
    "${hard_fds} descriptors (ulimit -Hn)" >&2
fi

peer_install_packages "${peer_list[@]}"

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "${server_pid}" ]]; then kill "${server_pid}" 2>/dev/null || true; fi
  rm -rf "${tmp}"
}
trap cleanup EXIT
results="${tmp}/results.txt"
: >"${results}"

# bin PEER prints the path of PEER's echo server.
bin() { echo "${tmp}/$1_net_echo"; }

echo "building //bench:net_load..." >&2
if ! bazel build -c opt //bench:net_load; then
  echo "run_net_bench.sh: //bench:net_load does not build" >&2
  exit 1
fi
bazel_bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
load="${tmp}/net_load"
cp "${bazel_bin}/bench/net_load" "${load}"

for p in "${peer_list[@]}"; do
  echo "building ${p}..." >&2
  case "$p" in
    colony)
      if [[ -n "${colony_server}" ]]; then
        cp "${colony_server}" "$(bin colony)"
      elif bazel build -c opt //bench:net_echo_server; then
        cp "${bazel_bin}/bench/net_echo_server" "$(bin colony)"
      else
        echo "run_net_bench.sh: skipping colony: //bench:net_echo_server" \
          "does not build (give a binary with --colony-server, or" \
          "--skip-colony)" >&2
        drop_peer colony
      fi
      ;;
    go)
      peer_build_go "${repo}/bench/peers/go/net_echo/net_echo.go" \
        "$(bin go)" "${tmp}"
      ;;
    tokio)
      peer_build_tokio bench/peers/tokio "${repo}/build/peers/tokio" \
        "$(bin tokio)"
      ;;
    *) echo "run_net_bench.sh: unknown peer $p" >&2; exit 2 ;;
  esac
done
if [[ ${#peer_list[@]} -eq 0 ]]; then
  echo "run_net_bench.sh: no peer left to run" >&2
  exit 1
fi

# free_port prints a TCP port on 127.0.0.1 that nothing listens on now.

# start_server PEER WORKERS ADDR starts PEER's server pinned to its cores
# and waits for its "listening on" line; false if it does not come.
start_server() {
  local p="$1" w="$2" addr="$3" log="${tmp}/server.log" i
  : >"${log}"
  # stdbuf: a C or C++ server's stdout into a file is block-buffered, and
  # the "listening on" line must arrive before the server exits.
  GOMAXPROCS="$w" taskset -c "$(server_cpus "$w")" stdbuf -oL \
    "$(bin "$p")" --listen="${addr}" --workers="$w" >"${log}" 2>&1 &
  server_pid=$!
  for ((i = 0; i < 100; i++)); do
    if grep -q "listening on" "${log}"; then return 0; fi
    if ! kill -0 "${server_pid}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run_net_bench.sh: ${p} server did not start on ${addr}:" >&2
  cat "${log}" >&2
  stop_server
  return 1
}

stop_server() {
  if [[ -n "${server_pid}" ]]; then
    kill "${server_pid}" 2>/dev/null || true
    wait "${server_pid}" 2>/dev/null || true
    server_pid=""
  fi
}

# run_case PEER WORKERS WORKLOAD SIZE CONNS [CLIENT_FLAG...] starts PEER's
# server, runs the client --reps times and stops the server, appending the
# result lines (or FAIL lines) to the results. WORKLOAD is net_load's mode,
# or echo_paced (echo with --rate in the flags).
run_case() {
  local p="$1" w="$2" wl="$3" size="$4" c="$5" addr rep line
  shift 5
  local labels="peer=${p} workload=${wl} size=${size} conns=${c} workers=${w}"
  local limit
  limit="$(python3 -c "import math; print(math.ceil(${warmup} + ${duration}) + 60)")"
  echo "running ${p} ${wl} size=${size} conns=${c} workers=${w}" \
    "reps=${reps}" >&2
  addr="127.0.0.1:$(free_port)"
  if ! start_server "$p" "$w" "${addr}"; then
    for ((rep = 0; rep < reps; rep++)); do
      echo "${labels} rep=${rep} value=FAIL note=server_did_not_start" \
        >>"${results}"
    done
    return
  fi
  for ((rep = 0; rep < reps; rep++)); do
    if ! line="$(timeout "${limit}" taskset -c "${client_cpus}" "${load}" \
      --mode="${wl%_paced}" --addr="${addr}" --size="${size}" --connections="${c}" \
      --threads="${client_threads}" --warmup="${warmup}" \
      --duration="${duration}" --peer="$p" --workers="$w" --rep="${rep}" \
      "$@")" ||
      [[ "${line}" != *value=* ]]; then
      [[ "${line}" == *value=FAIL* ]] ||
        line="${labels} rep=${rep} value=FAIL note=client_failed"
      echo "run_net_bench.sh: ${p} ${wl} size=${size} conns=${c}" \
        "workers=${w} rep=${rep} failed" >&2
    fi
    echo "${line}" | tee -a "${results}" >&2
    if ! kill -0 "${server_pid}" 2>/dev/null; then
      echo "run_net_bench.sh: the ${p} server exited; its output:" >&2
      cat "${tmp}/server.log" >&2
      for ((rep++; rep < reps; rep++)); do
        echo "${labels} rep=${rep} value=FAIL note=server_exited" \
          >>"${results}"
      done
    fi
  done
  stop_server
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_s="${SECONDS}"
for wl in "${workload_list[@]}"; do
  case "${wl}" in
    echo)
      for w in "${worker_list[@]}"; do
        for size in "${size_list[@]}"; do
          for c in "${conn_list[@]}"; do
            for p in "${peer_list[@]}"; do
              run_case "$p" "$w" echo "${size}" "$c"
            done
            if [[ ${paced_rate} -gt 0 && $c -ge 1000 ]]; then
              for p in "${peer_list[@]}"; do
                run_case "$p" "$w" echo_paced "${size}" "$c" \
                  --rate="${paced_rate}"
              done
            fi
          done
        done
      done
      ;;
    accept)
      for w in "${worker_list[@]}"; do
        for p in "${peer_list[@]}"; do
          run_case "$p" "$w" accept "${accept_size}" "${accept_conns}"
        done
      done
      ;;
    bulk)
      for p in "${peer_list[@]}"; do
        run_case "$p" 1 bulk "${bulk_size}" 1
      done
      ;;
    *) echo "run_net_bench.sh: unknown workload ${wl}" >&2; exit 2 ;;
  esac
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "${out}" ]]; then cp "${results}" "${out}"; fi

python3 - "${results}" "${reps}" "${ncpu}" \
  "${load_before} / ${load_after}" "$((SECONDS - start_s))" \
  "${warmup}" "${duration}" "${client_threads}" <<'PY'
import statistics
import sys

path, reps, ncpu, load, secs, warmup, duration, threads = sys.argv[1:9]
peers = ["colony", "go", "tokio"]

# (workload, size, conns, workers) -> peer -> {field: [values]}
runs = {}
for line in open(path):
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    if "peer" not in kv or "workload" not in kv:
        continue
    key = (kv["workload"], int(kv["size"]), int(kv["conns"]),
           int(kv["workers"]))
    fields = runs.setdefault(key, {}).setdefault(kv["peer"], {})
    for k, v in kv.items():
        fields.setdefault(k, []).append(v)


def median(key, peer, field):
    """The median of a field, or a string saying why there is none."""
    fields = runs[key].get(peer)
    if fields is None:
        return "—"  # not run
    if "FAIL" in fields.get("value", []):
        return "FAIL"
    nums = [float(v) for v in fields.get(field, [])]
    return statistics.median(nums) if nums else "—"


def fmt(v):
    if isinstance(v, str):
        return v
    a = abs(v)
    if a >= 1e6:
        return "%.2fM" % (v / 1e6)
    if a >= 1e4:
        return "%.1fk" % (v / 1e3)
    return "%.0f" % v if a >= 100 else "%.1f" % v if a >= 10 else "%.2f" % v


def ratio(a, b):
    if isinstance(a, str) or isinstance(b, str) or b == 0:
        return "—"
    return "%.2fx" % (a / b)


def met(ok):
    return " (met)" if ok else " (MISSED)"


def target(key, m):
    """The issue's target for this row, and whether Colony meets it."""
    workload, _, conns, _ = key
    c = m["colony"]
    have = not isinstance(c, str)
    if workload == "echo_paced":
        p99 = median(key, "colony", "p99_us")
        text = "p99 < 1 ms" if conns >= 1000 else ""
        if text and not isinstance(p99, str):
            text += met(p99 < 1000)
        return text
    if workload == "bulk":
        best = [m[p] for p in ("go", "tokio") if not isinstance(m[p], str)]
        text = "≥ 0.9 × best peer"
        if have and best:
            text += met(c >= 0.9 * max(best))
        return text
    parts = []
    for peer, want in (("go", 1.2), ("tokio", 1.0)):
        text = "≥ %.1fx %s" % (want, "Go" if peer == "go" else "Tokio")
        if have and not isinstance(m[peer], str):
            text += met(c >= want * m[peer])
        parts.append(text)
    return "; ".join(parts)


def label(key):
    workload, size, conns, _ = key
    if workload == "echo":
        return "echo %d B × %d conn, req/s" % (size, conns)
    if workload == "echo_paced":
        rate = median(key, "colony", "rate")
        for p in peers:
            rate = rate if not isinstance(rate, str) else median(key, p, "rate")
        return "echo %d B × %d conn paced at %s req/s, req/s" % (
            size, conns, fmt(rate))
    if workload == "accept":
        return "accept (%d B, %d in flight), conn/s" % (size, conns)
    return "bulk (%d KiB writes), GB/s" % (size // 1024)


def trio(key, field):
    return " / ".join(fmt(median(key, p, field)) for p in peers)


order = {"echo": 0, "echo_paced": 1, "accept": 2, "bulk": 3}
keys = sorted(runs, key=lambda k: (order.get(k[0], 9), k[3], k[1], k[2]))
print()
print("Net peers: medians of %s repetitions of %s s after %s s of warm-up; "
      "%s client thread(s); %s CPUs; load average before / after: %s; runs "
      "took %s s." % (reps, duration, warmup, threads, ncpu, load, secs))
print()
print("| workload | workers | colony | go | tokio | colony/go | colony/tokio "
      "| p50 µs (c / g / t) | p99 µs (c / g / t) | target |")
print("|---|---|---|---|---|---|---|---|---|---|")
busy = []
for key in keys:
    m = {p: median(key, p, "value") for p in peers}
    ratios = (ratio(m["colony"], m["go"]), ratio(m["colony"], m["tokio"]))
    if key[0] == "echo_paced":
        ratios = ("—", "—")  # every server that keeps up serves the rate
    lat = ("—", "—")
    if key[0] != "bulk":
        lat = (trio(key, "p50_us"), trio(key, "p99_us"))
    print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        label(key), key[3], fmt(m["colony"]), fmt(m["go"]), fmt(m["tokio"]),
        ratios[0], ratios[1], lat[0], lat[1], target(key, m)))
    for p in peers:
        cpu = median(key, p, "client_cpu")
        if not isinstance(cpu, str) and cpu >= 0.9 * int(threads):
            busy.append("%s (%s, %.2f)" % (label(key), p, cpu))
print("""
Ratios are colony/peer: above 1 Colony is faster. — means not run, FAIL a
failed run (see the log). The client (net_load) is the same program for
every server; the server runs on cores 0..workers-1 and the client on core
1, so on 2 workers they share a core. Closed-loop echo keeps a request in
flight on every connection, so its mean latency is connections / rate
(1,000 connections at 50k req/s: 20 ms); the p99 target is checked on the
paced rows, where requests go out at a fixed rate below every server's
capacity and latency counts from each request's scheduled time.""")
if busy:
    print("Client CPU near saturation (the client may be the bottleneck): " +
          "; ".join(busy) + ".")
PY
