#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Append-only file benchmark: redis-benchmark's SET against colonyd's kv
# backend and against redis-server 7.0, both with appendonly on, under each
# appendfsync policy (always, everysec, no), each server writing its file
# to a fresh directory. Prints a markdown table of requests/s and p50/p99
# latencies per policy and colonyd's ratio to redis-server: the medians of
# --reps runs, the two servers alternating within each repetition. The
# servers run on core 0 and redis-benchmark on core 1 (taskset).
#
# Usage: bench/run_kv_aof_bench.sh [--colonyd PATH] [--redis PATH]
#          [--workers N] [--requests N] [--conns N] [--pipeline N]
#          [--reps N] [--policies "always everysec no"] [--dir DIR]
# --dir is where the files go (default: a temporary directory); put it on
# the disk you want to measure, since fsync costs are the disk's.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/peer_lib.sh
source bench/peer_lib.sh
colonyd=bazel-bin/cmd/colonyd/colonyd
redis=redis-server
workers=2
requests=100000
conns=50
pipeline=1
reps=3
policies="always everysec no"
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --colonyd) colonyd="$2"; shift 2 ;;
    --redis) redis="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    --pipeline) pipeline="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --policies) policies="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$colonyd" ]] || bazel build -c opt //cmd/colonyd
if [[ -z "$dir" ]]; then
  dir="$(mktemp -d)"
  trap 'rm -rf "$dir"' EXIT
fi


wait_ping() {
  for _ in $(seq 100); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# run PORT -> "rps p50 p99"
run() {
  taskset -c 1 redis-benchmark -p "$1" -t set -n "$requests" -c "$conns" -P "$pipeline" \
    -r 100000 -q --csv | tail -1 |
    tr -d '"' | awk -F, '{print $2, $5, $7}'
}

# median of the numbers on stdin
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# one_colonyd POLICY -> "rps p50 p99"
one_colonyd() {
  rm -rf "$dir/c"
  mkdir -p "$dir/c"
  local port pid
  port=$(free_port)
  taskset -c 0 "$colonyd" --kv_listen=127.0.0.1:"$port" --http_enabled=false \
    --admin_enabled=false --workers="$workers" --kv_appendonly \
    --kv_dir="$dir/c" --kv_appendfsync="$1" >/dev/null 2>&1 &
  pid=$!
  wait_ping "$port"
  run "$port"
  kill "$pid"; wait "$pid" || true
}

# one_redis POLICY -> "rps p50 p99"
one_redis() {
  rm -rf "$dir/r"
  mkdir -p "$dir/r"
  local port pid
  port=$(free_port)
  taskset -c 0 "$redis" --port "$port" --bind 127.0.0.1 --save "" \
    --appendonly yes --appendfsync "$1" --dir "$dir/r" \
    --logfile "$dir/r/log" &
  pid=$!
  wait_ping "$port"
  run "$port"
  kill "$pid"; wait "$pid" || true
}

echo "| appendfsync | colonyd req/s | redis req/s | ratio | colonyd p50/p99 ms | redis p50/p99 ms |"
echo "|---|---|---|---|---|---|"
for policy in $policies; do
  : >"$dir/c.txt"
  : >"$dir/r.txt"
  for _ in $(seq "$reps"); do
    one_colonyd "$policy" >>"$dir/c.txt"
    one_redis "$policy" >>"$dir/r.txt"
  done
  c_rps=$(awk '{print $1}' "$dir/c.txt" | median)
  c_p50=$(awk '{print $2}' "$dir/c.txt" | median)
  c_p99=$(awk '{print $3}' "$dir/c.txt" | median)
  r_rps=$(awk '{print $1}' "$dir/r.txt" | median)
  r_p50=$(awk '{print $2}' "$dir/r.txt" | median)
  r_p99=$(awk '{print $3}' "$dir/r.txt" | median)
  ratio=$(awk -v a="$c_rps" -v b="$r_rps" 'BEGIN { printf "%.2f", a / b }')
  echo "| $policy | $c_rps | $r_rps | $ratio | $c_p50 / $c_p99 | $r_p50 / $r_p99 |"
done
