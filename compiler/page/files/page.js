// The page for trying a case (docs/publishing.md, "The page"). Everything it shows comes from the
// API of `edict serve`: the decisions (/decisions), the versions (/versions), the form (the JSON
// Schema of the decision's input), the verdict and its explanation (/evaluate?explain=true), the
// comparison of two versions (/explain-diff). No framework, no build step.
//
// Exactness: numbers are never read through JavaScript's binary floating point. Answers are parsed
// by parseJson below, which keeps each number as its text (an Exact); a case is written as JSON
// text by toJson, with each number exactly as typed. Text from the schema and from answers is
// inserted with textContent, never as HTML.
"use strict";

// ---------------------------------------------------------------- exact JSON

class Exact {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

// JSON.parse, but numbers stay text (Exact). Throws SyntaxError on malformed input.
function parseJson(text) {
  let i = 0;
  const fail = (what) => { throw new SyntaxError(`${what} at character ${i + 1}`); };
  const ws = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const o = {};
      ws();
      if (text[i] === "}") { i++; return o; }
      for (;;) {
        ws();
        if (text[i] !== "\"") fail("expected a key");
        const k = string();
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        Object.defineProperty(o, k, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return o; }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const a = [];
      ws();
      if (text[i] === "]") { i++; return a; }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return a; }
        fail("expected ',' or ']'");
      }
    }
    if (c === "\"") return string();
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (m && m[0].length > 0 && m[0] !== "-") { i += m[0].length; return new Exact(m[0]); }
    for (const [word, v] of [["true", true], ["false", false], ["null", null]])
      if (text.startsWith(word, i)) { i += word.length; return v; }
    fail("unexpected character");
  };
  const string = () => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!m) fail("malformed string");
    i += m[0].length;
    return JSON.parse(m[0]);  // a string only: no number passes through here
  };
  const v = value();
  ws();
  if (i !== text.length) fail("unexpected text after the value");
  return v;
}

