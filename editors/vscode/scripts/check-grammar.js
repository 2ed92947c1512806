#!/usr/bin/env node
// Checks of the TextMate grammar that the annotated tests (test/*.test.edict, run by
// vscode-tmgrammar-test) cannot make:
//  1. every keyword token of grammar/Edict.g4 (KW_...) is highlighted as a keyword, a type or a
//     language constant when it stands alone, and is a field after a dot (`t.date`);
//  2. every .edict file of regs/, stdlib/ and the programs of tests/ that the checker accepts is
//     tokenized to its end with no begin/end rule left open (a runaway string or comment) and no
//     invalid token;
//  3. the code lines of each annotated test file are lines of the repository file its header names
//     (`// SYNTAX TEST "source.edict" "regs/...edict"`), so the tests follow the repository.
// Exit status 1 with one line per failure, 0 when every check holds.
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = path.resolve(__dirname, '..');
// The repository: EDICT_SOURCE_DIR when the extension is tested in a copy (tests/vscode/extension.sh).
const root = process.env.EDICT_SOURCE_DIR ? path.resolve(process.env.EDICT_SOURCE_DIR) : path.resolve(here, '..', '..');
const failures = [];
const fail = (msg) => failures.push(msg);

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.edict') return null;
      const file = path.join(here, 'syntaxes', 'edict.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.edict');
}

// The tokens of a text: [{text, scopes, line}], and the rule stack after its last line.
function tokenize(grammar, text) {
  let stack = vsctm.INITIAL;
  const tokens = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      tokens.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes, line: i + 1, column: t.startIndex + 1 });
    }
    stack = r.ruleStack;
  });
  return { tokens, stack };
}

function checkKeywords(grammar) {
  const g4 = fs.readFileSync(path.join(root, 'grammar', 'Edict.g4'), 'utf8');
  const keywords = [...g4.matchAll(/^\s*(KW_\w+)\s*:\s*'([^']+)'\s*;/gm)].map((m) => ({ token: m[1], word: m[2] }));
  if (keywords.length < 40) {
    fail(`grammar/Edict.g4: found only ${keywords.length} keyword tokens (KW_NAME : 'word' ;); has the grammar's layout changed?`);
  }
  const keywordScope = /^(keyword\.|storage\.type\.|constant\.language\.)/;
  for (const { token, word } of keywords) {
    const alone = tokenize(grammar, word).tokens.filter((t) => t.text.trim() !== '');
    const scope = alone.length === 1 ? alone[0].scopes[alone[0].scopes.length - 1] : null;
    if (alone.length !== 1 || !keywordScope.test(scope)) {
      fail(`keyword ${token} '${word}' is not highlighted as a keyword (scopes: ${alone.map((t) => `${t.text}=${t.scopes.join(' ')}`).join(', ')})`);
    }
    const member = tokenize(grammar, `t.${word}`).tokens.find((t) => t.text === word);
    if (!member || !member.scopes.includes('variable.other.property.edict')) {
      fail(`'t.${word}': the field '${word}' is not highlighted as a field`);
    }
  }
  console.log(`keywords: ${keywords.length} keyword tokens of grammar/Edict.g4 checked`);
}

function edictFiles(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) edictFiles(p, out);
    else if (entry.name.endsWith('.edict')) out.push(p);
  }
  return out;
}

function checkRepositoryFiles(grammar) {
  // Files the checker rejects on purpose (tests/golden/**/fail_*, fuzz regressions) may hold an
  // unterminated string or comment: those are left out.
  const files = [];
  for (const dir of ['regs', 'stdlib', 'tests']) edictFiles(path.join(root, dir), files);
  let checked = 0;
  let lines = 0;
  for (const file of files) {
    const rel = path.relative(root, file);
    if (/(^|\/)fail_[^/]*$/.test(rel) || rel.startsWith('tests/fuzz/')) continue;
    const text = fs.readFileSync(file, 'utf8');
    const { tokens, stack } = tokenize(grammar, text);
    const bad = tokens.find((t) => t.scopes.some((s) => s.startsWith('invalid.')));
    if (bad) fail(`${rel}:${bad.line}:${bad.column}: invalid token '${bad.text}' (${bad.scopes.join(' ')})`);
    if (stack.depth !== 1) fail(`${rel}: a string or block comment is still open at the end of the file`);
    checked++;
    lines += text.split('\n').length;
  }
  if (checked < 50) fail(`only ${checked} repository .edict files found under regs/, stdlib/ and tests/`);
  console.log(`repository: ${checked} .edict files (${lines} lines) tokenized with nothing left open`);
}

function checkTestSources() {
  const dir = path.join(here, 'test');
  const tests = fs.readdirSync(dir).filter((f) => f.endsWith('.test.edict'));
  if (tests.length === 0) fail('no test/*.test.edict files');
  for (const name of tests) {
    const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n');
    const header = /^\/\/ SYNTAX TEST "source\.edict" "([^"]+\.edict(?:\.md)?)"/.exec(lines[0]);
    if (!header) {
      fail(`test/${name}:1: the header must be // SYNTAX TEST "source.edict" "<repository file>.edict" (or .edict.md)`);
      continue;
    }
    const sourcePath = path.join(root, header[1]);
    if (!fs.existsSync(sourcePath)) {
      fail(`test/${name}:1: the repository file ${header[1]} does not exist`);
      continue;
    }
    const source = new Set(fs.readFileSync(sourcePath, 'utf8').split('\n'));
    lines.slice(1).forEach((line, i) => {
      const assertion = /^\s*\/\/\s*(\^|<-)/.test(line);
      if (!assertion && line.trim() !== '' && !source.has(line)) {
        fail(`test/${name}:${i + 2}: this line is not a line of ${header[1]}: ${line}`);
      }
    });
  }
  console.log(`test sources: ${tests.length} annotated files, their code lines found in the repository files they name`);
}

async function main() {
  if (process.argv[2] === '--dump') {
    // A debugging aid: the scopes of every token of a file.
    const grammar = await loadGrammar();
    for (const t of tokenize(grammar, fs.readFileSync(process.argv[3], 'utf8')).tokens) {
      if (t.text.trim() !== '') console.log(`${t.line}:${t.column} ${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}`);
    }
    return;
  }
  const grammar = await loadGrammar();
  checkKeywords(grammar);
  checkRepositoryFiles(grammar);
  checkTestSources();
  for (const f of failures) console.error(`error: ${f}`);
  if (failures.length > 0) {
    console.error(`${failures.length} grammar check(s) failed`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`error: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
