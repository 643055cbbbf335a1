#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
# Runs one of the real-client tests against a server binary:
#   run_client_test.sh TEST.py KV_HARNESS.py redis|colonyd BINARY [args...]
# The test imports kv_harness (tests/kv/py) and client_tools (next to it).
set -euo pipefail
test_py="$1"
harness="$2"
shift 2
export PYTHONPATH="$(dirname "$test_py"):$(dirname "$harness")${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$test_py" "$@"
