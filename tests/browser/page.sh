#!/bin/sh
# The page `edict serve` serves, in Debian's Chromium under Playwright (tests/browser/page/page_test.js),
# from a copy under the build directory: `npm ci` installs playwright-core at the version of
# package-lock.json (from npm's registry the first time, then from npm's cache; again only when the
# lock file changes), and the script launches /usr/bin/chromium itself (no browser is downloaded).
# Usage: page.sh EDICT SOURCE_DIR WORK_DIR
set -eu
edict=$1
src=$2
work=$3
if [ ! -x /usr/bin/chromium ]; then
  echo "chromium is not installed (./quickstart.sh installs it: apt-get install chromium)" >&2
  exit 1
fi
mkdir -p "$work"
cp "$src/tests/browser/page/package.json" "$src/tests/browser/page/page_test.js" "$work/"
if ! cmp -s "$src/tests/browser/page/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/playwright-core" ]; then
  cp "$src/tests/browser/page/package-lock.json" "$work/"
  (cd "$work" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
fi
cd "$work"
exec node page_test.js "$edict" "$src" "$work/run"
