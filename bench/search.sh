#!/usr/bin/env bash
# Issue search at scale: SEARCH_ISSUES issues and about SEARCH_EVENTS events over SEARCH_PROJECTS
# projects, then triage.search() timed for: the default stream (is:unresolved, sort date, 25 rows)
# and every sort, for one project and across all projects; free-text and tag searches. Each query
# runs SEARCH_RUNS times (a random project each time for the one-project forms), interleaved
# round-robin over the queries; p50, p95 and max are reported.
# Targets: stream and sorts p95 < 50 ms, free text and tags p95 < 200 ms; EXPLAIN shows index
# scans, not a sort of the whole table (the plans of the default stream are printed).
# The read side is what this measures, so the tables are filled directly by SQL (the save path's
# cost is bench/save_path.sh): issues with exponential event counts (mean SEARCH_EVENTS /
# SEARCH_ISSUES), last seen over 30 days, 60% unresolved, 25% resolved, 15% ignored, priorities
# and levels mixed, 3 releases and 2 environments per project, and one event row per counted event
# (tags route, region, browser, registered in triage.tag_keys; a user key) with the triggers off
# while loading.
#     bench/search.sh
# Environment: SEARCH_ISSUES (1000000), SEARCH_EVENTS (10000000), SEARCH_PROJECTS (100), SEARCH_RUNS (40)
#   BENCH_CLUSTER=current   use the server of the PG* environment (own database bench_search)
#   BENCH_NO_BUILD=1        start the throwaway cluster from the .stage/ already built
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
cd "$top"
if [ -z "${BENCH_INSIDE:-}" ]; then
	mkdir -p "$top/bench/out"
	bench_reexec "$0" "$@"
fi
issues=${SEARCH_ISSUES:-1000000}
events=${SEARCH_EVENTS:-10000000}
projects=${SEARCH_PROJECTS:-100}
runs=${SEARCH_RUNS:-40}
db=bench_search
out="$top/bench/out/search.txt"
dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
run() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

echo "== Loading $issues issues and about $events events over $projects projects"
start=$(date +%s)
run -v issues="$issues" -v events="$events" -v projects="$projects" <<'EOF'
SET client_min_messages = warning;
CREATE EXTENSION pg_triage;
INSERT INTO triage.projects (slug) SELECT 'p' || i FROM generate_series(1, :projects) i;
INSERT INTO triage.releases (project_id, version, date_added)
SELECT p, 'app@1.' || r || '.0', now() - (40 - r * 10) * interval '1 day'
  FROM generate_series(1, :projects) p, generate_series(1, 3) r;
INSERT INTO triage.environments (project_id, name)
SELECT p, e FROM generate_series(1, :projects) p, unnest(ARRAY['production', 'staging']) e;
SELECT setseed(0.42);
CREATE TEMP TABLE words (i int, w text);
INSERT INTO words VALUES (0, 'timeout'), (1, 'connection'), (2, 'refused'), (3, 'invalid'), (4, 'token'),
  (5, 'missing'), (6, 'permission'), (7, 'denied'), (8, 'overflow'), (9, 'deadlock');
INSERT INTO triage.groups (id, project_id, short_id, status, substatus, priority, level, title, culprit, message,
                           times_seen, users_seen, first_seen, last_seen, active_at, first_release, type, data)
SELECT g, p, g / :projects + 1, st,
       CASE st WHEN 'unresolved' THEN (ARRAY['new', 'ongoing', 'regressed', 'escalating'])[1 + (g * 7) % 4]
               WHEN 'ignored' THEN 'archived_forever' END::triage.group_substatus,
       (ARRAY['low', 'medium', 'high'])[1 + (g * 13) % 3]::triage.priority_level,
       (ARRAY['error', 'error', 'error', 'warning', 'fatal', 'info'])[1 + (g * 11) % 6]::triage.log_level,
       t.title, 'app.module' || g % 500 || ' in handler_' || g % 97, t.title,
       n, greatest(1, n / 3), ls - (random() * 60) * interval '1 day', ls, ls, 'app@1.1.0', 'error', '{}'
  FROM (SELECT g, 1 + g % :projects AS p,
               CASE WHEN r < 0.60 THEN 'unresolved' WHEN r < 0.85 THEN 'resolved' ELSE 'ignored' END::triage.group_status AS st,
               1 + floor(-ln(1 - random()) * (:events::float8 / :issues - 0.5))::bigint AS n,
               now() - random() * interval '30 days' AS ls
          FROM (SELECT g, random() AS r FROM generate_series(1, :issues) g) x) y
  CROSS JOIN LATERAL (SELECT (ARRAY['ValueError', 'KeyError', 'TypeError', 'OSError', 'RuntimeError'])[1 + g % 5] || ': ' ||
                             (SELECT w FROM words WHERE i = g % 10) || ' ' || (SELECT w FROM words WHERE i = (g / 10) % 10) ||
                             ' #' || g % 1000 AS title) t;
SELECT setval('triage.groups_id_seq', :issues);
INSERT INTO triage.project_counters SELECT project_id, max(short_id) FROM triage.groups GROUP BY project_id;
INSERT INTO triage.group_environments (project_id, group_id, environment_id, first_release, first_seen)
SELECT g.project_id, g.id, e.id, g.first_release, g.first_seen
  FROM triage.groups g JOIN triage.environments e ON e.project_id = g.project_id
                                                 AND e.name = CASE WHEN g.id % 4 = 0 THEN 'staging' ELSE 'production' END;
