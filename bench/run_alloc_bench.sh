#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Allocator benchmark: colonyd (1 worker) over glibc's malloc, jemalloc,
# mimalloc and oneTBB's tbbmalloc, on the workloads that allocate:
#   - HTTP: wrk -t1 against the http backend's /plaintext and /json,
#     --conns connections, --duration seconds each;
#   - kv: redis-benchmark against the kv backend, one run per test of
#     set,get,lpush,sadd,hset,mset (-d 256 -r 100000, -c 50, -n --requests),
#     with -P 1 and -P 16;
#   - memory: a fresh server loaded with --keys SETs `key:<i>` -> 20 bytes
#     through redis-cli --pipe; VmRSS and INFO used_memory per key (after
#     minus before).
# The binary is built once over glibc (bazel build -c opt
# --define=colonyd_malloc=glibc //cmd/colonyd) and each other allocator is
# preloaded (LD_PRELOAD), so every row runs the same code; the counting
# malloc family of kv/memory_usage.h forwards to whichever allocator comes
# next, so used_memory is each allocator's own figure.
#
# colonyd runs pinned to core 0 (taskset), the load generators to core 1.
# Repetitions are interleaved between allocators (rep 0 of each, then rep
# 1...), and every run records the server's user+system CPU time from
# /proc/<pid>/stat, so CPU microseconds per request hold up when other
# work shares the machine; requests per second do not. Prints a markdown
# table of medians, with the load average before and after.
#
# Usage: bench/run_alloc_bench.sh [options]
#   --colonyd PATH     a colonyd binary linked with glibc's malloc (default:
#                      built here)
#   --allocators LIST  subset of glibc,jemalloc,mimalloc,tbbmalloc (default:
#                      all)
#   --reps N           repetitions (default 3)
#   --duration S       seconds of each wrk run (default 5)
#   --conns LIST       wrk connection counts (default 50,256)
#   --requests N       requests of each redis-benchmark test (default 100000)
#   --keys N           keys of the memory load (default 1000000)
#   --no-http | --no-kv | --no-memory   skip a part
#   --out FILE         also keep the raw result lines in FILE

set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/peer_lib.sh
source bench/peer_lib.sh

colonyd=""
allocators="glibc,jemalloc,mimalloc,tbbmalloc"
reps=3
duration=5
conns="50,256"
requests=100000
keys=1000000
do_http=1
do_kv=1
do_memory=1
out=""

usage() {
  sed -n '/^# Usage:/,/--out FILE/p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --colonyd) colonyd="$2"; shift 2 ;;
    --colonyd=*) colonyd="${1#*=}"; shift ;;
    --allocators) allocators="$2"; shift 2 ;;
    --allocators=*) allocators="${1#*=}"; shift ;;
    --reps) reps="$2"; shift 2 ;;
    --reps=*) reps="${1#*=}"; shift ;;
    --duration) duration="$2"; shift 2 ;;
    --duration=*) duration="${1#*=}"; shift ;;
    --conns) conns="$2"; shift 2 ;;
    --conns=*) conns="${1#*=}"; shift ;;
    --requests) requests="$2"; shift 2 ;;
    --requests=*) requests="${1#*=}"; shift ;;
    --keys) keys="$2"; shift 2 ;;
    --keys=*) keys="${1#*=}"; shift ;;
    --no-http) do_http=0; shift ;;
    --no-kv) do_kv=0; shift ;;
    --no-memory) do_memory=0; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h|--help) usage ;;
    *) echo "run_alloc_bench.sh: unknown argument $1" >&2; usage ;;
  esac
done

IFS=, read -r -a alloc_list <<<"${allocators}"
IFS=, read -r -a conn_list <<<"${conns}"
for n in "${reps}" "${duration}" "${requests}" "${keys}" "${conn_list[@]}"; do
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [[ "$n" -lt 1 ]]; then
    echo "run_alloc_bench.sh: '$n' is not a positive number" >&2
    exit 2
  fi
done

tools/install_deps.sh wrk redis-tools libjemalloc2 libmimalloc2.0 \
  libtbbmalloc2

# preload_of ALLOCATOR prints the library to preload ("" for glibc).
preload_of() {
  case "$1" in
    glibc) echo "" ;;
    jemalloc) echo "libjemalloc.so.2" ;;
    mimalloc) echo "libmimalloc.so.2" ;;
    tbbmalloc) echo "libtbbmalloc_proxy.so.2" ;;
    *) echo "run_alloc_bench.sh: unknown allocator $1" >&2; exit 2 ;;
  esac
}
for a in "${alloc_list[@]}"; do preload_of "$a" >/dev/null; done

tmp="$(mktemp -d)"
if [[ -z "${colonyd}" ]]; then
  echo "building colonyd over glibc's malloc..." >&2
  bazel build -c opt --define=colonyd_malloc=glibc //cmd/colonyd >&2
  colonyd="$(bazel info -c opt bazel-bin 2>/dev/null)/cmd/colonyd/colonyd"
