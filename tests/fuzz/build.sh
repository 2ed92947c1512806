#!/bin/sh
# Builds the libFuzzer targets with clang (-DEDICT_FUZZ=ON: ASan, UBSan and coverage
# instrumentation) in a build directory of its own, and writes their seed corpora and
# dictionaries to BUILD_DIR/seeds (docs/fuzzing.md). TARGET... is what to build: edict_fuzz_all
# (the default: the fuzz targets and the seed writer), all (everything, for the whole suite under
# the sanitizers, as the test `sanitize/suite` does), or named targets (edict_fuzz_seeds is always
# built).
#
#   tests/fuzz/build.sh SOURCE_DIR BUILD_DIR [TARGET...]
#
# On the first configuration of BUILD_DIR, EDICT_SANITIZERS (default address,undefined) and
# EDICT_FUZZ_FLAGS (default -O1 -g1) choose another configuration, e.g. the long runs' (docs/
# fuzzing.md, "The long run"): EDICT_SANITIZERS=undefined,leak EDICT_FUZZ_FLAGS="-O2 -g1".
set -eu
src=$1
dir=$2
shift 2
targets=${*:-edict_fuzz_all}
jobs=${EDICT_JOBS:-2}
cxx=${EDICT_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}
if [ -z "$cxx" ]; then
  echo "error: no clang++ found: the fuzz targets need clang and libFuzzer (./quickstart.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 1
fi
# -O1 -g1 (line tables only): half the compile time of -O2 -g, and the reports keep their lines.
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="${EDICT_FUZZ_FLAGS:--O1 -g1} -DNDEBUG" \
    -DCMAKE_CXX_COMPILER="$cxx" -DEDICT_FUZZ=ON -DEDICT_SANITIZERS="${EDICT_SANITIZERS:-address,undefined}"
fi
# shellcheck disable=SC2086
cmake --build "$dir" -j "$jobs" --target $targets edict_fuzz_seeds
rm -rf "$dir/seeds"
"$dir/tests/fuzz/edict_fuzz_seeds" "$dir/seeds"