// The JSON text of a value whose numbers are Exact (written as they are).
function toJson(v, indent = "") {
  if (v instanceof Exact) return v.text;
  if (v === null || typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  const inner = indent + "  ";
  if (Array.isArray(v)) return v.length ? `[${v.map((x) => toJson(x, inner)).join(", ")}]` : "[]";
  const keys = Object.keys(v);
  if (!keys.length) return "{}";
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${toJson(v[k], inner)}`).join(",\n")}\n${indent}}`;
}

// ---------------------------------------------------------------- the API

const apiBase = (() => {
  const q = new URLSearchParams(location.search).get("api");
  const meta = document.querySelector('meta[name="edict-api"]');
  const base = q || (meta && meta.content) || "";
  return base.replace(/\/+$/, "");
})();

class ApiError extends Error {
  constructor(status, body, text) {
    const e = body && body.error;
    super(e && e.message ? e.message : `HTTP ${status}: ${text.slice(0, 200)}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, body) {
  const init = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body };
  let res;
  try {
    res = await fetch(apiBase + path, init);
  } catch (e) {
    throw new Error(`the decision service at ${apiBase || location.origin} cannot be reached (${e.message})`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = parseJson(text);
  } catch (e) {
    if (res.ok) throw new Error(`the answer of ${path} is not JSON: ${e.message}`);
  }
  if (!res.ok) throw new ApiError(res.status, data, text);
  return data;
}

// ---------------------------------------------------------------- DOM helpers

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);  // strings become text nodes
  return e;
}

const $ = (id) => document.getElementById(id);
let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

// ---------------------------------------------------------------- the schema

// A schema node with its wrappers resolved: description, default, unit, domain, and the type.
function resolve(node, defs, info = {}) {
  if (!node || typeof node !== "object") return { ...info, kind: "any" };
  // (A decimal's own description says how JSON carries it: not for the person filling the form.)
  const decimalType = Array.isArray(node.type) && node.type.includes("number");
  if (node.description && !info.description && !decimalType) info.description = node.description;
  if (node.default !== undefined && info.default === undefined) info.default = node.default;
  if (node["x-edict-unit"]) info.unit = node["x-edict-unit"];
  if (node["x-edict-domain"]) info.domain = node["x-edict-domain"];
  if (node.$ref) {
    const name = node.$ref.replace(/^#\/\$defs\//, "");
    if (!defs[name]) return { ...info, kind: "any" };
    return resolve(defs[name], defs, { ...info, typeName: name });
  }
  if (node.allOf && node.allOf.length === 1) return resolve(node.allOf[0], defs, info);
  if (node.anyOf && node.anyOf.length === 2 && node.anyOf[0].type === "null")
    return { ...info, kind: "optional", of: node.anyOf[1] };
  if (node.oneOf) return { ...info, kind: "sum", title: node.title, typeDoc: node.description, alts: node.oneOf };
  if (node.enum) return { ...info, kind: "enum", title: node.title, typeDoc: node.description, members: node.enum,
                          docs: node["x-edict-member-docs"] || {} };
  const t = node.type;
  if (Array.isArray(t) && t.includes("number")) return { ...info, kind: "decimal", pattern: node.pattern };
  if (t === "integer") return { ...info, kind: "integer", min: node.minimum, max: node.maximum };
  if (t === "boolean") return { ...info, kind: "boolean" };
  if (t === "string" && node.format === "date") return { ...info, kind: "date" };
  if (t === "string" && node.pattern) return { ...info, kind: "duration", pattern: node.pattern };
  if (t === "string") return { ...info, kind: "text" };
  if (t === "array" && node.uniqueItems) return { ...info, kind: "set", items: node.items };
  if (t === "array") return { ...info, kind: "list", items: node.items };
  if (t === "object") return { ...info, kind: "record", title: node.title, typeDoc: node.description,
                               properties: node.properties || {}, required: node.required || [],
                               invariants: node["x-edict-invariants"] || [] };
  return { ...info, kind: "any" };
}

const memberLabel = (m, docs) => (docs && docs[m] ? `${m} — ${docs[m]}` : m);
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const text = (v) => (v instanceof Exact ? v.text : v);

// ---------------------------------------------------------------- the form
//
// Each input is a Field: { el, read() -> {value} | {error}, fill(value), path, errorEl }. Fields
// are registered by their path as the server names them (t.consignee.country, t.items[0]), so that
// a 422's issues are shown beside their fields.

class Form {
  constructor(schema) {
    this.defs = schema.$defs || {};
    this.byPath = new Map();
  }

  register(path, field) {
    this.byPath.set(path, field);
    return field;
  }

  // A labelled row: label, the control, the unit, the doc string, the domain, the error line.
  row(path, name, info, control, controlId) {
    const err = el("p", { class: "field-error", id: `${controlId}-error`, role: "alert" });
    const help = [];
    if (info.description) help.push(el("span", { class: "doc", text: info.description }));
    if (info.domain) help.push(el("span", { class: "domain", text: `allowed: ${info.domain.join(", ")}` }));
    if (info.default !== undefined) help.push(el("span", { class: "domain", text: `default: ${toJson(info.default)}` }));
    const helpId = `${controlId}-help`;
    const described = [help.length ? helpId : null, err.id].filter(Boolean).join(" ");
    const input = control.querySelector ? (control.matches("input,select,textarea") ? control : control.querySelector("input,select,textarea")) : null;
    if (input && !input.hasAttribute("aria-describedby")) input.setAttribute("aria-describedby", described);
    return {
      err,
      el: el("div", { class: "row", "data-path": path },
        el("label", { for: controlId, class: "name", text: name }),
        el("div", { class: "control" }, control, info.unit ? el("span", { class: "unit", text: info.unit }) : null),
        help.length ? el("p", { class: "help", id: helpId }, ...help.flatMap((h, i) => (i ? [" ", h] : [h]))) : null,
        err),
    };
  }

  // The field for the schema node `node` at `path`, named `name`.
  field(node, path, name, extra = {}) {
    const info = resolve(node, this.defs, { ...extra });
    const id = nextId("f");
    const withError = (f, err, input) => {
      f.path = path;
      f.setError = (msg) => {
        err.textContent = msg || "";
        if (input) input.setAttribute("aria-invalid", msg ? "true" : "false");
        f.el.classList.toggle("invalid", !!msg);
      };
      return this.register(path, f);
    };
    switch (info.kind) {
      case "boolean": {
        const input = el("input", { type: "checkbox", id, name: path });
        const err = el("p", { class: "field-error", role: "alert" });
        const row = el("div", { class: "row check", "data-path": path },
          el("div", { class: "control" }, input, el("label", { for: id, class: "name", text: name })),
          info.description ? el("p", { class: "help", id: `${id}-help` }, el("span", { class: "doc", text: info.description })) : null,
          err);
        if (info.description) input.setAttribute("aria-describedby", `${id}-help`);
        return withError({
          el: row,
          read: () => ({ value: input.checked }),
          fill: (v) => { input.checked = v === true; },
        }, err, input);
      }
      case "integer":
      case "decimal":
      case "date":
      case "duration":
      case "text": {
        const attrs = { id, name: path, type: info.kind === "date" ? "date" : "text", autocomplete: "off" };
        if (info.kind === "integer") attrs.inputmode = "numeric";
        if (info.kind === "decimal") attrs.inputmode = "decimal";
        if (info.kind === "duration") attrs.placeholder = "30 days";
        const input = el("input", attrs);
        const optional = info.default !== undefined;
        const { err, el: row } = this.row(path, name, info, input, id);
        const read = () => {
          const s = input.value.trim();
          if (s === "") {
            if (optional) return { omit: true };
            return { error: info.kind === "date" && input.validity.badInput ? "not a complete date" : "required" };
          }
          switch (info.kind) {
            case "integer": {
              if (!/^[+-]?[0-9]+$/.test(s)) return { error: `\`${s}\` is not a whole number` };
              const n = BigInt(s);
              if ((info.min !== undefined && n < BigInt(text(info.min))) || (info.max !== undefined && n > BigInt(text(info.max))))
                return { error: `\`${s}\` is out of the range of integer (64-bit)` };
              return { value: new Exact(n.toString()) };
            }
            case "decimal": {
              if (info.pattern && !new RegExp(info.pattern).test(s))
                return { error: `\`${s}\` is not an exact decimal (such as 12, -0.5, 1_000 or 1e26)` };
              // A JSON number token goes as it is; other decimal literals (1_000, +5, 007) as a string.
              return { value: JSON_NUMBER.test(s) ? new Exact(s) : s };
            }
            case "date":
              if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(s)) return { error: "expected a date YYYY-MM-DD" };
              return { value: s };
            case "duration":
              if (info.pattern && !new RegExp(info.pattern).test(s)) return { error: "expected a duration such as 30 days or 2 months" };
              return { value: s };
            default: return { value: input.value };
          }
        };
        const f = withError({ el: row, read, fill: (v) => { input.value = v === undefined || v === null ? "" : String(text(v)); } }, err, input);
        if (info.default !== undefined) f.fill(info.default);
        input.addEventListener("input", () => f.setError(""));
        return f;
      }
      case "enum": {
        const select = el("select", { id, name: path },
          el("option", { value: "", text: "— choose —" }),
          ...info.members.map((m) => el("option", { value: m, text: memberLabel(m, info.docs) })));
        const { err, el: row } = this.row(path, name, { ...info, description: info.description || info.typeDoc }, select, id);
        const f = withError({
          el: row,
          read: () => (select.value === "" ? (info.default !== undefined ? { omit: true } : { error: "required" }) : { value: select.value }),
          fill: (v) => { select.value = typeof v === "string" && info.members.includes(v) ? v : ""; },
        }, err, select);
        if (info.default !== undefined) f.fill(info.default);
        select.addEventListener("change", () => f.setError(""));
        return f;
      }
      case "set": {
        const inner = resolve(info.items, this.defs);
        const members = inner.members || [];
        const docs = inner.docs || {};
        let control, get, set;
        if (members.length <= 12) {
          const boxes = members.map((m) => {
            const bid = nextId("f");
            return { m, box: el("input", { type: "checkbox", id: bid, value: m }),
                     label: (box) => el("label", { for: bid, class: "member", text: memberLabel(m, docs) }) };
          });
          control = el("fieldset", { class: "set", id },
            el("legend", { class: "visually-hidden", text: name }),
            ...boxes.map((b) => el("div", { class: "member-row" }, b.box, b.label(b.box))));
          get = () => boxes.filter((b) => b.box.checked).map((b) => b.m);
          set = (vs) => boxes.forEach((b) => { b.box.checked = vs.includes(b.m); });
        } else {
          control = el("select", { id, name: path, multiple: true, size: "8" },
            ...members.map((m) => el("option", { value: m, text: memberLabel(m, docs) })));
          get = () => [...control.selectedOptions].map((o) => o.value);
          set = (vs) => [...control.options].forEach((o) => { o.selected = vs.includes(o.value); });
        }
        const { err, el: row } = this.row(path, name, { ...info, description: info.description || inner.typeDoc }, control, id);
        const f = withError({ el: row, read: () => ({ value: get() }), fill: (v) => set(Array.isArray(v) ? v : []) }, err, control);
        if (info.default !== undefined) f.fill(info.default);
        return f;
      }
      case "record": {
        const fields = Object.entries(info.properties).map(([k, sub]) => ({
          key: k,
          f: this.field(sub, path ? `${path}.${k}` : k, k),
        }));
        const err = el("p", { class: "field-error", role: "alert" });
        const legend = el("legend", {}, el("span", { class: "name", text: name }),
          info.typeName ? el("span", { class: "type", text: ` ${info.typeName}` }) : null);
        const docs = [info.description, info.typeDoc].filter(Boolean);
        const box = el("fieldset", { class: "record", "data-path": path }, legend,
          ...docs.map((d) => el("p", { class: "doc", text: d })),
          ...fields.map(({ f }) => f.el), err);
        return withError({
          el: box,
          read: () => {
            const o = {};
            let bad = false;
            for (const { key, f } of fields) {
              const r = f.read();
              if (r.error !== undefined) { if (r.error) f.setError(r.error); bad = true; continue; }
              if (!r.omit) o[key] = r.value;
            }
            return bad ? { error: "" } : { value: o };
          },
          fill: (v) => { for (const { key, f } of fields) f.fill(v && typeof v === "object" ? v[key] : undefined); },
        }, err, null);
      }
      case "list": {
        const items = [];
        const list = el("ol", { class: "list" });
        const err = el("p", { class: "field-error", role: "alert" });
        const add = (v) => {
          const item = { f: null, li: null };
          item.f = this.field(info.items, `${path}[${items.length}]`, "item");  // the list numbers them
          const remove = el("button", { type: "button", class: "small", text: "Remove",
            "aria-label": `Remove item of ${name}`,
            onclick: () => {
              // The items after it move up one: their fields' paths (and those inside them) follow.
              const at = items.indexOf(item);
              this.forget(`${path}[${at}]`);
              items.splice(at, 1);
              item.li.remove();
              for (let i = at; i < items.length; i++) this.rename(`${path}[${i + 1}]`, `${path}[${i}]`, items[i].li);
            } });
          item.li = el("li", {}, item.f.el, remove);
          items.push(item);
          list.append(item.li);
          if (v !== undefined) item.f.fill(v);
        };
        const box = el("fieldset", { class: "record list-box", "data-path": path },
          el("legend", {}, el("span", { class: "name", text: name }), el("span", { class: "type", text: " list" })),
          info.description ? el("p", { class: "doc", text: info.description }) : null,
          list, el("button", { type: "button", class: "small", text: `Add to ${name}`, onclick: () => add() }), err);
        const f = withError({
          el: box,
          read: () => {
            const out = [];
            let bad = false;
            for (const it of items) {
              const r = it.f.read();
              if (r.error !== undefined) { if (r.error) it.f.setError(r.error); bad = true; } else out.push(r.value);
            }
            return bad ? { error: "" } : { value: out };
          },
          fill: (v) => {
            items.splice(0).forEach((it) => it.li.remove());
            if (Array.isArray(v)) v.forEach((x) => add(x));
          },
        }, err, null);
        if (info.default !== undefined) f.fill(info.default);
        return f;
      }
      case "optional": {
        const toggleId = nextId("f");
        const toggle = el("input", { type: "checkbox", id: toggleId });
        const inner = this.field(info.of, path, name, { description: info.description });
        const body = el("div", { class: "optional-body" }, inner.el);
        body.hidden = true;
        toggle.addEventListener("change", () => { body.hidden = !toggle.checked; });
        const box = el("div", { class: "optional", "data-path": path },
          el("div", { class: "row check" }, el("div", { class: "control" }, toggle,
            el("label", { for: toggleId, class: "name", text: `${name} (optional: give a value)` }))), body);
        const f = {
          el: box,
          path,
          read: () => (toggle.checked ? inner.read() : { value: null }),
          fill: (v) => { toggle.checked = v !== undefined && v !== null; body.hidden = !toggle.checked; if (toggle.checked) inner.fill(v); },
          setError: (m) => inner.setError(m),
        };
        return f;  // the inner field is registered under the path
      }
      case "sum": {
        // Members without a value (a string enum), and members that carry one ({"member": value}).
        const plain = [];
        const docs = {};
        const carrying = [];
        for (const alt of info.alts) {
          if (alt.enum) { plain.push(...alt.enum); Object.assign(docs, alt["x-edict-member-docs"] || {}); }
          else if (alt.title) { carrying.push(alt); if (alt.description) docs[alt.title] = alt.description; }
        }
        const select = el("select", { id, name: path },
          el("option", { value: "", text: "— choose —" }),
          ...[...plain, ...carrying.map((a) => a.title)].map((m) => el("option", { value: m, text: memberLabel(m, docs) })));
        const payloads = new Map();
        const payloadBox = el("div", { class: "payload" });
        for (const alt of carrying) {
          const pf = this.field(alt.properties[alt.title], `${path}.${alt.title}`, alt.title);
          pf.el.hidden = true;
          payloads.set(alt.title, pf);
          payloadBox.append(pf.el);
        }
        const show = () => payloads.forEach((pf, m) => { pf.el.hidden = m !== select.value; });
        select.addEventListener("change", show);
        const { err, el: row } = this.row(path, name, { ...info, description: info.description || info.typeDoc }, select, id);
        row.append(payloadBox);
        return withError({
          el: row,
          read: () => {
            const m = select.value;
            if (m === "") return { error: "required" };
            if (!payloads.has(m)) return { value: m };
            const r = payloads.get(m).read();
            return r.error !== undefined ? r : { value: { [m]: r.value } };
          },
          fill: (v) => {
            if (typeof v === "string") select.value = v;
            else if (v && typeof v === "object" && Object.keys(v).length === 1) {
              const m = Object.keys(v)[0];
              select.value = m;
              if (payloads.has(m)) payloads.get(m).fill(v[m]);
            } else select.value = "";
            show();
          },
        }, err, select);
      }
      default: {
        // A type the page does not know how to show: JSON typed as it is.
        const input = el("textarea", { id, name: path, rows: "2", spellcheck: "false" });
        const { err, el: row } = this.row(path, name, { ...info, description: info.description || "any JSON value" }, input, id);
        return withError({
          el: row,
          read: () => { try { return { value: parseJson(input.value) }; } catch (e) { return { error: `not JSON: ${e.message}` }; } },
          fill: (v) => { input.value = v === undefined ? "" : toJson(v); },
        }, err, input);
      }
    }
  }

  // Paths at or under `prefix`: the path itself, or one that goes on with `.` or `[`.
  static under(p, prefix) {
    return p === prefix || (p.startsWith(prefix) && (p[prefix.length] === "." || p[prefix.length] === "["));
  }

  forget(prefix) {
    for (const p of [...this.byPath.keys()]) if (Form.under(p, prefix)) this.byPath.delete(p);
  }

  // The fields at or under `from` are now at `to` (a list's item moved up), in the registry and in
  // the DOM under `root` (data-path and name attributes).
  rename(from, to, root) {
    const moved = (p) => to + p.slice(from.length);
    for (const [p, f] of [...this.byPath.entries()]) {
      if (!Form.under(p, from)) continue;
      this.byPath.delete(p);
      f.path = moved(p);
      this.byPath.set(f.path, f);
    }
    for (const e of root.querySelectorAll("[data-path], [name]")) {
      for (const a of ["data-path", "name"]) {
        const v = e.getAttribute(a);
        if (v !== null && Form.under(v, from)) e.setAttribute(a, moved(v));
      }
    }
  }

  clearErrors() {
    for (const f of this.byPath.values()) f.setError && f.setError("");
  }

  // The field for a path the server names, or the nearest field above it.
  fieldFor(path) {
    for (let p = path; p; p = p.replace(/(\.[^.[\]]*|\[[0-9]+\])$/, "")) {
      if (this.byPath.has(p)) return this.byPath.get(p);
      if (!/[.[]/.test(p)) break;
    }
    return null;
  }
}