fi
# A copy, so that a rebuild during the run cannot swap the binary.
cp "$(realpath "${colonyd}")" "${tmp}/colonyd"
if ldd "${tmp}/colonyd" | grep -Eq 'lib(jemalloc|mimalloc|tbbmalloc_proxy)'; then
  echo "run_alloc_bench.sh: ${colonyd} links an allocator; build it with" \
    "--define=colonyd_malloc=glibc" >&2
  exit 2
fi

server_cpu=0
client_cpu=1
if [[ "$(nproc)" -lt 2 ]]; then client_cpu=0; fi
ulimit -n "$(ulimit -Hn | sed 's/unlimited/65536/')" 2>/dev/null || true
hz="$(getconf CLK_TCK)"

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


# start_server ALLOCATOR starts colonyd over ALLOCATOR with its http and kv
# backends on free ports (http_port, kv_port), pinned to core 0, and waits
# until both answer. Sets server_pid.
start_server() {
  local preload i dir="${tmp}/data"
  preload="$(preload_of "$1")"
  rm -rf "${dir}"
  mkdir -p "${dir}"
  http_port="$(free_port)"
  kv_port="$(free_port)"
  env ${preload:+LD_PRELOAD="${preload}"} taskset -c "${server_cpu}" \
    "${tmp}/colonyd" --workers=1 --http_listen="127.0.0.1:${http_port}" \
    --kv_listen="127.0.0.1:${kv_port}" --admin_enabled=false \
    --kv_dir="${dir}" --kv_appendonly=false --log_file="${tmp}/colonyd.log" \
    --overload_queue_delay=0 >>"${tmp}/colonyd.out" 2>&1 &
  server_pid=$!
  for ((i = 0; i < 200; i++)); do
    if [[ "$(redis-cli -p "${kv_port}" PING 2>/dev/null)" == PONG ]] &&
      curl -fsS -o /dev/null --max-time 1 \
        "http://127.0.0.1:${http_port}/plaintext" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "${server_pid}" 2>/dev/null; then break; fi
    sleep 0.05
  done
  echo "run_alloc_bench.sh: colonyd over $1 did not start:" >&2
  tail -20 "${tmp}/colonyd.log" "${tmp}/colonyd.out" >&2 2>/dev/null || true
  exit 1
}

stop_server() {
  kill "${server_pid}" 2>/dev/null || true
  wait "${server_pid}" 2>/dev/null || true
  server_pid=""
}

# cpu_ticks prints the server's user+system CPU time so far, in ticks.
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/${server_pid}/stat"
}

rss_bytes() {
  awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/${server_pid}/status"
}

used_memory() {
  redis-cli -p "${kv_port}" INFO memory | tr -d '\r' |
    awk -F: '$1 == "used_memory" { print $2 }'
}

# record LABELS REQUESTS SECONDS TICKS appends one result line: requests
# per second and the server's CPU microseconds per request.
record() {
  echo "$1 rps=$(awk -v n="$2" -v s="$3" 'BEGIN { printf "%.0f", n / s }')" \
    "cpu_us=$(awk -v t="$4" -v n="$2" -v hz="${hz}" \
      'BEGIN { printf "%.2f", t / hz * 1e6 / n }')" |
    tee -a "${results}" >&2
}

# http_runs ALLOCATOR REP: wrk on each workload and connection count.
http_runs() {
  local wl c before after output total errors
  for wl in plaintext json; do
    for c in "${conn_list[@]}"; do
      before="$(cpu_ticks)"
      output="$(timeout $((duration + 30)) taskset -c "${client_cpu}" \
        wrk -t1 -c"$c" -d"${duration}s" --timeout 10s \
        "http://127.0.0.1:${http_port}/${wl}" 2>&1)"
      after="$(cpu_ticks)"
      total="$(echo "${output}" | awk '/requests in/ { print $1 }')"
      if [[ -z "${total}" ]]; then
        echo "run_alloc_bench.sh: wrk failed:" >&2
        echo "${output}" >&2
        exit 1
      fi
      errors="$(echo "${output}" | awk '
        /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
        /Non-2xx/ { n += $5 }
        END { print n + 0 }')"
      record "alloc=$1 rep=$2 case=http_${wl}_c${c} errors=${errors}" \
        "${total}" \
        "$(echo "${output}" | awk '/requests in/ { sub(/s,?$/, "", $4); print $4 }')" \
        "$((after - before))"
    done
  done
}

