# Sourced by the browser tests: finds Chromium ($browser), makes a scratch folder ($work, removed on
# exit) and the browser's flags ($flags), and defines render.
browser=$(command -v chromium || true)
if [ -z "$browser" ]; then
  echo "chromium is not installed (./quickstart.sh installs it: apt-get install chromium)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --enable-logging=stderr --v=0)

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
