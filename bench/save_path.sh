#!/usr/bin/env bash
# The save path against a plain jsonb INSERT and the hand-written PL/pgSQL reference, in one run
# on one cluster, repetitions interleaved (the order rotates every repetition):
#   a: INSERT INTO bare(payload) SELECT payload::jsonb FROM corpus          (one jsonb column, no trigger)
#   b: INSERT INTO plref.events(payload) SELECT payload::jsonb FROM corpus  (../shared/bench/plpgsql_reference.sql)
#   c: INSERT INTO triage.events (project_id, payload) SELECT 1, payload FROM corpus
# over ../shared/bench/gen_events.py --events 20000 --signatures 2000 --seed 42, loaded once into a
# text table. Every repetition starts from empty target tables (TRUNCATE; VACUUM ANALYZE;
# CHECKPOINT; the project row stays) and times the INSERT alone with clock_timestamp(). Repetition
# 0 warms up and is not counted. Reports median and spread, and the ratios c/a (target <= 0.75)
# and b/c (target >= 5).
#     bench/save_path.sh [REPETITIONS]     (default 5)
# Environment:
#   BENCH_CLUSTER=current   use the server of the PG* environment (own database bench_save_path)
#                           instead of building and starting a throwaway cluster (scripts/cluster.sh)
#   BENCH_NO_BUILD=1        start the throwaway cluster from the .stage/ already built
#   BENCH_EVENTS, BENCH_SIGNATURES   corpus size (default 20000, 2000)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
reps=${1:-5}
events=${BENCH_EVENTS:-20000}
signatures=${BENCH_SIGNATURES:-2000}
reference="$top/../shared/bench/plpgsql_reference.sql"
bench_require "$generator" "$reference"
cd "$top"
out="$top/bench/out"
corpus="$out/save_path_corpus.jsonl"
if [ -z "${BENCH_INSIDE:-}" ]; then
	mkdir -p "$out"
	python3 "$generator" --events "$events" --signatures "$signatures" --seed 42 >"$corpus"
	chmod a+r "$corpus"
	bench_reexec "$0" "$@"
fi

db=bench_save_path
dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
run() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
run -c "SET client_min_messages = warning" -c "CREATE EXTENSION pg_triage" -f "$reference"
run -c 'CREATE TABLE corpus (payload text)' \
	-c "\\copy corpus FROM '$corpus' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
run -v reps="$reps" -f bench/save_path.sql | tee "$out/save_path.txt"
dropdb "$db"
