#!/usr/bin/env python3
"""A scripted Language Server client: drives a real `edict lsp` process through a session on
regs/ai_diffusion and checks every answer exactly (docs/editors.md lists what the server does).

Usage: client.py EDICT SOURCE_DIR [session|malformed]
       client.py EDICT SOURCE_DIR latency EDICT_BENCH [LINES] [EDITS]

`latency` measures, in a workspace of a program of LINES lines (10,000 by default; written by
`edict_bench program`), the time from each didChange to the publishDiagnostics that answers it:
for edits of a small file that imports the program, and for edits of the program itself. It
checks the diagnostics, and prints the times without asserting any (they depend on the machine
and its load; docs/performance.md records them).

Positions in the regulations are found by searching their text (so that an edit of a regulation
that keeps the names does not break the test), then every answer is compared with what it must
be: ranges to the character (UTF-16, as LSP counts), names, texts, error codes."""
import json
import os
import select
import subprocess
import sys
import time

EDICT, SOURCE = sys.argv[1], os.path.realpath(sys.argv[2])
MODE = sys.argv[3] if len(sys.argv) > 3 else "session"
REGS = os.path.join(SOURCE, "regs", "ai_diffusion")
failures = []


def check(what, got, want):
    if got != want:
        failures.append(what)
        print(f"FAIL {what}\n  got:  {json.dumps(got, sort_keys=True)}\n  want: {json.dumps(want, sort_keys=True)}")
    else:
        print(f"ok   {what}")


