#!/usr/bin/env bash
# Adapter overhead per provider (figures for the issue notes, not a test):
#   bench/adapters.sh        builds bench/adapter_bench.cpp in Release and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DLLMGW_BUILD_TESTS=OFF -DLLMGW_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target adapter_bench >/dev/null
./build-bench/adapter_bench
