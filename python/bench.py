"""Benchmarks of the Python package (docs/performance.md, "Python"): the overhead of one call, and
`.batch` against `edict batch` on the same file, measured side by side in one run.

    PYTHONPATH=build/python /usr/bin/python3 -P python/bench.py build/edict [CASES]   (-P: not python/ itself)

Generates CASES (default 1,000,000) cases of the peers benchmark's decision with `edict cases`,
then alternates `edict batch --format lines -o /dev/null` (the whole command, code cached) and
`Decision.batch(path)` (from the file's bytes to a Python list of verdicts, code cached), three
runs each, and reports the best of each and their ratio. Every run's verdicts are checked against
`edict batch`'s: a benchmark that computed something else would fail here."""

import os
import subprocess
import sys
import tempfile
import time

import edict

EDICT = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(SRC, "tests/bench/peers.edict")

with tempfile.TemporaryDirectory() as d:
    cases = os.path.join(d, "cases.jsonl")
    with open(cases, "wb") as f:
        subprocess.run([EDICT, "cases", PEERS, "-d", "verdict", "-n", str(N)], stdout=f, check=True)
    want = os.path.join(d, "want.txt")
    subprocess.run([EDICT, "batch", PEERS, "-d", "verdict", "--cases", cases, "--format", "lines", "-o", want],
                   stderr=subprocess.DEVNULL)  # exit 1: some generated cases fail, on both sides
    with open(want) as f:
        expected = f.read().splitlines()
    verdict = edict.load(PEERS).decision("verdict")
    verdict.batch([])  # compiles (or takes the code from the cache) before timing

    cli_times, py_times = [], []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([EDICT, "batch", PEERS, "-d", "verdict", "--cases", cases, "--format", "lines", "-o",
                        "/dev/null"], stderr=subprocess.DEVNULL)
        cli_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        got = verdict.batch(cases)
        py_times.append(time.perf_counter() - t)
        assert len(got) == len(expected) and all(
            g == e if isinstance(g, str) else e.startswith(f"error: {g.kind}") for g, e in zip(got, expected)
        ), "Decision.batch differs from edict batch"
        del got

    # One call: a case as a dict, through the JSON of the case, the decoder, the engine and back.
    with open(cases) as f:
        first = f.readline()
    import json

    case = json.loads(first, parse_float=__import__("decimal").Decimal)
    calls = {}
    for engine in ("jit", "interp"):
        d1 = edict.load(PEERS).decision("verdict", engine=engine)
        d1(case)
        k = 20000
        t = time.perf_counter()
        for _ in range(k):
            d1(case)
        calls[engine] = (time.perf_counter() - t) / k

cli, py = min(cli_times), min(py_times)
print(f"cases: {N} (tests/bench/peers.edict, decision verdict), threads: {os.cpu_count()}")
print(f"edict batch --format lines: {cli:.3f} s  ({N / cli / 1e6:.2f} M cases/s)  runs: "
      + ", ".join(f"{x:.3f}" for x in cli_times))
print(f"Decision.batch(path):       {py:.3f} s  ({N / py / 1e6:.2f} M cases/s)  runs: "
      + ", ".join(f"{x:.3f}" for x in py_times))
print(f"Decision.batch / edict batch throughput: {cli / py:.0%}")
for engine, s in calls.items():
    print(f"one call, engine {engine}: {s * 1e6:.1f} us")