INSERT INTO triage.group_releases (project_id, group_id, release_id, environment, first_seen, last_seen)
SELECT g.project_id, g.id, r.id, '', g.first_seen, g.last_seen
  FROM triage.groups g JOIN triage.releases r ON r.project_id = g.project_id AND r.version IN ('app@1.1.0', 'app@1.' || (1 + g.id % 3) || '.0');
ALTER TABLE triage.events DISABLE TRIGGER USER;
INSERT INTO triage.events (project_id, event_id, group_id, payload, type, title, level, occurred_at, tags, user_key)
SELECT g.project_id, gen_random_uuid(), g.id, '{"message":"' || g.title || '"}', 'error', g.title, g.level,
       g.first_seen + (g.last_seen - g.first_seen) * (k::float8 / g.times_seen),
       jsonb_build_object('route', '/api/v' || (g.id + k) % 3 || '/' || (ARRAY['orders', 'users', 'cart', 'search'])[1 + (g.id * 3 + k) % 4],
                          'region', (ARRAY['eu', 'us', 'ap'])[1 + (g.id + k) % 3],
                          'browser', (ARRAY['Chrome', 'Firefox', 'Safari', 'Edge'])[1 + (g.id * 7 + k) % 4]),
       'id:' || (g.id * 31 + k) % 5000
  FROM triage.groups g CROSS JOIN LATERAL generate_series(1, g.times_seen) k;
ALTER TABLE triage.events ENABLE TRIGGER USER;
INSERT INTO triage.tag_keys (project_id, key, first_seen)
SELECT p, k, now() - interval '90 days' FROM generate_series(1, :projects) p, unnest(ARRAY['route', 'region', 'browser']) k;
VACUUM ANALYZE;
SELECT count(*) AS issues, sum(times_seen) AS events, count(DISTINCT project_id) AS projects,
       pg_size_pretty(pg_database_size(current_database())) AS database_size FROM triage.groups;
EOF
echo "   loaded in $(( $(date +%s) - start )) s"

run -v runs="$runs" -v projects="$projects" <<'EOF' | tee "$out"
\pset pager off
SET client_min_messages = warning;
SET bench.runs = :runs;
CREATE TEMP TABLE queries (n serial, label text, all_projects boolean, query text, sort text, target_ms int);
INSERT INTO queries (label, all_projects, query, sort, target_ms) VALUES
  ('stream: is:unresolved, date (default)', false, 'is:unresolved', 'date', 50),
  ('sort new', false, 'is:unresolved', 'new', 50),
  ('sort freq', false, 'is:unresolved', 'freq', 50),
  ('sort user', false, 'is:unresolved', 'user', 50),
  ('sort priority', false, 'is:unresolved', 'priority', 50),
  ('all projects: stream, date (default)', true, 'is:unresolved', 'date', 50),
  ('all projects: sort new', true, 'is:unresolved', 'new', 50),
  ('all projects: sort freq', true, 'is:unresolved', 'freq', 50),
  ('all projects: sort user', true, 'is:unresolved', 'user', 50),
  ('all projects: sort priority', true, 'is:unresolved', 'priority', 50),
  ('free text "timeout connection"', false, 'is:unresolved timeout connection', 'date', 200),
  ('free text, rare "deadlock overflow #7"', false, 'deadlock overflow #7', 'date', 200),
  ('tag route:/api/v1/*', false, 'is:unresolved route:/api/v1/*', 'date', 200),
  ('tag browser:Edge region:ap', false, 'browser:Edge region:ap', 'date', 200),
  ('all projects: free text "timeout connection"', true, 'is:unresolved timeout connection', 'date', 200),
  ('all projects: tag route:/api/v1/*', true, 'is:unresolved route:/api/v1/*', 'date', 200);
CREATE TEMP TABLE timings (n int, ms float8);
DO $$
DECLARE
  q record;
  r int;
  t0 timestamptz;
  pids bigint[];
  all_pids bigint[] := ARRAY(SELECT id FROM triage.projects ORDER BY id);
BEGIN
  PERFORM count(*) FROM triage.search(all_pids);  -- warm-up
  FOR r IN 1 .. current_setting('bench.runs')::int LOOP
    FOR q IN SELECT * FROM queries ORDER BY n LOOP
      pids := CASE WHEN q.all_projects THEN all_pids ELSE ARRAY[all_pids[1 + floor(random() * array_length(all_pids, 1))::int]] END;
      t0 := clock_timestamp();
      PERFORM count(*) FROM triage.search(pids, q.query, q.sort, 25);
      INSERT INTO timings VALUES (q.n, extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
  END LOOP;
END $$;
\echo '== Search latency (ms) over the runs'
SELECT q.label, count(*) AS runs,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 1) AS p50,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY t.ms)::numeric, 1) AS p95,
       round(max(t.ms)::numeric, 1) AS max, '< ' || q.target_ms AS target,
       CASE WHEN percentile_cont(0.95) WITHIN GROUP (ORDER BY t.ms) < q.target_ms THEN 'met' ELSE 'NOT met' END AS verdict
  FROM timings t JOIN queries q USING (n) GROUP BY q.n, q.label, q.target_ms ORDER BY q.n;
\echo '== Plan of the default stream, one project'
SELECT triage.search_sql(ARRAY[7]::bigint[]) AS sql \gset
EXPLAIN (COSTS OFF) :sql;
\echo '== Plan of the default stream, all projects'
SELECT triage.search_sql(ARRAY(SELECT id FROM triage.projects)) AS sql \gset
EXPLAIN (COSTS OFF) :sql;
\echo '== Plan of sort freq, one project'
SELECT triage.search_sql(ARRAY[7]::bigint[], 'is:unresolved', 'freq') AS sql \gset
EXPLAIN (COSTS OFF) :sql;
EOF
