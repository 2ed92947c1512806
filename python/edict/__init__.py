"""Edict from Python: load a regulation, evaluate its decisions on cases, explain verdicts, run
batches on the JIT with every core, and diff two versions over a corpus. See docs/python.md.

    import edict
    r1 = edict.load("regs/ai_diffusion/r1_diffusion.edict.md")
    licence = r1.decision("licence")
    verdict = licence(case)            # a dict, or keyword arguments, one per input
"""

import csv
import decimal
import io
import json
import os
import tempfile
from collections import namedtuple

from ._values import Duration, ValueProblem, csv_text, dumps, to_json_data

__all__ = [
    "load",
    "Program",
    "Decision",
    "Version",
    "Duration",
    "EdictError",
    "LoadError",
    "UsageError",
    "CaseError",
    "EvaluationError",
]

# The standard library of an installed package: `cmake --install` puts it in
# <prefix>/share/edict/stdlib and the package in <prefix>/lib/pythonX.Y/dist-packages/edict (the
# build tree's extension finds the source tree's by itself).
_installed_stdlib = os.path.normpath(
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "share", "edict", "stdlib")
)
if "EDICT_STDLIB" not in os.environ and os.path.isfile(os.path.join(_installed_stdlib, "countries.edict")):
    os.environ["EDICT_STDLIB"] = _installed_stdlib

from . import _edict  # noqa: E402  (after EDICT_STDLIB is set)


class EdictError(Exception):
    """The base of every error this package raises."""


class LoadError(EdictError):
    """The program has errors: the message holds its diagnostics (file:line:col, what was expected)."""


class UsageError(EdictError, ValueError):
    """A call the package cannot carry out: no such decision or version, a bad date, an unreadable
    cases file (with its line), a diff that failed (with its messages)."""


class CaseError(EdictError, ValueError):
    """A case that is not a valid input of the decision. `issues` lists (field, message) pairs, the
    field a dotted path such as `shipment.destination` (None for the case as a whole); `field` and
    `message` are the first. `case` is the case as given, `line` its line in a batch's input."""

    kind = "invalid_case"

    def __init__(self, issues, case=None, line=None, index=None):
        self.issues = [(f, m) for f, m in issues]
        self.field, self.message = self.issues[0] if self.issues else (None, "invalid case")
        self.case, self.line, self.index = case, line, index
        where = f"line {line}: " if line is not None else ""
        text = "; ".join((f"field `{f}`: " if f else "the case: ") + m for f, m in self.issues)
        super().__init__(f"{where}invalid case: {text}")


class EvaluationError(EdictError):
    """A runtime error of the rules on a case (`kind`: conflict, no_applicable_rule, overflow,
    assertion_failed, invalid_case for a broken invariant ...), with its `message`, the source
    position `at` (file:line:col), the `provision` that holds it (a dict: decision, kind, name,
    citation, at; None when the site is in no rule or assertion), `notes`, and `case`/`line`."""

    def __init__(self, kind, message, at, provision, notes, case=None, line=None, index=None):
        self.kind, self.message, self.at, self.provision = kind, message, at, provision
        self.notes = list(notes)
        self.case, self.line, self.index = case, line, index
        self.field = None
        where = f"line {line}: " if line is not None else ""
        cite = ""
        if provision and provision.get("citation"):
            cite = f" [{provision['citation']}]"
        super().__init__(f"{where}{kind}: {message}" + (f" ({at})" if at else "") + cite)


Version = namedtuple("Version", "name effective file decisions")


def load(path, *, allow_imports=()):
    """Loads and checks the program at `path` (its imports too); raises LoadError with the
    diagnostics when it has errors. `allow_imports` names folders imports may read besides the
    root file's own and the standard library (`--allow-import`)."""
    try:
        native = _edict.load(os.fspath(path), [os.fspath(p) for p in allow_imports])
    except _edict.LoadFailure as e:
        raise LoadError(str(e)) from None
    return Program(native)


def _usage(f, *args):
    try:
        return f(*args)
    except _edict.UsageFailure as e:
        raise UsageError(str(e)) from None


