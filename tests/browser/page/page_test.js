// The page `edict serve` serves (docs/publishing.md, "The page"), end to end in Debian's Chromium
// under Playwright: it opens the page, chooses the licence decision, types the scenario
// s04_h100_india_1700 into the form field by field, decides it, and reads the verdict from the
// page, which must be what `edict eval` gives; then under the law in force on a date before the
// rescission and on one after; the comparison of R1 and R2 against `edict explain --diff`; a bad
// value typed (refused by the page) and a value out of its domain (refused by the server), each
// shown beside its field; the same page calling a second server as a static site would
// (`?api=`, `--allow-origin`); no console error. It saves screenshots in WORK_DIR.
// Usage: node page_test.js EDICT SOURCE_DIR WORK_DIR
"use strict";
const { chromium } = require("playwright-core");
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const [EDICT, SOURCE, WORK] = process.argv.slice(2);
if (!WORK) {
  console.error("usage: node page_test.js EDICT SOURCE_DIR WORK_DIR");
  process.exit(64);
}
fs.mkdirSync(WORK, { recursive: true });
const REGS = path.join(SOURCE, "regs/ai_diffusion");
const ROOT = path.join(REGS, "r4_d5_cambodia.edict.md");
const CASE = path.join(REGS, "cases/s04_h100_india_1700.json");

