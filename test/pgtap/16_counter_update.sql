-- The counter update of a single-event statement (src/pg/issue_row_update.cpp) writes the issue's
-- row through the table access method, not through an UPDATE: counters, generated sort keys and
-- every index entry must be what the UPDATE would leave, and a table with something only the
-- executor runs (another trigger or constraint, missing privileges) must get the UPDATE instead.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
CREATE EXTENSION IF NOT EXISTS amcheck;
SET LOCAL client_min_messages = warning;
SELECT plan(23);

\ir helpers/save_path.sql

INSERT INTO triage.projects (slug) VALUES ('rows');
-- One event (its own statement) of issue p_name, p_age seconds old, from user p_user, with a
-- message that varies with p_variant (so that the latest-event fields change too).
CREATE FUNCTION pg_temp.send(p_name text, p_age int, p_user text, p_variant int DEFAULT 0) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO triage.events (project_id, payload)
  VALUES (pg_temp.pid('rows'), jsonb_build_object(
            'message', 'row update ' || p_name || CASE WHEN p_variant > 0 THEN ' #' || p_variant ELSE '' END,
            'fingerprint', jsonb_build_array(p_name), 'level', CASE WHEN p_variant % 2 = 0 THEN 'error' ELSE 'warning' END,
            'timestamp', extract(epoch FROM now())::bigint - p_age,
            'user', jsonb_build_object('id', p_user))::text)
$$;
CREATE FUNCTION pg_temp.latest_event() RETURNS uuid LANGUAGE sql
AS $$ SELECT event_id FROM triage.events ORDER BY received_at DESC LIMIT 1 $$;

-- 400 single-event statements over 8 issues, ten minutes apart and out of order (so that the
-- minute bucket of last_seen and the count buckets move: some updates are not HOT), 50 users.
DO $$
BEGIN
  FOR k IN 1..400 LOOP
    PERFORM pg_temp.send('issue ' || k % 8, ((k * 7919) % 400) * 600, 'u' || k % 50, k % 3);
  END LOOP;
END $$;

SELECT is((SELECT count(*)::int FROM triage.groups WHERE project_id = pg_temp.pid('rows')), 8, 'set-up: 8 issues');
SELECT ok((SELECT n_tup_hot_upd > 0 AND n_tup_upd > n_tup_hot_upd FROM pg_stat_xact_user_tables
            WHERE relid = 'triage.groups'::regclass), 'set-up: both HOT and non-HOT updates of the issues');
SELECT is((SELECT count(*)::int FROM triage.groups g
            WHERE g.times_seen <> (SELECT count(*) FROM triage.events e WHERE e.group_id = g.id)), 0,
          'times_seen counts every stored event');
SELECT is((SELECT count(*)::int FROM triage.groups g
            WHERE g.first_seen <> (SELECT min(e.occurred_at) FROM triage.events e WHERE e.group_id = g.id)
               OR g.last_seen <> (SELECT max(e.occurred_at) FROM triage.events e WHERE e.group_id = g.id)), 0,
          'first_seen and last_seen are the oldest and newest event times');
SELECT is((SELECT count(*)::int FROM triage.groups g
            WHERE g.users_seen <> (SELECT count(DISTINCT e.user_key) FROM triage.events e WHERE e.group_id = g.id)), 0,
          'users_seen counts the distinct users');
SELECT is((SELECT count(*)::int FROM triage.groups g
            WHERE g.last_seen_bucket <> triage.minute_bucket(g.last_seen)
               OR g.times_seen_bucket <> triage.count_bucket(g.times_seen)
               OR g.users_seen_bucket <> triage.count_bucket(g.users_seen)), 0,
          'the generated sort keys equal their expressions');
SELECT is((SELECT count(*)::int FROM triage.groups g
            WHERE ROW(g.level::text, g.message) IS DISTINCT FROM
                  (SELECT ROW(e.level::text, e.payload::jsonb ->> 'message') FROM triage.events e
                    WHERE e.group_id = g.id ORDER BY e.received_at DESC LIMIT 1)), 0,
          'level and message are those of the latest event');
