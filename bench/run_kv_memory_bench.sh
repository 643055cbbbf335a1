#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Key-value memory and rewrite benchmark: colonyd's kv backend against
# redis-server 7.0 holding one million small strings.
#
# Memory per key: each server is started fresh, pinned to core 0 (colonyd
# with 1 worker; redis-server with --save '' --appendonly no), and loaded
# with --keys SETs `key:<i>` -> a value of --sizes bytes through
# `redis-cli --pipe` (pinned to core 1). Reported per key loaded:
#   - RSS: VmRSS of /proc/<pid>/status after the load minus before it,
#   - used_memory: INFO memory's used_memory after minus before (what the
#     allocator hands out; colonyd counts glibc's chunks, redis-server
#     jemalloc's).
# RSS is the fair figure: it includes each allocator's own overhead.
#
# Rewrite time: each server with appendonly on (redis-server with
# aof-use-rdb-preamble no, so that both write commands), loaded with
# --keys keys of the first size; BGREWRITEAOF, then INFO persistence is
# polled every 5 ms until aof_rewrite_in_progress:0 (and, for
# redis-server, aof_rewrite_scheduled:0). Reported: the seconds from the
# command to that state and aof_base_size, the rewritten file's size.
#
# Every measurement is repeated --reps times, interleaved between the
# servers; the tables show medians and colonyd's ratio to redis-server
# (below 1.00: colonyd uses less memory or time).
#
# Usage: bench/run_kv_memory_bench.sh [options]
#   --colonyd PATH   the colonyd binary (default: bazel-bin/cmd/colonyd/
#                    colonyd, built here with bazel build -c opt)
#   --redis PATH     the redis-server binary (default: redis-server)
#   --keys N         keys to load (default 1000000)
#   --sizes LIST     comma-separated value sizes in bytes (default 3,20)
#   --reps N         repetitions of each measurement (default 3)
#   --no-memory      skip the memory-per-key rows
#   --no-rewrite     skip the rewrite-time rows
#   --out FILE       also keep the raw result lines in FILE

set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/peer_lib.sh
source bench/peer_lib.sh

colonyd=""
redis="redis-server"
keys=1000000
sizes="3,20"
reps=3
do_memory=1
do_rewrite=1
out=""

usage() {
  sed -n '/^# Usage:/,/--out FILE/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --colonyd) colonyd="$2"; shift 2 ;;
    --colonyd=*) colonyd="${1#*=}"; shift ;;
    --redis) redis="$2"; shift 2 ;;
    --redis=*) redis="${1#*=}"; shift ;;
    --keys) keys="$2"; shift 2 ;;
    --keys=*) keys="${1#*=}"; shift ;;
    --sizes) sizes="$2"; shift 2 ;;
    --sizes=*) sizes="${1#*=}"; shift ;;
    --reps) reps="$2"; shift 2 ;;
    --reps=*) reps="${1#*=}"; shift ;;
    --no-memory) do_memory=0; shift ;;
    --no-rewrite) do_rewrite=0; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h|--help) usage ;;
    *) echo "run_kv_memory_bench.sh: unknown argument $1" >&2; usage ;;
  esac
done

IFS=, read -r -a size_list <<<"${sizes}"
for n in "${keys}" "${reps}" "${size_list[@]}"; do
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [[ "$n" -lt 1 ]]; then
    echo "run_kv_memory_bench.sh: '$n' is not a positive number" >&2
    exit 2
  fi
done
if [[ "${keys}" -gt 100000000 ]]; then
  echo "run_kv_memory_bench.sh: --keys is at most 100000000" >&2
  exit 2
fi

for tool in "${redis}" redis-cli taskset python3; do
  if ! command -v "${tool}" >/dev/null; then
    echo "run_kv_memory_bench.sh: ${tool} not found (tools/install_deps.sh" \
      "installs redis-server and redis-cli)" >&2
    exit 2
  fi
done
redis="$(command -v "${redis}")"
tmp="$(mktemp -d)"
if [[ -z "${colonyd}" ]]; then
  echo "building colonyd..." >&2
  bazel build -c opt //cmd/colonyd >&2
  colonyd="$(bazel info -c opt bazel-bin 2>/dev/null)/cmd/colonyd/colonyd"
fi
# A copy, so that a rebuild during the run cannot swap the binary.
cp "$(realpath "${colonyd}")" "${tmp}/colonyd"

ncpu="$(nproc)"
client_cpu=1
if [[ ${ncpu} -lt 2 ]]; then client_cpu=0; fi

