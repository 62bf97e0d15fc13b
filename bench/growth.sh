#!/usr/bin/env bash
# Does the save path slow down as the database grows? Loads GROWTH_EVENTS events over about
# GROWTH_ISSUES issues (gen_events.py --signatures GROWTH_SIGNATURES --seed 7, streamed and inserted
# into triage.events in chunks of GROWTH_CHUNK), then times the (c) statement of bench/save_path.sh,
#     INSERT INTO triage.events (project_id, payload) SELECT 1, payload FROM probe
# with probe = a fresh corpus (gen_events.py --events 20000 --signatures 2000 --seed 42: new event
# ids, stack traces that partly match issues already stored) in that database and in an empty one
# (the extension and the project row only). Each timed INSERT runs in a transaction that is rolled
# back (then VACUUM ANALYZE, CHECKPOINT), so every repetition sees the same database; repetitions
# rotate over the databases; repetition 0 warms up and is not counted.
# Target: loaded >= 0.9x as fast as empty (empty time / loaded time >= 0.9).
# The empty database has to create the probe's issues, which the loaded one mostly has already, so
# a third database, small, separates size from issue creation: GROWTH_SMALL_EVENTS events of the
# probe's own signatures (gen_events.py --signatures 2000 --seed 8) stored; small time / loaded
# time is reported beside the target's ratio.
# The generator's signatures are heavy-tailed (1,000,000 events touch only about 1,200 of 100,000
# signatures), so every (GROWTH_EVENTS / GROWTH_ISSUES)-th loaded event gets a stack trace of its
# own (function names suffixed _g<line>): the loaded database then holds GROWTH_ISSUES such issues
# besides the generator's, and the probe still finds most of its issues there.
#     bench/growth.sh [REPETITIONS]     (default 3)
# Environment (sizes; the defaults take a while, test with small ones):
#   GROWTH_EVENTS (1000000), GROWTH_ISSUES (100000), GROWTH_SIGNATURES (100000), GROWTH_CHUNK (50000),
#   GROWTH_PROBE_EVENTS (20000), GROWTH_SMALL_EVENTS (20000)
#   BENCH_CLUSTER=current   use the server of the PG* environment (own databases bench_growth_*)
#                           instead of building and starting a throwaway cluster (scripts/cluster.sh)
#   BENCH_NO_BUILD=1        start the throwaway cluster from the .stage/ already built
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
reps=${1:-3}
load_events=${GROWTH_EVENTS:-1000000}
load_signatures=${GROWTH_SIGNATURES:-100000}
load_issues=${GROWTH_ISSUES:-100000}
chunk=${GROWTH_CHUNK:-50000}
probe_events=${GROWTH_PROBE_EVENTS:-20000}
small_events=${GROWTH_SMALL_EVENTS:-20000}
bench_require "$generator"
cd "$top"
out="$top/bench/out"
if [ -z "${BENCH_INSIDE:-}" ]; then
	mkdir -p "$out"
	python3 "$generator" --events "$probe_events" --signatures 2000 --seed 42 >"$out/growth_probe.jsonl"
	chmod a+r "$out/growth_probe.jsonl"
	bench_reexec "$0" "$@"
fi

empty=bench_growth_empty
small=bench_growth_small
loaded=bench_growth_loaded
copy_opts="WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
triage_tables="$triage_tables, triage.projects"
for db in "$empty" "$small" "$loaded"; do
	dropdb --if-exists "$db" 2>/dev/null
	createdb "$db"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'SET client_min_messages = warning' \
		-c 'CREATE EXTENSION pg_triage' -c "INSERT INTO triage.projects (slug) VALUES ('bench')" \
		-c 'CREATE TABLE probe (payload text)' -c "\\copy probe FROM '$out/growth_probe.jsonl' $copy_opts" \
		-c 'VACUUM ANALYZE probe'
done

