#!/bin/sh
# Builds the libFuzzer targets with clang (-DEDICT_FUZZ=ON: ASan, UBSan and coverage
# instrumentation) in a build directory of its own, and writes their seed corpora and
# dictionaries to BUILD_DIR/seeds (docs/fuzzing.md). The test `fuzz/build` runs it.
#
#   tests/fuzz/build.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
dir=$2
jobs=${EDICT_JOBS:-2}
cxx=${EDICT_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}
if [ -z "$cxx" ]; then
  echo "error: no clang++ found: the fuzz targets need clang and libFuzzer (./quickstart.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" -DEDICT_FUZZ=ON
fi
cmake --build "$dir" -j "$jobs" --target edict_fuzz_all
rm -rf "$dir/seeds"
"$dir/tests/fuzz/edict_fuzz_seeds" "$dir/seeds"
