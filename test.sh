#!/usr/bin/env bash
# The test suite: installs what is missing, then runs every Bazel test, the
# separate consumer workspace and the aarch64 tests under qemu-user.
# Extra arguments go to `bazel test` (e.g. --config=asan).
set -euo pipefail
cd "$(dirname "$0")"
tools/install_deps.sh

echo "== bazel test //... $*"
bazel test "$@" //...

if [ $# -eq 0 ]; then
  echo "== consumer workspace (examples/consumer)"
  # Unoptimised: the point is that another workspace builds, links and runs
  # Colony and its own backend; -O0 halves the compile of a second tree.
  (cd examples/consumer && bazel run -c fastbuild //:consumer)

  echo "== aarch64 build under qemu-user"
  tools/aarch64_test.sh
fi