// ---------------------------------------------------------------- state

const state = {
  versions: [],
  instruments: new Map(),  // name -> fields (title, citation, effective ...)
  decisions: [],
  decision: null,     // its name
  law: null,          // { version } or { as_of }
  schemaKey: "",
  form: null,
  root: null,         // the Field of the whole case
  outcome: null,      // the outcome's schema
};

const status = (msg, kind = "") => {
  const s = $("status");
  s.textContent = msg;
  s.className = `status ${kind}`;
  s.hidden = !msg;
};

function lawQuery() {
  if ($("law-date").checked && $("as-of").value) return `as_of=${encodeURIComponent($("as-of").value)}`;
  return `version=${encodeURIComponent($("version").value)}`;
}

// "r2 — Rescission of the AI Diffusion rule (from 2025-05-13)": the version, its instrument's title.
function versionLabel(v) {
  const ins = v.instrument ? state.instruments.get(v.instrument) : null;
  const title = ins && ins.title ? ins.title : v.instrument && v.instrument !== v.name ? v.instrument : "";
  return `${v.name}${title ? ` — ${title}` : ""}${v.effective ? ` (from ${v.effective})` : ""}${v.latest ? ", latest" : ""}`;
}

async function start() {
  if (apiBase) $("api-link").href = `${apiBase}/openapi.json`;
  try {
    const [versions, instruments] = await Promise.all([api("/versions"), api("/instruments")]);
    state.versions = versions.versions;
    state.instruments = new Map(instruments.instruments.map((i) => [i.name, i.fields || {}]));
    for (const sel of [$("version"), $("compare-old"), $("compare-new")])
      sel.replaceChildren(...state.versions.map((v) => el("option", { value: v.name, text: versionLabel(v) })));
    const last = state.versions[state.versions.length - 1];
    $("version").value = last.name;
    $("compare-new").value = last.name;
    $("compare-old").value = state.versions.length > 1 ? state.versions[state.versions.length - 2].name : last.name;
    const today = new Date().toISOString().slice(0, 10);
    $("as-of").value = today;
    $("choose").hidden = false;
    await loadDecisions();
  } catch (e) {
    status(`The rules could not be loaded: ${e.message}`, "error");
    return;
  }
  $("decision").addEventListener("change", () => loadForm().catch(showLoadError));
  $("version").addEventListener("change", () => { $("law-version").checked = true; loadDecisions().catch(showLoadError); });
  $("as-of").addEventListener("change", () => { $("law-date").checked = true; loadDecisions().catch(showLoadError); });
  for (const r of [$("law-version"), $("law-date")]) r.addEventListener("change", () => loadDecisions().catch(showLoadError));
  $("case-form").addEventListener("submit", (ev) => { ev.preventDefault(); evaluate(); });
  $("compare").addEventListener("click", () => compare());
  $("load-apply").addEventListener("click", () => loadExample($("load-text").value));
  $("load-file").addEventListener("change", async () => {
    const file = $("load-file").files[0];
    if (file) { $("load-text").value = await file.text(); loadExample($("load-text").value); }
  });
}

