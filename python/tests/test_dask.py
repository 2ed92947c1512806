"""edict.dask against the CLI, on Dask's synchronous scheduler (the cluster itself is tested by
python/dask_cluster.py): a corpus cut into parts of a few hundred bytes, bad lines included, must
give the bytes `edict batch` writes and the report `edict diff --cases` writes. Run by CTest
(python/pytest) with PYTHONPATH=build/python, EDICT=build/edict and EDICT_SOURCE=the source tree."""

import decimal
import json
import os
import subprocess

import dask
import dask.bag
import pytest

import edict
import edict.dask as ed

SRC = os.environ["EDICT_SOURCE"]
EDICT = os.environ["EDICT"]
R1 = os.path.join(SRC, "regs/ai_diffusion/r1_diffusion.edict.md")
R2 = os.path.join(SRC, "regs/ai_diffusion/r2_rescission.edict.md")
SCENARIOS = os.path.join(SRC, "regs/ai_diffusion/cases/scenarios.jsonl")


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def run(*args, ok=(0, 1)):
    p = subprocess.run([EDICT, *args], capture_output=True)
    assert p.returncode in ok, p.stderr
    return p.stdout, p.stderr.decode()


@pytest.fixture
def corpus(tmp_path):
    """The scenarios, twice, with bad lines among them: a blank line, a case that is not JSON, a
    case with a missing field, and a last line without its line break."""
    with open(SCENARIOS, "rb") as f:
        lines = f.read().splitlines()
    bad = [b"{not json", b'{"t":{"item":"H100"}}']
    body = lines + [b""] + bad[:1] + lines + bad[1:] + lines[:3]
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(b"\n".join(body))  # no line break after the last line
    return str(path)


@pytest.mark.parametrize("blocksize", [None, 300, 1000, 1 << 20])
def test_parts_tile_the_file(corpus, blocksize):
    ps = ed.parts(corpus, blocksize=blocksize)
    data = b"".join(ed._read_part(p)[1] for p in ps)
    with open(corpus, "rb") as f:
        assert data == f.read()
    assert ps[0].first_line == 1
    for a, b in zip(ps, ps[1:]):
        assert b.first_line == a.first_line + ed._count(a)


@pytest.mark.parametrize("blocksize", [None, 300, 1000])
def test_evaluate_to_files_gives_the_bytes_of_edict_batch(corpus, tmp_path, blocksize):
    want, stderr = run("batch", R2, "-d", "licence", "--cases", corpus, "--max-errors", "0")
    got = ed.evaluate_to_files(R2, "licence", corpus, tmp_path / "out", blocksize=blocksize)
    data = b""
    for f in got.files:
        with open(f, "rb") as fh:
            data += fh.read()
    assert data == want
    problems = [line for line in stderr.splitlines() if ": error: " in line]
    assert got.problems == problems and len(problems) >= 2
    assert got.failed == 2 and got.cases == want.count(b"\n")


def test_workers_can_run_a_library_made_by_edict_build(corpus, tmp_path):
    run("build", R2, "-d", "licence", "-o", str(tmp_path / "lib"), ok=(0,))
    want, _ = run("batch", R2, "-d", "licence", "--cases", corpus)
    got = ed.evaluate_to_files(R2, "licence", corpus, tmp_path / "out", blocksize=500,
                               library=tmp_path / "lib" / "liblicence.so")
    assert b"".join(open(f, "rb").read() for f in got.files) == want


def test_evaluate_gives_the_package_s_outcomes_in_order(corpus):
    want = edict.load(R2).decision("licence").batch(corpus)
    got = ed.evaluate(R2, "licence", corpus, blocksize=300).compute()
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if isinstance(w, edict.EdictError):
            assert type(g) is type(w) and g.line == w.line and g.path == corpus and str(g) == str(w)
        else:
            assert g == w


def test_evaluate_over_a_bag_and_a_dataframe():
    pd = pytest.importorskip("pandas")
    import dask.dataframe

    with open(SCENARIOS) as f:
        cases = [json.loads(line, parse_float=decimal.Decimal) for line in f]
    want = edict.load(R2).decision("licence").batch(cases)
    bag = dask.bag.from_sequence(cases, npartitions=3)
    assert ed.evaluate(R2, "licence", bag).compute() == want
    flat = pd.json_normalize([{"t": c["t"]} for c in cases], sep=".")
    frame = dask.dataframe.from_pandas(flat, npartitions=2)
    got = ed.evaluate(R2, "licence", frame).compute()
    assert [repr(x) for x in got] == [repr(x) for x in edict.load(R2).decision("licence").batch(flat)]
    assert not any(isinstance(x, edict.EdictError) for x in got)


@pytest.mark.parametrize("blocksize", [None, 300, 1000])
def test_diff_gives_the_report_of_edict_diff(corpus, blocksize):
    out, stderr = run("diff", R1, R2, "-d", "licence", "--cases", corpus, "--format", "json", "--max-errors", "0")
    want = json.loads(out, parse_float=decimal.Decimal)
    got = ed.diff(R1, R2, "licence", corpus, blocksize=blocksize)
    assert got.report == want
    assert got.problems == [line for line in stderr.splitlines() if ": error: " in line]
    text, _ = run("diff", R1, R2, "-d", "licence", "--cases", corpus)
    assert ed.diff(R1, R2, "licence", corpus, format="text", blocksize=blocksize).report == text.decode()


def test_csv_parts_carry_the_header(tmp_path):
    rows = ["destination,quantity"] + [f"{d},{q}" for d in ("CN", "DE", "IN", "US") for q in (1, 500, 5000)]
    path = tmp_path / "c.csv"
    path.write_text("\n".join(rows) + "\n")
    reg = tmp_path / "r.edict"
    reg.write_text(
        "enum Country { CN, DE, IN, US }\n"
        "decision ok(destination: Country, quantity: integer) -> bool {\n"
        "  rule big when quantity > 1000 then false;\n"
        "  rule cn when destination == CN then false;\n"
        "  default then true;\n"
        "}\n"
    )
    want, _ = run("batch", str(reg), "-d", "ok", "--cases", str(path))
    got = ed.evaluate_to_files(str(reg), "ok", str(path), tmp_path / "out", blocksize=20)
    assert len(got.files) > 3
    assert b"".join(open(f, "rb").read() for f in got.files) == want


def test_errors_name_what_is_wrong(tmp_path):
    with pytest.raises(edict.UsageError, match="cannot read"):
        ed.parts(str(tmp_path / "missing.jsonl"))
    with pytest.raises(edict.UsageError, match="one file"):
        a, b = tmp_path / "a.csv", tmp_path / "b.csv"
        a.write_text("x\n1\n")
        b.write_text("x\n1\n")
        ed.parts([str(a), str(b)])
    with pytest.raises(edict.UsageError, match="no decision"):
        ed.evaluate(R2, "nope", SCENARIOS)
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(edict.UsageError, match="cannot"):
        ed.evaluate_to_files(R2, "licence", SCENARIOS, blocked / "out")
