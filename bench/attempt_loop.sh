#!/usr/bin/env bash
# The attempt loop's cost on the success path (figures for the issue notes, not a test):
#   bench/attempt_loop.sh     builds bench/attempt_loop_bench.cpp in Release and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLLMGW_BUILD_TESTS=OFF -DLLMGW_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target attempt_loop_bench >/dev/null
./build-bench/attempt_loop_bench
