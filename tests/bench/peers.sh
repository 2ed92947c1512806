#!/usr/bin/env bash
# Edict beside the rules engines of the peers harness, in one run on this machine:
#   tests/bench/peers.sh [PEERS_DIR] [N] [SEED]
# PEERS_DIR defaults to ../shared/bench/peers (the project does not ship it). The harness is
# copied to a scratch directory and run (GoRules ZEN, Cedar, json-rules-engine, FEEL, plain JS,
# the C++ limit); then Edict runs on the same out/cases.jsonl: the interpreter and the JIT in
# memory (cases decoded once), and `edict batch` end to end (file to verdict file, including
# loading and compiling). Every Edict verdict file is compared with the harness's exact reference.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
peers="${1:-$here/../shared/bench/peers}"
n="${2:-1000000}"
seed="${3:-42}"
build="$here/build"
# The machine, with every run (machines of one kind differ: a figure holds for the one it came
# from): the CPU model, the CPUs, and how much a second CPU adds, from one spinning thread timed
# alone and then two at once (2 x one / two - 1: 100% for a full second core).
spin() { python3 -c 'import time
t = time.perf_counter()
x = 0
for i in range(20_000_000): x += i
print(f"{time.perf_counter() - t:.2f}")'; }
one=$(spin)
two=$( (spin & spin & wait) | sort -n | tail -1)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs$(lscpu | sed -n 's/^Hypervisor vendor: *\(.*\)/ (virtual, \1)/p'), $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "spin test: one thread ${one} s alone, two at once ${two} s: the second CPU adds $(python3 -c "print(round((2 * $one / $two - 1) * 100))")% of a core"
work="$(mktemp -d)"
cp -r "$peers/." "$work/"
chmod -R u+w "$work"
cd "$work"
./run.sh "$n" "$seed" > harness.log 2>&1 || { cat harness.log; exit 1; }
edict="$build/edict"
bench="$build/tests/edict_bench"
spec="$here/tests/bench/peers.edict"
"$bench" verdicts "$spec" verdict out/cases.jsonl out/edict_interp.txt
cmp out/reference.txt out/edict_interp.txt
interp=$("$bench" interp "$spec" verdict out/cases.jsonl | sed -n 's/^RESULT //p')
jit=$("$bench" jit "$spec" verdict out/cases.jsonl | sed -n 's/^RESULT //p')
# `edict batch` end to end, five runs each (this VM's speed drifts); the medians are reported:
# compiling every time (no compiled-code cache), then with the cache warm (one untimed run
# fills it, in a cache directory of this run's own).
export EDICT_CACHE_DIR="$work/code-cache"
batch_runs() {
  local times=() run start end
  for run in 1 2 3 4 5; do
    rm -f out/edict_batch.txt
    start=$(date +%s%N)
    "$edict" batch "$spec" -d verdict --cases out/cases.jsonl --format lines -o out/edict_batch.txt --no-progress
    end=$(date +%s%N)
    cmp out/reference.txt out/edict_batch.txt || exit 1  # (errexit does not reach into $(...))
    times+=($(( (end - start) / 1000 )))
  done
  echo "edict batch $1, five runs (microseconds): ${times[*]}" >&2
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}
EDICT_NO_CACHE=1 "$edict" batch "$spec" -d verdict --cases out/cases.jsonl --format lines -o out/edict_batch.txt --no-progress
cold_us=$(EDICT_NO_CACHE=1 batch_runs "compiling each time")
"$edict" batch "$spec" -d verdict --cases out/cases.jsonl --format lines -o out/edict_batch.txt --no-progress
batch_us=$(batch_runs "with the compiled-code cache")
node -e '
const r = require("./results.json");
const [interp, jit, secs, n, cold] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2]), +process.argv[3], +process.argv[4], +process.argv[5]];
const fmt = x => x == null ? "-" : Math.round(x).toLocaleString("en-US");
const limit = r.engines.find(e => e.id === "limit");
console.log("| engine | decisions/s (in memory) | cases/s (from JSONL) | vs C++ limit (in memory) | mismatches |");
console.log("|---|---|---|---|---|");
const versus = dps => dps >= limit.eval_dps ? (dps / limit.eval_dps).toFixed(2) + "x faster" : (limit.eval_dps / dps).toFixed(1) + "x slower";
const row = (name, dps, cps, mism) => console.log(`| ${name} | ${fmt(dps)} | ${fmt(cps)} | ${dps ? (dps === limit.eval_dps ? "1x" : versus(dps)) : "-"} | ${mism} |`);
row("Edict JIT (batch entry, 1 thread)", jit.dps, null, 0);
row("Edict `edict batch` (end to end, 2 threads, compiling; median of 5)", null, n / cold, 0);
row("Edict `edict batch` (the same, compiled code cached; median of 5)", null, n / secs, 0);
row("Edict interpreter (1 thread)", interp.dps, null, 0);
for (const e of r.engines) row(e.engine + (e.n_eval < e.n_total ? ` (${fmt(e.n_eval)} cases)` : ""), e.eval_dps, e.parse_cps, e.mismatches ?? 0);
console.log(`\nEdict JIT / interpreter: ${(jit.dps / interp.dps).toFixed(1)}x; interpreter / ZEN (256 in flight): ${(interp.dps / r.engines.find(e => e.id === "zen-256").eval_dps).toFixed(1)}x; JIT compile ${jit.compile_ms} ms.`);
' "$interp" "$jit" "${batch_us}e-6" "$n" "${cold_us}e-6"
echo "(harness log and files in $work)"
