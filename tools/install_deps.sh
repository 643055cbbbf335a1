#!/usr/bin/env bash
# Installs the Debian packages Colony needs, skipping those already present.
# Usage: tools/install_deps.sh [extra-package...]
set -euo pipefail

packages=(
  bazel-bootstrap bazel-rules-java g++ clang
  libtbb-dev libspdlog-dev libabsl-dev libgtest-dev libbenchmark-dev
  libjemalloc-dev libmimalloc-dev
  libboost-context-dev libhttp-parser-dev
  wrk curl python3
  nlohmann-json3-dev chromium
  redis-server redis-tools python3-redis
  nutcracker haproxy systemd
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "error: missing packages (${missing[*]}) and not root, no sudo" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
