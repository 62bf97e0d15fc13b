-- Ignore conditions checked by the save path (triage.ignore, triage.check_ignored): an ignored
-- issue becomes unresolved/escalating on the event that meets its condition; forever stays
-- ignored; an ignore-until time that has passed makes it unresolved/ongoing. (All of it runs in
-- one transaction: the window and escalation checks run at most once per issue and session every
-- 10 seconds of transaction time, so each such scenario here uses its own issue and one statement.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SET LOCAL client_min_messages = warning;
SELECT plan(33);

\ir helpers/save_path.sql

INSERT INTO triage.projects (slug) VALUES ('ign');
-- n events of the issue named by fingerprint, p_age seconds old, from users u1..u<users> (none: 0).
CREATE FUNCTION pg_temp.send(p_name text, n int, p_age int DEFAULT 0, users int DEFAULT 0) RETURNS void LANGUAGE sql AS $$
  INSERT INTO triage.events (project_id, payload)
  SELECT pg_temp.pid('ign'), jsonb_strip_nulls(jsonb_build_object(
           'message', 'ignored issue ' || p_name, 'fingerprint', jsonb_build_array(p_name),
           'timestamp', extract(epoch FROM now())::bigint - p_age - k % 60,
           'user', CASE WHEN users > 0 THEN jsonb_build_object('id', 'u' || (k % users)) END))::text
    FROM generate_series(1, n) k
$$;
CREATE FUNCTION pg_temp.issue(p_name text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM triage.groups WHERE project_id = pg_temp.pid('ign') AND message = 'ignored issue ' || p_name $$;
CREATE FUNCTION pg_temp.state(p_name text) RETURNS text LANGUAGE sql
AS $$ SELECT status || '/' || substatus FROM triage.groups WHERE id = pg_temp.issue(p_name) $$;
CREATE FUNCTION pg_temp.reason(p_name text) RETURNS text LANGUAGE sql
AS $$ SELECT data ->> 'reason' FROM triage.activities WHERE group_id = pg_temp.issue(p_name)
       AND type IN ('set_escalating', 'set_unresolved') ORDER BY id DESC LIMIT 1 $$;

-- Until N more events: one statement per event, escalating on the one that crosses the line.
SELECT pg_temp.send('count', 5);
SELECT is(triage.ignore(pg_temp.issue('count'), until_events => 3), 1, 'set-up: issue count ignored');
SELECT pg_temp.send('count', 1);
SELECT pg_temp.send('count', 1);
SELECT is(pg_temp.state('count'), 'ignored/archived_until_condition_met', 'until 3 events: still ignored after 2');
SELECT pg_temp.send('count', 1);
SELECT is(pg_temp.state('count'), 'unresolved/escalating', 'until 3 events: escalating on the third');
SELECT is(pg_temp.reason('count'), 'count', 'a set_escalating activity with the reason');
SELECT is((SELECT count(*)::int FROM triage.group_snoozes WHERE group_id = pg_temp.issue('count')), 0, 'the condition is gone');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = pg_temp.issue('count')), 8::bigint, 'every event counted');
SELECT is((SELECT count(*)::int FROM triage.search(pg_temp.pid('ign'), 'is:escalating')), 1, 'is:escalating finds it');

-- The line crossed within one multi-row statement.
SELECT pg_temp.send('batch', 1);
SELECT is(triage.ignore(ARRAY[pg_temp.issue('batch')], until_events => 5), 1, 'set-up: issue batch ignored');
SELECT pg_temp.send('batch', 4);
SELECT is(pg_temp.state('batch'), 'ignored/archived_until_condition_met', 'until 5 events: 4 in a statement do not');
SELECT pg_temp.send('batch', 10);
SELECT is(pg_temp.state('batch'), 'unresolved/escalating', 'until 5 events: a statement crossing it escalates');

