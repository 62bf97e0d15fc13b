#!/usr/bin/env bash
# Backend memory over a long ingest session: ONE pgbench client (one backend, -M prepared,
# synchronous_commit=off) inserts MEMORY_EVENTS single-row INSERTs into triage.events, each the
# next row of a pre-generated table of MEMORY_EVENTS distinct events (gen_events.py --events
# MEMORY_EVENTS --signatures 2000 --seed 42: no payload repeats, so a cache that grows with
# distinct input is not hidden by a cycled corpus). The same backend samples
# (bench/memory_insert.sql) its memory-context total (sum(total_bytes) FROM
# pg_backend_memory_contexts) and its RssAnon from /proc/self/status after MEMORY_BASELINE events, every MEMORY_EVERY events, and at the end.
# Target: at the end both are within 10 MB of their values after the baseline.
#     bench/memory.sh
# Environment:
#   MEMORY_EVENTS     inserts in the session (default 500000)
#   MEMORY_BASELINE   the event after which the baseline is taken (default 10000)
#   MEMORY_EVERY      sampling interval (default 50000)
#   MEMORY_PGOPTIONS  settings for the session, e.g. '-c triage.stacktrace_cache_entries=0'
#   BENCH_CLUSTER=current   use the server of the PG* environment (own database bench_memory)
#                           instead of building and starting a throwaway cluster (scripts/cluster.sh)
#   BENCH_NO_BUILD=1        start the throwaway cluster from the .stage/ already built
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
events=${MEMORY_EVENTS:-500000}
baseline=${MEMORY_BASELINE:-10000}
every=${MEMORY_EVERY:-50000}
pgbench=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
bench_require "$generator"
if [ "$baseline" -ge "$events" ]; then
	echo "memory.sh: MEMORY_BASELINE ($baseline) must be below MEMORY_EVENTS ($events)" >&2
	exit 2
fi
cd "$top"
out="$top/bench/out"
if [ -z "${BENCH_INSIDE:-}" ]; then
	mkdir -p "$out"
	bench_reexec "$0" "$@"
fi

db=bench_memory
dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
run() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
echo "== Loading $events distinct events (gen_events.py --events $events --signatures 2000 --seed 42)"
run <<'EOF'
SET client_min_messages = warning;
CREATE EXTENSION pg_triage;
INSERT INTO triage.projects (slug) VALUES ('bench');
CREATE TABLE src (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text);
CREATE TABLE mem_samples (n bigint, pid int, context_bytes bigint, rss_anon_bytes bigint, at timestamptz);
EOF
python3 "$generator" --events "$events" --signatures 2000 --seed 42 |
	run -c "\\copy src (payload) FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
run -c "CREATE SEQUENCE pick MAXVALUE $events NO CYCLE" -c 'VACUUM ANALYZE src' -c 'CHECKPOINT' \
	-c 'SELECT count(*) AS events, count(DISTINCT substring(payload FROM $$"event_id": "([0-9a-f]{32})"$$)) AS distinct_event_ids,
	           pg_size_pretty(pg_total_relation_size($$src$$)) AS src_size FROM src'

echo "== $events single-row INSERTs in one session (pgbench, 1 client, -M prepared)"
started=$(date +%s)
PGOPTIONS="-c synchronous_commit=off ${MEMORY_PGOPTIONS:-}" "$pgbench" -n -M prepared -c 1 -t "$events" \
	-D baseline="$baseline" -D every="$every" -D total="$events" \
	-f bench/memory_insert.sql "$db" >"$out/memory_pgbench.log" 2>&1 || {
	cat "$out/memory_pgbench.log"
	exit 1
}
echo "   $(($(date +%s) - started)) s; $(grep -E '^tps' "$out/memory_pgbench.log")"

run -v baseline="$baseline" -v total="$events" <<'EOF' | tee "$out/memory.txt"
\pset pager off
\echo '== Stored (every insert stored its event) and sampled in one backend'
SELECT (SELECT count(*) FROM triage.events) AS events,
       (SELECT count(*) FROM triage.events) = :total AS all_stored, (SELECT count(*) FROM triage.groups) AS issues,
       (SELECT sum(times_seen) FROM triage.groups) AS times_seen,
       (SELECT count(DISTINCT pid) FROM mem_samples) AS backends;
\echo '== Samples (MB; deltas against the sample after the baseline event)'
SELECT s.n AS after_events,
       round(s.context_bytes / 1048576.0, 2) AS contexts_mb,
       round((s.context_bytes - b.context_bytes) / 1048576.0, 2) AS contexts_delta_mb,
       round(s.rss_anon_bytes / 1048576.0, 2) AS rss_anon_mb,
       round((s.rss_anon_bytes - b.rss_anon_bytes) / 1048576.0, 2) AS rss_anon_delta_mb,
       round(extract(epoch FROM s.at - b.at)::numeric, 1) AS seconds_since_baseline
  FROM mem_samples s, mem_samples b WHERE b.n = :baseline ORDER BY s.n;
\echo '== Growth from the baseline to the end (target: within 10 MB)'
SELECT m.what, round(m.delta / 1048576.0, 2) AS delta_mb, '<= 10 MB' AS target,
       CASE WHEN abs(m.delta) <= 10 * 1048576 THEN 'met' ELSE 'NOT met' END AS verdict
  FROM mem_samples e, mem_samples b,
       LATERAL (VALUES ('memory contexts', e.context_bytes - b.context_bytes),
                       ('RssAnon', e.rss_anon_bytes - b.rss_anon_bytes)) AS m(what, delta)
 WHERE b.n = :baseline AND e.n = :total;
EOF
dropdb "$db"