# kv_runs ALLOCATOR REP: redis-benchmark, one run per test and pipeline.
kv_runs() {
  local p t before after start_ns end_ns
  for p in 1 16; do
    for t in set get lpush sadd hset mset; do
      before="$(cpu_ticks)"
      start_ns="$(date +%s%N)"
      taskset -c "${client_cpu}" redis-benchmark -h 127.0.0.1 \
        -p "${kv_port}" -c 50 -P "$p" -t "$t" -d 256 -r 100000 \
        -n "${requests}" -q >"${tmp}/rb.out" 2>&1 || {
        cat "${tmp}/rb.out" >&2
        exit 1
      }
      end_ns="$(date +%s%N)"
      after="$(cpu_ticks)"
      record "alloc=$1 rep=$2 case=kv_${t}_P${p}" "${requests}" \
        "$(awk -v a="${start_ns}" -v b="${end_ns}" \
          'BEGIN { printf "%.3f", (b - a) / 1e9 }')" "$((after - before))"
    done
  done
}

# memory_run ALLOCATOR REP: RSS and used_memory per key of the load.
memory_run() {
  local file="${tmp}/load.resp" rss0 used0 rss1 used1 got
  if [[ ! -f "${file}" ]]; then
    python3 - "${keys}" "${file}" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
value = b"v" * 20
with open(path, "wb") as f:
    chunk = []
    for i in range(n):
        key = b"key:%d" % i
        chunk.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$20\r\n%s\r\n" %
                     (len(key), key, value))
        if len(chunk) >= 20000:
            f.write(b"".join(chunk))
            chunk = []
    f.write(b"".join(chunk))
PY
  fi
  sleep 0.2
  rss0="$(rss_bytes)"
  used0="$(used_memory)"
  taskset -c "${client_cpu}" redis-cli -p "${kv_port}" --pipe <"${file}" \
    >"${tmp}/pipe.out" 2>&1 || {
    cat "${tmp}/pipe.out" >&2
    exit 1
  }
  got="$(redis-cli -p "${kv_port}" DBSIZE)"
  if [[ "${got}" != "${keys}" ]]; then
    echo "run_alloc_bench.sh: loaded ${keys} keys, DBSIZE says ${got}" >&2
    exit 1
  fi
  sleep 0.2
  rss1="$(rss_bytes)"
  used1="$(used_memory)"
  echo "alloc=$1 rep=$2 case=memory" \
    "rss_per_key=$(awk -v a="${rss0}" -v b="${rss1}" -v n="${keys}" \
      'BEGIN { printf "%.1f", (b - a) / n }')" \
    "used_per_key=$(awk -v a="${used0}" -v b="${used1}" -v n="${keys}" \
      'BEGIN { printf "%.1f", (b - a) / n }')" | tee -a "${results}" >&2
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start_s="${SECONDS}"
for ((rep = 0; rep < reps; rep++)); do
  for a in "${alloc_list[@]}"; do
    if [[ "${do_http}" == 1 || "${do_kv}" == 1 ]]; then
      start_server "$a"
      if [[ "${do_http}" == 1 ]]; then http_runs "$a" "${rep}"; fi
      if [[ "${do_kv}" == 1 ]]; then kv_runs "$a" "${rep}"; fi
      stop_server
    fi
    if [[ "${do_memory}" == 1 ]]; then
      start_server "$a"
      memory_run "$a" "${rep}"
      stop_server
    fi
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ -n "${out}" ]]; then cp "${results}" "${out}"; fi

echo
echo "colonyd --workers=1 on core ${server_cpu}, wrk -t1 / redis-benchmark /" \
  "redis-cli on core ${client_cpu}; medians of ${reps} interleaved runs;" \
  "load average before ${load_before}, after ${load_after};" \
  "$((SECONDS - start_s)) s"
echo
python3 - "${results}" "${allocators}" <<'PY'
import collections, statistics, sys
allocs = sys.argv[2].split(",")
rows = collections.defaultdict(lambda: collections.defaultdict(list))
order = []
for line in open(sys.argv[1]):
    kv = dict(f.split("=", 1) for f in line.split())
    if kv["case"] not in order:
        order.append(kv["case"])
    rows[kv["case"]][kv["alloc"]].append(kv)

def med(xs, field):
    return statistics.median(float(x[field]) for x in xs)

print("| case | " + " | ".join(allocs) + " |")
print("|---|" + "---|" * len(allocs))
for case in order:
    cells = []
    for a in allocs:
        xs = rows[case].get(a)
        if not xs:
            cells.append("n/a")
        elif case == "memory":
            cells.append(f"{med(xs, 'rss_per_key'):.1f} B RSS/key "
                         f"({med(xs, 'used_per_key'):.1f} used_memory)")
        else:
            errors = sum(int(x.get("errors", "0")) for x in xs)
            cells.append(f"{med(xs, 'cpu_us'):.2f} us/req "
                         f"({med(xs, 'rps'):,.0f}/s)" +
                         (f" ({errors} errors)" if errors else ""))
    print(f"| {case} | " + " | ".join(cells) + " |")
print()
print("Cells: the server's CPU time per request (requests per second); "
      "memory: VmRSS per key loaded (used_memory per key).")
PY