const failures = [];
function check(what, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || detail === undefined ? "" : `: ${JSON.stringify(detail).slice(0, 2000)}`}`);
  if (!ok) failures.push(what);
}

const servers = [];
function serve(...extra) {
  const root = extra.length && (extra[0].endsWith(".edict") || extra[0].endsWith(".edict.md")) ? extra.shift() : ROOT;
  return new Promise((resolve, reject) => {
    const log = path.join(WORK, `decisions-${servers.length}.jsonl`);
    fs.rmSync(log, { force: true });
    const p = spawn(EDICT, ["serve", root, "--port", "0", "--log", log, "--watch-interval", "0", ...extra],
                    { stdio: ["ignore", "pipe", "inherit"] });
    servers.push(p);
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[0-9.]+:[0-9]+)/.exec(out);
      if (m) resolve({ url: m[1], log, p });
    });
    p.on("exit", (code) => reject(new Error(`edict serve exited with ${code} before listening: ${out}`)));
  });
}

const cli = (...args) => execFileSync(EDICT, args, { encoding: "utf8" });
const cliOutcome = (...extra) =>
  JSON.parse(cli("eval", ROOT, "-d", "licence", "--case", CASE, "--format", "json", ...extra)).outcome;

// The verdict as the page shows it: each field of the outcome read from its <dd>.
async function shownVerdict(page) {
  return page.$$eval("#verdict dl.outcome > dd", (dds) => {
    const o = {};
    for (const dd of dds) {
      const f = dd.dataset.field;
      if (dd.querySelector("ul.members")) o[f] = [...dd.querySelectorAll("ul.members > li > strong")].map((s) => s.textContent);
      else if (dd.querySelector(".none")) o[f] = [];
      else {
        const s = dd.querySelector("strong").textContent;
        o[f] = s === "yes" ? true : s === "no" ? false : s;
      }
    }
    return o;
  });
}

async function decide(page) {
  await page.click("#evaluate");
  await page.waitForSelector('#result[data-state="done"]', { state: "attached" });
}

(async () => {
  const a = await serve();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const consoleErrors = [];
  let expected422 = 0;
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // The browser reports the 422 the server gives a refused case: that one is expected.
    if (expected422 > 0 && /status of 422/.test(m.text())) { expected422--; return; }
    consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(e.stack || String(e)));
  const bodies = [];
  page.on("request", (r) => { if (r.method() === "POST") bodies.push(r.postData()); });

  // The page and its files, with their content types.
  for (const [file, type] of [["/", "text/html"], ["/page.js", "text/javascript"], ["/page.css", "text/css"]]) {
    const r = await page.request.get(a.url + file);
    check(`GET ${file}: 200 ${type}`, r.status() === 200 && r.headers()["content-type"].startsWith(type), r.headers());
  }

  await page.goto(a.url + "/");
  await page.waitForSelector("#case-form:not([hidden])");
  await page.selectOption("#decision", "licence");
  await page.waitForSelector('[data-path="t.item.kind"] select');

  // Type the scenario into the form, field by field, as a user would.
  const scenario = JSON.parse(fs.readFileSync(CASE, "utf8"));
  const numbers = fs.readFileSync(CASE, "utf8");  // numbers are typed as written in the file
  async function type(prefix, v) {
    for (const [k, x] of Object.entries(v)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (x && typeof x === "object" && !Array.isArray(x)) { await type(p, x); continue; }
      const row = page.locator(`[data-path="${p}"]`).first();
      if (typeof x === "boolean") {
        await row.locator('input[type="checkbox"]').setChecked(x);
      } else if (typeof x === "number") {
        const written = new RegExp(`"${k}":\\s*(-?[0-9.eE+-]+)`).exec(numbers)[1];
        await row.locator("input").pressSequentially(written);
      } else if (await row.locator("select").count()) {
        await row.locator("select").selectOption(x);
      } else {
        await row.locator("input").fill(x);
      }
    }
  }
  await type("", scenario);
  const latest = cliOutcome();
  bodies.length = 0;
  await decide(page);
  check("the verdict shown is `edict eval`'s (latest version)", JSON.stringify(await shownVerdict(page)) === JSON.stringify(latest),
        { shown: await shownVerdict(page), cli: latest });
  check("the case was sent with its numbers as typed", /"tpp": 15831\.2\b/.test(bodies[0]) && /"quantity": 1700\b/.test(bodies[0]), bodies[0]);
  const rules = await page.$$eval(".deciding li", (lis) => lis.map((l) => l.textContent));
  const served = await page.request.post(`${a.url}/decisions/licence/evaluate`, { data: fs.readFileSync(CASE, "utf8") });
  const want = (await served.json()).deciding_rules.map((r) => `${r.rule} ${r.citation}`);
  check("the deciding provision is shown with its citation", JSON.stringify(rules) === JSON.stringify(want), { rules, want });
  const tree = await page.$$eval(".explanation details.decided code.rule-name", (c) => c.map((x) => x.textContent));
  check("the explanation tree opens on the deciding rule", tree.length > 0 && rules[0].startsWith(tree[0]), tree);
  await page.screenshot({ path: path.join(WORK, "verdict.png"), fullPage: true });
  await page.locator("#result").screenshot({ path: path.join(WORK, "result.png") });

  // The law in force on a date before the rescission, and on one after.
  for (const [date, version] of [["2025-03-01", "r1"], ["2025-06-01", "r2"]]) {
    await page.check("#law-date");
    await page.fill("#as-of", date);
    await page.dispatchEvent("#as-of", "change");
    await page.waitForFunction((d) => document.getElementById("law-note").textContent.includes(d), date);
    await decide(page);
    const want = cliOutcome("--as-of", date);
    const shown = await shownVerdict(page);
    const under = await page.textContent("#result .under");
    check(`in force on ${date}: ${version}, and the verdict is \`edict eval --as-of\`'s`,
          JSON.stringify(shown) === JSON.stringify(want) && under.includes(` ${version} `), { shown, want, under });
  }
  check("the verdict changes across the rescission for this case",
        JSON.stringify(cliOutcome("--as-of", "2025-03-01")) !== JSON.stringify(cliOutcome("--as-of", "2025-06-01")));

  // Compare two versions for this case, against `edict explain --diff`.
  await page.selectOption("#compare-old", "r1");
  await page.selectOption("#compare-new", "r2");
  await page.click("#compare");
  await page.waitForSelector('#comparison[data-state="done"] #compare-summary');
  const diff = cli("explain", "--diff", path.join(REGS, "r1_diffusion.edict.md"), path.join(REGS, "r2_rescission.edict.md"),
                   "-d", "licence", "--case", CASE);
  const firstRule = /first provision where they part:\n\s+`([^`]+)`/.exec(diff)[1];
  const outcomes = [...diff.matchAll(/^\s+outcome: (.*)$/gm)].map((m) => m[1]);
  const shownOutcomes = await page.$$eval("#comparison pre.outcome-text", (p) => p.map((x) => x.textContent));
  const shownFirst = await page.textContent("#comparison .first-difference code.rule-name");
  check("compare: both outcomes and the first provision where they part are `edict explain --diff`'s",
        JSON.stringify(shownOutcomes) === JSON.stringify(outcomes) && shownFirst === firstRule,
        { shownOutcomes, outcomes, shownFirst, firstRule });
  check("compare: says the outcome changes", (await page.textContent("#compare-summary")).includes("changes"));
  await page.screenshot({ path: path.join(WORK, "compare.png"), fullPage: true });

  // A bad value: refused by the page, beside its field; nothing is sent.
  const tpp = page.locator('[data-path="t.item.tpp"]');
  await tpp.locator("input").fill("15831,2");
  bodies.length = 0;
  await page.click("#evaluate");
  const tppError = await tpp.locator(".field-error").textContent();
  check("a malformed decimal is shown beside its field, and not sent",
        /not an exact decimal/.test(tppError) && bodies.length === 0 && (await tpp.locator("input").getAttribute("aria-invalid")) === "true",
        { tppError, bodies });
  await tpp.locator("input").fill("15831.2");
  // A value out of its domain: refused by the server (422, with the field's path), shown beside it.
  const qty = page.locator('[data-path="t.quantity"]');
  await qty.locator("input").fill("-5");
  expected422 = 1;
  await decide(page);
  const qtyError = await qty.locator(".field-error").textContent();
  check("the server's 422 is shown beside its field", qtyError.includes("-5") && (await tpp.locator(".field-error").textContent()) === "",
        qtyError);
  await page.screenshot({ path: path.join(WORK, "error.png"), fullPage: true });
  await qty.locator("input").fill("1700");

  // Load an example: the file's JSON fills the form.
  await page.click("details.load > summary");
  await page.fill("#load-text", fs.readFileSync(path.join(REGS, "cases/s07_h100_china.json"), "utf8"));
  await page.click("#load-apply");
  check("load an example: the form is filled from the case",
        (await page.inputValue('[data-path="t.destination"] select')) === JSON.parse(fs.readFileSync(path.join(REGS, "cases/s07_h100_china.json"))).t.destination);

  // Other kinds of input: sum types with their values, optional fields, lists of records.
  // The page of a server of FILE, with DECISION's form shown (its field FIELD there).
  async function openOn(file, decision, field) {
    const server = await serve(file);
    await page.goto(server.url + "/");
    await page.waitForSelector("#case-form:not([hidden])");
    await page.selectOption("#decision", decision);
    await page.waitForSelector(`[data-path="${field}"]`);
  }
  const SUMS = path.join(SOURCE, "tests/golden/sums/_sums.edict");
  await openOn(SUMS, "outcome", "s");
  await page.selectOption('[data-path="s"] > .control select', "several");
  const several = page.locator('[data-path="s.several"]');
  for (const [i, [price, day, country]] of [["12.50", "2025-03-01", "FR"], ["0.1", "2025-04-02", "US"]].entries()) {
    await several.locator(":scope > button", { hasText: "Add to" }).click();
    await page.locator(`[data-path="s.several[${i}].price"] input`).pressSequentially(price);
    await page.locator(`[data-path="s.several[${i}].day"] input`).fill(day);
    await page.locator(`[data-path="s.several[${i}].country"] select`).selectOption(country);
  }
  await page.selectOption('[data-path="a"] > .control select', "yes");
  await page.locator('[data-path="a.yes"] input[type="checkbox"]').check();
  await page.locator('[data-path="a.yes"] .optional-body input').pressSequentially("5");
  await page.locator('[data-path="k"] input').pressSequentially("3");
  bodies.length = 0;
  await decide(page);
  const sumsCase = { s: { several: [{ price: 12.50, day: "2025-03-01", country: "FR" }, { price: 0.1, day: "2025-04-02", country: "US" }] },
                     a: { yes: 5 }, cap: null, k: 3 };
  fs.writeFileSync(path.join(WORK, "sums_case.json"), JSON.stringify(sumsCase));
  const sumsWant = JSON.parse(cli("eval", SUMS, "-d", "outcome", "--case", path.join(WORK, "sums_case.json"), "--format", "json")).outcome;
  const sumsShown = JSON.parse(await page.getAttribute("#result", "data-outcome") || "null");
  check("a sum type with a list of records, an optional integer, an optional left out: `edict eval`'s outcome",
        JSON.stringify(sumsShown) === JSON.stringify(sumsWant) && /"price": 12\.50\b/.test(bodies[0]) && /"cap": null/.test(bodies[0]),
        { sumsShown, sumsWant, sent: bodies[0] });
  // A list of records from a case loaded, removed from and added to.
  const LISTS = path.join(SOURCE, "tests/golden/lists/_lists.edict");
  await openOn(LISTS, "allowance", "h.members");
  await page.click("details.load > summary");
  await page.fill("#load-text", fs.readFileSync(path.join(SOURCE, "tests/golden/lists/_household.json"), "utf8"));
  await page.click("#load-apply");
  const members = page.locator('[data-path="h.members"]');
  await members.locator("li").nth(1).locator(":scope > button", { hasText: "Remove" }).click();
  await members.locator(":scope > button", { hasText: "Add to" }).click();
  await page.locator('[data-path="h.members[3].name"] input').fill("Eve");
  await page.locator('[data-path="h.members[3].relation"] select').selectOption("child");
  await page.locator('[data-path="h.members[3].born"] input').fill("2015-02-03");
  await page.locator('[data-path="h.members[3].income"] input').fill("1_000");
  await decide(page);
  const household = JSON.parse(fs.readFileSync(path.join(SOURCE, "tests/golden/lists/_household.json"), "utf8"));
  household.h.members.splice(1, 1);
  household.h.members.push({ name: "Eve", relation: "child", born: "2015-02-03", income: "1_000" });
  fs.writeFileSync(path.join(WORK, "household.json"), JSON.stringify(household));
  const listWant = JSON.parse(cli("eval", LISTS, "-d", "allowance", "--case", path.join(WORK, "household.json"), "--format", "json")).outcome;
  const listShown = JSON.parse(await page.getAttribute("#result", "data-outcome") || "null");
  check("a list of records loaded, one removed, one added: `edict eval`'s outcome",
        JSON.stringify(listShown) === JSON.stringify(listWant), { listShown, listWant });
  await page.screenshot({ path: path.join(WORK, "lists.png"), fullPage: true });

  // As a static site: the page from one origin, the API of another server that allows it.
  const b = await serve("--allow-origin", a.url);
  await page.goto(`${a.url}/?api=${encodeURIComponent(b.url)}`);
  await page.waitForSelector('[data-path="t.item.kind"] select');
  await page.click("details.load > summary");
  await page.fill("#load-text", fs.readFileSync(CASE, "utf8"));
  await page.click("#load-apply");
  await decide(page);
  check("from another origin (?api=, --allow-origin): the verdict, logged by that server",
        JSON.stringify(await shownVerdict(page)) === JSON.stringify(latest) &&
        fs.readFileSync(b.log, "utf8").trim().split("\n").length === 1, await shownVerdict(page));
  const clean = consoleErrors.splice(0);  // until here, every console error counts
  const c = await serve();
  await page.goto(`${a.url}/?api=${encodeURIComponent(c.url)}`);
  await page.waitForSelector("#status.error");
  check("a server that does not allow the origin: the page says it cannot reach it",
        /cannot be reached|could not be loaded/.test(await page.textContent("#status")));
  // That refusal is the browser's own console message (CORS): not an error of the page.
  const cors = consoleErrors.filter((m) => /CORS|Failed to load resource|Failed to fetch/.test(m));
  const others = clean.concat(consoleErrors.filter((m) => !cors.includes(m)));
  check("no console error", others.length === 0 && expected422 === 0, others);

  await browser.close();
  for (const s of servers) s.kill("SIGTERM");
  console.log(failures.length ? `${failures.length} checks failed` : "all checks passed");
  process.exit(failures.length ? 1 : 0);
})().catch((e) => {
  console.error(e);
  for (const s of servers) s.kill("SIGKILL");
  process.exit(1);
});
