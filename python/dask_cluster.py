"""edict.dask on a real cluster: a distributed.LocalCluster of two worker processes on this
machine, N generated cases of the AI Diffusion rule's `licence` decision (default 1,000,000),
and the checks that the cluster's verdicts are the bytes `edict batch` writes and its diff report
the one `edict diff --cases` writes. It prints the time of each side, measured in the same run
(docs/performance.md, "Python and Dask"); with --runs K it alternates the command and the
cluster K times (a benchmark; CTest runs it once, as the test python/dask_cluster).

    PYTHONPATH=build/python /usr/bin/python3 -P python/dask_cluster.py build/edict [N] [--runs K]
"""

import argparse
import decimal
import filecmp
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("edict")
    ap.add_argument("n", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--blocksize", type=int, default=32 << 20)
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    import edict.dask as ed

    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r1 = os.path.join(src, "regs/ai_diffusion/r1_diffusion.edict.md")
    r2 = os.path.join(src, "regs/ai_diffusion/r2_rescission.edict.md")
    timings = {}

    def timed(name, f):
        t = time.perf_counter()
        result = f()
        timings.setdefault(name, []).append(time.perf_counter() - t)
        return result

    def cli(*a):
        p = subprocess.run([args.edict, *a], capture_output=True)
        if p.returncode not in (0, 1):
            sys.exit(f"edict {' '.join(a)} failed ({p.returncode}): {p.stderr.decode()}")
        return p

    with tempfile.TemporaryDirectory(prefix="edict-dask-") as d:
        cases = os.path.join(d, "cases.jsonl")
        with open(cases, "wb") as f:
            subprocess.run([args.edict, "cases", r2, "-d", "licence", "-n", str(args.n), "--seed", "11"], stdout=f,
                           check=True)
        size = os.path.getsize(cases)
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        try:
            # Each worker loads and compiles both programs once (the code cache makes it quick);
            # the first run includes it, as a first run on a fresh cluster would.
            for run in range(args.runs):
                batch_out = os.path.join(d, "batch.jsonl")
                timed("edict batch", lambda: cli("batch", r2, "-d", "licence", "--cases", cases, "-o", batch_out))
                out_dir = os.path.join(d, f"dask-{run}")
                w = timed("edict.dask.evaluate_to_files", lambda: ed.evaluate_to_files(
                    r2, "licence", cases, out_dir, blocksize=args.blocksize))
                joined = os.path.join(d, "dask.jsonl")
                with open(joined, "wb") as out:
                    for f in w.files:
                        with open(f, "rb") as part:
                            out.write(part.read())
                if not filecmp.cmp(joined, batch_out, shallow=False):
                    sys.exit("FAILED: the cluster's verdicts differ from edict batch's")
                if w.cases != args.n:
                    sys.exit(f"FAILED: the cluster decided {w.cases} cases of {args.n}")

                report = os.path.join(d, "diff.json")
                timed("edict diff --cases", lambda: cli("diff", r1, r2, "-d", "licence", "--cases", cases,
                                                        "--format", "json", "-o", report))
                got = timed("edict.dask.diff", lambda: ed.diff(r1, r2, "licence", cases, blocksize=args.blocksize))
                with open(report) as f:
                    want = json.load(f, parse_float=decimal.Decimal)
                if got.report != want:
                    sys.exit("FAILED: the cluster's diff report differs from edict diff --cases")
                # What the scheduler costs: counting the parts' lines (a pass over the corpus on
                # the workers), and as many empty tasks as the diff has parts.
                ps = timed("edict.dask.parts (line counting)", lambda: ed.parts(cases, blocksize=args.blocksize))
                timed(f"{len(ps)} empty tasks", lambda: client.gather(
                    [client.submit(lambda i: i, i, pure=False) for i in range(len(ps))]))
        finally:
            client.close()
            cluster.close()

    print(f"{args.n} cases ({size / 1e6:.0f} MB, {len(ps)} parts of at most {args.blocksize >> 20} MiB), "
          f"a LocalCluster of 2 worker processes, 1 thread each; {os.cpu_count()} CPUs")
    print("verdicts: identical to edict batch; diff report: identical to edict diff --cases")
    for name, ts in timings.items():
        print(f"{name:36s} best {min(ts):7.3f} s  runs: " + ", ".join(f"{t:.3f}" for t in ts))


if __name__ == "__main__":
    main()
