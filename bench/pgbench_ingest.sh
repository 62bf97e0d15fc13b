#!/usr/bin/env bash
# Single-row ingest throughput with pgbench (-M prepared, synchronous_commit=off, one INSERT per
# transaction, each event a pre-generated payload with its own event_id; bench/pgbench_setup.sql):
#   1. 1 client into triage.events vs 1 client into a bare jsonb table     target: triage >= 0.8x bare tps
#      (the realistic corpus: gen_events.py --signatures 2000 --seed 42)
#   2. 4 clients, every event in ONE issue vs 4 clients round-robin over 2000 issues
#                                                                           target: hot >= 0.8x spread tps
# Every run starts from empty target tables (TRUNCATE, VACUUM ANALYZE, CHECKPOINT); runs are
# interleaved (bare, triage, hot, spread; the order rotates every repetition); median of the
# repetitions. Each run also checks that every transaction stored its event (no duplicate skipped).
#     bench/pgbench_ingest.sh [REPETITIONS]     (default 3)
# Environment:
#   PGBENCH_SECONDS   length of each run (default 20)
#   PGBENCH_ROWS      payloads per set (default 200000; a run that uses them all up fails: raise it)
#   PGBENCH_ISSUES    issues of the spread set (default 2000)
#   PGBENCH_CLIENTS   clients of the hot and spread runs (default 4)
#   BENCH_CLUSTER=current   use the server of the PG* environment (own database bench_pgbench_ingest)
#                           instead of building and starting a throwaway cluster (scripts/cluster.sh)
#   BENCH_NO_BUILD=1        start the throwaway cluster from the .stage/ already built
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
reps=${1:-3}
seconds=${PGBENCH_SECONDS:-20}
rows=${PGBENCH_ROWS:-200000}
issues=${PGBENCH_ISSUES:-2000}
clients=${PGBENCH_CLIENTS:-4}
pgbench=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
bench_require "$generator"
cd "$top"
out="$top/bench/out"
if [ -z "${BENCH_INSIDE:-}" ]; then
	mkdir -p "$out"
	python3 "$generator" --events 20000 --signatures 2000 --seed 42 >"$out/pgbench_mixed.jsonl"
	python3 "$generator" --events 2000 --signatures 1 --seed 42 >"$out/pgbench_one.jsonl"
	chmod a+r "$out"/pgbench_*.jsonl
	bench_reexec "$0" "$@"
fi

db=bench_pgbench_ingest
log="$out/pgbench_ingest.log"
: >"$log"
dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
run() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
copy_opts="WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
run -c 'CREATE EXTENSION pg_triage' \
	-c 'CREATE TABLE base_mixed (payload text)' -c 'CREATE TABLE base_one (payload text)' \
	-c "\\copy base_mixed FROM '$out/pgbench_mixed.jsonl' $copy_opts" \
	-c "\\copy base_one FROM '$out/pgbench_one.jsonl' $copy_opts"
echo "== Building $rows payloads per set"
run -v rows="$rows" -v issues="$issues" -f bench/pgbench_setup.sql

# one_run KIND REP CLIENTS SCRIPT FIRST_ID
one_run() {
	local kind=$1 rep=$2 nclients=$3 script=$4 first=$5 target jobs output tps xacts counts
	if [ "$kind" = bare ]; then target=bare; else target=$triage_tables; fi
	run -c "TRUNCATE $target RESTART IDENTITY" \
		-c "ALTER SEQUENCE pick MINVALUE 1 MAXVALUE $((first + rows - 1)) RESTART WITH $first" \
		-c "VACUUM ANALYZE $target" -c 'CHECKPOINT'
	jobs=$((nclients < 2 ? nclients : 2))
	if ! output=$(PGOPTIONS='-c synchronous_commit=off' "$pgbench" -n -M prepared -c "$nclients" -j "$jobs" \
		-T "$seconds" -f "$script" "$db" 2>&1); then
		printf '%s\n' "$output" | tee -a "$log"
		echo "pgbench failed ($kind, repetition $rep): if the sequence pick ran out, raise PGBENCH_ROWS (now $rows)" >&2
		exit 1
	fi
	printf '== %s rep %s\n%s\n' "$kind" "$rep" "$output" >>"$log"
	tps=$(printf '%s\n' "$output" | sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p')
	xacts=$(printf '%s\n' "$output" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
	if [ "$kind" = bare ]; then
		counts=$(run -At -F ' ' -c 'SELECT count(*), 0 FROM bare')
	else
		counts=$(run -At -F ' ' -c 'SELECT (SELECT count(*) FROM triage.events), (SELECT count(*) FROM triage.groups)')
	fi
	set -- $counts
	printf '%-7s rep %s  clients %s  tps %10.1f  transactions %8s  stored %8s  issues %5s\n' \
		"$kind" "$rep" "$nclients" "$tps" "$xacts" "$1" "$2"
	run -c "INSERT INTO runs VALUES ('$kind', $rep, $nclients, $tps, $xacts, $1, $2)"
}

kinds=(bare triage hot spread)
echo "== Runs of $seconds s (synchronous_commit=off, -M prepared)"
for rep in $(seq 1 "$reps"); do
	for k in 0 1 2 3; do
		kind=${kinds[$(((k + rep - 1) % 4))]}
		case $kind in
		bare) one_run bare "$rep" 1 bench/pgbench_bare.sql 1 ;;
		triage) one_run triage "$rep" 1 bench/pgbench_triage.sql 1 ;;
		hot) one_run hot "$rep" "$clients" bench/pgbench_triage.sql 1000000001 ;;
		spread) one_run spread "$rep" "$clients" bench/pgbench_triage.sql 2000000001 ;;
		esac
	done
done

run -v issues="$issues" <<'EOF' | tee "$out/pgbench_ingest.txt"
\pset pager off
\echo
\echo '== Every transaction stored its event; hot used one issue, spread (nearly) all of its issues'
SELECT kind, bool_and(stored = xacts) AS all_stored, min(issues) AS min_issues, max(issues) AS max_issues
  FROM runs GROUP BY kind ORDER BY kind;
\echo '== Transactions per second: median, min and max of the repetitions'
SELECT kind, max(clients) AS clients, count(*) AS reps,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY tps)::numeric, 1) AS median_tps,
       round(min(tps)::numeric, 1) AS min_tps, round(max(tps)::numeric, 1) AS max_tps
  FROM runs GROUP BY kind ORDER BY kind;
\echo '== Ratios of median tps'
WITH m AS (SELECT kind, percentile_cont(0.5) WITHIN GROUP (ORDER BY tps) AS tps FROM runs GROUP BY kind),
r AS (
  SELECT 'triage / bare (1 client)' AS ratio, t.tps / b.tps AS value FROM m t, m b WHERE t.kind = 'triage' AND b.kind = 'bare'
  UNION ALL
  SELECT 'hot / spread (' || :issues || ' issues)', h.tps / s.tps FROM m h, m s WHERE h.kind = 'hot' AND s.kind = 'spread')
SELECT ratio, round(value::numeric, 2) AS value, '>= 0.8' AS target,
       CASE WHEN value >= 0.8 THEN 'met' ELSE 'NOT met' END AS verdict
  FROM r;
EOF
dropdb "$db"