class Server:
    def __init__(self):
        self.p = subprocess.Popen([EDICT, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.buf = b""
        self.next_id = 0
        self.notes = []  # notifications received while waiting for replies

    def raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def read(self, timeout=30.0):
        """The next message, or None when none comes within the timeout (or the output ends)."""
        deadline = time.time() + timeout
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                header = self.buf[:end].decode()
                length = int(header.split(":")[1])
                if len(self.buf) >= end + 4 + length:
                    body = self.buf[end + 4:end + 4 + length]
                    self.buf = self.buf[end + 4 + length:]
                    return json.loads(body)
            left = deadline - time.time()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk

    def request(self, method, params=None):
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        while True:
            m = self.read()
            if m is None:
                raise SystemExit(f"no answer to {method}")
            if m.get("id") == self.next_id and "method" not in m:
                return m
            self.notes.append(m)

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def diagnostics(self, uri, timeout=30.0):
        """The next publishDiagnostics for uri (earlier notifications first)."""
        for i, m in enumerate(self.notes):
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                del self.notes[i]
                return m["params"]
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.read(deadline - time.time())
            if m is None:
                break
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]
            self.notes.append(m)
        return None

    def finish(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        rc = self.p.wait(timeout=30)
        return rc, self.p.stderr.read().decode()


def uri_of(path):
    return "file://" + path


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def pos(text, needle, nth=0, delta=0):
    """The LSP position of the nth occurrence of needle in text, plus delta characters."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += delta
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return {"line": line, "character": utf16_len(text[start:at])}


def rng(text, needle, nth=0, delta=0, length=None):
    """The range of `length` characters (default: the needle less delta) at the nth occurrence."""
    start = pos(text, needle, nth, delta)
    n = len(needle) - delta if length is None else length
    return {"start": start, "end": {"line": start["line"], "character": start["character"] + n}}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def session():
    r1_path, r2_path, types_path = (os.path.join(REGS, n) for n in ("r1_diffusion.edict.md", "r2_rescission.edict.md", "types.edict.md"))
    r1, r2, types = read(r1_path), read(r2_path), read(types_path)
    r1_uri, r2_uri, types_uri = uri_of(r1_path), uri_of(r2_path), uri_of(types_path)
    s = Server()

    # The background `edict verify` is off in this session (its own session, verify(), checks it),
    # so that every publication below is the checker's.
    init = s.request("initialize", {"processId": None, "rootUri": uri_of(REGS), "capabilities": {},
                                    "initializationOptions": {"verify": False}})
    check("initialize: capabilities", init["result"]["capabilities"], {
        "positionEncoding": "utf-16",
        "textDocumentSync": {"openClose": True, "change": 1},
        "hoverProvider": True, "definitionProvider": True, "referencesProvider": True,
        "documentFormattingProvider": True, "documentSymbolProvider": True, "workspaceSymbolProvider": True,
        "completionProvider": {"triggerCharacters": [".", "[", " "]},
        "renameProvider": {"prepareProvider": True},
        "codeLensProvider": {"resolveProvider": False},
        "executeCommandProvider": {"commands": ["edict.runTest", "edict.explain"]}})
    check("initialize: server name", init["result"]["serverInfo"], {"name": "edict"})
    s.notify("initialized", {})

    # didOpen: the diagnostics at once.
    s.notify("textDocument/didOpen", {"textDocument": {"uri": r1_uri, "languageId": "edict", "version": 1, "text": r1}})
    check("didOpen r1: no diagnostics", s.diagnostics(r1_uri), {"uri": r1_uri, "version": 1, "diagnostics": []})
    s.notify("textDocument/didOpen", {"textDocument": {"uri": r2_uri, "languageId": "edict", "version": 1, "text": r2}})
    check("didOpen r2: no diagnostics", s.diagnostics(r2_uri), {"uri": r2_uri, "version": 1, "diagnostics": []})

    # Hover: a constant (type with unit, value, citation, version), a field, a rule, a decision.
    use = "lpp_total(t) <= lpp_limit"
    at = pos(r1, use, delta=len("lpp_total(t) <= ") + 2)
    h = s.request("textDocument/hover", {"textDocument": {"uri": r1_uri}, "position": at})["result"]
    check("hover: constant", h, {
        "contents": {"kind": "markdown", "value":
                     "```edict\nconst lpp_limit: decimal[tpp] = 26900000 [tpp]\n```\n\nCites *15 CFR 740.29(b)*."
                     "\n\nDeclared in instrument `r1` (effective 2025-01-13)."},
        "range": rng(r1, use, delta=len("lpp_total(t) <= "))})
    field_use = "t.consignee.kind != distributor and lpp_total"
    h = s.request("textDocument/hover", {"textDocument": {"uri": r1_uri}, "position": pos(r1, field_use, delta=3)})["result"]
    check("hover: field", h["contents"]["value"], "```edict\nTransaction.consignee: Consignee\n```")
    check("hover: field range", h["range"], rng(r1, field_use, delta=2, length=len("consignee")))
    h = s.request("textDocument/hover", {"textDocument": {"uri": r1_uri}, "position": pos(r1, "exception to headquarters", delta=14)})["result"]
    check("hover: rule label", h["contents"]["value"],
          "```edict\nrule headquarters of decision licence\n```\n\nCites *15 CFR 742.6(a)(6)(iii)(A)*."
          "\n\nException to `tier1_licence`, `tier2_within_allocation`, `tier2_beyond_allocation`, `aia`, `veu`, "
          "`lpp`, `acm`, `aca`.\n\nDeclared in instrument `r1` (effective 2025-01-13).")
    h = s.request("textDocument/hover", {"textDocument": {"uri": r1_uri}, "position": pos(r1, "and tier2(t.destination)", delta=4)})["result"]
    check("hover: helper", h["contents"]["value"].split("\n")[1], "def tier2(c: Country): bool")
    h = s.request("textDocument/hover", {"textDocument": {"uri": r1_uri}, "position": pos(r1, "26_900_000 [tpp]", delta=1)})["result"]
    check("hover: a literal's type (an integer, converted where a decimal is needed)", h["contents"]["value"], "```edict\ninteger[tpp]\n```")

    # Definition: in the file, across an import, a rule label, `version.name` in an amendment.
    d = s.request("textDocument/definition", {"textDocument": {"uri": r1_uri}, "position": at})["result"]
    check("definition: constant", d, {"uri": r1_uri, "range": rng(r1, "const lpp_limit", delta=6)})
    d = s.request("textDocument/definition", {"textDocument": {"uri": r1_uri}, "position": pos(r1, field_use, delta=3)})["result"]
    check("definition: field, in the imported types.edict.md", d,
          {"uri": types_uri, "range": rng(types, "  consignee: Consignee;", delta=2, length=len("consignee"))})
    d = s.request("textDocument/definition", {"textDocument": {"uri": r1_uri}, "position": pos(r1, "exception to headquarters", delta=14)})["result"]
    check("definition: rule label", d, {"uri": r1_uri, "range": rng(r1, "rule headquarters", delta=5)})
    d = s.request("textDocument/definition", {"textDocument": {"uri": r2_uri}, "position": pos(r2, "r1.licence(", delta=4)})["result"]
    check("definition: r1.licence from r2", d, {"uri": r1_uri, "range": rng(r1, "decision licence(", delta=9, length=7)})
    # In an amendment, a label names the rule of the version amended; `restore ... from v`, of v.
    d = s.request("textDocument/definition", {"textDocument": {"uri": r2_uri}, "position": pos(r2, "exception to not_subject", delta=14)})["result"]
    check("definition: a label in an amendment", d, {"uri": r1_uri, "range": rng(r1, "rule not_subject", delta=5)})
    h20_path = os.path.join(REGS, "h20_letter.edict.md")
    h20 = read(h20_path)
    d = s.request("textDocument/definition", {"textDocument": {"uri": r2_uri}, "position": pos(r2, "restore rule h20_letter", delta=14)})["result"]
    check("definition: `restore rule` from an earlier version", d,
          {"uri": uri_of(h20_path), "range": rng(h20, "rule h20_letter", delta=5)})
    d = s.request("textDocument/definition", {"textDocument": {"uri": r1_uri}, "position": pos(r1, "decimal[tpp] = 26_900_000", delta=9)})["result"]
    check("definition: unit", d, {"uri": types_uri, "range": rng(types, "unit tpp", delta=5)})

    # References: every use and the declaration, in order.
    refs = s.request("textDocument/references", {"textDocument": {"uri": r1_uri}, "position": at,
                                                 "context": {"includeDeclaration": True}})["result"]
    check("references: constant", refs, [{"uri": r1_uri, "range": rng(r1, "const lpp_limit", delta=6)},
                                         {"uri": r1_uri, "range": rng(r1, use, delta=len("lpp_total(t) <= "))}])
    refs = s.request("textDocument/references", {"textDocument": {"uri": r1_uri},
                                                 "position": pos(r1, "rule headquarters", delta=6),
                                                 "context": {"includeDeclaration": False}})["result"]
    want = [{"uri": r1_uri, "range": rng(r1, "exception to headquarters", delta=13)}]
    start = 0
    for i in range(r1.count("headquarters,")):  # the other `exception to` lists that name it
        want.append({"uri": r1_uri, "range": rng(r1, "headquarters,", nth=i, length=len("headquarters"))})
    want.sort(key=lambda r: (r["range"]["start"]["line"], r["range"]["start"]["character"]))
    check("references: rule label", refs, want)

    # Completion: fields after `.`, units in `[...]`, stdlib modules after `import`, rule labels.
    c = s.request("textDocument/completion", {"textDocument": {"uri": r1_uri}, "position": pos(r1, field_use, delta=2)})["result"]
    record = types.split("record Transaction {")[1].split("\n}")[0]
    fields = [line.split(":")[0].strip() for line in record.split("\n") if ":" in line and not line.strip().startswith("//")]
    check("completion: fields of a Transaction", [i["label"] for i in c["items"]], fields)
    check("completion: a field's detail is its type", c["items"][1], {"label": "quantity", "kind": 5, "detail": "integer[chip]"})
    c = s.request("textDocument/completion", {"textDocument": {"uri": r1_uri}, "position": pos(r1, "26_900_000 [tpp]", delta=12)})["result"]
    units = [line.split()[1] for line in types.split("\n") if line.startswith("unit ")]
    check("completion: units", sorted(i["label"] for i in c["items"]), sorted(units))
    c = s.request("textDocument/completion", {"textDocument": {"uri": r1_uri}, "position": pos(r1, "import dates", delta=7)})["result"]
    stdlib = sorted(os.path.relpath(os.path.join(d, f), os.path.join(SOURCE, "stdlib"))[:-6].replace("/", ".")
                    for d, _, fs in os.walk(os.path.join(SOURCE, "stdlib")) for f in fs if f.endswith(".edict"))
    check("completion: stdlib modules", [i["label"] for i in c["items"]], stdlib)
    c = s.request("textDocument/completion", {"textDocument": {"uri": r1_uri}, "position": pos(r1, "exception to headquarters", delta=13)})["result"]
    labels = [i["label"] for i in c["items"]]
    check("completion: rule labels of licence", "headquarters" in labels and "tier1_licence" in labels and "lpp" in labels, True)

    # didChange: an error appears at the right place, then is fixed; the debounce keeps the last state.
    broken = r1.replace(use, "lpp_total(t) <= lpp_limt")
    s.notify("textDocument/didChange", {"textDocument": {"uri": r1_uri, "version": 2}, "contentChanges": [{"text": broken}]})
    got = s.diagnostics(r1_uri)
    check("didChange: unknown name", got, {"uri": r1_uri, "version": 2, "diagnostics": [{
        "range": rng(broken, "lpp_total(t) <= lpp_limt", delta=len("lpp_total(t) <= ")),
        "severity": 1, "code": "unknown-name", "source": "edict",
        "message": "unknown name `lpp_limt`\ndid you mean `lpp_limit`?"}]})
    s.notify("textDocument/didChange", {"textDocument": {"uri": r1_uri, "version": 3},
                                        "contentChanges": [{"text": broken.replace("lpp_limt", "lpp_lim")}]})
    s.notify("textDocument/didChange", {"textDocument": {"uri": r1_uri, "version": 4}, "contentChanges": [{"text": r1}]})
    check("didChange: fixed within the delay, only the last state is published",
          s.diagnostics(r1_uri), {"uri": r1_uri, "version": 4, "diagnostics": []})
    check("didChange: nothing else published", s.diagnostics(r1_uri, timeout=1.0), None)

    # An unsaved buffer of an imported file stands for the file: r1 sees types.edict.md as edited.
    s.notify("textDocument/didOpen", {"textDocument": {"uri": types_uri, "languageId": "edict", "version": 1, "text": types}})
    check("didOpen types.edict.md", s.diagnostics(types_uri)["diagnostics"], [])
    s.notify("textDocument/didChange", {"textDocument": {"uri": types_uri, "version": 2},
                                        "contentChanges": [{"text": types.replace("unit tpp", "unit tpq")}]})
    check("unsaved edit of types.edict.md: its own errors", {d["code"] for d in s.diagnostics(types_uri)["diagnostics"]},
          {"unknown-unit"})
    got = s.diagnostics(r1_uri)
    check("unsaved import: r1 reports the unit it lost", got is not None and got["version"] == 4 and
          any(d["code"] == "unknown-unit" and d["range"] == rng(r1, "decimal[tpp] = 26_900_000", delta=8, length=3)
              for d in got["diagnostics"]), True)
    s.notify("textDocument/didChange", {"textDocument": {"uri": types_uri, "version": 3}, "contentChanges": [{"text": types}]})
    check("unsaved import restored", s.diagnostics(r1_uri)["diagnostics"], [])
    check("types.edict.md restored", s.diagnostics(types_uri)["diagnostics"], [])
    s.notify("textDocument/didClose", {"textDocument": {"uri": types_uri}})
    check("didClose clears its diagnostics", s.diagnostics(types_uri), {"uri": types_uri, "diagnostics": []})

    # Rename across the file: the declaration and every use.
    ren = s.request("textDocument/prepareRename", {"textDocument": {"uri": r1_uri}, "position": at})["result"]
    check("prepareRename", ren, {"range": rng(r1, use, delta=len("lpp_total(t) <= ")), "placeholder": "lpp_limit"})
    ren = s.request("textDocument/rename", {"textDocument": {"uri": r1_uri}, "position": at, "newName": "lpp_cap"})["result"]
    check("rename", ren, {"changes": {r1_uri: [
        {"range": rng(r1, "const lpp_limit", delta=6), "newText": "lpp_cap"},
        {"range": rng(r1, use, delta=len("lpp_total(t) <= ")), "newText": "lpp_cap"}]}})
    # Rename of a field declared in types.edict.md: edits in both files.
    ren = s.request("textDocument/rename", {"textDocument": {"uri": r1_uri}, "position": pos(r1, field_use, delta=3),
                                            "newName": "recipient"})["result"]
    check("rename across files: types.edict.md has the declaration",
          {"range": rng(types, "  consignee: Consignee;", delta=2, length=len("consignee")), "newText": "recipient"}
          in ren["changes"][types_uri], True)
    check("rename across files: every edit in r1 is on `consignee`",
          all(r1.splitlines()[e["range"]["start"]["line"]][e["range"]["start"]["character"]:e["range"]["end"]["character"]]
              == "consignee" for e in ren["changes"][r1_uri]), True)
    check("rename across files: as many edits in r1 as `.consignee` in it",
          len(ren["changes"][r1_uri]), r1.count(".consignee"))
    bad = s.request("textDocument/rename", {"textDocument": {"uri": r1_uri}, "position": at, "newName": "9lives"})
    check("rename to a non-name", bad["error"]["code"], -32602)

    # Formatting: nothing to do on a formatted file; the canonical text of a badly laid out one; no
    # edits (and no crash) on a syntax error.
    f = s.request("textDocument/formatting", {"textDocument": {"uri": r1_uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    check("formatting: formatted file", f["result"], [])
    messy = r1.replace("const lpp_limit: decimal[tpp] =", "const   lpp_limit :decimal[tpp]=")
    s.notify("textDocument/didChange", {"textDocument": {"uri": r1_uri, "version": 5}, "contentChanges": [{"text": messy}]})
    f = s.request("textDocument/formatting", {"textDocument": {"uri": r1_uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    lines = messy.split("\n")
    check("formatting: one edit, the whole file, back to the canonical text", f["result"], [{
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": len(lines) - 1, "character": utf16_len(lines[-1])}},
        "newText": r1}])
    s.notify("textDocument/didChange", {"textDocument": {"uri": r1_uri, "version": 6},
                                        "contentChanges": [{"text": r1.replace("const lpp_limit:", "const lpp_limit")}]})
    f = s.request("textDocument/formatting", {"textDocument": {"uri": r1_uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    check("formatting: syntax error, no edits", f["result"], [])
    syntax = s.diagnostics(r1_uri)
    check("formatting: the syntax error is published", syntax is not None and syntax["version"] == 6 and
          syntax["diagnostics"][0]["code"] == "syntax-error", True)
    s.notify("textDocument/didChange", {"textDocument": {"uri": r1_uri, "version": 7}, "contentChanges": [{"text": r1}]})
    check("restored", s.diagnostics(r1_uri)["diagnostics"], [])

    # Document and workspace symbols.
    syms = s.request("textDocument/documentSymbol", {"textDocument": {"uri": r1_uri}})["result"]
    top = [(x["name"], x["kind"]) for x in syms]
    check("documentSymbol: the instrument first", top[0], ("r1", 2))
    check("documentSymbol: the constant", ("lpp_limit", 14) in top, True)
    lic = [x for x in syms if x["name"] == "licence"]
    check("documentSymbol: the decision licence", [(x["kind"], x["selectionRange"]) for x in lic],
          [(5, rng(r1, "decision licence(", delta=9, length=7))])
    rules = [(c["name"], c["kind"]) for c in lic[0]["children"] if c["kind"] == 24]
    check("documentSymbol: its rules in order", [n for n, _ in rules],
          [line.split()[1] for line in r1.split("decision licence(")[1].split("\n}")[0].split("\n") if line.startswith("  rule ")])
    ws = s.request("workspace/symbol", {"query": "LPP_LIM"})["result"]
    check("workspace/symbol", [(x["name"], x["kind"], x["location"]) for x in ws],
          [("lpp_limit", 14, {"uri": r1_uri, "range": rng(r1, "const lpp_limit", delta=6)})])

    # A scope: the outline shows it with its variables, each with its rules (not the decisions
    # and the record it expands into); a variable read in a rule goes to its declaration.
    sc_path = os.path.join(SOURCE, "tests", "lsp", "unsaved_scope.edict")  # never written to disk
    sc_text = ("scope pay(hours: integer) cite \"art. 1\" {\n"
               "  output total: integer;\n"
               "  context internal rate: integer;\n"
               "  rule night for rate when hours > 8 then 15;\n"
               "  default for rate then 12;\n"
               "  rule hourly for total then rate * hours;\n"
               "}\n")
    sc_uri = uri_of(sc_path)
    s.notify("textDocument/didOpen", {"textDocument": {"uri": sc_uri, "languageId": "edict", "version": 1, "text": sc_text}})
    check("scope: no diagnostics", s.diagnostics(sc_uri)["diagnostics"], [])
    syms = s.request("textDocument/documentSymbol", {"textDocument": {"uri": sc_uri}})["result"]
    check("documentSymbol: a scope", [(x["name"], x["kind"], x.get("detail")) for x in syms], [("pay", 5, "art. 1")])
    check("documentSymbol: its variables and their rules",
          [(v["name"], v["detail"], [r["name"] for r in v["children"]]) for v in syms[0]["children"]],
          [("total", "output", ["hourly"]), ("rate", "context internal", ["night"])])
    d = s.request("textDocument/definition", {"textDocument": {"uri": sc_uri}, "position": pos(sc_text, "rate * hours")})["result"]
    check("definition: a scope's variable", d, {"uri": sc_uri, "range": rng(sc_text, "internal rate", delta=9)})

    # UTF-16 columns: a line with characters of 2, 3 and 4 bytes (the last two UTF-16 units).
    u_path = os.path.join(SOURCE, "tests", "lsp", "unsaved_unicode.edict")  # never written to disk
    u_text = 'const n: integer = if "é€😀" == "x" then 1 else s2;\n'
    u_uri = uri_of(u_path)
    s.notify("textDocument/didOpen", {"textDocument": {"uri": u_uri, "languageId": "edict", "version": 1, "text": u_text}})
    got = s.diagnostics(u_uri)
    check("UTF-16 columns of a diagnostic", got["diagnostics"][0]["range"],
          {"start": {"line": 0, "character": 48}, "end": {"line": 0, "character": 50}})
    h = s.request("textDocument/hover", {"textDocument": {"uri": u_uri}, "position": {"line": 0, "character": 23}})["result"]
    check("UTF-16 columns of a hover (inside the text literal)", h,
          {"contents": {"kind": "markdown", "value": "```edict\ntext\n```"},
           "range": {"start": {"line": 0, "character": 22}, "end": {"line": 0, "character": 28}}})

    # Errors that must not stop the server.
    e = s.request("textDocument/hover", {"textDocument": {"uri": r1_uri}})
    check("hover without a position: InvalidParams", e["error"]["code"], -32602)
    e = s.request("textDocument/hover", {"textDocument": {"uri": "file:///nowhere.edict"}, "position": {"line": 0, "character": 0}})
    check("hover in a document not open: InvalidParams", e["error"], {"code": -32602, "message": "the document `file:///nowhere.edict` is not open"})
    e = s.request("textDocument/foldingRange", {"textDocument": {"uri": r1_uri}})
    check("an unknown method: MethodNotFound", e["error"]["code"], -32601)

    check("shutdown", s.request("shutdown"), {"jsonrpc": "2.0", "id": s.next_id, "result": None})
    e = s.request("textDocument/hover", {"textDocument": {"uri": r1_uri}, "position": at})
    check("a request after shutdown: InvalidRequest", e["error"]["code"], -32600)
    s.notify("exit")
    rc, err = s.finish()
    check("exit after shutdown: code 0", rc, 0)


def malformed():
    # A request before initialize.
    s = Server()
    e = s.request("textDocument/hover", {"textDocument": {"uri": "file:///a.edict"}, "position": {"line": 0, "character": 0}})
    check("before initialize: ServerNotInitialized", e["error"]["code"], -32002)
    s.request("initialize", {"capabilities": {}})
    # A body that is not JSON: a ParseError with a null id, and the server goes on.
    s.raw(b"Content-Length: 9\r\n\r\n{not json")
    e = s.read()
    check("not JSON: ParseError", (e["id"], e["error"]["code"], e["error"]["message"]),
          (None, -32700, "the message is not JSON: [json.exception.parse_error.101] parse error at line 1, column 3: "
           "syntax error while parsing object key - invalid literal; last read: '{no'; expected string literal"))
    # A header without Content-Length is skipped; the next message is answered.
    s.raw(b"Content-Type: application/vscode-jsonrpc\r\n\r\n")
    check("a header without length is skipped", s.request("workspace/symbol", {"query": "x"})["result"], [])
    s.send({"jsonrpc": "2.0", "id": 99, "params": {}})
    check("no method: InvalidRequest", s.read()["error"]["code"], -32600)
    s.send([1, 2, 3])
    check("not an object: InvalidRequest", s.read()["error"]["code"], -32600)
    e = s.request("workspace/symbol", {"query": 42})
    check("a parameter of the wrong type: InvalidParams", e["error"]["code"], -32602)
    # The end of the input without exit: code 1.
    rc, err = s.finish()
    check("end of input without exit: code 1", rc, 1)
    check("the skipped header is reported on standard error",
          "a message without a valid Content-Length header was skipped" in err, True)

    # Exit without shutdown: code 1.
    s = Server()
    s.request("initialize", {"capabilities": {}})
    s.notify("exit")
    check("exit without shutdown: code 1", s.finish()[0], 1)

    # Input that is not LSP at all: reported, and the server exits cleanly.
    s = Server()
    s.raw(b"x" * 10000)
    rc, err = s.finish()
    check("garbage: exits with code 1", rc, 1)
    check("garbage: reported", "no end of header" in err, True)
    s = Server()
    s.raw(b"Content-Length: 999999999999\r\n\r\n")
    rc, err = s.finish()
    check("a huge length: exits with code 1", (rc, "more than the limit" in err), (1, True))


def verify():
    """Code lenses and their commands, and `edict verify`'s findings as warnings, on the planted
    conflict of tests/golden/verify/fail_weights_conflict.edict (R1's defect before its fix)."""
    # The planted file as an unsaved buffer beside R1 (never written to disk), its imports from there,
    # and two test blocks added in the editor: one that passes, one that fails.
    planted = read(os.path.join(SOURCE, "tests", "golden", "verify", "fail_weights_conflict.edict"))
    path = os.path.join(REGS, "unsaved_planted_conflict.edict")
    text = planted.replace("../../../regs/ai_diffusion/", "") + (
        "\ntest passes {\n  assert controlled_weights(Item {\n    kind: model_weights, eccn_z: false, tpp: 0 [tpp/chip],"
        " performance_density: 0 [tpp/mm2], dram_bandwidth: 0 [gbps], io_bandwidth: 0 [gbps], data_centre: false,"
        " approved_designer: false, huawei_ascend: false, training_operations: 1e27 [operations],"
        " weights_published: false, beyond_best_published: true\n  });\n}\n"
        "\ntest wrong_threshold {\n  assert weights_threshold == 2e26 [operations];\n}\n")
    uri = uri_of(path)
    s = Server()
    init = s.request("initialize", {"processId": None, "capabilities": {}})
    check("verify session: code lenses offered", init["result"]["capabilities"]["codeLensProvider"], {"resolveProvider": False})
    s.notify("initialized", {})
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "edict", "version": 1, "text": text}})
    check("verify session: the checker finds nothing", s.diagnostics(uri), {"uri": uri, "version": 1, "diagnostics": []})

    lenses = s.request("textDocument/codeLens", {"textDocument": {"uri": uri}})["result"]
    check("code lenses: the decision's, then each test's", [(l["command"]["title"], l["command"]["command"],
                                                              l["command"]["arguments"], l["range"]) for l in lenses],
          [("Explain licence on a case file", "edict.explain", [uri, "licence"], rng(text, "decision licence", delta=9)),
           ("Run test passes", "edict.runTest", [uri, "passes"], rng(text, "test passes", delta=5)),
           ("Run test wrong_threshold", "edict.runTest", [uri, "wrong_threshold"], rng(text, "test wrong_threshold", delta=5))])
    r = s.request("workspace/executeCommand", {"command": "edict.runTest", "arguments": [uri, "passes"]})["result"]
    check("edict.runTest: a test that passes", r, {"passed": True, "message": "PASS passes"})
    r = s.request("workspace/executeCommand", {"command": "edict.runTest", "arguments": [uri, "wrong_threshold"]})["result"]
    check("edict.runTest: a test that fails, with the place", (r["passed"], r["message"].split("\n")[0],
                                                               ":%d:" % (pos(text, "assert weights_threshold")["line"] + 1) in r["message"]),
          (False, "FAIL wrong_threshold", True))
    e = s.request("workspace/executeCommand", {"command": "edict.explain", "arguments": [uri, "licence"]})
    check("edict.explain without a case file: InvalidParams", (e["error"]["code"], "case" in e["error"]["message"]), (-32602, True))
    case = os.path.join(SOURCE, "regs", "ai_diffusion", "cases", "s04_h100_india_1700.json")
    r = s.request("workspace/executeCommand", {"command": "edict.explain", "arguments": [uri, "licence", case]})["result"]
    check("edict.explain on a case file: the explanation, the default deciding", (r["ok"], "default" in r["message"]), (True, True))
    e = s.request("workspace/executeCommand", {"command": "edict.format", "arguments": []})
    check("an unknown command: InvalidParams", e["error"]["code"], -32602)

    # The verify findings follow the checker's diagnostics, as warnings of source "edict verify".
    got = s.diagnostics(uri, timeout=60.0)
    found = [d for d in (got or {"diagnostics": []})["diagnostics"] if d["source"] == "edict verify"]
    check("verify: one warning, the conflict, at `not_an_export`",
          [(d["code"], d["severity"], d["range"]) for d in found],
          [("conflict", 2, rng(text, "rule not_an_export", delta=5))])
    check("verify: the message names both rules and their provisions, with a witness replayed",
          all(x in found[0]["message"] for x in ("`weights_aia`", "`not_an_export`", "15 CFR 740.27 (4E091)",
                                                 "15 CFR 734.13", "witness: {", "on the interpreter: conflict"))
          if found else False, True)
    # Fixed in the editor: the warning goes away.
    fixed = text.replace("    exception to weights_licence\n    when not is_export", "    exception to weights_licence, weights_aia\n    when not is_export")
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]})
    check("fixed: the checker's diagnostics", s.diagnostics(uri), {"uri": uri, "version": 2, "diagnostics": []})
    later = s.diagnostics(uri, timeout=5.0)
    check("fixed: no verify warning is published again", later, None)
    s.request("shutdown")
    s.notify("exit")
    check("verify session: exit 0", s.finish()[0], 0)

