-- Mechanisms of the save path that no acceptance case names: the status/substatus CHECK (a C
-- function), triage.merge_group_data (C), and the statement-end fold that, for an event bringing
-- the same latest-event fields the session last wrote, moves only the counters and last_received.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(14);

INSERT INTO triage.projects (slug) VALUES ('internals');
CREATE FUNCTION pg_temp.pid() RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM triage.projects WHERE slug = 'internals' $$;
CREATE FUNCTION pg_temp.event(p_message text) RETURNS text LANGUAGE sql
AS $$ SELECT jsonb_build_object('message', p_message, 'level', 'error',
                               'event_id', replace(gen_random_uuid()::text, '-', ''))::text $$;

-- The CHECK of triage.groups: Sentry's (status, substatus) pairs.
INSERT INTO triage.events (project_id, payload) SELECT pg_temp.pid(), pg_temp.event('Checked issue');
SELECT throws_ok($$UPDATE triage.groups SET status = 'resolved', substatus = 'new'
                    WHERE project_id = pg_temp.pid()$$, '23514', NULL,
                 'resolved with a substatus is refused (check_violation)');
SELECT throws_ok($$UPDATE triage.groups SET substatus = 'archived_forever' WHERE project_id = pg_temp.pid()$$,
                 '23514', NULL, 'unresolved with an ignored substatus is refused');
SELECT throws_ok($$UPDATE triage.groups SET status = 'ignored', substatus = 'regressed'
                    WHERE project_id = pg_temp.pid()$$, '23514', NULL, 'ignored with an unresolved substatus is refused');
SELECT lives_ok($$UPDATE triage.groups SET status = 'ignored', substatus = 'archived_forever'
                   WHERE project_id = pg_temp.pid()$$, 'ignored, archived_forever is allowed');
SELECT lives_ok($$UPDATE triage.groups SET status = 'resolved', substatus = NULL WHERE project_id = pg_temp.pid()$$,
                'resolved without a substatus is allowed');
SELECT is(triage.status_allows_substatus('unresolved', NULL), true, 'no substatus is always allowed');

-- merge_group_data: incoming keys win, creation-only metadata stays, placeholder titles lose.
SELECT is(triage.merge_group_data(
            '{"type": "default", "title": "Real", "location": "a.py",
              "metadata": {"title": "Real", "sdk": {"name": "old"}, "initial_priority": 50, "value": "v1"}}',
            '{"type": "error", "title": "<unlabeled event>", "location": null, "last_received": 2.5,
              "metadata": {"title": "<untitled>", "sdk": {"name": "new"}, "initial_priority": 75, "value": "v2"}}'),
          '{"type": "error", "title": "Real", "location": null, "last_received": 2.5,
            "metadata": {"title": "Real", "sdk": {"name": "old"}, "initial_priority": 50, "value": "v2"}}'::jsonb,
          'merge_group_data: incoming wins, sdk and initial_priority stay, placeholders lose');
SELECT is(triage.merge_group_data('{"title": "Error", "metadata": {}}', '{"title": "Real"}'),
          '{"title": "Real", "metadata": {}}'::jsonb, 'merge_group_data: a placeholder title is replaced');
SELECT is(triage.merge_group_data('{"title": "A"}', '[1]'), '{"title": "A"}'::jsonb,
          'merge_group_data: a non-object incoming value leaves the data');

-- The same fields again: only counters and last_received move (one INSERT a statement, as
-- single-event clients do).
INSERT INTO triage.events (project_id, payload) SELECT pg_temp.pid(), pg_temp.event('Repeated issue');
INSERT INTO triage.events (project_id, payload) SELECT pg_temp.pid(), pg_temp.event('Repeated issue');
INSERT INTO triage.events (project_id, payload) SELECT pg_temp.pid(), pg_temp.event('Repeated issue');
SELECT pg_sleep(0.01);
INSERT INTO triage.events (project_id, payload) SELECT pg_temp.pid(), pg_temp.event('Repeated issue');
SELECT is(times_seen, 4::bigint, 'repeated fields: every event is counted')
  FROM triage.groups WHERE project_id = pg_temp.pid() AND title = 'Repeated issue';
SELECT ok(abs((g.data ->> 'last_received')::float8
              - (SELECT extract(epoch FROM max(e.received_at)) FROM triage.events e WHERE e.group_id = g.id)) < 0.001,
          'repeated fields: data.last_received is the latest event''s arrival')
  FROM triage.groups g WHERE g.project_id = pg_temp.pid() AND g.title = 'Repeated issue';
SELECT is(g.last_seen, (SELECT max(e.occurred_at) FROM triage.events e WHERE e.group_id = g.id),
          'repeated fields: last_seen is the latest event''s time')
  FROM triage.groups g WHERE g.project_id = pg_temp.pid() AND g.title = 'Repeated issue';
-- Different fields after the repeated ones are written.
INSERT INTO triage.events (project_id, payload)
SELECT pg_temp.pid(), jsonb_build_object('message', 'Repeated issue', 'level', 'warning', 'culprit', 'changed',
                                         'event_id', replace(gen_random_uuid()::text, '-', ''))::text;
SELECT is(level::text, 'warning', 'a changed level after repeated fields is written')
  FROM triage.groups WHERE project_id = pg_temp.pid() AND title = 'Repeated issue';
SELECT is(culprit, 'changed', 'a changed culprit after repeated fields is written')
  FROM triage.groups WHERE project_id = pg_temp.pid() AND title = 'Repeated issue';

SELECT * FROM finish();
ROLLBACK;
