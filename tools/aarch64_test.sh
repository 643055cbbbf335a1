#!/usr/bin/env bash
# Copyright 2026 The Colony Authors.
#
# Cross-compiles the coroutine core and its tests for aarch64 with Debian's
# g++-aarch64-linux-gnu and runs every test under qemu-user (qemu-aarch64).
# Bazel is not involved: the x86-64 build is `bazel test //...`, this script
# is the aarch64 one.
#
#   tools/aarch64_test.sh [gtest flags...]   # e.g. --gtest_filter=Context*
#
# Run it from anywhere; it works in the repository root and writes only under
# build/aarch64/. Compiler flags are COLONY_COPTS / COLONY_TEST_COPTS from
# copts.bzl, read at run time, so they stay those of the Bazel build. On a machine that lacks the tools it installs them with
# apt-get (as root, or through sudo): the cross compiler, qemu-user, and the
# arm64 builds of Abseil and GoogleTest. Those come as Debian multiarch
# packages (libabsl-dev:arm64 and friends are Multi-Arch: same, so they sit
# beside the amd64 ones); if apt cannot install them, their .debs are
# unpacked into build/aarch64/sysroot instead. Abseil and GoogleTest are
# linked statically, so at run time the test binaries need only the arm64
# libc and libstdc++ that come with the cross compiler
# (/usr/aarch64-linux-gnu, qemu's -L prefix).
#
# Environment:
#   COLONY_AARCH64_DEPS  auto (default), multiarch or extract: where the
#                        arm64 Abseil and GoogleTest come from (see above).
#   JOBS                 parallel compile jobs (default: nproc).
#   TEST_TIMEOUT         seconds each test binary may run (default 600).

set -euo pipefail

# The tests built and run, from tests/. Each must depend only on
# //coroutine, //coroutine:coroutine_internal, //local, header-only internals
# such as //scheduler:scheduler_internal, Abseil and GoogleTest (see
# tests/BUILD.bazel); add new ones here.
TESTS=(
  coroutine_test.cc
  context_test.cc
  cancellation_test.cc
  generator_test.cc
  migration_test.cc
  stack_test.cc
  maybe_grow_test.cc
  run_queue_test.cc
  local_test.cc
  admin/coroutine_backtrace_test.cc
)

