#!/usr/bin/env bash
# Edict quick start: installs what is missing (as root, from Debian 12's packages), builds with
# CMake + Ninja, and runs the main job. Safe to run again: it installs and rebuilds only what is
# needed. Usage: ./quickstart.sh [--no-run]
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  g++ make cmake ninja-build ccache pkg-config git   # build tools
  antlr4 libantlr4-runtime-dev uuid-dev              # parser generator and its C++ runtime
  libfmt-dev libcli11-dev libsimdjson-dev catch2      # formatting, CLI, JSON, tests
  libgmp-dev libmd4c-dev                             # big numbers, Markdown
  libutf8proc-dev                                    # Unicode normalisation of names (runtime/text.cpp)
  nlohmann-json3-dev                                 # JSON of the language server's protocol (compiler/lsp/)
  libcpp-httplib-dev                                 # the HTTP server of `edict serve` (compiler/serve/)
  python3                                            # the scripted client of the language server's tests
  curl                                               # the examples of docs/publishing.md, run by the test of `edict serve`
  python3-dev pybind11-dev                           # the Python package `import edict` (python/, docs/python.md)
  python3-pytest python3-pandas                      # its tests: the pytest suite, DataFrames of cases
  python3-dask python3-distributed                   # edict.dask: decisions and diffs over a Dask cluster (docs/scale-out.md)
  llvm-19-dev libzstd-dev libz3-dev                  # JIT back end and symbolic analysis
  chromium                                           # the tests that render the HTML diff report and drive the page of edict serve
  clang-14 libclang-rt-14-dev                        # the fuzz targets (libFuzzer) of tests/fuzz
  clang-format-14                                    # the code's layout, checked by the test `format`
  nodejs npm                                         # the VS Code extension (editors/vscode), and playwright-core for the test of the page (tests/browser/page)
)

missing=()
for p in "${PACKAGES[@]}"; do
  # A Node.js installed from elsewhere (NodeSource's package carries its own npm and conflicts
  # with Debian's) serves as well: npm is needed only as a command.
  if [ "$p" = npm ] && command -v npm > /dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" default-jre-headless
fi

echo "== building (build/)"
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build build -j2

if [ "${1:-}" = "--no-run" ]; then exit 0; fi

echo
R1=regs/ai_diffusion/r1_diffusion.edict.md
R2=regs/ai_diffusion/r2_rescission.edict.md
echo "== main job: how verdicts change between the AI Diffusion rule and its rescission, over every possible case"
echo "== edict diff $R1 $R2 -d licence -o diff-r1-r2.txt   (its summary and the law's changes:)"
./build/edict diff "$R1" "$R2" -d licence -o diff-r1-r2.txt
sed -n '/^Changes of verdict$/q;p' diff-r1-r2.txt
echo "== the full report (every class with its provisions, region, counts and a replayed witness): diff-r1-r2.txt"
echo
echo "== why one case changes: edict explain --diff $R1 $R2 -d licence --case regs/ai_diffusion/cases/s04_h100_india_1700.json"
./build/edict explain --diff "$R1" "$R2" -d licence --case regs/ai_diffusion/cases/s04_h100_india_1700.json
