# shellcheck shell=bash
# Copyright 2026 The Colony Authors.
#
# Shell functions shared by the bench/run_*.sh scripts. Source it from the
# repository root after `set -euo pipefail`; the caller's name in messages is
# the sourcing script's.

# peer_install_packages PEER... installs the Debian packages the peers need
# (Colony's own come with tools/install_deps.sh, run whenever colony is one
# of them). Exits on an unknown peer.
peer_install_packages() {
  local packages=() missing=() p
  for p in "$@"; do
    case "$p" in
      colony) ;;
      go) packages+=(golang-go) ;;
      fiber) packages+=(libboost-fiber-dev libboost-context-dev) ;;
      tbb) packages+=(libtbb-dev) ;;
      tokio) packages+=(cargo librust-tokio-dev) ;;
      *) echo "${0##*/}: unknown peer $p" >&2; exit 2 ;;
    esac
  done
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
      grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [[ ${#missing[@]} -gt 0 || " $* " == *" colony "* ]]; then
    tools/install_deps.sh "${missing[@]}"
  fi
}

# peer_build_go SRC OUT TMPDIR builds a single stdlib-only Go file: no
# module, no network, caches under TMPDIR.
peer_build_go() {
  (cd "$3" && GOCACHE="$3/gocache" GOPATH="$3/gopath" GO111MODULE=off \
    GOFLAGS='' go build -o "$2" "$1")
}

# peer_build_cxx SRC OUT LIB... builds a C++ peer with g++ -O2 against the
# given libraries (-l names without the -l).
peer_build_cxx() {
  local src="$1" out="$2"
  shift 2
  g++ -O2 -std=c++20 -I. "${src}" -o "${out}" "${@/#/-l}" -pthread
}

# peer_run BIN PEER WORKLOAD WORKERS REPS RESULTS [FLAG...] runs one
# (peer, workload, workers) program, appending its result lines to RESULTS;
# a failed or timed-out run leaves a FAIL line instead of a figure.
peer_run() {
  local bin="$1" p="$2" wl="$3" w="$4" reps="$5" results="$6"
  shift 6
  echo "running ${p} ${wl} workers=${w} reps=${reps}" >&2
  if ! timeout 600 "${bin}" --workload="${wl}" --workers="${w}" \
    --reps="${reps}" "$@" | tee -a "${results}" >&2; then
    echo "peer=${p} workload=${wl} workers=${w} rep=0 value=FAIL" \
      >>"${results}"
    echo "${0##*/}: ${p} ${wl} workers=${w} failed" >&2
  fi
}

# peer_build_tokio DIR TARGET_DIR OUT [BIN] builds the cargo project in DIR
# (its .cargo/config.toml points crates-io at Debian's packaged crates, so it
# builds offline) in release mode into TARGET_DIR and copies the binary BIN
# (default: the package's name) to OUT. Debian's cargo and rustc are used
# explicitly, since the packaged crates are matched to them and another
# toolchain may come first on PATH. Cargo reads .cargo/config.toml from the
# working directory, hence the cd; it writes Cargo.lock there (ignored).
peer_build_tokio() {
  local dir="$1" target="$2" out="$3" name="${4:-}"
  if [[ -z "${name}" ]]; then
    name="$(sed -n 's/^name *= *"\(.*\)"/\1/p' "${dir}/Cargo.toml" | head -1)"
  fi
  (cd "${dir}" && RUSTC=/usr/bin/rustc /usr/bin/cargo build --release \
    --quiet --target-dir "${target}") &&
    cp "${target}/release/${name}" "${out}"
}

# free_port prints a TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
