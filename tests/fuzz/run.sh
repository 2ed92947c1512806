#!/bin/sh
# Runs one fuzz target of a fuzz build (tests/fuzz/build.sh) for SECONDS seconds, one process,
# from its corpus (BUILD_DIR/corpus/TARGET, kept between runs), its seeds and its regression
# inputs, with the target's input size limit, dictionary and time-out (docs/fuzzing.md). Further
# arguments go to libFuzzer (e.g. -runs=1000000). A crash, a leak, a time-out or an input that
# breaks one of the target's checks ends the run with a failure, and the input is written to
# BUILD_DIR/crashes/TARGET/. The tests `fuzz/TARGET` run it for a minute.
#
#   tests/fuzz/run.sh BUILD_DIR TARGET SECONDS [libFuzzer options...]
set -eu
dir=$1
target=$2
seconds=$3
shift 3
src=$(cd "$(dirname "$0")/../.." && pwd)
case $target in
  parse_check) opts="-max_len=4096 -timeout=10 -dict=$src/tests/fuzz/edict.dict" ;;
  case_json) opts="-max_len=4096 -timeout=10 -dict=$dir/seeds/case_json.dict" ;;
  case_csv) opts="-max_len=4096 -timeout=10 -dict=$dir/seeds/case_csv.dict" ;;
  symbolic) opts="-max_len=512 -timeout=60" ;;
  fmt) opts="-max_len=4096 -timeout=10 -dict=$src/tests/fuzz/edict.dict" ;;
  *) echo "error: unknown fuzz target '$target' (parse_check, case_json, case_csv, symbolic, fmt)" >&2; exit 64 ;;
esac
mkdir -p "$dir/corpus/$target" "$dir/crashes/$target"
# (The sanitizers' options, leak suppressions included, are compiled into the targets.)
# -entropic=0: with these targets' tens of thousands of coverage features, libFuzzer 14's entropic
# schedule spends about half of the time updating feature frequencies; without it, twice the
# executions per second.
# shellcheck disable=SC2086
exec "$dir/tests/fuzz/edict_fuzz_$target" $opts -entropic=0 -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$dir/crashes/$target/" "$@" \
  "$dir/corpus/$target" "$dir/seeds/$target" "$src/tests/fuzz/regressions/$target"