class Program:
    """A loaded program: its versions (the amendment chain, oldest first) and their decisions."""

    def __init__(self, native):
        self._native = native
        self.path = native.path
        self.warnings = native.warnings
        self.versions = [Version(v["name"], v["effective"], v["file"], v["decisions"]) for v in native.versions()]

    @property
    def decisions(self):
        """The names of the decisions of the last version."""
        return list(self.versions[-1].decisions)

    def __repr__(self):
        return f"<edict.Program {self.path!r}: {len(self.versions)} version(s), decisions {self.decisions}>"

    def decision(self, name, *, as_of=None, version=None, engine="jit", decimals="fraction", allow_float=False,
                 library=None, symbol=None):
        """The decision `name` of the version in force on `as_of` (a datetime.date or
        "YYYY-MM-DD"), or of the version named `version`, or of the last one. Its outcomes give
        decimals as fractions.Fraction, or with decimals="decimal" as decimal.Decimal whenever the
        value has a finite decimal expansion (a Fraction otherwise). engine="jit" runs native
        code (compiled on first use, then cached), "interp" the reference interpreter. `library`
        runs a library made by `edict build` for this decision instead (its entry point `symbol`,
        by default the name in `lib<symbol>.so`): it is refused unless it was built from this
        very decision (its fingerprint, docs/abi.md)."""
        if decimals not in ("fraction", "decimal"):
            raise UsageError(f'decimals must be "fraction" or "decimal", found {decimals!r}')
        if as_of is not None and not isinstance(as_of, str):
            as_of = as_of.isoformat()
        native = _usage(
            _edict.Decision,
            self._native,
            name,
            as_of or "",
            version or "",
            engine,
            decimals == "decimal",
            os.fspath(library) if library is not None else "",
            symbol or "",
        )
        return Decision(self, name, native, allow_float)

    def diff(self, other, decision, cases, *, input_format="auto", threads=0, allow_float=False):
        """The corpus diff of `edict diff SELF OTHER -d DECISION --cases ... --format json`, as
        data (docs/diff.md gives its schema): the cases that change verdict grouped into
        transition classes with the deciding provisions on each side. `other` is a Program or a
        path; `cases` a JSON Lines or CSV file, an iterable of cases (dicts), or a pandas
        DataFrame with columns named by dotted paths."""
        other_path = other.path if isinstance(other, Program) else os.fspath(other)
        with _CasesInput(cases, input_format, allow_float, need_file=True) as (path, fmt):
            report = _usage(_edict.corpus_diff, self.path, other_path, decision, path, fmt, threads)
        return json.loads(report, parse_float=decimal.Decimal)


class Decision:
    """A decision of one version, callable on a case: `d(case)` or `d(field=value, ...)`."""

    def __init__(self, program, name, native, allow_float):
        self.program, self.name, self._native, self._allow_float = program, name, native, allow_float
        self.version = native.version()
        self.params = dict(native.params())  # name -> type, as Edict spells it
        self.result = native.result()

    def __repr__(self):
        params = ", ".join(f"{k}: {v}" for k, v in self.params.items())
        return f"<edict.Decision {self.name}({params}) -> {self.result} of {self.version or self.program.path!r}>"

    def _case_json(self, case, fields):
        if case is None:
            case = fields
        elif fields:
            raise UsageError("give the case as a dict or as keyword arguments, not both")
        if not isinstance(case, dict):
            raise UsageError(f"a case is a dict of the decision's inputs, found {type(case).__name__}")
        try:
            return case, dumps(to_json_data(case, self._allow_float))
        except ValueProblem as p:
            raise CaseError([(p.field, p.message)], case) from None

    def __call__(self, case=None, /, **fields):
        """The outcome on one case; raises CaseError (the case is not a valid input) or
        EvaluationError (the rules fail on it)."""
        case, text = self._case_json(case, fields)
        status, payload = self._native.call(text)
        return _result(status, payload, case)

    def explain(self, case=None, /, **fields):
        """The explanation of the verdict on one case as data: the JSON object `edict eval
        --explain --format json` gives (which rules decided, which were overridden and by what,
        which did not apply and why, with provisions and the values read), with the outcome
        (as Python values) under "value", or the EvaluationError under "error" when the rules
        fail on the case. Raises CaseError for an invalid case."""
        case, text = self._case_json(case, fields)
        status, payload, explanation = self._native.explain(text)
        tree = json.loads(explanation, parse_float=decimal.Decimal)
        if status == 0:
            tree["value"] = payload
        else:
            try:
                _result(status, payload, case)
            except EvaluationError as e:
                tree["error"] = e
        return tree

    def batch(self, cases, *, input_format="auto", threads=0, errors="return"):
        """The outcomes of many cases, in order, evaluated in parallel (every core, or
        `threads`). `cases`: a JSON Lines or CSV file (a path; input_format "jsonl" or "csv"
        when its extension does not say), an iterable of cases (dicts), or a pandas DataFrame
        whose columns are the inputs' dotted paths (`shipment.destination`). A case that fails
        gives, in its place, its CaseError or EvaluationError (with `line`, `index` and, for
        in-memory cases, `case`); errors="raise" raises the first of them instead."""
        if errors not in ("return", "raise"):
            raise UsageError(f'errors must be "return" or "raise", found {errors!r}')
        given = None
        if not isinstance(cases, (str, os.PathLike)) and not _is_dataframe(cases):
            cases = given = list(cases)
        failures = []

        def make_error(kind, line, detail):
            e = _error(kind, detail, None, line)
            failures.append(e)
            return e

        with _CasesInput(cases, input_format, self._allow_float) as (path, fmt):
            if path is None:
                out = _usage(self._native.batch, "", fmt[1], fmt[0] == "csv", threads, make_error, 1)
            else:
                out = _usage(self._native.batch, path, b"", _is_csv(path, fmt), threads, make_error, 1)
        if failures:
            index = {id(e): i for i, e in enumerate(out) if isinstance(e, EdictError)}
            for e in failures:
                e.index = index.get(id(e))
                if given is not None and e.index is not None and e.index < len(given):
                    e.case = given[e.index]
            if errors == "raise":
                raise failures[0]
        return out


