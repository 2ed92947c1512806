#!/usr/bin/env python3
"""`edict serve`, end to end: starts the server on an ephemeral port over a copy of
regs/ai_diffusion, exercises every route (bad input included) and compares its answers with what
the CLI says for the same case (`edict eval`, `edict schema`, `edict explain --diff`); then edits
the copy (a good edit is reloaded, a broken one is refused while the old program keeps serving),
sends SIGTERM, and reads the decision log (rotated, every decision there once). A second server
logs to /dev/full: its decisions fail with 500 instead of going unlogged.

Usage: serve_test.py EDICT SOURCE_DIR WORK_DIR"""
import atexit
import concurrent.futures
import glob
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

EDICT, SOURCE, WORK = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
failures = []
servers = []  # killed at exit, also when the script stops on an exception
atexit.register(lambda: [p.kill() for p in servers if p.poll() is None])


def check(what, ok, detail=""):
    if ok:
        print(f"ok   {what}")
    else:
        failures.append(what)
        print(f"FAIL {what}{': ' + str(detail)[:2000] if detail != '' else ''}")


def cli(*args):
    r = subprocess.run([EDICT, *args], capture_output=True, text=True)
    return r.returncode, r.stdout


class Server:
    def __init__(self, root, log, *extra):
        self.log = log
        self.p = subprocess.Popen([EDICT, "serve", root, "--port", "0", "--log", log, *extra],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        servers.append(self.p)
        line = self.p.stdout.readline()  # written once the program is loaded, compiled and bound
        if not line.startswith("edict serve: listening on http://127.0.0.1:"):
            self.p.kill()
            sys.exit(f"the server did not start: {line!r} {self.p.stderr.read()}")
        self.port = int(line.rsplit(":", 1)[1])

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read().decode()
        c.close()
        return r.status, r.getheader("Content-Type"), data

    def json(self, method, path, body=None, headers=None):
        status, _, data = self.request(method, path, body, headers)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, {"not json": data}

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            out, err = self.p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None, ""
        return self.p.returncode, err


# A copy of the regulations: the test edits it.
regs = os.path.join(WORK, "ai_diffusion")
shutil.rmtree(WORK, ignore_errors=True)
shutil.copytree(os.path.join(SOURCE, "regs", "ai_diffusion"), regs)
root = os.path.join(regs, "r4_d5_cambodia.edict.md")
case_file = os.path.join(regs, "cases", "s04_h100_india_1700.json")
case = open(case_file).read()
log = os.path.join(WORK, "decisions.jsonl")
decided = []  # the SHA-256 of every case the server decided, in order

s = Server(root, log, "--max-body", "65536", "--watch-interval", "200", "--log-max-bytes", "4096",
           "--log-keep", "1000", "--threads", "4")

# Health, the OpenAPI document, instruments, versions, decisions.
status, h = s.json("GET", "/health")
check("health", status == 200 and h["status"] == "ok" and h["program"]["generation"] == 1
      and h["program"]["engine"] == "jit" and h["program"]["versions"] == 6 and h["last_reload_error"] is None, h)
status, api = s.json("GET", "/openapi.json")
routes = ["/health", "/metrics", "/openapi.json", "/instruments", "/versions", "/decisions",
          "/decisions/{name}/schema", "/decisions/{name}/outcome-schema", "/decisions/{name}/evaluate",
          "/decisions/{name}/explain-diff", "/"]
check("openapi.json is OpenAPI 3 and lists every route",
      status == 200 and api.get("openapi", "").startswith("3.") and sorted(api["paths"]) == sorted(routes), api.get("paths"))
status, ins = s.json("GET", "/instruments")
titles = {i["name"]: i["fields"].get("title") for i in ins["instruments"]}
check("instruments", status == 200 and titles.get("r4") == "Cambodia removed from Country Group D:5"
      and {"r0", "r1", "r2", "r3", "r4"} <= set(titles), titles)
status, vs = s.json("GET", "/versions")
names = [v["name"] for v in vs["versions"]]
check("versions, oldest first", status == 200 and names == ["r0", "r1", "h20", "r2", "r3", "r4"]
      and vs["versions"][-1]["latest"] and vs["versions"][1]["effective"] == "2025-01-13"
      and "licence" in vs["versions"][-1]["decisions"], vs)
status, ds = s.json("GET", "/decisions")
check("decisions of the latest version", status == 200 and ds["version"] == "r4"
      and any(d["name"] == "licence" and d["inputs"][0]["name"] == "t" for d in ds["decisions"]), ds)
status, ds = s.json("GET", "/decisions?as_of=2025-06-01")
check("decisions as of a date", status == 200 and ds["version"] == "r2", ds)
status, ds = s.json("GET", "/decisions?version=r1")
check("decisions of a named version", status == 200 and ds["version"] == "r1", ds)
status, e = s.json("GET", "/decisions?as_of=June")
check("a bad date: 422 naming the parameter", status == 422 and e["error"]["field"] == "as_of", e)
status, e = s.json("GET", "/decisions?as_of=1990-01-01")
check("no version in force: 422", status == 422 and "no version" in e["error"]["message"], e)
status, e = s.json("GET", "/decisions?version=r9")
check("an unknown version: 404 listing the versions", status == 404 and "r0, r1" in e["error"]["message"], e)
status, e = s.json("GET", "/decisions?as-of=2025-06-01")
check("an unknown parameter: 422 naming it", status == 422 and e["error"]["field"] == "as-of", e)
status, e = s.json("GET", "/nowhere")
check("an unknown route: 404 in JSON", status == 404 and e["error"]["kind"] == "not_found", e)

# The outcome's schema: the verdict's fields with their doc strings, its enums with their members'.
status, out = s.json("GET", "/decisions/licence/outcome-schema?as_of=2025-06-01")
verdict = out.get("$defs", {}).get("Verdict", {})
check("outcome-schema: the Verdict, its fields' and members' doc strings",
      status == 200 and out.get("$ref") == "#/$defs/Verdict"
      and sorted(verdict.get("properties", {})) == sorted(["licence_required", "authorization", "available", "review",
                                                           "warnings", "basis"])
      and out["$defs"]["Authorization"]["x-edict-member-docs"]["NLR"].startswith("no licence required"), out)
status, e = s.json("GET", "/decisions/nothing/outcome-schema")
check("the outcome schema of an unknown decision: 404", status == 404 and e["error"]["kind"] == "unknown_decision", e)

# The page (compiler/page/; its browser test is tests/browser/page): its files, with their types.
for path, ctype, marker in [("/", "text/html", '<meta name="edict-api" content="">'),
                            ("/page.js", "text/javascript", "function parseJson"), ("/page.css", "text/css", ".verdict")]:
    status, got, body = s.request("GET", path)
    check(f"the page: GET {path} is {ctype}", status == 200 and got.startswith(ctype) and marker in body, (status, got))
status, _, body = s.request("GET", "/?api=http://elsewhere")
check("the page takes its own query parameters", status == 200 and "<title>" in body)
status, _, _ = s.request("GET", "/page.jsx")
check("no other file under /", status == 404)

# The schema: what `edict schema` prints.
status, _, schema = s.request("GET", "/decisions/licence/schema")
rc, want = cli("schema", root, "-d", "licence")
check("schema is `edict schema`'s", status == 200 and rc == 0 and schema == want)
status, e = s.json("GET", "/decisions/nothing/schema")
check("the schema of an unknown decision: 404", status == 404 and e["error"]["kind"] == "unknown_decision"
      and "licence" in e["error"]["message"], e)

# One case: the outcome `edict eval` gives, the deciding rules, a decision id.
rc, out = cli("eval", root, "-d", "licence", "--case", case_file, "--format", "json")
want = json.loads(out)
status, r = s.json("POST", "/decisions/licence/evaluate", case, {"Content-Type": "application/json"})
decided.append(case)
check("evaluate: `edict eval`'s outcome", status == 200 and r["outcome"] == want["outcome"] and r["version"] == "r4"
      and r["decision_id"] and r["deciding_rules"] and all("rule" in x for x in r["deciding_rules"]), r)
first_id = r.get("decision_id")
rc, out = cli("eval", root, "-d", "licence", "--case", case_file, "--format", "json", "--as-of", "2025-02-01")
want = json.loads(out)
status, r = s.json("POST", "/decisions/licence/evaluate?as_of=2025-02-01", case)
decided.append(case)
check("evaluate as_of: `edict eval --as-of`'s outcome", status == 200 and r["outcome"] == want["outcome"]
      and r["version"] == "r1", r)
rc, out = cli("eval", root, "-d", "licence", "--case", case_file, "--format", "json", "--explain")
want = json.loads(out)
status, r = s.json("POST", "/decisions/licence/evaluate?explain=true&version=r4", case)
decided.append(case)
check("evaluate explain: `edict eval --explain`'s explanation", status == 200
      and r["explanation"] == want["explanation"] and r["outcome"] == want["outcome"], r)

# Bad input: each error names what is wrong, and where.
status, e = s.json("POST", "/decisions/licence/evaluate", '{"t": {"quantity": ')
check("malformed JSON: 400, invalid_case", status == 400 and e["error"]["kind"] == "invalid_case"
      and e["error"]["issues"], e)
bad = json.loads(case)
bad["t"]["quantity"] = "lots"
status, e = s.json("POST", "/decisions/licence/evaluate", json.dumps(bad))
check("a wrong type: 422 with the field path", status == 422
      and [i["field"] for i in e["error"]["issues"]] == ["t.quantity"], e)
bad = json.loads(case)
del bad["t"]["consignee"]["country"]
bad["t"]["item"]["tpp"] = True
status, e = s.json("POST", "/decisions/licence/evaluate", json.dumps(bad))
fields = sorted(i["field"] for i in e.get("error", {}).get("issues", []))
check("every issue with its path", status == 422 and "t.item.tpp" in fields and "t.consignee.country" in fields, e)
status, e = s.json("POST", "/decisions/licensing/evaluate", case)
check("an unknown decision: 404", status == 404 and e["error"]["kind"] == "unknown_decision", e)
status, e = s.json("POST", "/decisions/licence/evaluate", "x" * 70000)
check("an oversized body: 413 in JSON", status == 413 and e["error"]["kind"] == "body_too_large", e)
status, e = s.json("POST", "/decisions/licence/evaluate?explain=maybe", case)
check("a bad flag: 422", status == 422 and e["error"]["field"] == "explain", e)
status, e = s.json("GET", "/decisions/licence/evaluate")
check("GET on a POST route: 404", status == 404, e)

# JSON Lines in and out: each line decided as `edict eval --cases` decides it, in order.
scenarios = open(os.path.join(regs, "cases", "scenarios.jsonl")).read().splitlines()
lines = scenarios + ["", "{\"t\": 7}", "not json"]
body = "\n".join(lines) + "\n"
rc, out = cli("eval", root, "-d", "licence", "--cases", os.path.join(regs, "cases", "scenarios.jsonl"), "--format", "json")
want = [json.loads(x) for x in out.splitlines()]
status, ctype, data = s.request("POST", "/decisions/licence/evaluate", body, {"Content-Type": "application/x-ndjson"})
got = [json.loads(x) for x in data.splitlines()]
check("NDJSON: one result per case, in order, with its line", status == 200 and ctype == "application/x-ndjson"
      and [g["line"] for g in got] == [i + 1 for i, x in enumerate(lines) if x.strip()], data[:500])
check("NDJSON: `edict eval --cases`'s outcomes", [g.get("outcome", g.get("error")) for g in got[:len(want)]]
      == [w.get("outcome", w.get("error")) for w in want])
check("NDJSON: a bad line's error, with its path", got[-2]["error"]["issues"][0]["field"] == "t"
      and got[-1]["error"]["kind"] == "invalid_case")
decided += [x for x, g in zip([x for x in lines if x.strip()], got) if "decision_id" in g]

# JSON Lines in and out at once (`duplex=true`): a raw HTTP/1.1 client sends the body in chunks and
# reads each result before it sends the next case.
class Duplex:
    def __init__(self, port, path, headers=""):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""
        self.sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
                           f"Transfer-Encoding: chunked\r\n{headers}\r\n").encode())
        self.status, self.headers, self.body, self.ended = None, {}, b"", False

    def send(self, text):
        data = text.encode()
        self.sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n" if data else b"0\r\n\r\n")

    def _more(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode()

    def read_head(self):
        self.status = int(self._line().split()[1])
        while (line := self._line()):
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()

    def read_chunk(self):  # the next chunk of the answer's body; False at its end
        size = int(self._line().split(";")[0], 16)
        while len(self.buf) < size + 2:
            self._more()
        self.body, self.buf = self.body + self.buf[:size], self.buf[size + 2:]
        self.ended = size == 0
        return not self.ended

    def results(self):
        return [json.loads(x) for x in self.body.decode().splitlines()]


d = Duplex(s.port, "/decisions/licence/evaluate?duplex=true")
d.send(scenarios[0] + "\n")
d.read_head()
while d.read_chunk() and b"\n" not in d.body:
    pass
first = d.results()
check("duplex: the first result arrives before the rest of the body is sent", d.status == 200
      and d.headers.get("transfer-encoding") == "chunked" and len(first) == 1 and first[0]["line"] == 1
      and first[0]["outcome"] == want[0]["outcome"], (d.status, d.headers, d.body[:300]))
d.send("\n".join(lines[1:]) + "\n")
d.send("")
while d.read_chunk():
    pass
duplex = d.results()
d.sock.close()
check("duplex: the same answers as the buffered stream", [(g["line"], g.get("outcome"), g.get("error"))
      for g in duplex] == [(g["line"], g.get("outcome"), g.get("error")) for g in got], d.body[:500])
decided += [x for x, g in zip([x for x in lines if x.strip()], duplex) if "decision_id" in g]
status, e = s.json("POST", "/decisions/licence/evaluate?duplex=true", case)
check("duplex with a JSON body: 422", status == 422 and e["error"]["field"] == "duplex", e)

# Many clients at once: every answer the same.
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    answers = list(pool.map(lambda _: s.json("POST", "/decisions/licence/evaluate", case), range(40)))
decided += [case] * 40
check("40 concurrent requests, 8 at a time", all(a[0] == 200 and a[1]["outcome"] == answers[0][1]["outcome"]
                                                   for a in answers) and len({a[1]["decision_id"] for a in answers}) == 40)

# The differential explanation: `edict explain --diff`'s report.
rc, out = cli("explain", "--diff", os.path.join(regs, "r1_diffusion.edict.md"), os.path.join(regs, "r2_rescission.edict.md"),
              "-d", "licence", "--case", case_file)
status, x = s.json("POST", "/decisions/licence/explain-diff?old=r1&new=r2", case)
check("explain-diff: `edict explain --diff`'s report", status == 200 and rc == 0
      and x["text"].split("\n", 1)[1] == out.split("\n", 1)[1], x.get("text", x))
check("explain-diff: the first provision where they part", status == 200 and x["first_difference"] is not None
      and x["first_difference"] == x["differences"][0] and x["old"]["version"] == "r1"
      and x["new"]["version"] == "r2" and x["same_outcome"] == (x["old"]["outcome"] == x["new"]["outcome"]), x)
status, x = s.json("POST", "/decisions/licence/explain-diff", case)
check("explain-diff: by default the latest against the one before", status == 200
      and (x["old"]["version"], x["new"]["version"]) == ("r3", "r4"), x)
status, e = s.json("POST", "/decisions/licence/explain-diff?old=r7", case)
check("explain-diff: an unknown version, 404", status == 404 and e["error"]["field"] == "old", e)
status, e = s.json("POST", "/decisions/licence/explain-diff", json.dumps(bad))
check("explain-diff: a wrong input, 422 with paths", status == 422 and e["error"]["issues"], e)

# Reload: a good edit is swapped in, a broken one refused (the old program keeps serving).
def wait_for(what, predicate, seconds=180):
    end = time.time() + seconds
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    check(what, False, "timed out")
    return None


r4_text = open(root).read()
with open(root, "w") as f:
    f.write(r4_text.replace("Cambodia removed from Country Group D:5", "Cambodia leaves D:5"))
if wait_for("reload after an edit", lambda: s.json("GET", "/health")[1]["program"]["generation"] == 2):
    status, ins = s.json("GET", "/instruments")
    check("reload: the edited title is served", {i["name"]: i["fields"]["title"] for i in ins["instruments"]}["r4"]
          == "Cambodia leaves D:5", ins)
with open(root, "w") as f:
    f.write(r4_text + "\n```edict\nreplace const d5 = ;\n```\n")  # a literate file: the error in an edict block
err = wait_for("a broken edit is reported", lambda: s.json("GET", "/health")[1]["last_reload_error"])
check("a broken edit: the error with its place", err and "r4_d5_cambodia.edict.md:" in err, err)
status, h = s.json("GET", "/health")
check("a broken edit: the old program keeps serving", h["program"]["generation"] == 2)
status, r = s.json("POST", "/decisions/licence/evaluate", case)
decided.append(case)
check("a broken edit: decisions still made", status == 200 and r["outcome"] == answers[0][1]["outcome"], r)
with open(root, "w") as f:
    f.write(r4_text)
wait_for("reload after the fix", lambda: s.json("GET", "/health")[1]["program"]["generation"] == 3)
status, r = s.json("POST", "/decisions/licence/evaluate", case)
decided.append(case)
check("after the fix", status == 200 and r["outcome"] == answers[0][1]["outcome"], r)

# A request in flight during a reload finishes on the program it started on: a stream is sent in
# two halves, the files are edited between them and the reload awaited.
half = len(scenarios) // 2
stream = "\n".join(scenarios) + "\n"
cut = len("\n".join(scenarios[:half])) + 1
c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=120)
c.putrequest("POST", "/decisions/licence/evaluate")
c.putheader("Content-Type", "application/x-ndjson")
c.putheader("Content-Length", str(len(stream.encode())))
c.endheaders()
c.send(stream[:cut].encode())
with open(root, "w") as f:
    f.write(r4_text.replace("Cambodia removed from Country Group D:5", "Cambodia out of D:5"))
