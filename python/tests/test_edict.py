"""The Python package against the CLI: every verdict, explanation and diff it gives must be the one
`edict` gives on the same input. Run by CTest (python/pytest) with PYTHONPATH=build/python,
EDICT=build/edict and EDICT_SOURCE=the source tree."""

import datetime
import decimal
import json
import os
import re
import subprocess
from fractions import Fraction

import pytest

import edict

SRC = os.environ["EDICT_SOURCE"]
EDICT = os.environ["EDICT"]
R1 = os.path.join(SRC, "regs/ai_diffusion/r1_diffusion.edict.md")
R2 = os.path.join(SRC, "regs/ai_diffusion/r2_rescission.edict.md")
R4 = os.path.join(SRC, "regs/ai_diffusion/r4_d5_cambodia.edict.md")
SCENARIOS = os.path.join(SRC, "regs/ai_diffusion/cases/scenarios.jsonl")
S04 = os.path.join(SRC, "regs/ai_diffusion/cases/s04_h100_india_1700.json")
REG = os.path.join(SRC, "tests/golden/eval/_regulation.edict")


def cli(*args, ok=(0,)):
    p = subprocess.run([EDICT, *args], capture_output=True, text=True)
    assert p.returncode in ok, p.stderr
    return p.stdout


def exact_json(text):
    """JSON as Edict writes it, numbers read exactly."""
    return json.loads(text, parse_float=Fraction, parse_int=Fraction)


def read_case(path):
    with open(path) as f:
        return json.load(f, parse_float=decimal.Decimal)


def scenarios():
    with open(SCENARIOS) as f:
        return [json.loads(line, parse_float=decimal.Decimal) for line in f if line.strip()]


def normal(x):
    """A Python outcome or an Edict JSON outcome in one comparable form."""
    if isinstance(x, bool) or x is None:
        return x
    if isinstance(x, (int, Fraction, decimal.Decimal)):
        return Fraction(x)
    if isinstance(x, str) and re.fullmatch(r"-?\d+/\d+", x):
        return Fraction(x)
    if isinstance(x, (datetime.date, edict.Duration)):
        return str(x)
    if isinstance(x, dict):
        return {k: normal(v) for k, v in x.items()}
    if isinstance(x, frozenset):
        return sorted(normal(v) for v in x)
    if isinstance(x, list):  # a set is a list in JSON, in member order: compared as sorted names
        items = [normal(v) for v in x]
        return sorted(items) if all(isinstance(v, str) for v in items) else items
    return x


@pytest.fixture(scope="module")
def r1():
    return edict.load(R1)


@pytest.fixture(scope="module")
def reg():
    return edict.load(REG)


def test_load_versions_and_decisions(r1):
    assert "licence" in r1.decisions
    assert r1.versions[-1].name == "r1"
    assert all(isinstance(v, edict.Version) for v in r1.versions)
    r4 = edict.load(R4)
    names = [v.name for v in r4.versions]
    assert names[0] == "r0" and names[-1] == "r4" and len(names) >= 3


def test_load_error_has_position(tmp_path):
    bad = tmp_path / "bad.edict"
    bad.write_text("decision d(x: integer) -> integer {\n  default then x +;\n}\n")
    with pytest.raises(edict.LoadError) as e:
        edict.load(bad)
    assert re.search(r"bad\.edict:2:\d+: error", str(e.value)), str(e.value)


def test_outcome_matches_cli(r1):
    licence = r1.decision("licence")
    py = licence(read_case(S04))
    want = exact_json(cli("eval", R1, "-d", "licence", "--case", S04, "--format", "json", ok=(0, 1)))["outcome"]
    assert normal(py) == normal(want)
    assert isinstance(py, dict)


def test_keyword_arguments_and_interpreter(r1):
    case = read_case(S04)
    jit = r1.decision("licence")(**case)
    interp = r1.decision("licence", engine="interp")(case)
    assert jit == interp


