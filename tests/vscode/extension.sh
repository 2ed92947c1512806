#!/bin/sh
# The VS Code extension (editors/vscode), built and tested as its users get it, in a copy under the
# build directory: `npm ci` (the npm registry, the versions of package-lock.json), the grammar's
# checks and annotated tests (`npm test`), then `vsce package`, and the .vsix must hold the
# grammar, the language configuration and the client with its language-client library.
# Usage: extension.sh SOURCE_DIR WORK_DIR
set -eu
src="$1/editors/vscode"
work="$2"
mkdir -p "$work"
# A fresh copy of the extension's files (node_modules and earlier .vsix files are not copied).
find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
(cd "$src" && tar --exclude=./node_modules --exclude='./*.vsix' -cf - .) | (cd "$work" && tar -xf -)
cd "$work"
npm ci --no-audit --no-fund --loglevel=error
EDICT_SOURCE_DIR="$1" npm test
npm run package
test -s edict.vsix || { echo "error: vsce wrote no edict.vsix" >&2; exit 1; }
python3 - edict.vsix <<'PY'
import sys, zipfile
# (vsce 3 writes the readme as readme.md, vsce 2 as README.md: names are compared in lower case)
names = set(n.lower() for n in zipfile.ZipFile(sys.argv[1]).namelist())
required = ["extension/package.json", "extension/extension.js", "extension/language-configuration.json",
            "extension/syntaxes/edict.tmLanguage.json", "extension/readme.md",
            "extension/node_modules/vscode-languageclient/node.js"]
missing = [n for n in required if n.lower() not in names]
leaked = sorted(n for n in names if n.startswith("extension/test/") or n.startswith("extension/scripts/"))
for n in missing:
    print(f"error: {sys.argv[1]} lacks {n}", file=sys.stderr)
for n in leaked:
    print(f"error: {sys.argv[1]} holds a test file: {n}", file=sys.stderr)
if missing or leaked:
    sys.exit(1)
print(f"{sys.argv[1]}: {len(names)} files, with the grammar, the language configuration and the client")
PY