wait_for("reload while a request is in flight", lambda: s.json("GET", "/health")[1]["program"]["generation"] == 4)
c.send(stream[cut:].encode())
resp = c.getresponse()
in_flight = [json.loads(x) for x in resp.read().decode().splitlines()]
c.close()
in_flight_ids = {r["decision_id"] for r in in_flight if "decision_id" in r}
decided += [x for x, r in zip(scenarios, in_flight) if "decision_id" in r]
check("the request in flight was answered whole", resp.status == 200 and len(in_flight) == len(scenarios))
status, r = s.json("POST", "/decisions/licence/evaluate", case)
decided.append(case)
after_id = r.get("decision_id")

# Metrics.
status, ctype, m = s.request("GET", "/metrics")
metric = {}
for line in m.splitlines():
    if line and not line.startswith("#"):
        k, v = line.rsplit(" ", 1)
        metric[k] = float(v)
check("metrics: requests by route and status", status == 200
      and metric.get('edict_http_requests_total{route="/decisions/{name}/evaluate",method="POST",status="200"}', 0) >= 45
      and metric.get('edict_http_requests_total{route="/decisions/{name}/evaluate",method="POST",status="413"}') == 1
      and metric.get('edict_http_request_duration_seconds_count{route="/health"}', 0) >= 3, m[:3000])