def test_exact_values(reg):
    arithmetic = reg.decision("arithmetic")
    v = arithmetic(n=3, d=Fraction(7, 10))
    assert v == Fraction(81 * 10, 7) and isinstance(v, Fraction)
    assert arithmetic(n=2, d=decimal.Decimal("0.5")) == 32
    dec = reg.decision("arithmetic", decimals="decimal")
    assert dec(n=1, d=decimal.Decimal("8")) == decimal.Decimal("0.125")
    assert isinstance(dec(n=1, d=3), Fraction)  # 1/3 has no finite decimal expansion
    order = {"tpp": decimal.Decimal("15831.2"), "quantity": 10, "g2g": False, "military": False,
             "day": datetime.date(2025, 1, 15)}
    assert reg.decision("calendar")(o=order) == datetime.date(2025, 2, 15)
    with pytest.raises(edict.EvaluationError) as e:
        reg.decision("calendar")(o=dict(order, day=datetime.date(2025, 1, 31)))
    assert e.value.kind == "invalid_date" and e.value.provision["decision"] == "calendar"
    assert reg.decision("review")(o=order) == "approval"


def test_float_refused_unless_opted_in(reg):
    order = {"tpp": 15831.2, "quantity": 10, "g2g": False, "military": False, "day": "2025-01-31"}
    with pytest.raises(edict.CaseError) as e:
        reg.decision("review")(o=order)
    assert e.value.field == "o.tpp" and "float" in e.value.message and e.value.case == {"o": order}
    assert reg.decision("review", allow_float=True)(o=order) == "approval"


def test_invalid_case_names_the_field(r1):
    case = read_case(S04)
    case["t"]["destination"] = "XX"
    with pytest.raises(edict.CaseError) as e:
        r1.decision("licence")(case)
    assert e.value.field == "t.destination", e.value.issues
    assert e.value.case is case


def test_runtime_error_carries_kind_provision_and_case(reg):
    order = {"tpp": decimal.Decimal("15831.2"), "quantity": 1700, "g2g": True, "military": False, "day": "2025-01-31"}
    with pytest.raises(edict.EvaluationError) as e:
        reg.decision("review")(o=order)
    err = e.value
    assert err.kind == "conflict"
    assert "`g2g`" in err.message and "`large`" in err.message
    assert err.at.endswith("_regulation.edict:15:8")
    assert err.provision["name"] == "large" and err.provision["citation"] == "example: large orders"
    assert err.case == {"o": order}


def test_usage_errors(r1):
    with pytest.raises(edict.UsageError, match="no decision `nope`"):
        r1.decision("nope")
    with pytest.raises(edict.UsageError, match="as_of needs a date"):
        r1.decision("licence", as_of="June")
    with pytest.raises(edict.UsageError, match="no version `r9`"):
        r1.decision("licence", version="r9")


def test_versions_by_date_and_name():
    r4 = edict.load(R4)
    case = read_case(S04)
    for as_of in ["2025-06-01", "2026-02-01"]:
        py = r4.decision("licence", as_of=datetime.date.fromisoformat(as_of))(case)
        want = exact_json(cli("eval", R4, "-d", "licence", "--as-of", as_of, "--case", S04, "--format", "json",
                              ok=(0, 1)))["outcome"]
        assert normal(py) == normal(want)
    assert r4.decision("licence", version="r0").version == "r0"


def test_explain_is_the_cli_explanation(r1):
    tree = r1.decision("licence").explain(read_case(S04))
    cli_tree = json.loads(cli("eval", R1, "-d", "licence", "--case", S04, "--explain", "--format", "json",
                              ok=(0, 1)), parse_float=decimal.Decimal)["explanation"]
    value = tree.pop("value")
    assert tree == cli_tree
    assert normal(value) == normal(r1.decision("licence")(read_case(S04)))


def test_batch_matches_edict_batch(r1, tmp_path):
    lines = [exact_json(line) for line in cli("batch", R1, "-d", "licence", "--cases", SCENARIOS, ok=(0, 1)).splitlines()]
    want = [normal(x.get("outcome")) for x in lines]
    licence = r1.decision("licence")
    assert [normal(x) for x in licence.batch(SCENARIOS)] == want
    assert [normal(x) for x in licence.batch(scenarios(), threads=2)] == want
    assert [normal(x) for x in r1.decision("licence", engine="interp").batch(SCENARIOS)] == want


def test_batch_over_a_dataframe(r1):
    pandas = pytest.importorskip("pandas")
    frame = pandas.json_normalize(scenarios())  # columns named by dotted paths
    assert "t.consignee.country" in frame.columns
    licence = r1.decision("licence")
    assert [normal(x) for x in licence.batch(frame)] == [normal(x) for x in licence.batch(SCENARIOS)]


