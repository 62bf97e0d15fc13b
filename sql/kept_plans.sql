-- The save path's kept SPI plans are made at their first execution, often while the tables are
-- empty (a new database, or right after a TRUNCATE and VACUUM). A plan made then must still probe
-- indexes once the tables have grown: the backend keeps it until an invalidation.
-- (Each pg_regress file runs in a new backend, so the plans below are made here.)
SET client_min_messages = warning;
TRUNCATE triage.events, triage.groups, triage.grouphashes, triage.environments, triage.releases,
  triage.release_environments, triage.group_environments, triage.group_releases,
  triage.project_counters;
VACUUM ANALYZE triage.events, triage.groups, triage.grouphashes, triage.environments,
  triage.releases, triage.release_environments, triage.group_environments, triage.group_releases,
  triage.project_counters;
INSERT INTO triage.projects (slug) VALUES ('plans');
CREATE TEMP TABLE plan_events AS
SELECT g, jsonb_build_object(
         'message', 'error ' || g % 400, 'release', 'r' || g % 3, 'environment', 'e' || g % 2,
         'exception', jsonb_build_object('values', jsonb_build_array(jsonb_build_object(
           'type', 'E' || g % 400, 'value', 'v',
           'stacktrace', jsonb_build_object('frames', jsonb_build_array(jsonb_build_object(
             'function', 'f' || g % 400, 'module', 'm', 'in_app', true))))))) AS payload
  FROM generate_series(1, 2000) g;
-- Single-row statements make the plans of the one-event paths on near-empty tables, ...
INSERT INTO triage.events (project_id, payload)
SELECT (SELECT id FROM triage.projects WHERE slug = 'plans'), payload::text FROM plan_events WHERE g = 1;
INSERT INTO triage.events (project_id, payload)
SELECT (SELECT id FROM triage.projects WHERE slug = 'plans'), payload::text FROM plan_events WHERE g = 401;
-- ... a batch makes those of the many-event paths and grows the tables to 400 issues ...
INSERT INTO triage.events (project_id, payload)
SELECT (SELECT id FROM triage.projects WHERE slug = 'plans'), payload::text FROM plan_events WHERE g BETWEEN 2 AND 1000;
SELECT count(*) AS issues, (SELECT count(*) FROM triage.events) AS events FROM triage.groups;
-- ... and then neither single-row statements nor batches scan a whole table: the tables' scan
-- counters (flushed before and after) do not move.
SELECT pg_stat_force_next_flush();
CREATE TEMP TABLE scans_before AS
SELECT relid, seq_scan FROM pg_stat_user_tables WHERE schemaname = 'triage';
DO $$
DECLARE
  project bigint := (SELECT id FROM triage.projects WHERE slug = 'plans');
  i int;
BEGIN
  FOR i IN 1001 .. 1100 LOOP
    INSERT INTO triage.events (project_id, payload) SELECT project, payload::text FROM plan_events WHERE g = i;
  END LOOP;
  INSERT INTO triage.events (project_id, payload) SELECT project, payload::text FROM plan_events WHERE g > 1100;
END $$;
SELECT pg_stat_force_next_flush();
SELECT s.relname, s.seq_scan - b.seq_scan AS seq_scans
  FROM pg_stat_user_tables s JOIN scans_before b USING (relid)
 WHERE s.seq_scan > b.seq_scan ORDER BY s.relname;
SELECT count(*) AS issues, (SELECT count(*) FROM triage.events) AS events,
       (SELECT sum(times_seen) FROM triage.groups) AS times_seen FROM triage.groups;