# The server's debounce delay (kDebounce in compiler/lsp/server.cpp): diagnostics are computed
# this long after the last change, so that typing does not check every keystroke.
DEBOUNCE_MS = 150


def server_cpu_ms(pid):
    """The CPU time the process has used (user and system), in ms (Linux: /proc; 10 ms ticks): on a
    loaded machine the wall time also counts the time other processes had the cores."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def latency():
    import shutil
    import statistics
    import tempfile
    bench = sys.argv[4]
    lines = int(sys.argv[5]) if len(sys.argv) > 5 else 10000
    edits = int(sys.argv[6]) if len(sys.argv) > 6 else 10
    program = subprocess.run([bench, "program", str(lines)], check=True, stdout=subprocess.PIPE).stdout.decode()
    folder = tempfile.mkdtemp(prefix="edict-lsp-latency-")
    try:
        big_path, small_path = os.path.join(folder, "generated.edict"), os.path.join(folder, "edited.edict")
        with open(big_path, "w", encoding="utf-8") as f:
            f.write(program)
        small = ('import "generated.edict";\n\n'
                 'decision edited(o: Order) -> Policy cite "test" {\n  default then review_1(o);\n}\n')
        with open(small_path, "w", encoding="utf-8") as f:
            f.write(small)
        s = Server()
        s.request("initialize", {"processId": None, "rootUri": uri_of(folder), "capabilities": {}})
        s.notify("initialized", {})
        print(f"workspace: {program.count(chr(10)) + small.count(chr(10))} lines "
              f"({program.count(chr(10))} in generated.edict, {small.count(chr(10))} in edited.edict)")

        def measure(what, path, good, bad, bad_message):
            """Opens path with `good`, then changes it to `bad` and back, `edits` times in all."""
            uri = uri_of(path)
            s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "edict", "version": 1,
                                                               "text": good}})
            check(f"{what}: opened without errors", s.diagnostics(uri, timeout=120), {"uri": uri, "version": 1,
                                                                                      "diagnostics": []})
            times, cpu = [], []
            for i in range(edits):
                text = bad if i % 2 == 0 else good
                version = i + 2
                start, start_cpu = time.perf_counter(), server_cpu_ms(s.p.pid)
                s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                    "contentChanges": [{"text": text}]})
                got = s.diagnostics(uri, timeout=120)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append(server_cpu_ms(s.p.pid) - start_cpu)
                messages = [d["message"] for d in got["diagnostics"]] if got else None
                check(f"{what}: edit {i + 1} answered", (got or {}).get("version"), version)
                check(f"{what}: edit {i + 1} diagnostics", messages, [bad_message] if text is bad else [])
            s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            s.diagnostics(uri, timeout=120)  # the close clears them
            median, best = statistics.median(times), min(times)
            print(f"{what}: didChange -> publishDiagnostics over {edits} edits: median {median:.0f} ms, "
                  f"best {best:.0f} ms; less the {DEBOUNCE_MS} ms debounce: median {median - DEBOUNCE_MS:.0f} ms, "
                  f"best {best - DEBOUNCE_MS:.0f} ms; the server's CPU time: median {statistics.median(cpu):.0f} ms")

        measure("a small file importing the program", small_path, small,
                small.replace("review_1(o)", "review_1(o) + 1"), "`+` cannot combine `Policy` and `integer`")
        measure("the program itself", big_path, program,
                program + "const edited_bad: integer = true;\n",
                "the value of `edited_bad` must be `integer`, found `bool`")
        s.request("shutdown")
        s.notify("exit")
        check("shutdown and exit: code 0", s.finish()[0], 0)
    finally:
        shutil.rmtree(folder)


{"session": session, "malformed": malformed, "verify": verify, "latency": latency}[MODE]()
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
