#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
# Runs one of the deployment tests:
#   run_deploy_test.sh TEST.py KV_HARNESS.py [args...]
# The test imports deploy_harness (next to it) and kv_harness (tests/kv/py).
set -euo pipefail
test_py="$1"
harness="$2"
shift 2
export PYTHONPATH="$(dirname "$test_py"):$(dirname "$harness")${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$test_py" "$@"
