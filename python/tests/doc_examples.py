"""Runs the notebook-style example of a Markdown page (docs/python.md): every ```python block, in
order, in one namespace, as cells of a notebook; a block followed by an ```output block must print
exactly that. Exits 1 naming the first block that fails or prints something else.

    python3 python/tests/doc_examples.py docs/python.md      (from the source tree, PYTHONPATH=build/python)
"""

import contextlib
import io
import re
import sys
import traceback


def cells(text):
    """(line, code, expected output or None) for each ```python block."""
    blocks = [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1)
              for m in re.finditer(r"^```(\w*)\n(.*?)^```\s*$", text, re.S | re.M)]
    out = []
    for i, (lang, body, line) in enumerate(blocks):
        if lang != "python":
            continue
        expected = blocks[i + 1][1] if i + 1 < len(blocks) and blocks[i + 1][0] == "output" else None
        out.append((line, body, expected))
    return out


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found = cells(text)
    if not found:
        print(f"FAIL: {path} has no ```python block")
        return 1
    namespace = {"__name__": "__doc_example__"}
    for line, code, expected in found:
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(code, f"{path}:{line}", "exec"), namespace)
        except Exception:
            print(f"FAIL: the block at {path}:{line} raised:")
            traceback.print_exc()
            return 1
        if expected is not None and printed.getvalue() != expected:
            print(f"FAIL: the block at {path}:{line} printed:\n{printed.getvalue()}which differs from its output block:\n"
                  f"{expected}")
            return 1
    print(f"ok: {len(found)} blocks of {path} ran, {sum(e is not None for _, _, e in found)} with their output")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
