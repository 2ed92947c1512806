#!/usr/bin/env bash
# `edict serve` beside nginx, in one run on this machine, over loopback with keep-alive:
#   tests/bench/serve.sh [SECONDS] [CONNECTIONS] [WRK_THREADS] [ROUNDS]
# Edict: POST /decisions/licence/evaluate of one case (regs/ai_diffusion, the latest version, the
# JIT; each decision written to the decision log). nginx: GET of a static JSON file of the same
# size as Edict's response (the HTTP limit of the machine: no work but serving bytes). Both with
# wrk, the same connections and threads, alternately for ROUNDS rounds (a loaded machine's speed
# drifts: each round compares the two within seconds); prints each round's requests per second and
# p99 latency, the medians, and Edict's median rate as a share of nginx's. Needs wrk and nginx
# (docs/performance.md).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-10}"
connections="${2:-16}"
wrk_threads="${3:-2}"
rounds="${4:-3}"
edict="$here/build/edict"
work="$(mktemp -d)"
chmod 755 "$work"  # nginx's workers (www-data, when started as root) read the file below
edict_pid=""
nginx_pid=""
cleanup() {
  [ -n "$edict_pid" ] && kill -TERM "$edict_pid" 2>/dev/null && wait "$edict_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
command -v wrk > /dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$nginx_bin" ] || { echo "nginx is not installed: apt-get install nginx-light" >&2; exit 1; }

# Edict, with as many threads as connections (one thread per keep-alive connection).
case_file="$here/regs/ai_diffusion/cases/s04_h100_india_1700.json"
"$edict" serve "$here/regs/ai_diffusion/r4_d5_cambodia.edict.md" --port 0 --log "$work/decisions.jsonl" \
  --threads "$connections" --watch-interval 0 > "$work/edict.out" 2> "$work/edict.err" &
edict_pid=$!
for _ in $(seq 1 600); do grep -q listening "$work/edict.out" 2>/dev/null && break; sleep 0.5; done
edict_port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/edict.out")"
[ -n "$edict_port" ] || { cat "$work/edict.err" >&2; exit 1; }
url="http://127.0.0.1:$edict_port/decisions/licence/evaluate"
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$case_file" "$url" > "$work/response.json"
size=$(stat -c %s "$work/response.json")

# nginx, serving a file of that size, its workers one per core.
mkdir -p "$work/www" "$work/nginx"
head -c "$size" /dev/zero | tr '\0' ' ' > "$work/www/response.json"
nginx_port=$((20000 + RANDOM % 20000))
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  types { application/json json; }
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
EOF
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$nginx_port/response.json" -o /dev/null && break; sleep 0.1; done
[ "$(curl -sf "http://127.0.0.1:$nginx_port/response.json" | wc -c)" = "$size" ]

# wrk: POST the case (a Lua script sets the method and the body).
{
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==['
  cat "$case_file"
  printf ']==]\n'
} > "$work/post.lua"
run() {  # name, wrk arguments...: prints "name rps p99_ms"
  local name="$1"
  shift
  local out
  out="$(wrk -t"$wrk_threads" -c"$connections" -d"${seconds}s" --latency "$@")"
  echo "$out" > "$work/$name.wrk"
  local rps p99 errors
  rps="$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')"
  p99="$(echo "$out" | awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }')"
  errors="$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p')"
  [ -z "$errors" ] || { echo "$name: $errors responses were errors" >&2; echo "$out" >&2; exit 1; }
  echo "$name $rps $p99"
}
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$wrk_threads -c$connections -d${seconds}s --latency; response $size bytes; keep-alive; $rounds rounds"
printf '%-6s %-7s %12s %10s\n' round server requests/s "p99 ms"
: > "$work/results"
for r in $(seq 1 "$rounds"); do
  for line in "$(run edict -s "$work/post.lua" "$url")" "$(run nginx "http://127.0.0.1:$nginx_port/response.json")"; do
    set -- $line
    printf '%-6s %-7s %12.0f %10.2f\n' "$r" "$1" "$2" "$3"
    echo "$line" >> "$work/results"
  done
done
median() {  # server, column: the median over the rounds
  awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$work/results" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
for server in edict nginx; do
  printf '%-6s %-7s %12.0f %10.2f\n' median "$server" "$(median $server 2)" "$(median $server 3)"
done
logged=$(wc -l < "$work/decisions.jsonl")
echo "edict/nginx: $(awk -v a="$(median edict 2)" -v b="$(median nginx 2)" 'BEGIN { printf "%.2f", a / b }') of nginx's median rate; $logged decisions logged; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