function showLoadError(e) {
  status(e.message, "error");
}

// The decisions of the law chosen; the form of the one chosen (kept if it is still there).
async function loadDecisions() {
  const q = lawQuery();
  const d = await api(`/decisions?${q}`);
  state.decisions = d.decisions;
  const note = $("law-note");
  const v = state.versions.find((x) => x.name === d.version);
  note.textContent = $("law-date").checked ? `In force on ${$("as-of").value}: ${v ? versionLabel(v) : d.version}.` : "";
  const keep = $("decision").value || state.decision;
  $("decision").replaceChildren(...d.decisions.map((x) => el("option", { value: x.name, text: x.name })));
  if (!d.decisions.length) {
    status(`The version ${d.version} has no decisions.`, "error");
    $("case-form").hidden = true;
    return;
  }
  $("decision").value = d.decisions.some((x) => x.name === keep) ? keep : d.decisions[0].name;
  await loadForm();
}

async function loadForm() {
  const name = $("decision").value;
  const dec = state.decisions.find((x) => x.name === name);
  $("decision-cite").textContent = dec && dec.citation ? dec.citation : "";
  const q = lawQuery();
  const [schemaText, outcome] = await Promise.all([
    fetch(`${apiBase}/decisions/${encodeURIComponent(name)}/schema?${q}`).then(async (r) => {
      const t = await r.text();
      if (!r.ok) throw new ApiError(r.status, (() => { try { return parseJson(t); } catch { return null; } })(), t);
      return t;
    }),
    api(`/decisions/${encodeURIComponent(name)}/outcome-schema?${q}`),
  ]);
  state.outcome = outcome;
  state.decision = name;
  // The same schema (another version with the same input): the form and what was typed stay.
  if (schemaText === state.schemaKey && state.root) { status(""); return; }
  const before = state.root ? state.root.read() : null;
  const schema = parseJson(schemaText);
  state.schemaKey = schemaText;
  state.form = new Form(schema);
  state.root = state.form.field(schema, "", name);
  $("case-doc").textContent = schema.description || "";
  // The root record's own legend repeats the decision: its inputs are shown directly.
  const fieldsBox = $("fields");
  fieldsBox.replaceChildren(...[...state.root.el.children].filter((c) => c.tagName !== "LEGEND" && !c.classList.contains("doc")));
  if (before && before.value) state.root.fill(before.value);
  $("case-form").hidden = false;
  status("");
}

