#!/usr/bin/env bash
# Installs what is missing, builds Colony and runs its example programs
# (typed coroutines suspending and resuming; a tour of the work-stealing
# scheduler; a tour of channels, services, signals, actions and the
# AsyncRunner). ./run.sh starts the daemon instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
bazel build //examples:open_coroutine //examples:scheduler_tour \
  //examples:sync_tour
bazel-bin/examples/open_coroutine "$@"
bazel-bin/examples/scheduler_tour
exec bazel-bin/examples/sync_tour
