#!/usr/bin/env bash
# Response cache hits, the lookup alone and a whole Gateway::chat (figures for the issue
# notes, not a test):   bench/cache.sh   builds bench/cache_bench.cpp in Release and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLLMGW_BUILD_TESTS=OFF -DLLMGW_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target cache_bench >/dev/null
./build-bench/cache_bench
