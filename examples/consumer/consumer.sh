#!/usr/bin/env bash
# Runs this workspace's programs: the generator sum, then its own daemon
# (colonyd + the upper-case echo backend) on free ports, talking to the
# upper backend and the built-in http one, and stopping it with SIGTERM.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runfiles="${RUNFILES_DIR:-$0.runfiles}"
find_bin() {
  for p in "$runfiles/consumer/$1" "$here/$1"; do
    [ -x "$p" ] && { echo "$p"; return; }
  done
  echo "consumer: cannot find $1" >&2
  exit 1
}
"$(find_bin generator_sum)"

daemon="$(find_bin consumer_colonyd)"
dir="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$daemon" --port_file="$dir/ports" --log_file="$dir/log" \
  --upper_listen=127.0.0.1:0 --http_listen=127.0.0.1:0 \
  --admin_listen=127.0.0.1:0 --shutdown_lameduck=0s &
pid=$!
for _ in $(seq 200); do
  [ -s "$dir/ports" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/log"; exit 1; }
  sleep 0.05
done
addr() { awk -v n="$1" '$1 == n { print $2 }' "$dir/ports"; }
upper="$(addr upper)"
[ -n "$upper" ] || { echo "consumer: no upper listener"; cat "$dir/log"; exit 1; }

exec 3<>"/dev/tcp/${upper%:*}/${upper##*:}"
printf 'hello from the consumer\n' >&3
read -r reply <&3
exec 3<&-
echo "consumer: upper backend on $upper answered: $reply"
[ "$reply" = "HELLO FROM THE CONSUMER" ]

http="$(addr http)"
if [ -n "$http" ]; then
  body="$(curl -sS --max-time 10 "http://$http/plaintext")"
  echo "consumer: http backend on $http answered: $body"
  [ "$body" = "Hello, World!" ]
fi

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
trap 'rm -rf "$dir"' EXIT
echo "consumer: daemon exited with status $status"
[ "$status" -eq 0 ]