server_pid=""
cleanup() {
  if [[ -n "${server_pid}" ]]; then
    kill "${server_pid}" 2>/dev/null || true
    wait "${server_pid}" 2>/dev/null || true
  fi
  rm -rf "${tmp}"
}
trap cleanup EXIT
results="${tmp}/results.txt"
: >"${results}"


# start_server SERVER AOF starts colonyd or redis-server (AOF: 1 for
# appendonly, in a fresh directory) on a free port, pinned to core 0, and
# waits until it answers PING. Sets server_pid and port.
start_server() {
  local s="$1" aof="$2" i dir="${tmp}/data"
  rm -rf "${dir}"
  mkdir -p "${dir}"
  port="$(free_port)"
  case "$s" in
    colonyd)
      local persistence=(--kv_appendonly=false)
      if [[ "${aof}" == 1 ]]; then
        persistence=(--kv_appendonly=true --kv_appendfsync=everysec)
      fi
      taskset -c 0 "${tmp}/colonyd" --workers=1 \
        --kv_listen="127.0.0.1:${port}" --http_enabled=false \
        --admin_enabled=false --log_file="${tmp}/colonyd.log" \
        --kv_dir="${dir}" "${persistence[@]}" >>"${tmp}/colonyd.out" 2>&1 &
      ;;
    redis)
      local persistence=(--appendonly no)
      if [[ "${aof}" == 1 ]]; then
        persistence=(--appendonly yes --appendfsync everysec
          --aof-use-rdb-preamble no)
      fi
      taskset -c 0 "${redis}" --port "${port}" --bind 127.0.0.1 --save '' \
        --dir "${dir}" --logfile "${tmp}/redis.log" "${persistence[@]}" &
      ;;
  esac
  server_pid=$!
  for ((i = 0; i < 200; i++)); do
    if [[ "$(redis-cli -p "${port}" PING 2>/dev/null)" == PONG ]]; then
      return 0
    fi
    if ! kill -0 "${server_pid}" 2>/dev/null; then break; fi
    sleep 0.05
  done
  echo "run_kv_memory_bench.sh: ${s} did not start on port ${port}:" >&2
  tail -20 "${tmp}/${s}.log" "${tmp}/${s}.out" >&2 2>/dev/null || true
  exit 1
}

stop_server() {
  kill "${server_pid}" 2>/dev/null || true
  wait "${server_pid}" 2>/dev/null || true
  server_pid=""
}

# rss_bytes prints the server's VmRSS in bytes.
rss_bytes() {
  awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/${server_pid}/status"
}

# info_field SECTION FIELD prints one INFO field of the server.
info_field() {
  redis-cli -p "${port}" INFO "$1" | tr -d '\r' |
    awk -F: -v f="$2" '$1 == f { print $2 }'
}

# load SIZE loads the keys with values of SIZE bytes; fails unless the
# server then holds exactly that many keys.
load() {
  local file="${tmp}/load-$1.resp" got
  if [[ ! -f "${file}" ]]; then
    python3 - "${keys}" "$1" "${file}" <<'PY'
import sys
n, size, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
# Not digits: redis-server would share small integers between keys.
value = ("v" * size).encode()
tail = b"$%d\r\n%s\r\n" % (size, value)
with open(path, "wb") as f:
    chunk = []
    for i in range(n):
        key = b"key:%d" % i
        chunk.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n" % (len(key), key))
        chunk.append(tail)
        if len(chunk) >= 20000:
            f.write(b"".join(chunk))
            chunk = []
    f.write(b"".join(chunk))
PY
  fi
  taskset -c "${client_cpu}" redis-cli -p "${port}" --pipe <"${file}" \
    >"${tmp}/pipe.out" 2>&1 || {
    cat "${tmp}/pipe.out" >&2
    return 1
  }
  got="$(redis-cli -p "${port}" DBSIZE)"
  if [[ "${got}" != "${keys}" ]]; then
    echo "run_kv_memory_bench.sh: loaded ${keys} keys, DBSIZE says ${got}" >&2
    cat "${tmp}/pipe.out" >&2
    return 1
  fi
}

# rewrite_once prints `seconds base_size` of one BGREWRITEAOF.
rewrite_once() {
  python3 - "${port}" <<'PY'
import socket, sys, time

sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = sock.makefile("rb")

def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    sock.sendall(out)
    line = f.readline()
    if line[:1] == b"$":
        n = int(line[1:])
        body = f.read(n + 2)[:-2]
        return body.decode()
    if line[:1] == b"-":
        raise SystemExit("error: " + line.decode().strip())
    return line.decode().strip()

def persistence():
    text = command("INFO", "persistence")
    return dict(l.split(":", 1) for l in text.split("\r\n") if ":" in l)

start = time.monotonic()
command("BGREWRITEAOF")
while True:
    p = persistence()
    if (p.get("aof_rewrite_in_progress") == "0" and
            p.get("aof_rewrite_scheduled", "0") == "0"):
        break
    time.sleep(0.005)
elapsed = time.monotonic() - start
if p.get("aof_last_bgrewrite_status") != "ok":
    raise SystemExit("rewrite failed: %r" % p)
print("%.3f %s" % (elapsed, p.get("aof_base_size", "0")))
PY
}

