#!/usr/bin/env bash
# Renders the HTML verdict-diff reports (corpus and symbolic) in a real headless browser (Debian's
# Chromium) and checks that they rendered without errors: the page's own check marks
# <body data-check="ok"> only when its script ran and found the chart whole (the corpus chart has
# one sized bar per class shown; the symbolic matrix lists every class once, in cells of some size,
# and every count has its sized bar), and every class has its section.
# Usage: diff_html.sh EDICT SOURCE_DIR
set -euo pipefail
edict=$1
src=$2
# shellcheck source=render.sh
. "$(dirname "$0")/render.sh"   # $browser, $work (removed on exit), $flags, render

check() {  # check NAME EXPECTED_CLASSES EDICT_ARGS...   (EXPECTED_CLASSES "-": as the symbolic page says)
  local name=$1 classes=$2
  shift 2
  "$edict" --color=never diff "$@" --format html --no-progress -o "$work/$name.html"
  if [ "$classes" = - ]; then
    classes=$(grep -o '<body data-classes="[0-9]*"' "$work/$name.html" | grep -o '[0-9]*')
    if ! grep -q 'data-complete="true"' "$work/$name.html"; then
      echo "$name: the symbolic diff is not complete" >&2
      exit 1
    fi
  fi
  render "file://$work/$name.html" "$name"
  if [[ "$body" != *"data-classes=\"$classes\""* ]]; then
    echo "$name: expected $classes transition classes, the page says: $body" >&2
    exit 1
  fi
  local sections
  sections=$(grep -o '<section class="class"' "$work/$name.dom" | wc -l)
  if [ "$sections" -ne "$classes" ]; then
    echo "$name: $sections class sections in the rendered DOM, expected $classes" >&2
    exit 1
  fi
  echo "$name: rendered, $classes classes"
}

regs=$src/regs/ai_diffusion
check rescission 9 "$regs/r1_diffusion.edict.md" "$regs/r2_rescission.edict.md" -d licence --cases "$regs/cases/scenarios.jsonl"
check amendment 2 "$src/tests/golden/amend/_base.edict" "$src/tests/golden/amend/_amend.edict" -d review \
  --cases "$src/tests/golden/diff/_valid.jsonl"
# A corpus with more classes than the chart shows: the chart is capped, every class keeps its section.
"$edict" cases "$regs/r1_diffusion.edict.md" -d licence -n 20000 --seed 3 >"$work/many.jsonl"
n=$("$edict" --color=never diff "$regs/r1_diffusion.edict.md" "$regs/r2_rescission.edict.md" -d licence --cases "$work/many.jsonl" \
      --format json --no-progress | grep -o '"count":' | wc -l)
check many "$n" "$regs/r1_diffusion.edict.md" "$regs/r2_rescission.edict.md" -d licence --cases "$work/many.jsonl" --examples 1
# The symbolic reports: a small one, and R1 -> R2 (the quick start's diff) with its counts.
check symbolic_flags 3 "$src/tests/golden/diff/_flags_v1.edict" "$src/tests/golden/diff/_flags_v2.edict" -d screen
check symbolic_r1_r2 - "$regs/r1_diffusion.edict.md" "$regs/r2_rescission.edict.md" -d licence
if ! grep -q 'class="meter"' "$work/symbolic_r1_r2.dom"; then
  echo "symbolic_r1_r2: no count is drawn" >&2
  exit 1
fi
