#!/usr/bin/env bash
# Runs one of the key-value conformance tests against a server binary:
#   run_kv_py_test.sh TEST.py redis|colonyd BINARY [unittest args...]
set -euo pipefail
test_py="$1"
shift
export PYTHONPATH="$(dirname "$test_py")${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$test_py" "$@"
