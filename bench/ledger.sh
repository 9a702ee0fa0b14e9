#!/usr/bin/env bash
# Ledger insert rate through the batching writer (figures for the issue notes, not a test):
#   bench/ledger.sh     builds bench/ledger_bench.cpp in Release and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLLMGW_BUILD_TESTS=OFF -DLLMGW_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target ledger_bench >/dev/null
./build-bench/ledger_bench
