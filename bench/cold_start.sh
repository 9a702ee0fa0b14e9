#!/usr/bin/env bash
# Median cold-start time of the llmgw binary, and of the completion lookups the shell
# scripts make (`llmgw __complete`), with a config that has aliases and a keys file
# (figures for the issue notes, not a test).
#   bench/cold_start.sh [path/to/llmgw]
# Uses hyperfine when installed (apt-get install hyperfine), else a plain loop.
set -euo pipefail
bin=${1:-build/llmgw}
[ -x "$bin" ] || { echo "bench: build first (cmake --build build), or pass the binary" >&2; exit 1; }
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share XDG_STATE_HOME=$home/.local/state
runs=${RUNS:-200}
mkdir -p "$XDG_CONFIG_HOME/llmgw"
printf '[aliases]\nfast = "openai/gpt-4o-mini"\nsmart = "anthropic/claude-sonnet-4-5"\n' \
  >"$XDG_CONFIG_HOME/llmgw/config.toml"
printf '{"openai": "sk-bench-0000000000000000OPEN", "groq": "gsk-bench-00000000000GROQ"}' \
  >"$XDG_CONFIG_HOME/llmgw/keys.json"
chmod 600 "$XDG_CONFIG_HOME/llmgw/keys.json"

median_ms() {  # command... → median wall time in ms over $runs runs
  local times=()
  for _ in $(seq 1 10); do "$@" >/dev/null 2>&1 || true; done  # warm the page cache
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

echo "llmgw cold start, $runs runs each, median wall time ($(nproc) cores, $(uname -m))"
if command -v hyperfine >/dev/null && command -v python3 >/dev/null; then
  json=$home/hyperfine.json
  hyperfine -N --warmup 30 --runs "$runs" --export-json "$json" \
    "$bin --version" "$bin chat -m mock/echo --no-stream hi" \
    "$bin __complete ch" "$bin __complete chat -m ''" >/dev/null 2>&1
  python3 - "$json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"  hyperfine  {r['command']:<55} median {r['median']*1e3:6.2f} ms  (mean {r['mean']*1e3:.2f}, min {r['min']*1e3:.2f})")
PY
  echo "  (the loop below also counts two forks of date, about 2 ms)"
fi
printf '  %-45s %s ms\n' "llmgw --version" "$(median_ms "$bin" --version)"
printf '  %-45s %s ms\n' "llmgw chat -m mock/echo --no-stream hi" "$(median_ms "$bin" chat -m mock/echo --no-stream hi)"
printf '  %-45s %s ms\n' "/bin/true (process spawn floor)" "$(median_ms /bin/true)"
printf '  %-45s %s ms\n' "llmgw __complete ch (a command)" "$(median_ms "$bin" __complete ch)"
printf '  %-45s %s ms\n' "llmgw __complete chat -m '' (every model)" "$(median_ms "$bin" __complete chat -m '')"
printf '  %-45s %s ms\n' "llmgw __complete keys rm '' (stored keys)" "$(median_ms "$bin" __complete keys rm '')"
