#!/usr/bin/env bash
# Time from starting `llmgw chat` on a terminal to its prompt, in a fresh HOME with a
# config, a keys file and a history of 1000 entries (figures for the issue notes, not a
# test).
#   bench/repl_start.sh [build-dir]    (configured with -DLLMGW_BUILD_BENCH=ON)
set -euo pipefail
dir=${1:-build-bench}
[ -x "$dir/repl_start" ] && [ -x "$dir/llmgw" ] ||
  { echo "bench: build first: cmake -B $dir -DLLMGW_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release && cmake --build $dir" >&2; exit 1; }
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share XDG_STATE_HOME=$home/.local/state
export TERM=xterm
mkdir -p "$XDG_CONFIG_HOME/llmgw" "$XDG_STATE_HOME/llmgw"
printf '[aliases]\nfast = "openai/gpt-4o-mini"\n' >"$XDG_CONFIG_HOME/llmgw/config.toml"
printf '{"openai": "sk-bench-0000000000000000OPEN"}' >"$XDG_CONFIG_HOME/llmgw/keys.json"
chmod 600 "$XDG_CONFIG_HOME/llmgw/keys.json"
{ echo _HiStOrY_V2_; for i in $(seq 1 1000); do echo "a\\040remembered\\040question\\040number\\040$i"; done; } \
  >"$XDG_STATE_HOME/llmgw/history"
runs=${RUNS:-100}
echo "llmgw REPL start ($(nproc) cores, $(uname -m))"
"$dir/repl_start" "$dir/llmgw" "$runs"
"$dir/repl_start" "$dir/llmgw" "$runs" -m mock/echo