# load DB EVENTS SIGNATURES SEED ISSUES: streams the generator's events into triage.events, a chunk
# a statement; every (EVENTS / ISSUES)-th event (none when ISSUES is 0) gets an issue of its own
load() {
	local db=$1 events=$2 signatures=$3 seed=$4 issues=$5
	every=$((issues > 0 ? events / issues : 0))
	echo "== $db: loading $events events over $signatures signatures (seed $seed) in chunks of $chunk;" \
		"$((every > 0 ? events / every : 0)) of them with an issue of their own"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'EOF'
CREATE UNLOGGED TABLE stage (n bigint GENERATED ALWAYS AS IDENTITY, payload text);
CREATE FUNCTION own_issue(payload text, n bigint) RETURNS text LANGUAGE sql IMMUTABLE
RETURN regexp_replace(payload, '("function": "[^"]*)"', '\1_g' || n || '"', 'g');
EOF
	started=$(date +%s)
	export db copy_opts started every
	python3 "$generator" --events "$events" --signatures "$signatures" --seed "$seed" |
		split -l "$chunk" --filter='psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
			-c "\\copy stage (payload) FROM STDIN $copy_opts" \
			-c "INSERT INTO triage.events (project_id, payload)
			    SELECT 1, CASE WHEN $every > 0 AND n % $every = 0
			                   THEN own_issue(payload, n)
			                   ELSE payload END
			      FROM stage ORDER BY n" \
			-c "TRUNCATE stage" >/dev/null && echo "   $FILE done, $(($(date +%s) - started)) s"' - chunk_
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'DROP TABLE stage' -c 'DROP FUNCTION own_issue' -c "VACUUM ANALYZE $triage_tables" -c 'CHECKPOINT'
	echo "   loaded in $(($(date +%s) - started)) s"
}
load "$small" "$small_events" 2000 8 0
load "$loaded" "$load_events" "$load_signatures" 7 "$load_issues"
: >"$out/growth.txt"
for db in "$empty" "$small" "$loaded"; do
	psql -X -d "$db" -c "SELECT current_database() AS db, (SELECT count(*) FROM triage.events) AS events,
	    (SELECT count(*) FROM triage.groups) AS issues, (SELECT count(*) FROM triage.grouphashes) AS grouphashes,
	    (SELECT count(*) FROM triage.group_releases) AS group_releases,
	    (SELECT count(*) FROM probe p WHERE EXISTS (SELECT FROM triage.grouphashes h
	       WHERE h.hash = (triage.grouping_hashes(p.payload))[1])) AS probe_events_of_stored_issues,
	    pg_size_pretty(pg_database_size(current_database())) AS database_size" | tee -a "$out/growth.txt"
done

# probe DB REP -> prints "ms rows"
probe() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "VACUUM ANALYZE $triage_tables" -c 'CHECKPOINT' >/dev/null
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" <<'EOF'
SET max_parallel_workers_per_gather = 0;
SET jit = off;
BEGIN;
CREATE TEMP TABLE timing (ms float8, n bigint);
DO $$
DECLARE started timestamptz := clock_timestamp(); n bigint;
BEGIN
  INSERT INTO triage.events (project_id, payload) SELECT 1, payload FROM probe;
  GET DIAGNOSTICS n = ROW_COUNT;
  INSERT INTO timing VALUES (extract(epoch FROM clock_timestamp() - started) * 1000, n);
END $$;
SELECT ms || ' ' || n FROM timing;
ROLLBACK;
EOF
}

echo "== Timing $probe_events probe events (rolled back after each repetition)"
values=""
dbs=("$empty" "$small" "$loaded")
for rep in $(seq 0 "$reps"); do
	for k in 0 1 2; do
		db=${dbs[$(((k + rep) % 3))]}
		set -- $(probe "$db")
		kind=${db#bench_growth_}
		printf '   rep %s %-6s %9.1f ms  %s rows\n' "$rep" "$kind" "$1" "$2"
		if [ "$2" != "$probe_events" ]; then
			echo "growth.sh: the probe stored $2 of $probe_events events in $kind" >&2
			exit 1
		fi
		[ "$rep" -gt 0 ] && values="$values${values:+,}('$kind', $rep, $1)"
	done
done

psql -X -q -d "$empty" <<EOF | tee -a "$out/growth.txt"
\\pset pager off
CREATE TEMP TABLE timings (db text, rep int, ms float8);
INSERT INTO timings VALUES $values;
\\echo '== Probe INSERT of $probe_events events: median, min and max (loaded = $load_events events stored)'
SELECT db, count(*) AS reps, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms
  FROM timings GROUP BY db ORDER BY db;
\\echo '== Speed loaded relative to empty and to small (their time / loaded time; per repetition, verdict on the median)'
WITH r AS (SELECT b.db, b.ms / l.ms AS ratio FROM timings b JOIN timings l ON l.rep = b.rep AND l.db = 'loaded'
            WHERE b.db <> 'loaded'),
s AS (SELECT db, percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS med, min(ratio) AS lo, max(ratio) AS hi
        FROM r GROUP BY db)
SELECT db || ' / loaded' AS ratio, round(med::numeric, 2) AS median, round(lo::numeric, 2) AS min,
       round(hi::numeric, 2) AS max, CASE WHEN db = 'empty' THEN '>= 0.9' ELSE '(none: size alone)' END AS target,
       CASE WHEN db = 'small' THEN '' WHEN med >= 0.9 THEN 'met' ELSE 'NOT met' END AS verdict
  FROM s ORDER BY db;
EOF
dropdb "$small"
dropdb "$empty"
dropdb "$loaded"