def test_batch_failures_in_place(reg, tmp_path):
    good = {"o": {"tpp": "15831.2", "quantity": 10, "g2g": False, "military": False, "day": "2025-01-31"}}
    conflict = {"o": dict(good["o"], quantity=1700, g2g=True)}
    invalid = {"o": dict(good["o"], day="2025-02-30")}
    review = reg.decision("review")
    out = review.batch([good, conflict, invalid, good])
    assert out[0] == "approval" and out[3] == "approval"
    assert isinstance(out[1], edict.EvaluationError) and out[1].kind == "conflict"
    assert out[1].line == 2 and out[1].index == 1 and out[1].case is conflict
    assert isinstance(out[2], edict.CaseError) and out[2].field == "o.day" and out[2].line == 3
    with pytest.raises(edict.EvaluationError):
        review.batch([good, conflict], errors="raise")
    path = tmp_path / "orders.csv"
    path.write_text("o.tpp,o.quantity,o.g2g,o.military,o.day\n15831.2,10,false,false,2025-01-31\n"
                    "15831.2,10,maybe,false,2025-01-31\n")
    out = review.batch(path)
    assert out[0] == "approval" and isinstance(out[1], edict.CaseError) and out[1].field == "o.g2g"
    (tmp_path / "broken.csv").write_text("o.tpp,nope\n1,2\n")
    with pytest.raises(edict.UsageError, match="nope"):
        review.batch(tmp_path / "broken.csv")
    with pytest.raises(edict.UsageError, match="cannot read"):
        review.batch(tmp_path / "missing.jsonl")


def test_diff_matches_edict_diff(r1):
    want = json.loads(cli("diff", R1, R2, "-d", "licence", "--cases", SCENARIOS, "--format", "json", ok=(0, 1)),
                      parse_float=decimal.Decimal)
    assert want["classes"]
    assert r1.diff(R2, "licence", cases=SCENARIOS) == want
    in_memory = r1.diff(edict.load(R2), "licence", cases=scenarios())
    assert _strip_inputs(in_memory) == _strip_inputs(want)


def _strip_inputs(report):
    """A report without what names its input file."""
    text = json.dumps(report, sort_keys=True, default=str)
    return re.sub(r'"file": "[^"]*"', "", text)


def test_diff_errors_are_exceptions(r1, tmp_path):
    with pytest.raises(edict.UsageError, match="cannot read"):
        r1.diff(R2, "licence", cases=tmp_path / "none.jsonl")


def test_a_library_made_by_edict_build(tmp_path):
    cli("build", R2, "-d", "licence", "-o", str(tmp_path / "r2"))
    cli("build", R1, "-d", "licence", "-o", str(tmp_path / "r1"))
    r2 = edict.load(R2)
    lib = r2.decision("licence", library=tmp_path / "r2" / "liblicence.so")
    jit = r2.decision("licence")
    with open(SCENARIOS) as f:
        cases = [json.loads(line, parse_float=decimal.Decimal) for line in f]
    assert [lib(c) for c in cases] == [jit(c) for c in cases]
    assert lib.batch(SCENARIOS) == jit.batch(SCENARIOS)
    # A runtime error comes with the interpreter's message and provision, as from the JIT.
    bad = json.loads(json.dumps(cases[0], default=str))
    bad["t"]["quantity"] = -1
    with pytest.raises((edict.EvaluationError, edict.CaseError)) as from_lib:
        lib(bad)
    with pytest.raises((edict.EvaluationError, edict.CaseError)) as from_jit:
        jit(bad)
    assert str(from_lib.value) == str(from_jit.value)
    # A library of another version, or a file that is no such library, is refused.
    with pytest.raises(edict.UsageError, match="was not built from this decision"):
        r2.decision("licence", library=tmp_path / "r1" / "liblicence.so")
    with pytest.raises(edict.UsageError, match="not built from this decision"):
        edict.load(R1).decision("licence", library=tmp_path / "r2" / "liblicence.so")
    with pytest.raises(edict.UsageError, match="cannot load the library"):
        r2.decision("licence", library=tmp_path / "libnothing.so")
    with pytest.raises(edict.UsageError, match="lib<name>.so"):
        r2.decision("licence", library=tmp_path / "r2" / "licence.h")
