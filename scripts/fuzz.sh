#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) and runs it for a bounded time over the
# kept corpus (test/fuzz/corpus, read only; new inputs go to a temporary directory).
#     scripts/fuzz.sh [SECONDS]      (default 60)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build="$top/build-fuzz"
cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTRIAGE_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target fuzz_grouping -j"$(nproc)" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$build/fuzz_grouping" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=262144 -timeout=20 \
	-print_final_stats=1 "$work" "$top/test/fuzz/corpus" 2>&1 | tail -n 25
echo "fuzz smoke run: ${seconds}s without a crash"
