#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# The dashboard in headless Chromium: the page served by the admin endpoint
# loads without errors (no console message, no uncaught error or rejected
# promise), polls /metrics more than once, and shows values equal to those
# /metrics serves. Optionally writes a screenshot (for docs/admin.md):
#
#   tests/admin/dashboard_chromium_test.sh SERVER_BINARY [SCREENSHOT.png]
set -euo pipefail

server=$1
screenshot=${2:-}
chromium=$(command -v chromium || true)
if [[ -z $chromium ]]; then
  echo "FAIL: chromium is not installed (tools/install_deps.sh installs it)" >&2
  exit 1
fi
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/dashboard.XXXXXX")

"$server" >"$tmp/port" 2>"$tmp/server.log" &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 600); do
  grep -q '^port ' "$tmp/port" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
port=$(awk '/^port /{print $2}' "$tmp/port")
[[ -n $port ]] || { echo "FAIL: the server printed no port" >&2; exit 1; }
url="http://127.0.0.1:$port"

run_chromium() {
  # A fresh profile per run; no sandbox (tests may run as root); virtual
  # time lets the page's 1 s polls run without waiting in real time.
  "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --user-data-dir="$tmp/profile" --enable-logging=stderr \
    --v=0 --virtual-time-budget=4000 --window-size=1400,1700 "$@" \
    2>>"$tmp/chromium.log"
}

run_chromium --dump-dom "$url/" >"$tmp/dom.html"

metrics=$(curl -fsS "$url/metrics")
value_of() {  # the first sample of family $1 (no labels or any labels)
  awk -v name="$1" '$1 == name || index($1, name "{") == 1 {print $2; exit}' \
    <<<"$metrics"
}
element() {  # the text of the element with id $1
  sed -n "s:.*id=\"$1\"[^>]*>\\([^<]*\\)<.*:\\1:p" "$tmp/dom.html" | head -1
}
attr() {  # the value of body's attribute $1
  sed -n "s:.*<body[^>]* $1=\"\\([^\"]*\\)\".*:\\1:p" "$tmp/dom.html" | head -1
}

fail=0
check() {  # check NAME GOT WANT
  if [[ "$2" == "$3" ]]; then
    echo "ok: $1 = $2"
  else
    echo "FAIL: $1: the page shows '$2', /metrics says '$3'" >&2
    fail=1
  fi
}

workers=$(grep -c '^colony_worker_busy_seconds_total{' <<<"$metrics")
check "workers" "$(element stat-workers)" "$workers"
check "max fds" "$(element stat-max-fds)" "$(value_of process_max_fds)"
version=$(sed -n 's/^colonyd_build_info{version="\([^"]*\)".*/\1/p' <<<"$metrics")
check "version" "$(element version)" "version $version"
demo_requests=$(value_of demo_requests_total)
row=$(grep -o '<tr data-backend="demo">.*</tr>' "$tmp/dom.html" | head -1 || true)
demo_cell=$(sed -n 's:<tr data-backend="demo"><td>demo</td><td>[^<]*</td><td>[^<]*</td><td>\([^<]*\)</td>.*:\1:p' <<<"$row")
check "demo backend requests" "$demo_cell" "$demo_requests"
check "page errors" "$(attr data-errors)" "0"
updates=$(attr data-updates)
if [[ -z $updates || $updates -lt 2 ]]; then
  echo "FAIL: the page polled /metrics ${updates:-0} times, want at least 2" >&2
  fail=1
else
  echo "ok: $updates polls"
fi
if grep -q 'name="mutex' "$tmp/dom.html" || grep -q '\[mutex\]' "$tmp/dom.html"; then
  echo "ok: the coroutine list shows the task blocked on a mutex"
else
  echo "FAIL: the coroutine list lacks the task blocked on a mutex" >&2
  fail=1
fi
if grep -E 'CONSOLE|Uncaught' "$tmp/chromium.log"; then
  echo "FAIL: console messages (above)" >&2
  fail=1
fi

if [[ -n $screenshot ]]; then
  run_chromium --screenshot="$screenshot" "$url/" >/dev/null
fi
if [[ $fail -ne 0 ]]; then
  echo "--- dom" >&2; head -c 4000 "$tmp/dom.html" >&2
  echo "--- chromium log" >&2; tail -n 40 "$tmp/chromium.log" >&2
fi
exit $fail
