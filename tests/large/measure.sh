#!/bin/sh
# Compile-time curves of large programs (docs/performance.md, "Large programs"):
#   tests/large/measure.sh EDICT [TIMEOUT]
# For each size, the wall-clock and CPU seconds of: `eval --engine=jit` of a decision with three
# N-term sums (gen.sh sum N), of helpers D levels deep (gen.sh dag D), and the symbolic diff of an
# N-term sum between two versions (gen.sh cond N); then `batch` of two cases of the 1,000-term sums.
# Compiled code is not cached (EDICT_NO_CACHE=1); a run stopped after TIMEOUT seconds (default
# 300) prints "> TIMEOUT".
set -u
edict=$1 limit=${2:-300}
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
export EDICT_NO_CACHE=1
run() {  # label, command...
  label=$1; shift
  if /usr/bin/time -f "%e %U" -o "$d/time" timeout "$limit" "$@" > "$d/out" 2>&1; then
    set -- $(cat "$d/time"); printf '%-28s %8s s wall %8s s CPU\n' "$label" "$1" "$2"
  else
    rc=$?
    if [ "$rc" = 124 ]; then printf '%-28s > %s s\n' "$label" "$limit"
    else set -- $(tail -1 "$d/time"); printf '%-28s %8s s wall %8s s CPU (exit %s)\n' "$label" "$1" "$2" "$rc"; fi
  fi
}
echo '{"x": 3.5, "y": -1.25, "k": 4}' > "$d/sum.json"
echo '{"a": 3, "b": -4}' > "$d/dag.json"
for n in ${SUMS:-250 500 1000 2000 4000}; do
  "$here/gen.sh" sum "$n" > "$d/sum$n.edict"
  run "eval --engine=jit sum $n" "$edict" eval "$d/sum$n.edict" -d total --case "$d/sum.json" --engine=jit
done
for n in ${DAGS:-10 15 20 27}; do
  "$here/gen.sh" dag "$n" > "$d/dag$n.edict"
  run "eval --engine=jit dag $n" "$edict" eval "$d/dag$n.edict" -d top --case "$d/dag.json" --engine=jit
done
for n in ${DIFFS:-250 500 1000}; do
  "$here/gen.sh" cond "$n" 0 > "$d/old$n.edict"
  "$here/gen.sh" cond "$n" 1 > "$d/new$n.edict"
  run "diff (symbolic) cond $n" "$edict" diff "$d/old$n.edict" "$d/new$n.edict" -d level
done
"$here/gen.sh" sum 1000 > "$d/batch.edict"
printf '{"x": 1, "y": 2, "k": 3}\n{"x": -1, "y": 0.5, "k": 9}\n' > "$d/two.jsonl"
run "batch, 2 cases, sum 1000" "$edict" batch "$d/batch.edict" -d total --cases "$d/two.jsonl" --no-progress
