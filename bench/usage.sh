#!/usr/bin/env bash
# `llmgw usage` over 1,000,000 ledger rows (target: <= 300 ms), the binary timed end to
# end (process start, open, query, print), best and median of 5 (figures for the issue
# notes, not a test):   bench/usage.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLLMGW_BUILD_TESTS=OFF -DLLMGW_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target llmgw usage_fill >/dev/null
dir="$(mktemp -d /tmp/llmgw-usage-bench-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
db="$dir/llmgw.db"
start=$(date +%s%N)
./build-bench/usage_fill "$db" "$rows"
echo "filled $rows rows in $(( ($(date +%s%N) - start) / 1000000 )) ms ($(du -h "$db" | cut -f1))"
for args in "" "--by day" "--by week" "--by model" "--by key" "--by source --json"; do
  times=()
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    ./build-bench/llmgw --db "$db" usage --since 90d $args >/dev/null
    times+=($(( ($(date +%s%N) - t0) / 1000 )))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  awk -v a="$args" -v b="${sorted[0]}" -v m="${sorted[2]}" \
    'BEGIN { printf "llmgw usage %-20s best %6.1f ms   median %6.1f ms\n", a, b / 1000, m / 1000 }'
done
