#!/usr/bin/env bash
# The main job: installs what is missing, builds Colony and runs its
# example program (typed coroutines suspending and resuming).
set -euo pipefail
cd "$(dirname "$0")"
tools/install_deps.sh
exec bazel run //examples:open_coroutine -- "$@"
