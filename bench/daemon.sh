#!/usr/bin/env bash
# What `llmgw serve` costs (figures for the issue notes, not a test). Starts a fast fake
# OpenAI upstream (bench/fake_upstream.cpp) and the daemon in front of it, with the load
# generators on the same machine, and measures:
#   1. latency at 1 connection, direct vs through the daemon (bench/latency_client.cpp);
#   2. non-streamed throughput and latency at 64 connections, direct vs through (wrk);
#   (both also through bench/floor_proxy.cpp, a bare cpp-httplib + libcurl proxy with no
#   gateway logic: the floor of the daemon's architecture on this machine);
#   3. concurrent streaming clients, and the daemon's RSS with them open
#      (bench/stream_clients.cpp);
#   4. the daemon's RSS when idle, before and after all that.
#
#   bench/daemon.sh            DURATION=10 (wrk seconds), STREAMS=1000, CONNECTIONS=64
#
# The daemon runs with its defaults (request log on, to a file; the response cache on,
# which these requests do not hit, as they set no temperature 0). Installs wrk with apt
# when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
streams=${STREAMS:-1000}
connections=${CONNECTIONS:-64}

if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y --no-install-recommends wrk >/dev/null
fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLLMGW_BUILD_TESTS=OFF -DLLMGW_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target llmgw fake_upstream floor_proxy latency_client stream_clients >/dev/null
bin=build-bench

# A thousand streams are 3,000 sockets between the three processes.
ulimit -n "$(ulimit -Hn)"

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

first_line() {  # file → its first line, once it has one
  for _ in $(seq 1 500); do
    [ -s "$1" ] && { head -n1 "$1"; return; }
    sleep 0.01
  done
  echo "bench: no line in $1" >&2; exit 1
}
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

"$bin/fake_upstream" --chunks 30 --interval-ms 100 >"$tmp/upstream.out" &
pids+=($!)
upstream=$(first_line "$tmp/upstream.out")

mkdir -p "$XDG_CONFIG_HOME/llmgw"
cat >"$XDG_CONFIG_HOME/llmgw/config.toml" <<EOF
[providers.bench]
base_url = "http://127.0.0.1:$upstream/v1"
api_key_env = "BENCH_API_KEY"

[prices."bench/gpt-4o-mini"]
input = 0.15
output = 0.60
EOF
export BENCH_API_KEY=sk-bench-not-a-real-key

"$bin/floor_proxy" "$upstream" >"$tmp/floor.out" &
pids+=($!)
floor=$(first_line "$tmp/floor.out")

"$bin/llmgw" serve --port 0 >"$tmp/serve.out" 2>"$tmp/serve.log" &
daemon_pid=$!
pids+=($daemon_pid)
base=$(first_line "$tmp/serve.out")  # the OpenAI base URL, http://127.0.0.1:PORT/v1
port=${base##*:}; port=${port%%/*}
idle_start=$(rss_mb "$daemon_pid")
curl -sf -o /dev/null -H 'Content-Type: application/json' \
  -d '{"model":"bench/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}' \
  "$base/chat/completions" || { echo "bench: the daemon did not answer" >&2; cat "$tmp/serve.log" >&2; exit 1; }
idle_warm=$(rss_mb "$daemon_pid")

echo "llmgw serve overhead ($(nproc) cores, $(uname -m)); fake upstream :$upstream, daemon :$port, bare proxy :$floor"
echo
"$bin/latency_client" "$upstream" "$port" 10 2000 "$floor"
echo
# The same with all three processes on one core. On this kind of VM a wake-up across
# cores costs tens of microseconds (the direct p50 alone moves between ~30 and ~90 us
# with where the threads land), so this run shows what the daemon's own work adds.
if command -v taskset >/dev/null; then
  upstream_pid=${pids[0]}
  floor_pid=${pids[1]}
  for pid in "$upstream_pid" "$floor_pid" "$daemon_pid"; do taskset -a -p -c 0 "$pid" >/dev/null; done
  echo "pinned to one core (taskset -c 0):"
  taskset -c 0 "$bin/latency_client" "$upstream" "$port" 10 2000 "$floor" | tail -n +2
  for pid in "$upstream_pid" "$floor_pid" "$daemon_pid"; do
    taskset -a -p -c "0-$(( $(nproc) - 1 ))" "$pid" >/dev/null
  done
  echo
fi

run_wrk() {  # label model port
  echo "$1, $connections connections, ${duration}s (wrk -t2 --latency)"
  WRK_MODEL=$2 wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/wrk_chat.lua \
    "http://127.0.0.1:$3/v1/chat/completions" |
    awk '/Requests\/sec|errors:/ {print} /^ +(50|90|99)%/ {printf "  latency p%s\n", $0}' |
    sed 's/p  */p/'
}
run_wrk "direct to the fake upstream" gpt-4o-mini "$upstream"
run_wrk "through llmgw serve" bench/gpt-4o-mini "$port"
run_wrk "through the bare proxy" gpt-4o-mini "$floor"
echo

"$bin/stream_clients" "$port" 256 "$daemon_pid" || true
"$bin/stream_clients" "$port" "$streams" "$daemon_pid" || true
sleep 1
echo
echo "daemon RSS idle: $idle_start MB at start, $idle_warm MB after one request, $(rss_mb "$daemon_pid") MB after the runs above"
echo "request log lines written: $(wc -l <"$tmp/serve.log")"
