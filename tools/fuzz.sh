#!/usr/bin/env bash
# Builds a libFuzzer target with clang (ASan + UBSan) straight from the
# sources and runs it, growing a scratch corpus seeded from the checked-in
# one. Bazel 4.2.3 cannot link only the fuzzer with -fsanitize=fuzzer
# without a custom toolchain, so this stays outside Bazel.
#
# Usage:
#   tools/fuzz.sh <target> [seconds] [libFuzzer args...]
#       targets: http_request, resp_command
#       fuzz for `seconds` (default 60) of wall time
#   tools/fuzz.sh <target> --merge
#       minimize the scratch corpus into fuzz/corpus/<target> (replacing
#       it), for checking in
#   tools/fuzz.sh <target> --build
#       only build build/fuzz/<target>_fuzzer
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:?usage: tools/fuzz.sh <target> [seconds|--merge|--build] [args...]}"
shift
case "$target" in
  http_request)
    sources=(http/request_parser.cc fuzz/http_request_check.cc
             fuzz/http_request_fuzzer.cc)
    libs=(-labsl_status -labsl_strings -labsl_strings_internal -labsl_cord
          -labsl_cordz_info -labsl_cord_internal -labsl_cordz_functions
          -labsl_cordz_handle -labsl_str_format_internal -labsl_int128
          -labsl_throw_delegate -labsl_raw_logging_internal -labsl_base
          -labsl_spinlock_wait -labsl_synchronization -labsl_time
          -labsl_time_zone -labsl_civil_time -labsl_stacktrace
          -labsl_symbolize -labsl_debugging_internal -labsl_demangle_internal
          -labsl_malloc_internal -labsl_graphcycles_internal
          -labsl_exponential_biased -labsl_log_severity)
    ;;
  resp_command)
    sources=(kv/resp/parser.cc kv/resp/pipeline_scan.cc
             fuzz/resp_command_check.cc
             fuzz/resp_command_fuzzer.cc)
    libs=(-labsl_strings -labsl_strings_internal -labsl_throw_delegate
          -labsl_raw_logging_internal -labsl_int128)
    ;;
  *)
    echo "unknown fuzz target: $target" >&2
    exit 2
    ;;
esac

out=build/fuzz
binary="$out/${target}_fuzzer"
checked_in="fuzz/corpus/$target"
scratch="$out/${target}_corpus"
dict="fuzz/$target.dict"
mkdir -p "$out" "$scratch" "$checked_in"

clang++ -std=c++20 -O1 -g -I. \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -fno-omit-frame-pointer "${sources[@]}" "${libs[@]}" -o "$binary"
[ "${1:-}" = "--build" ] && exit 0

if [ "${1:-}" = "--merge" ]; then
  fresh="$(mktemp -d "$out/${target}_merge.XXXXXX")"
  # Edge coverage only (no hit counters): a few hundred files, not
  # thousands, with the same edges covered.
  "$binary" -merge=1 -use_counters=0 "$fresh" "$checked_in" "$scratch"
  rm -rf "$checked_in"
  mv "$fresh" "$checked_in"
  echo "$(ls "$checked_in" | wc -l) files in $checked_in"
  exit 0
fi

seconds="${1:-60}"
shift || true
dict_args=()
[ -f "$dict" ] && dict_args=(-dict="$dict")
exec "$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  "${dict_args[@]}" "$@" "$scratch" "$checked_in"
