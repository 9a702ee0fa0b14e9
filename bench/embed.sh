#!/usr/bin/env bash
# `llmgw embed --lines` throughput against the built-in mock (figures for the issue notes,
# not a test): 10,000 lines of text, every output format, the median of RUNS runs.
#   bench/embed.sh [path/to/llmgw]        LINES=10000 RUNS=5 BATCH=100
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/llmgw}
[ -x "$bin" ] || { echo "bench: build first (cmake --build build), or pass the binary" >&2; exit 1; }
lines=${LINES:-10000}
runs=${RUNS:-5}
batch=${BATCH:-100}
home=$(mktemp -d); trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share XDG_STATE_HOME=$home/.local/state

# Lines like real titles: 4 to 12 words each, from a fixed seed.
awk -v n="$lines" 'BEGIN {
  srand(7); split("the of a gateway model token stream cache ledger fast budget key route retry vector", w, " ")
  for (i = 1; i <= n; i++) { k = 4 + int(rand() * 9); s = ""
    for (j = 0; j < k; j++) s = s (j ? " " : "") w[1 + int(rand() * 15)]
    print s " " i }
}' >"$home/lines.txt"

run_ms() {  # format → median wall ms of `llmgw embed --lines` over $runs runs
  local times=()
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    "$bin" embed -m mock/embed --lines "$home/lines.txt" --batch-size "$batch" --format "$1" >"$home/out"
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  [ "$(wc -l <"$home/out")" -eq "$([ "$1" = json ] && echo 1 || echo "$lines")" ] ||
    { echo "bench: wrong output for --format $1" >&2; exit 1; }
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]/1000}'
}

echo "llmgw embed --lines, $lines lines, mock/embed (8 dimensions), batch $batch, median of $runs ($(nproc) cores)"
for format in json ndjson floats base64; do
  ms=$(run_ms "$format")
  awk -v f="$format" -v ms="$ms" -v n="$lines" \
    'BEGIN {printf "  --format %-7s %8.1f ms  %9.0f inputs/s\n", f, ms, n / (ms / 1000)}'
done
echo "  ledger rows written: one per batch ($(( (lines + batch - 1) / batch )) per run)"