function loadExample(textIn) {
  $("load-error").textContent = "";
  let v;
  try {
    v = parseJson(textIn);
  } catch (e) {
    $("load-error").textContent = `This is not JSON: ${e.message}`;
    return;
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    $("load-error").textContent = "A case is a JSON object with one key per input of the decision.";
    return;
  }
  state.form.clearErrors();
  state.root.fill(v);
}

// The case as JSON text, or null after marking the fields that are wrong.
function caseJson() {
  state.form.clearErrors();
  $("form-error").textContent = "";
  const r = state.root.read();
  if (r.error !== undefined) {
    $("form-error").textContent = "Some fields need a value or a correction (marked below).";
    const first = document.querySelector(".invalid input, .invalid select, .invalid textarea");
    if (first) first.focus();
    return null;
  }
  return toJson(r.value);
}

// Shows the server's complaint about a case beside its fields (422), or above the buttons.
function showCaseError(e) {
  const err = e.body && e.body.error;
  if (err && Array.isArray(err.issues)) {
    const loose = [];
    for (const issue of err.issues) {
      const f = issue.field ? state.form.fieldFor(issue.field) : null;
      if (f) f.setError(issue.message); else loose.push(issue.field ? `${issue.field}: ${issue.message}` : issue.message);
    }
    $("form-error").textContent = loose.length ? loose.join("; ") : "The service refused some fields (marked below).";
    const first = document.querySelector(".invalid input, .invalid select, .invalid textarea");
    if (first) first.focus();
    return;
  }
  $("form-error").textContent = err && err.kind ? `${err.message} [${err.kind}]` : e.message;
}