servers=(colonyd redis)
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_s="${SECONDS}"
if [[ "${do_memory}" == 1 ]]; then
  for d in "${size_list[@]}"; do
    for ((rep = 0; rep < reps; rep++)); do
      for s in "${servers[@]}"; do
        start_server "$s" 0
        sleep 0.2
        rss0="$(rss_bytes)"
        used0="$(info_field memory used_memory)"
        load "$d"
        sleep 0.2
        rss1="$(rss_bytes)"
        used1="$(info_field memory used_memory)"
        stop_server
        echo "kind=memory server=$s size=$d rep=${rep} keys=${keys}" \
          "rss_per_key=$(awk -v a="${rss0}" -v b="${rss1}" -v n="${keys}" \
            'BEGIN { printf "%.1f", (b - a) / n }')" \
          "used_per_key=$(awk -v a="${used0}" -v b="${used1}" -v n="${keys}" \
            'BEGIN { printf "%.1f", (b - a) / n }')" |
          tee -a "${results}" >&2
      done
    done
  done
fi
if [[ "${do_rewrite}" == 1 ]]; then
  for s in "${servers[@]}"; do
    start_server "$s" 1
    load "${size_list[0]}"
    for ((rep = 0; rep < reps; rep++)); do
      read -r secs bytes <<<"$(rewrite_once)"
      echo "kind=rewrite server=$s size=${size_list[0]} rep=${rep}" \
        "keys=${keys} seconds=${secs} base_size=${bytes}" |
        tee -a "${results}" >&2
    done
    stop_server
  done
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ -n "${out}" ]]; then cp "${results}" "${out}"; fi

echo
echo "${keys} keys \`key:<i>\`; colonyd (1 worker) and redis-server" \
  "$("${redis}" --version | awk '{print $3}' | tr -d 'v=') pinned to core" \
  "0, redis-cli --pipe on core ${client_cpu}; medians of ${reps} runs;" \
  "load average before ${load_before}, after ${load_after};" \
  "$((SECONDS - start_s)) s"
python3 - "${results}" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(lambda: collections.defaultdict(list))
order = []
for line in open(sys.argv[1]):
    kv = dict(f.split("=", 1) for f in line.split())
    key = (kv["kind"], int(kv["size"]))
    if key not in order:
        order.append(key)
    rows[key][kv["server"]].append(kv)

def med(xs, field):
    return statistics.median(float(x[field]) for x in xs)

def ratio(a, b):
    return f"{a / b:.2f}" if b else "n/a"

memory = [k for k in order if k[0] == "memory"]
if memory:
    print()
    print("### Memory per key (bytes; target: colonyd RSS <= redis-server's)")
    print()
    print("| value size | RSS colonyd | RSS redis | ratio | used_memory "
          "colonyd | used_memory redis | ratio |")
    print("|---|---|---|---|---|---|---|")
    for key in memory:
        c, r = rows[key]["colonyd"], rows[key]["redis"]
        rc, rr = med(c, "rss_per_key"), med(r, "rss_per_key")
        uc, ur = med(c, "used_per_key"), med(r, "used_per_key")
        print(f"| {key[1]} B | {rc:.1f} | {rr:.1f} | {ratio(rc, rr)} | "
              f"{uc:.1f} | {ur:.1f} | {ratio(uc, ur)} |")
rewrite = [k for k in order if k[0] == "rewrite"]
if rewrite:
    print()
    print("### BGREWRITEAOF (until aof_rewrite_in_progress:0)")
    print()
    print("| value size | seconds colonyd | seconds redis | ratio | "
          "file MB colonyd | file MB redis |")
    print("|---|---|---|---|---|---|")
    for key in rewrite:
        c, r = rows[key]["colonyd"], rows[key]["redis"]
        sc, sr = med(c, "seconds"), med(r, "seconds")
        bc, br = med(c, "base_size") / 1e6, med(r, "base_size") / 1e6
        print(f"| {key[1]} B | {sc:.3f} | {sr:.3f} | {ratio(sc, sr)} | "
              f"{bc:.1f} | {br:.1f} |")
PY
