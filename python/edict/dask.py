"""Edict over a Dask cluster: evaluate a decision, or run the verdict diff of two versions, over a
corpus spread across workers (docs/scale-out.md).

    import edict.dask
    from distributed import Client
    client = Client("scheduler:8786")      # or distributed.LocalCluster()
    outcomes = edict.dask.evaluate("r2.edict", "licence", ["cases.jsonl"]).compute()
    result = edict.dask.diff("r1.edict", "r2.edict", "licence", ["cases.jsonl"])
    print(result.report)

Cases come from JSON Lines or CSV files, cut into parts of about `blocksize` bytes at record
boundaries (one part per file with blocksize=None), or from a Dask bag of dicts or a Dask
DataFrame whose columns are the inputs' dotted paths. Each worker process loads and compiles a
decision once (the JIT, with its code cache) and keeps it for every part it is given. Line
numbers are those of the whole corpus (the files one after the other, as `cat FILES` gives them),
so a bad case is reported with its file and line, and the diff's report is the one `edict diff
--cases` writes for the same corpus.
"""

import os
from collections import namedtuple

import dask
import dask.bag

from . import UsageError, _error, _usage, load

__all__ = ["Part", "DiffResult", "WriteResult", "parts", "evaluate", "evaluate_to_files", "diff"]

# A part of a corpus: the records of `path` that start in bytes [begin, end), the first on line
# `first_line` of the corpus (0 until counted), and the file's own first line (where it starts in
# the corpus) for CSV headers.
Part = namedtuple("Part", "path begin end first_line file_line csv")

# The diff of a corpus: `report` (text, or for format="json" the report as data, see
# docs/diff.md) and `problems`, every invalid case as `FILE:LINE: error: ...`, in corpus order.
DiffResult = namedtuple("DiffResult", "report problems")

# What evaluate_to_files wrote: the part files in corpus order (their concatenation is what `edict
# batch --format jsonl` writes for the corpus), the number of cases and of failed ones, and every
# failed case's message (`FILE:LINE: error: ...`), in corpus order.
WriteResult = namedtuple("WriteResult", "files cases failed problems")

_DEFAULT_BLOCKSIZE = 64 << 20


def _is_csv(path, input_format):
    if input_format == "auto":
        return os.fspath(path).lower().endswith(".csv")
    if input_format not in ("csv", "jsonl"):
        raise UsageError(f'input_format must be "auto", "jsonl" or "csv", found {input_format!r}')
    return input_format == "csv"


def _read_part(part):
    """The bytes of a part: whole records whose first byte lies in [begin, end), a CSV part after
    the first of its file led by the file's header. Returns (bytes, number of newlines)."""
    with open(part.path, "rb") as f:
        start = part.begin
        if start > 0:
            f.seek(start - 1)
            f.readline()  # the record that straddles `begin` belongs to the part before
            start = f.tell()
        f.seek(part.end - 1 if part.end > 0 else 0)
        if part.end > 0:
            f.readline()
        stop = max(f.tell(), start)
        f.seek(start)
        data = f.read(stop - start)
        header = b""
        if part.csv and part.begin > 0:
            f.seek(0)
            header = f.readline()
            if not header.endswith(b"\n"):
                header += b"\n"
    return header, data