// ---------------------------------------------------------------- the verdict

// The outcome's value, labelled from the outcome's schema.
function renderValue(v, node, defs) {
  const info = resolve(node, defs);
  if (info.kind === "record" && v && typeof v === "object" && !Array.isArray(v)) {
    const dl = el("dl", { class: "outcome" });
    for (const [k, sub] of Object.entries(info.properties)) {
      if (!(k in v)) continue;
      const sinfo = resolve(sub, defs);
      dl.append(el("dt", {}, el("span", { class: "name", text: k.replace(/_/g, " ") }),
        sinfo.description ? el("span", { class: "doc", text: sinfo.description }) : null));
      dl.append(el("dd", { "data-field": k }, renderValue(v[k], sub, defs)));
    }
    return dl;
  }
  if (info.kind === "enum" && typeof v === "string")
    return el("span", { class: "value" }, el("strong", { text: v }), info.docs[v] ? el("span", { class: "doc", text: ` — ${info.docs[v]}` }) : null);
  if (info.kind === "set" && Array.isArray(v)) {
    if (!v.length) return el("span", { class: "value none", text: "none" });
    const inner = resolve(info.items, defs);
    return el("ul", { class: "members" }, ...v.map((m) => el("li", {}, el("strong", { text: String(text(m)) }),
      inner.docs && inner.docs[m] ? el("span", { class: "doc", text: ` — ${inner.docs[m]}` }) : null)));
  }
  if (info.kind === "boolean") return el("strong", { class: `value bool-${v}`, text: v ? "yes" : "no" });
  if (info.kind === "list" && Array.isArray(v))
    return el("ol", { class: "members" }, ...v.map((x) => el("li", {}, renderValue(x, info.items, defs))));
  if (info.kind === "optional") return v === null ? el("span", { class: "value none", text: "none" }) : renderValue(v, info.of, defs);
  if (v instanceof Exact || typeof v === "string")
    return el("span", { class: "value" }, el("strong", { text: String(text(v)) }), info.unit ? el("span", { class: "unit", text: ` ${info.unit}` }) : null);
  return el("code", { text: toJson(v) });
}