SELECT is((SELECT count(*)::int FROM triage.groups g
            WHERE abs((g.data ->> 'last_received')::float8
                      - (SELECT extract(epoch FROM max(e.received_at)) FROM triage.events e WHERE e.group_id = g.id))
                  > 0.001), 0,
          'data.last_received is the receive time of the latest event');

-- Every index holds every row version's entry (amcheck, heapallindexed), and index scans find the
-- rows by their new keys.
SELECT lives_ok(format('SELECT bt_index_check(%L::regclass, true)', i.indexrelid::regclass),
                'index ' || i.indexrelid::regclass || ' holds every row')
  FROM pg_index i WHERE i.indrelid = 'triage.groups'::regclass ORDER BY i.indexrelid::regclass::text
 LIMIT 9;
SET LOCAL enable_seqscan = off;
SELECT is((SELECT count(*)::int FROM triage.groups g
            WHERE g.project_id = pg_temp.pid('rows')
              AND g.last_seen_bucket = (SELECT triage.minute_bucket(max(e.occurred_at)) FROM triage.events e
                                         WHERE e.group_id = g.id)), 8,
          'the date index finds every issue by its last_seen bucket');
RESET enable_seqscan;

-- A trigger of the user's on the table: the UPDATE runs it.
CREATE TABLE pg_temp.fired (n int);
CREATE FUNCTION pg_temp.note_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO pg_temp.fired VALUES (NEW.times_seen); RETURN NEW; END $$;
CREATE TRIGGER rows_test_note BEFORE UPDATE ON triage.groups FOR EACH ROW EXECUTE FUNCTION pg_temp.note_update();
SELECT pg_temp.send('issue 1', 0, 'u1');
SELECT is((SELECT array_agg(n) FROM pg_temp.fired), ARRAY[(pg_temp.g(pg_temp.latest_event())).times_seen::int],
          'a user trigger on triage.groups fires for the counter update');
DROP TRIGGER rows_test_note ON triage.groups;

-- A constraint of the user's: the UPDATE checks it.
ALTER TABLE triage.groups ADD CONSTRAINT rows_test_cap CHECK (times_seen <= 60) NOT VALID;
SELECT throws_ok($$SELECT pg_temp.send('issue 2', 0, 'u1') FROM generate_series(1, 20)$$, '23514', NULL,
                 'a user constraint on triage.groups is checked by the counter update');
ALTER TABLE triage.groups DROP CONSTRAINT rows_test_cap;

-- A column whose type was changed: the update leaves it to the UPDATE (which here fails: the
-- issue functions take jsonb) instead of writing a jsonb value into a json column.
ALTER TABLE triage.groups ALTER COLUMN data DROP DEFAULT, ALTER COLUMN data TYPE json USING data::json;
SELECT throws_ok($$SELECT pg_temp.send('issue 2', 0, 'u1', 7)$$, '42883', NULL,
                 'a changed column type sends the counter update to the SQL UPDATE');
ALTER TABLE triage.groups ALTER COLUMN data TYPE jsonb USING data::jsonb, ALTER COLUMN data SET DEFAULT '{}';

-- Without UPDATE privilege on triage.groups, an event of an existing issue is refused (as the
-- UPDATE refuses it), and nothing of it is written.
CREATE ROLE rows_test_ingest;
GRANT USAGE ON SCHEMA triage TO rows_test_ingest;
GRANT ALL ON ALL TABLES IN SCHEMA triage TO rows_test_ingest;
GRANT ALL ON ALL SEQUENCES IN SCHEMA triage TO rows_test_ingest;
REVOKE UPDATE ON triage.groups FROM rows_test_ingest;
SELECT pg_temp.send('issue 3', 0, 'u1'); -- cached by this backend before the role changes
SET LOCAL ROLE rows_test_ingest;
SELECT throws_ok($$SELECT pg_temp.send('issue 3', 0, 'u2')$$, '42501', NULL,
                 'without UPDATE on triage.groups the counter update is refused');
RESET ROLE;

SELECT is((SELECT count(*)::int FROM triage.groups g
            WHERE g.times_seen <> (SELECT count(*) FROM triage.events e WHERE e.group_id = g.id)), 0,
          'afterwards times_seen still counts every stored event');

SELECT * FROM finish();
ROLLBACK;
