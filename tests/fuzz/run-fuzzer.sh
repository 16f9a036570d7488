#!/usr/bin/env bash
# Runs one libFuzzer harness for a number of seconds over its seed corpus
# (made from the protocol's golden examples) and a working corpus kept in
# the sanitize tree; fails on any crash, leak, sanitizer report or timeout.
#   run-fuzzer.sh BINARY FUZZ_SOURCE_DIR WORK_DIR SECONDS
# PIDVISOR_FUZZ_SECONDS in the environment overrides SECONDS (`make fuzz`).
set -euo pipefail
bin=$1 src=$2 work=$3 seconds=${PIDVISOR_FUZZ_SECONDS:-$4}
name=$(basename "$bin")
seeds=$work/seeds/$name corpus=$work/corpus/$name artifacts=$work/artifacts/$name
mkdir -p "$corpus" "$artifacts"
rm -rf "$seeds"
PIDVISOR_FUZZ_SEEDS=$seeds PIDVISOR_FUZZ_GOLDEN=$src/../unit/protocol/golden "$bin"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds"
