#!/usr/bin/env bash
# Runs tsan_race_control and, in a ThreadSanitizer build, requires a data
# race report from it: proof that the fiber annotations leave real races
# between coroutines visible. In other builds there is nothing to check.
set -euo pipefail

binary="$1"
output=$(TSAN_OPTIONS="halt_on_error=0 exitcode=0 report_bugs=1" "$binary" 2>&1)
if ! grep -q "^tsan: enabled" <<<"$output"; then
  echo "not a ThreadSanitizer build: nothing to check"
  exit 0
fi
if grep -q "WARNING: ThreadSanitizer: data race" <<<"$output"; then
  echo "ThreadSanitizer reported the race between the two coroutines: ok"
  exit 0
fi
echo "FAIL: ThreadSanitizer missed a real race between two coroutines:"
echo "$output"
exit 1