// The explanation tree: collapsible sections, rules with their citations, conditions with values.
function renderExplanation(x) {
  const value = (v) => (v === undefined ? "" : toJson(v));
  const inputs = (list) => (list && list.length
    ? el("ul", { class: "inputs" }, ...list.map((i) => el("li", {}, el("code", { text: i.expr }), " = ",
        el("code", { class: "val", text: value(i.value) }), i.citation ? el("span", { class: "cite", text: ` ${i.citation}` }) : null)))
    : null);
  const calls = (list) => (list && list.length
    ? el("ul", { class: "calls" }, ...list.map((c) => {
        const args = (c.arguments || []).map((a) => `${a.name} = ${value(a.value)}`).join(", ");
        const d = el("details", {},
          el("summary", {}, el("span", { text: `${c.call === "decision" ? "decision " : ""}${c.name}(${args}) → ` }),
            el("code", { class: "val", text: c.result === null ? "fails" : value(c.result) }),
            c.citation ? el("span", { class: "cite", text: ` ${c.citation}` }) : null),
          c.times ? el("p", { class: "note", text: `called ${c.times} times here; the first call is shown` }) : null,
          c.omitted ? el("p", { class: "note", text: "not traced: the explanation reached its limit of traced calls" }) : null,
          c.explanation ? renderExplanation(c.explanation) : null,
          inputs(c.inputs), calls(c.calls));
        return el("li", {}, d);
      }))
    : null);
  const rule = (r, open) => el("li", { class: "rule" }, el("details", { open },
    el("summary", {}, el("code", { class: "rule-name", text: r.rule }),
      r.citation ? el("span", { class: "cite", text: ` ${r.citation}` }) : null,
      r.instrument ? el("span", { class: "instrument", text: ` — ${r.instrument}` }) : null),
    r.assumption ? el("p", { class: "assumption", text: `assumption: ${r.assumption}` }) : null,
    r.overridden_by ? el("p", { class: "note", text: `applies, but is overridden by ${r.overridden_by.join(", ")}` }) : null,
    r.conditions && r.conditions.length
      ? el("ul", { class: "conditions" }, ...r.conditions.map((c) => el("li", { class: c.value ? "true" : "false" },
          el("code", { text: c.condition }), " → ", el("strong", { text: c.value ? "true" : "false" }),
          inputs(c.inputs), calls(c.calls))))
      : el("p", { class: "note", text: r.applicable ? "applies unconditionally" : "" }),
    el("p", { class: "at", text: r.at || "" })));
  const section = (title, rules, open, cls) => (rules && rules.length
    ? el("details", { class: `section ${cls}`, open }, el("summary", {}, el("span", { text: title }), el("span", { class: "count", text: ` (${rules.length})` })),
        el("ul", { class: "rules" }, ...rules.map((r) => rule(r, open))))
    : null);
  const built = x.outcome_built_from && x.outcome_built_from.length
    ? el("details", { class: "section built" }, el("summary", { text: "How the outcome was built" }),
        el("ul", { class: "rules" }, ...x.outcome_built_from.map((p) => el("li", {},
          p.field ? el("strong", { text: `${p.field}: ` }) : null, el("code", { text: p.expr }), " → ",
          el("code", { class: "val", text: value(p.value) }), inputs(p.inputs), calls(p.calls)))))
    : null;
  return el("div", { class: "explanation" },
    section("Decided by", x.decided_by, true, "decided"), built,
    section("Applied but overridden", x.overridden, false, "overridden"),
    section("Did not apply", x.not_applicable, false, "inapplicable"));
}