def _is_dataframe(x):
    return type(x).__name__ == "DataFrame" and hasattr(x, "columns") and hasattr(x, "to_csv")


def _is_csv(path, fmt):
    if fmt == "auto":
        return str(path).lower().endswith(".csv")
    if fmt not in ("csv", "jsonl"):
        raise UsageError(f'input_format must be "auto", "jsonl" or "csv", found {fmt!r}')
    return fmt == "csv"


def _error(kind, detail, case, line):
    if kind == "invalid_case" and isinstance(detail, list):
        return CaseError(detail, case, line)
    return EvaluationError(*detail, case=case, line=line)


def _result(status, payload, case):
    if status == 0:
        return payload
    if status == 1:
        raise CaseError(payload, case)
    raise EvaluationError(*payload, case=case)


def _dataframe_csv(df, allow_float):
    """A DataFrame as CSV text for the CSV case reader: one column per input leaf, named by its
    dotted path; every value written exactly (a float column is refused unless allow_float)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    columns = [str(c) for c in df.columns]
    w.writerow(columns)
    try:
        for row in df.itertuples(index=False, name=None):
            w.writerow([csv_text(v, allow_float, c) for v, c in zip(row, columns)])
    except ValueProblem as p:
        raise CaseError([(p.field, p.message)]) from None
    return out.getvalue().encode()


def _jsonl(cases, allow_float):
    lines = []
    for i, case in enumerate(cases):
        if not isinstance(case, dict):
            raise UsageError(f"case {i}: a case is a dict of the decision's inputs, found {type(case).__name__}")
        try:
            lines.append(dumps(to_json_data(case, allow_float)))
        except ValueProblem as p:
            raise CaseError([(p.field, p.message)], case, index=i) from None
    return ("\n".join(lines) + "\n").encode() if lines else b""


class _CasesInput:
    """Cases as the native code reads them: (path, format) for a file, or (None, (format, bytes))
    for cases in memory; for the diff, cases in memory are written to a temporary file."""

    def __init__(self, cases, input_format, allow_float, need_file=False):
        self.cases, self.fmt, self.allow_float, self.tmp = cases, input_format, allow_float, None
        self.need_file = need_file

    def __enter__(self):
        c = self.cases
        if isinstance(c, (str, os.PathLike)):
            _is_csv(c, self.fmt)  # checks the format's name
            return os.fspath(c), self.fmt
        if _is_dataframe(c):
            fmt, data = "csv", _dataframe_csv(c, self.allow_float)
        else:
            fmt, data = "jsonl", _jsonl(c, self.allow_float)
        if not self.need_file:
            return None, (fmt, data)
        fd, self.tmp = tempfile.mkstemp(prefix="edict-cases-", suffix="." + fmt)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return self.tmp, fmt

    def __exit__(self, *exc):
        if self.tmp:
            os.unlink(self.tmp)
        return False
