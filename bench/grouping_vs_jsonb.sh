#!/usr/bin/env bash
# Grouping cost against PostgreSQL's own JSON parsing, measured side by side in one run:
#   A: SELECT count(triage.grouping_hashes(payload)) FROM corpus          (xxh3_128, the default)
#   B: SELECT count(triage.grouping_hashes(payload, 'md5')) FROM corpus   (Sentry-identical hashes)
#   C: SELECT count(payload::jsonb) FROM corpus                            (the reference)
# each over a pglz-compressed and an lz4-compressed copy of the payloads,
# over ../shared/bench/gen_events.py --events 20000 --signatures 2000 --seed 42, repetitions
# interleaved (A B C A B C ...), median and spread reported, and the ratio C/A.
#     bench/grouping_vs_jsonb.sh [REPETITIONS]     (default 7)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
reps=${1:-7}
generator="$top/../shared/bench/gen_events.py"
if [ ! -f "$generator" ]; then
	echo "SKIPPED: $generator not found (the shared benchmark inputs are absent)"
	exit 0
fi
cd "$top"
bash scripts/build.sh
out="$top/bench/out"
mkdir -p "$out"
python3 "$generator" --events 20000 --signatures 2000 --seed 42 >"$out/corpus.jsonl"
chmod a+r "$out/corpus.jsonl"
PGOPTIONS="-c bench.reps=$reps" scripts/cluster.sh psql -X -q -v ON_ERROR_STOP=1 -f bench/grouping_vs_jsonb.sql
