#!/usr/bin/env bash
# The site `edict doc` writes for regs/ai_diffusion, checked as a reader's browser sees it: every
# internal link resolves (doc_links.py), every page loads in headless Chromium without a script
# error (the pages' own check marks <body data-check="ok">), and the index's search box, given a
# query, lists the decision.
# Usage: doc_site.sh EDICT SOURCE_DIR [EDICT_DOC_OPTIONS...]
set -euo pipefail
edict=$1
src=$2
shift 2
# shellcheck source=render.sh
. "$(dirname "$0")/render.sh"   # $browser, $work (removed on exit), $flags, render

"$edict" doc "$src/regs/ai_diffusion" -o "$work/site" --no-progress "$@"
python3 "$src/tests/browser/doc_links.py" "$work/site"

pages=0
for page in "$work"/site/*.html; do
  name=$(basename "$page" .html)
  render "file://$page" "$name"
  pages=$((pages + 1))
done
echo "pages: $pages rendered without a script error"

render "file://$work/site/index.html?q=licence" search
if ! grep -o '<ul id="results">.*</ul>' "$work/search.dom" | grep -q '<li><a href="decision-'; then
  echo "search: the query 'licence' did not list a decision:" >&2
  grep -o '<ul id="results">.\{0,300\}' "$work/search.dom" >&2 || true
  exit 1
fi
echo "search: 'licence' lists $(grep -o 'href="decision-[^"]*"' "$work/search.dom" | sort -u | wc -l) decision pages"