// " (the law in force on 2025-06-01)" when the law was chosen by a date.
function lawName() {
  return $("law-date").checked && $("as-of").value ? ` (the law in force on ${$("as-of").value})` : "";
}

async function evaluate() {
  const body = caseJson();
  if (body === null) return;
  const box = $("result");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "status", text: "Deciding…" }));
  box.dataset.state = "busy";
  $("evaluate").disabled = true;
  try {
    const r = await api(`/decisions/${encodeURIComponent(state.decision)}/evaluate?${lawQuery()}&explain=true`, body);
    const rules = r.deciding_rules || [];
    const outcomeDefs = state.outcome.$defs || {};
    box.replaceChildren(
      el("h2", { text: "The verdict" }),
      el("p", { class: "under" }, `Decision `, el("code", { text: r.decision }), ` under `,
        el("strong", { text: r.version }), `${lawName()}; decision id `, el("code", { text: r.decision_id })),
      el("div", { class: "verdict", id: "verdict" }, renderValue(r.outcome, state.outcome, outcomeDefs)),
      el("div", { class: "deciding" }, el("h3", { text: rules.length === 1 ? "The provision that decides" : "The provisions that decide" }),
        el("ul", {}, ...rules.map((d) => el("li", {}, el("code", { class: "rule-name", text: d.rule }),
          d.citation ? el("span", { class: "cite", text: ` ${d.citation}` }) : null)))),
      el("h3", { text: "Why" }),
      r.explanation ? renderExplanation(r.explanation) : el("p", { text: "No explanation was given." }));
    box.dataset.outcome = toJson(r.outcome);
    box.dataset.version = r.version;
  } catch (e) {
    box.hidden = true;
    if (e instanceof ApiError && e.status === 422 && e.body && e.body.error && !e.body.error.issues) {
      // decided, but the rules could not: a runtime error (a conflict, a broken invariant)
      box.hidden = false;
      const err = e.body.error;
      box.replaceChildren(el("h2", { text: "The rules cannot decide this case" }),
        el("p", { class: "form-error", text: `${err.message}${err.kind ? ` [${err.kind}]` : ""}` }),
        err.at ? el("p", { class: "at", text: err.at }) : null);
      box.dataset.outcome = "";
    } else {
      showCaseError(e);
      box.dataset.outcome = "";
    }
  } finally {
    $("evaluate").disabled = false;
    box.dataset.state = "done";
  }
  box.scrollIntoView({ behavior: "smooth", block: "start" });
}

async function compare() {
  const body = caseJson();
  if (body === null) return;
  const oldV = $("compare-old").value, newV = $("compare-new").value;
  const box = $("comparison");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "status", text: "Comparing…" }));
  box.dataset.state = "busy";
  try {
    const d = await api(`/decisions/${encodeURIComponent(state.decision)}/explain-diff?old=${encodeURIComponent(oldV)}&new=${encodeURIComponent(newV)}`, body);
    const side = (k) => el("div", { class: `side side-${k}` },
      el("h3", { text: `${k === "old" ? "Before" : "After"}: ${d[k].version}` }),
      el("p", { class: "label", text: d[k].label }),
      el("pre", { class: "outcome-text", "data-side": k, text: d[k].outcome }),
      el("details", {}, el("summary", { text: "Explanation" }), el("pre", { class: "explain-text", text: d[k].explanation })));
    const f = d.first_difference;
    box.replaceChildren(
      el("h2", { text: `This case under ${d.old.version} and ${d.new.version}` }),
      el("p", { class: d.same_outcome ? "same" : "changed", id: "compare-summary",
        text: d.same_outcome ? "The outcome is the same under both versions." : "The outcome changes between the two versions." }),
      el("div", { class: "sides" }, side("old"), side("new")),
      f ? el("div", { class: "first-difference" }, el("h3", { text: "The first provision where they part" }),
            el("p", {}, el("code", { class: "rule-name", text: f.rule })),
            el("table", {}, el("tbody", {},
              el("tr", {}, el("th", { scope: "row", text: d.old.version }), el("td", { text: f.old })),
              el("tr", {}, el("th", { scope: "row", text: d.new.version }), el("td", { text: f.new })))))
        : el("p", { class: "note", text: "No provision differs in effect for this case." }),
      d.differences.length > 1
        ? el("details", {}, el("summary", { text: `Every provision that differs (${d.differences.length})` }),
            el("table", { class: "differences" },
              el("thead", {}, el("tr", {}, el("th", { text: "rule" }), el("th", { text: d.old.version }), el("th", { text: d.new.version }))),
              el("tbody", {}, ...d.differences.map((x) => el("tr", {}, el("td", {}, el("code", { text: x.rule })),
                el("td", { text: x.old }), el("td", { text: x.new }))))))
        : null);
  } catch (e) {
    box.hidden = true;
    showCaseError(e);
  }
  box.dataset.state = "done";
  box.scrollIntoView({ behavior: "smooth", block: "start" });
}

start();