check("metrics: decisions, reloads, reload failures", metric.get("edict_decisions_total") == len(decided)
      and metric.get("edict_reloads_total") == 3 and metric.get("edict_reload_failures_total") == 1
      and metric.get("edict_program_generation") == 4 and metric.get("edict_decision_log_rotations_total", 0) >= 1,
      {k: v for k, v in metric.items() if not k.startswith("edict_http")})

# SIGTERM: a clean exit, and every decision in the log.
rc, err = s.stop()
check("SIGTERM: exit 0", rc == 0, err)
check("SIGTERM: says how many decisions were logged", f"stopped; {len(decided)} decisions logged" in err, err)
files = sorted(glob.glob(log + ".*"), key=lambda p: -int(p.rsplit(".", 1)[1])) + [log]
entries = []
for path in files:
    for line in open(path):
        entries.append(json.loads(line))
check("the log was rotated", len(files) > 2, files)
check("the log holds every decision once, in order", [e["input_sha256"] for e in entries]
      == [hashlib.sha256(x.encode()).hexdigest() for x in decided], (len(entries), len(decided)))
check("each entry: id, time, version, input hash, outcome, deciding rules",
      all({"id", "time", "version", "input_sha256", "outcome", "deciding_rules"} <= set(e) for e in entries)
      and len({e["id"] for e in entries}) == len(entries) and entries[0]["id"] == first_id
      and entries[1]["version"] == "r1" and entries[0]["deciding_rules"] == answers[0][1]["deciding_rules"])

