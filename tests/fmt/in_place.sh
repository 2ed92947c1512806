#!/bin/sh
# `edict fmt` as a user runs it (CTest fmt/in_place): files and folders rewritten in place, only
# when they change; --check's exit codes; standard input to standard output; a file with a
# syntax error left untouched; a file that cannot be replaced left untouched with exit 74.
#   in_place.sh EDICT GOLDEN_FMT_DIR
set -u
edict=$1
src=$2
dir=$(mktemp -d)
trap 'chmod -R u+w "$dir"; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$dir/sub"
cp "$src/fail_layout_declarations.edict" "$dir/sub/a.edict"
cp "$src/fail_layout_tests.edict" "$dir/b.edict"
cp "$src/formatted.edict" "$dir/c.edict"
cp "$src/fail_syntax_error.edict" "$dir/bad.edict"
"$edict" fmt - < "$dir/sub/a.edict" > "$dir/a.expected" || fail "fmt - exited $?"

rc=0; "$edict" fmt --check "$dir/sub" "$dir/b.edict" "$dir/c.edict" > "$dir/diff" 2>/dev/null || rc=$?
[ $rc -eq 1 ] || fail "--check on unformatted files exited $rc, expected 1"
grep -q '^+++ ' "$dir/diff" || fail "--check printed no diff"
cmp -s "$src/fail_layout_tests.edict" "$dir/b.edict" || fail "--check changed a file"
# The diff applies: patch turns the files into their formatted text.
if command -v patch > /dev/null; then
  cp -r "$dir/sub" "$dir/patched" && cp "$dir/patched/a.edict" "$dir/patched/orig.edict"
  "$edict" fmt --check "$dir/patched/a.edict" 2>/dev/null | patch -s "$dir/patched/a.edict" || fail "the diff does not apply"
  cmp -s "$dir/patched/a.edict" "$dir/a.expected" || fail "the patched file is not the formatted one"
fi

before=$(stat -c %Y "$dir/c.edict")
chmod 640 "$dir/b.edict"
"$edict" fmt "$dir/sub" "$dir/b.edict" "$dir/c.edict" 2> "$dir/err" || fail "fmt exited $?: $(cat "$dir/err")"
grep -q 'ok: 3 files formatted, 2 changed' "$dir/err" || fail "unexpected summary: $(cat "$dir/err")"
cmp -s "$dir/sub/a.edict" "$dir/a.expected" || fail "the file rewritten in place differs from fmt -"
[ "$(stat -c %a "$dir/b.edict")" = 640 ] || fail "the permissions of a rewritten file changed"
[ "$(stat -c %Y "$dir/c.edict")" = "$before" ] || fail "a formatted file was rewritten"
ls -A "$dir/sub" | grep -q fmt && fail "a temporary file was left behind"
"$edict" fmt --check "$dir/sub" "$dir/b.edict" "$dir/c.edict" > "$dir/diff" 2>/dev/null || fail "--check after fmt exited $?"
[ -s "$dir/diff" ] && fail "--check after fmt printed a diff"

# A symbolic link: the file it points to is rewritten, the link kept.
cp "$src/fail_layout_tests.edict" "$dir/target.edict"
ln -s target.edict "$dir/link.edict"
"$edict" fmt "$dir/link.edict" 2>/dev/null || fail "fmt through a link exited $?"
[ -L "$dir/link.edict" ] || fail "the link was replaced"
"$edict" fmt --check "$dir/target.edict" > /dev/null 2>&1 || fail "the link's target was not formatted"

rc=0; "$edict" fmt "$dir/bad.edict" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "a syntax error exited $rc, expected 2"
cmp -s "$src/fail_syntax_error.edict" "$dir/bad.edict" || fail "a file with a syntax error was changed"

rc=0; "$edict" fmt - < "$src/fail_syntax_error.edict" > "$dir/out" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "fmt - on a syntax error exited $rc, expected 2"
[ -s "$dir/out" ] && fail "fmt - on a syntax error printed something"
rc=0; "$edict" fmt --check - < "$src/fail_layout_tests.edict" > "$dir/out" 2>/dev/null || rc=$?
[ $rc -eq 1 ] || fail "fmt --check - exited $rc, expected 1"
grep -q '^--- <stdin>' "$dir/out" || fail "fmt --check - printed no diff of <stdin>"

# A folder where the new file cannot be created (unless this runs as root, who may write anyway).
cp "$src/fail_layout_tests.edict" "$dir/sub/ro.edict"
chmod a-w "$dir/sub"
if ! touch "$dir/sub/probe" 2>/dev/null; then
  rc=0; "$edict" fmt "$dir/sub/ro.edict" 2> "$dir/err" || rc=$?
  [ $rc -eq 74 ] || fail "a file that cannot be replaced exited $rc, expected 74"
  grep -q "cannot write" "$dir/err" || fail "no 'cannot write' message: $(cat "$dir/err")"
  cmp -s "$src/fail_layout_tests.edict" "$dir/sub/ro.edict" || fail "a file that could not be replaced changed"
fi
echo "ok"