-- Until N more users.
SELECT pg_temp.send('users', 3, 0, 3);
SELECT is(triage.ignore(pg_temp.issue('users'), until_users => 2), 1, 'set-up: issue users ignored');
SELECT pg_temp.send('users', 6, 0, 3);
SELECT is(pg_temp.state('users'), 'ignored/archived_until_condition_met', 'until 2 more users: the same users do not count');
SELECT pg_temp.send('users', 5, 0, 5);
SELECT is(pg_temp.state('users'), 'unresolved/escalating', 'until 2 more users: two new users escalate it');
SELECT is(pg_temp.reason('users'), 'user_count', 'reason user_count');

-- Until N events within a window (one check per issue here, see above).
SELECT pg_temp.send('window-old', 1);
SELECT is(triage.ignore(pg_temp.issue('window-old'), until_events => 3, event_window => '1 hour'), 1, 'set-up: issue window-old ignored');
SELECT pg_temp.send('window-old', 5, 7200);
SELECT is(pg_temp.state('window-old'), 'ignored/archived_until_condition_met', 'until 3 events in an hour: older events do not count');
SELECT pg_temp.send('window-new', 1, 7200);
SELECT is(triage.ignore(pg_temp.issue('window-new'), until_events => 3, event_window => '1 hour'), 1, 'set-up: issue window-new ignored');
SELECT pg_temp.send('window-new', 3);
SELECT is(pg_temp.state('window-new'), 'unresolved/escalating', 'until 3 events in an hour: 3 recent events escalate it');
SELECT is(pg_temp.reason('window-new'), 'count_in_window', 'reason count_in_window');

-- Until escalating: at least 10 events in the last hour, more than 5x the hourly average of the week before.
SELECT pg_temp.send('spike', 2, 86400);
SELECT is(triage.ignore(pg_temp.issue('spike'), until_escalating => true), 1, 'set-up: issue spike ignored');
SELECT pg_temp.send('spike', 12);
SELECT is(pg_temp.state('spike'), 'unresolved/escalating', 'until escalating: a spike escalates it');
SELECT is(pg_temp.reason('spike'), 'escalating', 'reason escalating');
SELECT pg_temp.send('steady', 600, 7200);   -- a busy week: 600 events in the hours before
SELECT is(triage.ignore(pg_temp.issue('steady'), until_escalating => true), 1, 'set-up: issue steady ignored');
SELECT pg_temp.send('steady', 12);
SELECT is(pg_temp.state('steady'), 'ignored/archived_until_escalating',
          'until escalating: 12 events in the hour of an issue with 600 the hours before are no spike');
SELECT pg_temp.send('quiet', 1, 86400);
SELECT is(triage.ignore(pg_temp.issue('quiet'), until_escalating => true), 1, 'set-up: issue quiet ignored');
SELECT pg_temp.send('quiet', 9);
SELECT is(pg_temp.state('quiet'), 'ignored/archived_until_escalating', 'until escalating: fewer than 10 events in the hour are no spike');

-- Forever.
SELECT pg_temp.send('forever', 1);
SELECT is(triage.ignore(pg_temp.issue('forever')), 1, 'set-up: issue forever ignored');
SELECT pg_temp.send('forever', 50, 0, 20);
SELECT is(pg_temp.state('forever'), 'ignored/archived_forever', 'ignored forever stays ignored');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = pg_temp.issue('forever')), 51::bigint, 'and counts its events');

-- Until a time that has passed: the next event makes it unresolved/ongoing.
SELECT pg_temp.send('time', 1);
SELECT is(triage.ignore(pg_temp.issue('time'), until_time => now() + interval '1 hour'), 1, 'set-up: issue time ignored');
SELECT pg_temp.send('time', 1);
SELECT is(pg_temp.state('time'), 'ignored/archived_until_condition_met', 'until a time to come: stays ignored');
UPDATE triage.group_snoozes SET until = now() - interval '1 minute' WHERE group_id = pg_temp.issue('time');
SELECT pg_temp.send('time', 1);
SELECT is(pg_temp.state('time'), 'unresolved/ongoing', 'until a time that has passed: unresolved/ongoing on the next event');
SELECT is(pg_temp.reason('time'), 'until_time', 'reason until_time');

SELECT * FROM finish();
ROLLBACK;
