#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for a bounded time from a
# fresh corpus seeded with the test fixtures and tests/fuzz/regressions/, then prints one
# line of figures per target. Exits 1 when any target found something (crash, sanitizer
# report, broken invariant, timeout, out of memory); the inputs are kept under
# $BUILD_DIR/fuzz-findings/<target>/. A tool, not part of CI (scripts/test).
#
#   tests/fuzz/run.sh [seconds per target] [target...]
#
# Environment: FUZZ_SECONDS (default 60), BUILD_DIR (default <repo>/build-fuzz),
# FUZZ_JOBS (build parallelism, default 2), FUZZ_MAX_LEN (default 16384 bytes),
# FUZZ_TIMEOUT (seconds one input may take, default 5), FUZZ_KEEP_GOING=1 (fork mode: go
# on after a finding and collect every crashing input; otherwise a target stops at its
# first finding), FUZZ_KEEP_CORPUS=1 (keep the grown corpora, path printed).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
shift $(($# > 0 ? 1 : 0))
build=${BUILD_DIR:-$root/build-fuzz}
fixtures=$root/tests/fixtures
regressions=$root/tests/fuzz/regressions
all_targets=(fuzz_stream_openai fuzz_stream_anthropic fuzz_stream_gemini fuzz_stream_ollama
  fuzz_sse_parser fuzz_ndjson_parser fuzz_validation fuzz_response)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# --- toolchain (Debian 12 packages) ---------------------------------------------------
missing=()
for package in clang libclang-rt-14-dev; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- build ------------------------------------------------------------------------------
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DLLMGW_FUZZ=ON -DLLMGW_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target llmgw_fuzzers -j"${FUZZ_JOBS:-2}"

# --- seeds ------------------------------------------------------------------------------
# Writes control bytes ($2, printf escapes) followed by file $3 into corpus $1.
seed() {
  { printf "$2"; cat "$3"; } >"$1/$(basename "$3")-$(printf '%s' "$2" | tr -dc '0-9a-fx')"
}

# The byte-0 value fuzz_response.cpp reads for protocol index $1, embeddings flag $2 and
# the status in fixture name $3 (error_429_... → 429, otherwise 200).
response_control() {
  local statuses=(200 201 400 401 402 403 404 408 413 429 500 502 503 504 529 299)
  local status=200 index=0 i
  [[ $3 =~ error_([0-9]{3}) ]] && status=${BASH_REMATCH[1]}
  for i in "${!statuses[@]}"; do [ "${statuses[$i]}" = "$status" ] && index=$i; done
  printf '\\x%02x' $(($1 | $2 << 2 | index << 4))
}

seed_corpus() {  # target corpus-dir
  local target=$1 dir=$2 file protocol i
  case $target in
    fuzz_stream_openai | fuzz_stream_anthropic | fuzz_stream_gemini)
      for file in "$fixtures/${target#fuzz_stream_}"/*.sse; do
        seed "$dir" '\x00' "$file"
        seed "$dir" '\x05' "$file"
      done ;;
    fuzz_stream_ollama | fuzz_ndjson_parser)
      for file in "$fixtures"/ollama/*.ndjson; do
        seed "$dir" '\x00' "$file"
        seed "$dir" '\x05' "$file"
      done ;;
    fuzz_sse_parser)
      for file in "$fixtures"/*/*.sse; do
        seed "$dir" '\x00' "$file"
        seed "$dir" '\x03' "$file"
      done ;;
    fuzz_validation)
      for file in "$fixtures"/*/request*openai*.json; do seed "$dir" '' "$file"; done
      printf '%s' '{"model":"text-embedding-3-small","input":["a","b"],"dimensions":8}' \
        >"$dir/embeddings-strings"
      printf '%s' '{"input":[[1,2],[3]],"encoding_format":"base64"}' >"$dir/embeddings-tokens"
      printf '%s' '{"model":"mock/echo","messages":[{"role":"user","content":"hi"}],
        "stream":true,"stop":["x"],"temperature":1,"max_tokens":5,"n":1}' >"$dir/chat-mock" ;;
    fuzz_response)
      protocol=(openai anthropic gemini ollama)
      for i in 0 1 2 3; do
        for file in "$fixtures/${protocol[$i]}"/{response,error,chat_response}*; do
          [ -f "$file" ] || continue
          seed "$dir" "$(response_control "$i" 0 "$(basename "$file")")\\x01" "$file"
        done
        for file in "$fixtures/embeddings/${protocol[$i]}"_*; do
          [ -f "$file" ] || continue
          seed "$dir" "$(response_control "$i" 1 "$(basename "$file")")\\x01" "$file"
        done
      done
      # With headers: Retry-After as seconds and as an HTTP-date against a Date header.
      printf '\x99\x00120\n\n\nfalse\n{"error":{"message":"slow down"}}' >"$dir/headers-seconds"
      printf '\x99\x00Wed, 21 Oct 2015 07:28:00 GMT\n1500\nWed, 21 Oct 2015 07:27:00 GMT\n\n{}' \
        >"$dir/headers-date" ;;
  esac
  for file in "$regressions/$target"-*; do
    [ -f "$file" ] && cp "$file" "$dir/"
  done
  return 0
}

# --- run --------------------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
findings_root=$build/fuzz-findings
summary=()
failed=0
for target in "${targets[@]}"; do
  corpus=$(mktemp -d "${TMPDIR:-/tmp}/llmgw-$target.XXXXXX")
  findings=$findings_root/$target
  rm -rf "$findings" && mkdir -p "$findings"
  seed_corpus "$target" "$corpus"
  log=$findings/fuzz.log
  mode=()
  [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  echo "== $target: ${seconds}s from $(ls "$corpus" | wc -l) seeds (log: $log)"
  status=0
  "$build/tests/fuzz/$target" "${mode[@]}" "$corpus" -max_total_time="$seconds" \
    -max_len="${FUZZ_MAX_LEN:-16384}" -timeout="${FUZZ_TIMEOUT:-5}" -print_final_stats=1 \
    -dict="$root/tests/fuzz/json.dict" -artifact_prefix="$findings/" >"$log" 2>&1 || status=$?
  # The last status line: "#<execs> ... cov: <edges> ft: <features> corp: <n>/<size> ...".
  stats=$(grep -E '^#[0-9]+:?[[:space:]]' "$log" | tail -n 1 || true)
  execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$stats")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$stats")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$stats")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$stats")
  crashes=$(find "$findings" -type f ! -name fuzz.log | sort)
  verdict="nothing found"
  if [ -n "$crashes" ] || [ "$status" -ne 0 ]; then
    failed=1
    verdict="FOUND: ${crashes:-(no input saved; exit $status, see the log)}"
  fi
  summary+=("$(printf '%-22s execs %-9s cov %-5s ft %-6s corpus %-5s %s' \
    "$target" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${verdict//$'\n'/ }")")
  if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
    echo "   corpus kept in $corpus"
  else
    rm -rf "$corpus"
  fi
done

echo
echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
