-- Driven by bench/save_path.sh (which loads the corpus table and plpgsql_reference.sql).
-- One session; the rounds are generated with \gexec so that VACUUM and CHECKPOINT run between
-- the timed statements (each timed INSERT runs in a DO block, clock_timestamp() around it).
\pset pager off
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET client_min_messages = warning;
CREATE TABLE bare (payload jsonb);
INSERT INTO triage.projects (slug) VALUES ('bench');
VACUUM ANALYZE corpus;
SELECT count(*) AS events, round(avg(octet_length(payload))) AS avg_bytes,
       (SELECT id FROM triage.projects WHERE slug = 'bench') AS project_id
  FROM corpus;

CREATE TABLE timings (variant text, rep int, ms float8, n bigint);
CREATE TEMP TABLE variants (ord int, name text, reset text, vacuum text, stmt text);
INSERT INTO variants VALUES
 (0, 'a', 'TRUNCATE bare', 'VACUUM ANALYZE bare',
  'INSERT INTO bare (payload) SELECT payload::jsonb FROM corpus'),
 (1, 'b', 'TRUNCATE plref.events, plref.grouphash, plref.groups RESTART IDENTITY',
  'VACUUM ANALYZE plref.events, plref.grouphash, plref.groups',
  'INSERT INTO plref.events (payload) SELECT payload::jsonb FROM corpus'),
 (2, 'c', 'TRUNCATE triage.events, triage.groups, triage.grouphashes, triage.group_tombstones,
    triage.rejected_events, triage.ingest_counters, triage.environments, triage.releases,
    triage.release_environments, triage.group_environments, triage.group_releases,
    triage.group_resolutions, triage.activities, triage.project_counters RESTART IDENTITY',
  'VACUUM ANALYZE triage.events, triage.groups, triage.grouphashes, triage.group_tombstones,
    triage.rejected_events, triage.ingest_counters, triage.environments, triage.releases,
    triage.release_environments, triage.group_environments, triage.group_releases,
    triage.group_resolutions, triage.activities, triage.project_counters, triage.projects',
  'INSERT INTO triage.events (project_id, payload) SELECT 1, payload FROM corpus');

SELECT step.sql
  FROM generate_series(0, :reps) AS rep
 CROSS JOIN variants v
 CROSS JOIN LATERAL (VALUES
   (1, v.reset),
   (2, v.vacuum),
   (3, 'CHECKPOINT'),
   (4, format($f$DO $d$
DECLARE started timestamptz := clock_timestamp(); n bigint;
BEGIN
  EXECUTE %L;
  GET DIAGNOSTICS n = ROW_COUNT;
  INSERT INTO timings VALUES (%L, %s, extract(epoch FROM clock_timestamp() - started) * 1000, n);
END $d$$f$, v.stmt, v.name, rep))) AS step(k, sql)
 ORDER BY rep, (v.ord + rep) % 3, step.k
\gexec

\echo
\echo '== What the last round of c stored'
SELECT (SELECT count(*) FROM triage.events) AS events, (SELECT count(*) FROM triage.groups) AS issues,
       (SELECT sum(times_seen) FROM triage.groups) AS times_seen,
       (SELECT count(*) FROM triage.grouphashes) AS grouphashes,
       (SELECT count(*) FROM triage.group_releases) AS group_releases,
       (SELECT count(*) FROM plref.groups) AS plref_groups;

\echo '== Rows inserted per timed statement (every repetition must have inserted the whole corpus)'
SELECT variant, min(n) AS min_rows, max(n) AS max_rows, (SELECT count(*) FROM corpus) AS corpus
  FROM timings GROUP BY variant ORDER BY variant;

\echo '== Per variant (repetition 0 is the warm-up, not counted): median, min and max'
SELECT CASE variant WHEN 'a' THEN 'a: bare jsonb INSERT' WHEN 'b' THEN 'b: PL/pgSQL reference'
                    ELSE 'c: triage.events' END AS variant,
       count(*) AS reps,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) * 1000 / max(n))::numeric, 1) AS median_us_per_event
  FROM timings WHERE rep > 0 GROUP BY variant ORDER BY variant;

\echo '== Ratios of times (per repetition, paired within the round; the verdict uses the median)'
WITH r AS (
  SELECT a.rep, c.ms / a.ms AS c_over_a, b.ms / c.ms AS b_over_c
    FROM timings a JOIN timings b ON b.rep = a.rep AND b.variant = 'b'
    JOIN timings c ON c.rep = a.rep AND c.variant = 'c'
   WHERE a.variant = 'a' AND a.rep > 0),
s AS (
  SELECT 'c/a (pg_triage time / bare jsonb time)' AS ratio, '<= 0.75' AS target,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY c_over_a) AS med, min(c_over_a) AS lo, max(c_over_a) AS hi
    FROM r
  UNION ALL
  SELECT 'b/c (PL/pgSQL time / pg_triage time)', '>= 5',
         percentile_cont(0.5) WITHIN GROUP (ORDER BY b_over_c), min(b_over_c), max(b_over_c)
    FROM r)
SELECT ratio, round(med::numeric, 2) AS median, round(lo::numeric, 2) AS min, round(hi::numeric, 2) AS max,
       target,
       CASE WHEN (target LIKE '<=%' AND med <= 0.75) OR (target LIKE '>=%' AND med >= 5)
            THEN 'met' ELSE 'NOT met' END AS verdict
  FROM s;