check("the request in flight was decided by the program it started on, the next by the new one",
      {e["program"] for e in entries if e["id"] in in_flight_ids} == {3}
      and [e["program"] for e in entries if e["id"] == after_id] == [4], len(in_flight_ids))

# A log that cannot be written: the request fails, nothing is returned unlogged.
full = Server(root, "/dev/full", "--engine", "interp", "--watch-interval", "0")
status, e = full.json("POST", "/decisions/licence/evaluate", case)
check("a failed log write: 500, no outcome", status == 500 and e["error"]["kind"] == "log_error"
      and "outcome" not in e, e)
status, _, m = full.request("GET", "/metrics")
check("a failed log write is counted", "edict_decision_log_errors_total 1" in m, m[-800:])
rc, err = full.stop()
check("the log server stops", rc is not None, err)

# A stream past --timeout: 503, and the cases decided by then are logged.
slow_log = os.path.join(WORK, "slow.jsonl")
slow = Server(root, slow_log, "--engine", "interp", "--watch-interval", "0", "--timeout", "1")
c = http.client.HTTPConnection("127.0.0.1", slow.port, timeout=120)
c.putrequest("POST", "/decisions/licence/evaluate")
c.putheader("Content-Type", "application/x-ndjson")
c.putheader("Content-Length", str(len(stream.encode())))
c.endheaders()
sent = 0
for k in range(4):
    part = "".join(x + "\n" for x in scenarios[k * len(scenarios) // 4:(k + 1) * len(scenarios) // 4])
    c.send(part.encode())
    sent += len(part)
    time.sleep(0.6)
resp = c.getresponse()
e = json.loads(resp.read().decode())
c.close()
# The same in duplex: the results decided in time, then the error as the answer's last line.
d = Duplex(slow.port, "/decisions/licence/evaluate?duplex=true")
for k in range(4):
    try:
        d.send("".join(x + "\n" for x in scenarios[k * len(scenarios) // 4:(k + 1) * len(scenarios) // 4]))
    except OSError:
        break  # the server has ended the answer and may close the connection
    time.sleep(0.6)
d.read_head()
while d.read_chunk():
    pass
d.sock.close()
late = d.results()
logged_slow = None
rc, err = slow.stop()
logged_slow = sum(1 for _ in open(slow_log))
logged_late = sum(1 for r in late if "decision_id" in r)
check("a duplex stream past --timeout: its results, then the error", d.status == 200 and late[-1]["error"]["kind"]
      == "time_limit" and 0 < logged_late < len(scenarios) and all("line" in r for r in late[:-1]), d.body[-500:])
logged_slow -= logged_late
check("a stream past --timeout: 503, the cases decided are logged", resp.status == 503
      and e["error"]["kind"] == "time_limit" and f"({logged_slow} cases decided and logged)" in e["error"]["message"]
      and 0 < logged_slow < len(scenarios) and rc == 0, (e, logged_slow, sent == len(stream)))

# Chunked bodies count against --max-body as Content-Length bodies do (cpp-httplib checks only the
# latter): a case, a stream and a duplex stream past the limit.
small = Server(root, os.path.join(WORK, "small.jsonl"), "--engine", "interp", "--watch-interval", "0",
               "--max-body", "4096")
big = "\n".join(scenarios * (4096 // len(stream) + 2)) + "\n"
def chunked(path, text, ctype):
    c = http.client.HTTPConnection("127.0.0.1", small.port, timeout=120)
    c.request("POST", path, body=iter([text[i:i + 1000].encode() for i in range(0, len(text), 1000)]),
              headers={"Content-Type": ctype}, encode_chunked=True)
    r = c.getresponse()
    data = r.read().decode()
    c.close()
    return r.status, data
status, data = chunked("/decisions/licence/evaluate", case + " " * 5000, "application/json")
check("a chunked case past --max-body: 413", status == 413 and "body_too_large" in data, data)
status, data = chunked("/decisions/licence/evaluate", big, "application/x-ndjson")
check("a chunked stream past --max-body: 413, with the cases decided", status == 413
      and "body_too_large" in data and "cases decided and logged" in data, data)
d = Duplex(small.port, "/decisions/licence/evaluate?duplex=true")
d.send(big[:3000])
d.send(big[3000:6000])
d.read_head()
while d.read_chunk():
    pass
d.sock.close()
tail = d.results()
check("a duplex stream past --max-body: the results, then the error", d.status == 200 and len(tail) >= 2
      and all("line" in r for r in tail[:-1]) and tail[-1]["error"]["kind"] == "body_too_large", d.body[-500:])
rc, err = small.stop()
logged_small = sum(1 for _ in open(os.path.join(WORK, "small.jsonl")))
check("the small server logged every case it decided", rc == 0
      and logged_small == sum(1 for r in tail if "decision_id" in r) + int(re.search(r"\((\d+) cases decided and logged\)", data).group(1)),
      (logged_small, data))

# A second server on a port in use: a clear error, exit 64.
blocker = Server(root, os.path.join(WORK, "b.jsonl"), "--engine", "interp", "--watch-interval", "0")
r = subprocess.run([EDICT, "serve", root, "--port", str(blocker.port), "--engine", "interp",
                    "--log", os.path.join(WORK, "c.jsonl")], capture_output=True, text=True, timeout=120)
check("a port in use: exit 64, said", r.returncode == 64 and "cannot listen" in r.stderr, r.stderr)

# CORS (--allow-origin): a page of the origin allowed may call the API, a page of another may not.
cors = Server(root, os.path.join(WORK, "cors.jsonl"), "--engine", "interp", "--watch-interval", "0",
              "--allow-origin", "http://rules.example:8000")
def raw(server, method, path, headers, body=None):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, r.getheader("Access-Control-Allow-Origin"), r.getheader("Access-Control-Allow-Headers")
mine, other = {"Origin": "http://rules.example:8000"}, {"Origin": "http://elsewhere.example"}
pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
check("CORS: the preflight of the origin allowed", raw(cors, "OPTIONS", "/decisions/licence/evaluate", {**mine, **pre})
      == (204, "http://rules.example:8000", "Content-Type"))
check("CORS: an answer, and an error, carry the origin allowed",
      raw(cors, "GET", "/versions", mine)[:2] == (200, "http://rules.example:8000")
      and raw(cors, "POST", "/decisions/licence/evaluate", mine, "{}")[:2] == (422, "http://rules.example:8000")
      and raw(cors, "GET", "/nowhere", mine)[:2] == (404, "http://rules.example:8000"))
check("CORS: another origin gets no header, its preflight 403",
      raw(cors, "GET", "/versions", other)[:2] == (200, None)
      and raw(cors, "OPTIONS", "/decisions/licence/evaluate", {**other, **pre})[:2] == (403, None))
check("CORS: without --allow-origin, no header", raw(blocker, "GET", "/versions", mine)[:2] == (200, None))
cors.stop()
# The example of docs/publishing.md ("The page"): the server it starts allows the origin it names.
page_doc = open(os.path.join(SOURCE, "docs", "publishing.md")).read().split("## The page", 1)[1]
example = next(line for line in page_doc.split("```sh", 1)[1].split("```", 1)[0].splitlines() if "--allow-origin" in line)
args = example.split()
check("docs example: the page's server is edict serve", args[:2] == ["build/edict", "serve"], example)
args = [EDICT] + args[1:]
args[args.index("--port") + 1] = "0"
origin = args[args.index("--allow-origin") + 1]
p = subprocess.Popen(args + ["--log", os.path.join(WORK, "doc.jsonl"), "--watch-interval", "0"], cwd=SOURCE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
servers.append(p)
line = p.stdout.readline()
doc_server = type("S", (), {"port": int(line.rsplit(":", 1)[1])}) if "listening on" in line else None
check(f"docs example: {example[:90]}", doc_server is not None
      and raw(doc_server, "OPTIONS", "/decisions/licence/evaluate", {"Origin": origin, **pre})[:2] == (204, origin),
      line + (p.stderr.read() if doc_server is None else ""))
p.send_signal(signal.SIGTERM)
p.communicate(timeout=60)
r = subprocess.run([EDICT, "serve", root, "--port", "0", "--allow-origin", "http://rules.example/"],
                   capture_output=True, text=True, timeout=60)
check("--allow-origin with a path: exit 64, said", r.returncode == 64 and "no path nor trailing slash" in r.stderr,
      r.stderr)

# The examples of docs/publishing.md, against this server (from the repository's root).
doc = open(os.path.join(SOURCE, "docs", "publishing.md")).read()
examples = [line for line in doc.split("## The API", 1)[1].split("```sh", 1)[1].split("```", 1)[0].splitlines()
            if line.startswith("curl ")]
check("docs/publishing.md has its examples", len(examples) >= 10, examples)
for line in examples:
    r = subprocess.run(line.replace("http://localhost:8080", f"http://127.0.0.1:{blocker.port}"), shell=True,
                       cwd=SOURCE, capture_output=True, text=True, timeout=120)
    def is_json(text):
        try:
            return isinstance(json.loads(text), dict)
        except ValueError:
            return False
    parses = "/metrics" in line or is_json(r.stdout) or (
        "x-ndjson" in line and r.stdout and all(is_json(x) for x in r.stdout.splitlines()))
    check(f"docs example: {line[:90]}", r.returncode == 0 and parses, r.stderr + r.stdout[:300])
blocker.stop()

print(f"{len(failures)} failure(s)" if failures else "all passed")
sys.exit(1 if failures else 0)
