#!/usr/bin/env bash
# Runs one of the daemon's python3 integration tests against a binary:
#   run_py_test.sh TEST.py BINARY [unittest args...]
set -euo pipefail
test_py="$1"
shift
export PYTHONPATH="$(dirname "$test_py")${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$test_py" "$@"
