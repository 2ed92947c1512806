# Sourced by the browser tests, which set $browser, $work and the array $flags.
# render URL NAME: the DOM after the page's scripts ran, in $work/NAME.dom (the browser's log in
# $work/NAME.log, the page's <body> tag in $body); fails unless the page's own check marked
# <body data-check="ok"> and the browser reported no script error.
render() {
  timeout 120 "$browser" "${flags[@]}" --user-data-dir="$work/profile-$2" --dump-dom "$1" >"$work/$2.dom" 2>"$work/$2.log"
  body=$(grep -o '<body[^>]*>' "$work/$2.dom" || true)
  if [[ "$body" != *'data-check="ok"'* ]]; then
    echo "$2: the page did not render cleanly: ${body:-no <body> in the DOM}" >&2
    grep -i "console\|uncaught" "$work/$2.log" >&2 || true
    exit 1
  fi
  if grep -q "Uncaught" "$work/$2.log"; then
    echo "$2: the browser reported a script error:" >&2
    grep "Uncaught" "$work/$2.log" >&2
    exit 1
  fi
}
