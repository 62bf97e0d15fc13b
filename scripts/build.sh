#!/usr/bin/env bash
# Builds the extension (PGXS) and stages it in .stage/, and the core's test binaries (CMake) in build/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" >/dev/null
rm -rf .stage
make -s install DESTDIR="$top/.stage" >/dev/null
if [ "${1:-}" = "--with-core-tests" ]; then
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$jobs" >/dev/null
fi
