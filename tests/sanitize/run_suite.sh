#!/bin/sh
# The whole test suite under AddressSanitizer (LeakSanitizer included) and UndefinedBehaviorSanitizer,
# in a build directory of its own: configures it the first time (-DEDICT_SANITIZE=ON), builds what
# changed, and runs every test there (docs/fuzzing.md). The test `sanitize/suite` runs it.
#
#   tests/sanitize/run_suite.sh SOURCE_DIR BUILD_DIR [ctest options...]
set -eu
src=$1
dir=$2
shift 2
jobs=${EDICT_JOBS:-2}
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDICT_SANITIZE=ON
fi
cmake --build "$dir" -j "$jobs"
ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"