def _count(part):
    header, data = _read_part(part)
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def parts(paths, *, blocksize=_DEFAULT_BLOCKSIZE, input_format="auto"):
    """The parts of a corpus (a path or a list of paths): each file cut at about `blocksize` bytes
    (None: one part per file), with the corpus line each part starts on. Counting the lines reads
    every part once, on the workers. CSV files may be cut only if no quoted field holds a line
    break (a record would be split): give blocksize=None for those."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise UsageError("no cases file given")
    csv = {_is_csv(p, input_format) for p in paths}
    if len(csv) > 1:
        raise UsageError("the files of a corpus must all be JSON Lines or all be CSV")
    csv = csv.pop()
    if csv and len(paths) > 1:
        raise UsageError(
            "a CSV corpus is one file (each file has its own header); convert the files to JSON Lines, "
            "or run one diff per file"
        )
    out = []
    for p in paths:
        try:
            size = os.stat(p).st_size
        except OSError as e:
            raise UsageError(f"cannot read '{p}': {e.strerror}") from None
        if not os.path.isfile(p):
            raise UsageError(f"cannot read '{p}': it is not a regular file")
        step = size if not blocksize else int(blocksize)
        if step <= 0:
            step = max(size, 1)
        for begin in range(0, max(size, 1), step):
            out.append(Part(p, begin, min(begin + step, size), 0, 0, csv))
    counts = dask.compute(*[dask.delayed(_count)(p) for p in out])
    line, file_line, numbered, previous = 1, 1, [], None
    for p, n in zip(out, counts):
        if p.path != previous:
            file_line, previous = line, p.path
        numbered.append(p._replace(first_line=line, file_line=file_line))
        line += n
    return numbered


# A worker process's decisions and differs, loaded once and kept for every part it is given.
_loaded = {}


def _decision(program, name, options):
    key = ("decision", program, name, tuple(sorted(options.items())))
    if key not in _loaded:
        _loaded[key] = load(program).decision(name, **options)
    return _loaded[key]


def _differ(old, new, decision, cases, csv, id_field, examples, threads):
    from . import _edict

    key = ("diff", old, new, decision, cases, csv, id_field, examples, threads)
    if key not in _loaded:
        _loaded[key] = _usage(_edict.CorpusParts, old, new, decision, cases, csv, id_field, examples, threads)
    return _loaded[key]


def _bytes_and_line(part):
    header, data = _read_part(part)
    # A CSV part after the first of its file is led by the header, on the line before its own.
    return header + data, part.first_line - (1 if header else 0)


def _evaluate_part(program, name, options, part, threads):
    d = _decision(program, name, options)
    data, first_line = _bytes_and_line(part)
    failures = []

    def make_error(kind, line, detail):
        e = _error(kind, detail, None, line)
        e.path = part.path
        failures.append(e)
        return e

    if not data:
        return []
    # A file's lines are numbered within it: the error's `line` and `path` find the case.
    return _usage(d._native.batch, "", data, part.csv, threads, make_error, first_line - part.file_line + 1)


def _evaluate_cases(program, name, options, cases, threads):
    return _decision(program, name, options).batch(cases, threads=threads)


def evaluate(program, decision, cases, *, as_of=None, version=None, engine="jit", decimals="fraction",
             allow_float=False, library=None, blocksize=_DEFAULT_BLOCKSIZE, input_format="auto", threads=1):
    """A Dask bag of the outcomes of `decision` (of the version in force on `as_of`, or named
    `version`, or the last) on every case, in corpus order; a case that fails gives its
    CaseError or EvaluationError in its place, with `line` (of the corpus) and `path`.
    `cases`: a path or list of paths (JSON Lines or CSV, cut into parts of about `blocksize`
    bytes), a Dask bag of dicts, or a Dask DataFrame with columns named by dotted paths.
    `threads`: threads per part (1 by default: Dask runs parts in parallel). `library`: a library
    made by `edict build` for the decision, at the same path on every worker, run instead of the
    JIT (see Program.decision)."""
    program = os.fspath(program)
    options = _options(as_of, version, engine, decimals, allow_float, library)
    _decision(program, decision, options)  # a bad program, decision or version fails here, not on a worker
    if isinstance(cases, dask.bag.Bag):
        return cases.map_partitions(lambda part: _evaluate_cases(program, decision, options, list(part), threads))
    if hasattr(cases, "to_delayed") and hasattr(cases, "columns"):  # a Dask DataFrame
        parts_ = [dask.delayed(_evaluate_cases)(program, decision, options, df, threads) for df in cases.to_delayed()]
        return dask.bag.from_delayed(parts_)
    ps = parts(cases, blocksize=blocksize, input_format=input_format)
    return dask.bag.from_delayed([dask.delayed(_evaluate_part)(program, decision, options, p, threads) for p in ps])


def _options(as_of, version, engine, decimals, allow_float, library=None):
    options = {"engine": engine, "decimals": decimals, "allow_float": allow_float}
    if library is not None:
        options["library"] = os.fspath(library)
    if as_of is not None:
        options["as_of"] = as_of if isinstance(as_of, str) else as_of.isoformat()
    if version is not None:
        options["version"] = version
    return options


def _write_part(program, name, options, part, threads, path):
    d = _decision(program, name, options)
    data, first_line = _bytes_and_line(part)
    # A file's lines are named by that file, numbered within it.
    output, cases, failed, problems = _usage(
        d._native.batch_text, data, part.csv, threads, first_line - part.file_line + 1, part.path
    )
    tmp = path + ".tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(output)
        os.replace(tmp, path)
    except OSError as e:
        raise UsageError(f"cannot write '{path}': {e.strerror}") from None
    return cases, failed, problems


def evaluate_to_files(program, decision, cases, output_dir, *, as_of=None, version=None, engine="jit",
                      library=None, blocksize=_DEFAULT_BLOCKSIZE, input_format="auto", threads=1):
    """Evaluates every case of a corpus in files (a path or a list of paths, cut into parts of
    about `blocksize` bytes) on the workers, each part's results written by its worker to
    `output_dir/part-NNNNN.jsonl` as `edict batch --format jsonl` writes them (a line per case,
    numbered within its file; `output_dir` must be reachable from every worker). Returns a
    WriteResult; nothing is returned through the scheduler but counts and messages."""
    program = os.fspath(program)
    output_dir = os.fspath(output_dir)
    options = _options(as_of, version, engine, "fraction", False, library)
    _decision(program, decision, options)
    try:
        os.makedirs(output_dir, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create '{output_dir}': {e.strerror}") from None
    ps = parts(cases, blocksize=blocksize, input_format=input_format)
    files = [os.path.join(output_dir, f"part-{i:05d}.jsonl") for i in range(len(ps))]
    results = dask.compute(
        *[dask.delayed(_write_part)(program, decision, options, p, threads, f) for p, f in zip(ps, files)]
    )
    problems = [line for _, _, text in results for line in text.splitlines()]
    return WriteResult(files, sum(r[0] for r in results), sum(r[1] for r in results), problems)


def _diff_part(old, new, decision, cases_name, id_field, examples, threads, part):
    differ = _differ(old, new, decision, cases_name, part.csv, id_field, examples, threads)
    data, first_line = _bytes_and_line(part)
    return differ.part(data, first_line)


def diff(old, new, decision, cases, *, format="json", blocksize=_DEFAULT_BLOCKSIZE, input_format="auto",
         id_field="id", examples=3, threads=1):
    """The corpus diff of `edict diff OLD NEW -d DECISION --cases CASES` over a corpus in files
    (a path or a list of paths, cut into parts of about `blocksize` bytes): each part runs on a
    worker, and the parts' transition classes are merged, in corpus order, into the report that
    command writes for the same corpus (`format`: json, as data, or text, markdown, html). Returns
    a DiffResult with the report and every invalid case's message (file and line)."""
    import json
    import decimal

    old, new = os.fspath(old), os.fspath(new)
    if format not in ("json", "text", "markdown", "html"):
        raise UsageError(f'format must be "json", "text", "markdown" or "html", found {format!r}')
    ps = parts(cases, blocksize=blocksize, input_format=input_format)
    # The report names the corpus as the command would: its one file, or the files in order.
    names = list(dict.fromkeys(p.path for p in ps))
    cases_name = names[0] if len(names) == 1 else " ".join(names)
    csv = ps[0].csv
    local = _differ(old, new, decision, cases_name, csv, id_field, examples, threads)
    results = dask.compute(
        *[dask.delayed(_diff_part)(old, new, decision, cases_name, id_field, examples, threads, p) for p in ps]
    )
    problems = []
    for p, (_, messages) in zip(ps, results):
        for line in messages.splitlines():
            # A part's messages name the corpus; with several files, name the file of the line.
            if len(names) > 1 and line.startswith(cases_name + ":"):
                number, _, rest = line[len(cases_name) + 1 :].partition(":")
                if number.isdigit():
                    line = f"{p.path}:{int(number) - p.file_line + 1}:{rest}"
            problems.append(line)
    report = _usage(local.report, [totals for totals, _ in results], format)
    if format == "json":
        report = json.loads(report, parse_float=decimal.Decimal)
    return DiffResult(report, problems)