CXX=aarch64-linux-gnu-g++
QEMU=qemu-aarch64
QEMU_PREFIX=/usr/aarch64-linux-gnu  # arm64 libc and libstdc++ of the cross toolchain
MULTIARCH_LIB=/usr/lib/aarch64-linux-gnu
ARM64_DEV_PACKAGES=(libabsl-dev libgtest-dev libgmock-dev)

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Warnings and code generation flags come from copts.bzl, as for Bazel:
# bzl_list NAME prints the quoted strings of the list literal NAME = [...].
bzl_list() {
  sed -n "/^$1 = /,/^]/p" copts.bzl | grep -v '^[[:space:]]*#' | grep -o '"[^"]*"' | tr -d '"'
}
mapfile -t COLONY_COPTS < <(bzl_list COLONY_COPTS)
mapfile -t COLONY_TEST_EXTRA < <(bzl_list COLONY_TEST_COPTS)
[[ ${#COLONY_COPTS[@]} -gt 0 ]] || { echo "no COLONY_COPTS in copts.bzl" >&2; exit 1; }
# -std, -O2 and -g1 as in .bazelrc.
CXXFLAGS=(-std=c++20 -O2 -g1 -pthread "${COLONY_COPTS[@]}" -I.)
# COLONY_TEST_COPTS adds these (GoogleTest macros trip -Wsign-compare).
TEST_CXXFLAGS=("${COLONY_TEST_EXTRA[@]}")
BUILD=build/aarch64
DEPS_MODE=${COLONY_AARCH64_DEPS:-auto}
JOBS=${JOBS:-$(nproc)}
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
START=$SECONDS

log() { printf '[aarch64] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# --- Tools and libraries -----------------------------------------------------

SUDO=()
as_root() {
  if [[ $(id -u) -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
    command -v sudo >/dev/null || die "need root (or sudo) to run: $*"
    SUDO=(sudo)
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "$@"
}

APT_UPDATED=0
apt_update() {
  if [[ $APT_UPDATED -eq 0 ]]; then
    as_root apt-get update -q >/dev/null
    APT_UPDATED=1
  fi
}

apt_install() {
  log "installing $*"
  apt_update
  as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

ensure_arm64_architecture() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding the arm64 architecture to dpkg"
    as_root dpkg --add-architecture arm64
    APT_UPDATED=0
  fi
}

# The host tools: the cross compiler (which brings the arm64 libc and
# libstdc++ under /usr/aarch64-linux-gnu) and the user-mode emulator.
missing=()
command -v "$CXX" >/dev/null || missing+=(g++-aarch64-linux-gnu)
command -v "$QEMU" >/dev/null || missing+=(qemu-user)
if [[ ${#missing[@]} -gt 0 ]]; then apt_install "${missing[@]}"; fi

# The arm64 Abseil and GoogleTest, as static libraries and headers.
multiarch_ready() {
  local p
  for p in "${ARM64_DEV_PACKAGES[@]}"; do installed "$p:arm64" || return 1; done
}

use_multiarch() {
  # Headers are in /usr/include, which the cross compiler searches already
  # (and which must not be named with -isystem: that would break
  # libstdc++'s #include_next).
  LIBDIR=$MULTIARCH_LIB
  INCLUDES=()
}

use_extracted() {
  local sysroot=$BUILD/sysroot
  if [[ ! -f $sysroot/.complete ]]; then
    ensure_arm64_architecture
    # Package lists that know arm64 are needed; fetch them if not yet there.
    apt-cache show libabsl-dev:arm64 >/dev/null 2>&1 || apt_update
    log "unpacking arm64 ${ARM64_DEV_PACKAGES[*]} into $sysroot"
    rm -rf "$sysroot" "$BUILD/debs"
    mkdir -p "$sysroot" "$BUILD/debs"
    local p
    (cd "$BUILD/debs" && apt-get download -q "${ARM64_DEV_PACKAGES[@]/%/:arm64}" >/dev/null)
    for p in "$BUILD"/debs/*.deb; do dpkg-deb -x "$p" "$sysroot"; done
    touch "$sysroot/.complete"
  fi
  LIBDIR=$sysroot/usr/lib/aarch64-linux-gnu
  INCLUDES=(-isystem "$sysroot/usr/include")
}

case $DEPS_MODE in
  multiarch)
    if ! multiarch_ready; then
      ensure_arm64_architecture
      apt_install "${ARM64_DEV_PACKAGES[@]/%/:arm64}"
    fi
    use_multiarch
    ;;
  extract)
    use_extracted
    ;;
  auto)
    if multiarch_ready; then
      use_multiarch
    else
      ensure_arm64_architecture
      if apt_install "${ARM64_DEV_PACKAGES[@]/%/:arm64}"; then
        use_multiarch
      else
        log "the arm64 packages do not install beside this system's; unpacking them instead"
        use_extracted
      fi
    fi
    ;;
  *) die "COLONY_AARCH64_DEPS must be auto, multiarch or extract, not '$DEPS_MODE'" ;;
esac
log "Abseil and GoogleTest from $LIBDIR (tools ready after $((SECONDS - START))s)"

# --- Build -------------------------------------------------------------------

# Library sources as in //coroutine, //coroutine:coroutine_internal and
# //local.
shopt -s nullglob
LIB_SRCS=(time/*.cc coroutine/*.cc coroutine/internal/*.cc coroutine/internal/context_aarch64.S
  local/*.cc local/internal/*.cc)
shopt -u nullglob
TEST_SRCS=()
for t in "${TESTS[@]}"; do
  [[ -f tests/$t ]] || die "tests/$t is listed in TESTS but does not exist"
  TEST_SRCS+=("tests/$t")
done

OBJ=$BUILD/obj
mkdir -p "$OBJ" "$BUILD/bin"
# Objects built with other flags are stale.
flags_id=$(printf '%s\n' "$CXX" "${CXXFLAGS[@]}" "${TEST_CXXFLAGS[@]}" "${INCLUDES[@]}" \
  "$("$CXX" -dumpfullversion)" | cksum)
if [[ ! -f $OBJ/.flags || $(<"$OBJ/.flags") != "$flags_id" ]]; then
  rm -rf "$OBJ"
  mkdir -p "$OBJ"
  printf '%s\n' "$flags_id" >"$OBJ/.flags"
fi

object_of() { printf '%s/%s.o' "$OBJ" "${1//\//_}"; }

# up_to_date OBJECT: the object exists and is newer than everything its
# dependency file (from -MMD) lists.
up_to_date() {
  local o=$1 d=${1%.o}.d f
  [[ -f $o && -f $d ]] || return 1
  # Word splitting is wanted: make-style lists of paths without spaces.
  # shellcheck disable=SC2013
  for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$d"); do
    [[ -f $f && ! $f -nt $o ]] || return 1
  done
}

compile() {
  local src=$1 obj
  obj=$(object_of "$src")
  up_to_date "$obj" && return 0
  local extra=()
  [[ $src == tests/* ]] && extra=("${TEST_CXXFLAGS[@]}")
  "$CXX" "${CXXFLAGS[@]}" "${extra[@]}" "${INCLUDES[@]}" -MMD -MP -c "$src" -o "$obj"
}

log "compiling ${#LIB_SRCS[@]} library and ${#TEST_SRCS[@]} test sources ($JOBS jobs): $CXX ${CXXFLAGS[*]}"
pids=()
next=0
failed=0
for src in "${LIB_SRCS[@]}" "${TEST_SRCS[@]}"; do
  compile "$src" &
  pids+=($!)
  if ((${#pids[@]} - next >= JOBS)); then
    wait "${pids[next]}" || failed=1
    next=$((next + 1))
  fi
done
for pid in "${pids[@]:next}"; do wait "$pid" || failed=1; done
[[ $failed -eq 0 ]] || die "compilation failed"

LIB_OBJS=()
for src in "${LIB_SRCS[@]}"; do LIB_OBJS+=("$(object_of "$src")"); done
# Static Abseil and GoogleTest; the group lets the linker resolve them in any
# order, and takes only the members the tests use.
# shellcheck disable=SC2054  # the commas belong to the linker flags
LINK_LIBS=(-Wl,--start-group "$LIBDIR"/libgmock.a "$LIBDIR"/libgtest.a
  "$LIBDIR"/libgtest_main.a "$LIBDIR"/libabsl_*.a -Wl,--end-group -pthread)

BINS=()
for src in "${TEST_SRCS[@]}"; do
  name=$(basename "$src" .cc)
  bin=$BUILD/bin/$name
  "$CXX" -o "$bin" "${LIB_OBJS[@]}" "$(object_of "$src")" "${LINK_LIBS[@]}"
  # GoogleTest's "threadsafe" death tests re-execute argv[0]. An arm64
  # binary cannot be exec'd directly here (no binfmt_misc handler for it,
  # and registering one is a system-wide change), so argv[0] is this
  # wrapper (qemu's -0 flag), which starts qemu again. Death tests thus run
  # for real; none needs to be filtered out.
  # LD_LIBRARY_PATH keeps the guest's ld.so (the cross toolchain's, found
  # through -L) and libc together: with libc6:arm64 installed by multiarch,
  # ld.so would otherwise load that libc.so.6 from /lib/aarch64-linux-gnu, a
  # different glibc build than the loader, and the first pthread_create
  # then spins forever.
  cat >"$bin.qemu" <<EOF
#!/bin/sh
exec $QEMU -L $QEMU_PREFIX -E LD_LIBRARY_PATH=$QEMU_PREFIX/lib -0 "\$0" "$PWD/$bin" "\$@"
EOF
  chmod +x "$bin.qemu"
  BINS+=("$bin")
done
log "built ${#BINS[@]} test binaries after $((SECONDS - START))s"

# --- Run ---------------------------------------------------------------------

# Death tests abort on purpose; qemu would write a core file for each.
ulimit -c 0
failures=()
for bin in "${BINS[@]}"; do
  name=$(basename "$bin")
  log "running $name under $QEMU"
  t0=$SECONDS
  status=0
  timeout "$TEST_TIMEOUT" "$PWD/$bin.qemu" "$@" || status=$?
  if [[ $status -eq 0 ]]; then
    log "PASSED $name ($((SECONDS - t0))s)"
  else
    log "FAILED $name (exit $status, $((SECONDS - t0))s)"
    failures+=("$name")
  fi
done

if [[ ${#failures[@]} -gt 0 ]]; then
  log "${#failures[@]} of ${#BINS[@]} test binaries FAILED under $QEMU: ${failures[*]}"
  exit 1
fi
log "all ${#BINS[@]} test binaries passed under $QEMU in $((SECONDS - START))s"
