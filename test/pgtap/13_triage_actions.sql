-- Triage over SQL, the actions: resolve, unresolve, ignore, set_priority, assign, add_note,
-- delete_issues, discard, merge and unmerge (each in its bigint and bigint[] form: the count of
-- issues changed, a second call changing nothing, the activity, the limits and the bad
-- arguments), a merge and unmerge round trip down to each event, issue_tags, latest_event, the
-- issue_events and issue_stats views, and run_maintenance.
-- Issue counters are folded at the end of each INSERT statement: they are read in later statements.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(194);

\ir helpers/save_path.sql

-- The issues of this file by name, and the name of each event's issue as ingested.
CREATE TEMP TABLE k (name text PRIMARY KEY, id bigint NOT NULL);
CREATE TEMP TABLE evs (event_id uuid PRIMARY KEY, name text NOT NULL);
-- One event of the issue p_name (fingerprint p_name), p_ago seconds before the transaction
-- started, with p_extra merged into the payload. Returns the issue id.
CREATE FUNCTION pg_temp.ev(p_slug text, p_name text, p_ago int, p_extra jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  eid uuid := gen_random_uuid();
  gid bigint;
BEGIN
  INSERT INTO triage.events (project_id, event_id, payload)
  VALUES (pg_temp.pid(p_slug), eid,
          (jsonb_build_object('fingerprint', jsonb_build_array(p_name), 'message', p_name || ' event',
                              'timestamp', pg_temp.ago(p_ago)::bigint) || p_extra)::text)
  RETURNING group_id INTO gid;
  INSERT INTO evs VALUES (eid, p_name);
  IF gid IS NOT NULL THEN
    INSERT INTO k VALUES (p_name, gid) ON CONFLICT (name) DO NOTHING;
  END IF;
  RETURN gid;
END
$$;
CREATE FUNCTION pg_temp.i(p_name text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM k WHERE name = p_name $$;
CREATE FUNCTION pg_temp.st(p_id bigint) RETURNS text LANGUAGE sql
AS $$ SELECT status || '/' || COALESCE(substatus::text, '-') FROM triage.groups WHERE id = p_id $$;
-- The number of activities of a type on an issue, and the data of the latest.
CREATE FUNCTION pg_temp.acts(p_id bigint, p_type text) RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM triage.activities WHERE group_id = p_id AND type = p_type $$;
CREATE FUNCTION pg_temp.act(p_id bigint, p_type text) RETURNS jsonb LANGUAGE sql
AS $$ SELECT data FROM triage.activities WHERE group_id = p_id AND type = p_type ORDER BY id DESC LIMIT 1 $$;
-- The primary hashes of the events first ingested as issue p_name.
CREATE FUNCTION pg_temp.hashes_of(p_name text) RETURNS text[] LANGUAGE sql
AS $$ SELECT array_agg(DISTINCT e.hashes[1]) FROM triage.events e JOIN evs USING (event_id) WHERE evs.name = p_name $$;
-- The result of a statement as text, or its error (so that a wrong error fails one test, not the file).
CREATE FUNCTION pg_temp.try(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  result text;
BEGIN
  EXECUTE p_sql INTO result;
  RETURN result;
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;
-- 1001 ids: one over the limit of an action.
CREATE FUNCTION pg_temp.too_many() RETURNS bigint[] LANGUAGE sql AS $$ SELECT ARRAY(SELECT generate_series(1, 1001)::bigint) $$;

INSERT INTO triage.projects (slug) VALUES ('a13'), ('b13'), ('r13');

-- ---------------------------------------------------------------------------------------------
-- resolve
SELECT pg_temp.ev('a13', n, 3000) FROM unnest(ARRAY['r1', 'r2', 'r3']) n;
SELECT pg_temp.ev('a13', 'r4', 3000, '{"release":"1.0"}');
SELECT pg_temp.ev('a13', 'r5', 2000, '{"release":"1.0"}');
SELECT pg_temp.ev('a13', 'r5', 1000, '{"release":"2.0"}');

SELECT is(triage.resolve(pg_temp.i('r1')), 1, 'resolve(bigint): 1 issue changed');
SELECT is(pg_temp.st(pg_temp.i('r1')), 'resolved/-', 'resolve: resolved, no substatus');
SELECT is((SELECT resolved_at FROM triage.groups WHERE id = pg_temp.i('r1')), now(), 'resolve: resolved_at is now');
SELECT is(pg_temp.act(pg_temp.i('r1'), 'set_resolved'), '{}'::jsonb, 'resolve: a set_resolved activity');
SELECT is(triage.resolve(pg_temp.i('r1')), 0, 'resolve again: 0 changed');
SELECT is(pg_temp.acts(pg_temp.i('r1'), 'set_resolved'), 1::bigint, 'resolve again: no second activity');
SELECT is(triage.resolve(ARRAY[pg_temp.i('r1'), pg_temp.i('r2'), pg_temp.i('r3')]), 2, 'resolve(bigint[]): only the issues that change count');
SELECT is(pg_temp.st(pg_temp.i('r3')), 'resolved/-', 'resolve(bigint[]) resolved the others');
SELECT is(triage.resolve(ARRAY[-1]::bigint[]), 0, 'resolve(bigint[]): unknown ids are skipped');
SELECT throws_ok($$SELECT triage.resolve(-1::bigint)$$, 'P0002', 'issue -1 does not exist', 'resolve(bigint): an unknown issue (P0002)');
SELECT throws_ok($$SELECT triage.resolve(pg_temp.too_many())$$, '22023', 'at most 1000 issues per action, got 1001', 'resolve: more than 1000 ids (22023)');
SELECT throws_ok($$SELECT triage.resolve(NULL::bigint[])$$, '22004', NULL, 'resolve: NULL ids (22004)');
SELECT throws_ok(format($$SELECT triage.resolve(%s, '1.0', true)$$, pg_temp.i('r4')), '22023', NULL, 'resolve: in_release with in_next_release (22023)');
SELECT throws_ok(format($$SELECT triage.resolve(%s, 'nope')$$, pg_temp.i('r4')), 'P0002', NULL, 'resolve: an unknown release (P0002)');
SELECT throws_ok(format($$SELECT triage.resolve(%s, NULL, true)$$, pg_temp.i('r1')), 'P0002', NULL, 'resolve in_next_release: an issue never seen in a release (P0002)');
SELECT is(triage.resolve(pg_temp.i('r4'), '1.0'), 1, 'resolve in_release: 1 changed');
SELECT is((SELECT row(r.type, r.status, rel.version, r.current_release_version)::text
             FROM triage.group_resolutions r JOIN triage.releases rel ON rel.id = r.release_id WHERE r.group_id = pg_temp.i('r4')),
          row('in_release', 'pending', '1.0', NULL::text)::text, 'resolve in_release: a pending in_release resolution for 1.0');
SELECT is((SELECT row(data, ident)::text FROM triage.activities WHERE group_id = pg_temp.i('r4') AND type = 'set_resolved_in_release'),
          row('{"version": "1.0"}'::jsonb, (SELECT id FROM triage.group_resolutions WHERE group_id = pg_temp.i('r4'))::text)::text,
          'resolve in_release: a set_resolved_in_release activity with the version and the resolution');
SELECT is(triage.resolve(ARRAY[pg_temp.i('r5')], NULL, true), 1, 'resolve(bigint[]) in_next_release: 1 changed');
SELECT is((SELECT row(r.type, rel.version, r.current_release_version)::text
             FROM triage.group_resolutions r JOIN triage.releases rel ON rel.id = r.release_id WHERE r.group_id = pg_temp.i('r5')),
          row('in_next_release', '2.0', '2.0')::text, 'resolve in_next_release: resolution against the issue''s newest release');
SELECT is(pg_temp.act(pg_temp.i('r5'), 'set_resolved_in_release'), '{"version": "", "current_release_version": "2.0"}'::jsonb,
          'resolve in_next_release: the activity names the current release');

-- unresolve
SELECT is(triage.unresolve(pg_temp.i('r4')), 1, 'unresolve(bigint): 1 changed');
SELECT is(pg_temp.st(pg_temp.i('r4')), 'unresolved/ongoing', 'unresolve: unresolved and ongoing');
SELECT is((SELECT row(resolved_at, active_at)::text FROM triage.groups WHERE id = pg_temp.i('r4')), row(NULL::timestamptz, now())::text,
          'unresolve: resolved_at cleared, active_at now');
SELECT is((SELECT count(*) FROM triage.group_resolutions WHERE group_id = pg_temp.i('r4')), 0::bigint, 'unresolve: the resolution goes');
SELECT is(pg_temp.act(pg_temp.i('r4'), 'set_unresolved'), '{}'::jsonb, 'unresolve: a set_unresolved activity');
SELECT is(triage.unresolve(pg_temp.i('r4')), 0, 'unresolve again: 0 changed');
SELECT is(triage.unresolve(ARRAY[pg_temp.i('r1'), pg_temp.i('r2'), pg_temp.i('r4')]), 2, 'unresolve(bigint[]): only the issues that change count');
SELECT is(pg_temp.acts(pg_temp.i('r4'), 'set_unresolved'), 1::bigint, 'unresolve(bigint[]): no activity for the unchanged issue');
SELECT throws_ok($$SELECT triage.unresolve(pg_temp.too_many())$$, '22023', NULL, 'unresolve: more than 1000 ids (22023)');
SELECT throws_ok($$SELECT triage.unresolve(-1::bigint)$$, 'P0002', NULL, 'unresolve(bigint): an unknown issue (P0002)');

-- ---------------------------------------------------------------------------------------------
-- ignore
SELECT pg_temp.ev('a13', n, 3000) FROM unnest(ARRAY['i1', 'i2', 'i3', 'i4', 'i5']) n;
SELECT pg_temp.ev('a13', 'i2', 2000);
SELECT is(triage.ignore(pg_temp.i('i1')), 1, 'ignore(bigint) forever: 1 changed');
SELECT is(pg_temp.st(pg_temp.i('i1')), 'ignored/archived_forever', 'ignore forever: ignored, archived_forever');
SELECT is((SELECT count(*) FROM triage.group_snoozes WHERE group_id = pg_temp.i('i1')), 0::bigint, 'ignore forever: no condition row');
SELECT is(pg_temp.act(pg_temp.i('i1'), 'set_ignored'), '{"substatus": "archived_forever", "until_escalating": false}'::jsonb,
          'ignore forever: a set_ignored activity');
SELECT is(triage.ignore(pg_temp.i('i1')), 0, 'ignore forever again: 0 changed');
SELECT is(triage.ignore(pg_temp.i('i1'), until_escalating => true), 1, 'ignore until escalating: a change of condition counts');
SELECT is(pg_temp.st(pg_temp.i('i1')), 'ignored/archived_until_escalating', 'ignore until escalating: archived_until_escalating');
SELECT is(pg_temp.act(pg_temp.i('i1'), 'set_ignored') ->> 'until_escalating', 'true', 'ignore until escalating: the activity says so');
SELECT is(triage.ignore(pg_temp.i('i2'), until_events => 100, event_window => '1 hour'), 1, 'ignore until 100 events in an hour: 1 changed');
SELECT is(pg_temp.st(pg_temp.i('i2')), 'ignored/archived_until_condition_met', 'ignore with a condition: archived_until_condition_met');
SELECT is((SELECT row(until, count, "window", user_count, user_window, times_seen_at_snooze, users_seen_at_snooze, actor)::text
             FROM triage.group_snoozes WHERE group_id = pg_temp.i('i2')),
          row(NULL::timestamptz, 100, interval '1 hour', NULL::int, NULL::interval, 2::bigint, 0::bigint, current_user::text)::text,
          'ignore until events: the condition row (count, window, counters at the time)');
SELECT is(pg_temp.act(pg_temp.i('i2'), 'set_ignored'),
          '{"substatus": "archived_until_condition_met", "until_escalating": false, "ignore_count": 100, "ignore_window": "01:00:00"}'::jsonb,
          'ignore until events: the activity holds the condition');
SELECT is(triage.ignore(pg_temp.i('i2'), until_events => 100, event_window => '1 hour'), 0, 'the same condition again: 0 changed');
SELECT is(triage.ignore(ARRAY[pg_temp.i('i2')], until_events => 200), 1, 'ignore(bigint[]) with another condition: 1 changed');
SELECT is((SELECT row(count, "window")::text FROM triage.group_snoozes WHERE group_id = pg_temp.i('i2')), row(200, NULL::interval)::text,
          'the new condition replaces the old one');
SELECT is(triage.ignore(pg_temp.i('i3'), until_users => 10, event_window => '1 day'), 1, 'ignore until 10 users in a day: 1 changed');
SELECT is((SELECT row(count, "window", user_count, user_window)::text FROM triage.group_snoozes WHERE group_id = pg_temp.i('i3')),
          row(NULL::int, NULL::interval, 10, interval '1 day')::text, 'ignore until users: user_count and user_window');
SELECT is(triage.ignore(pg_temp.i('i4'), until_time => now() + interval '1 day'), 1, 'ignore until a time: 1 changed');
SELECT is((SELECT until FROM triage.group_snoozes WHERE group_id = pg_temp.i('i4')), now() + interval '1 day', 'ignore until a time: until');
SELECT is(triage.ignore(ARRAY[pg_temp.i('i4'), pg_temp.i('i5'), pg_temp.i('i1'), pg_temp.i('r1')]), 4, 'ignore(bigint[]) forever: four issues change');
SELECT is((SELECT count(*) FROM triage.group_snoozes WHERE group_id = pg_temp.i('i4')), 0::bigint, 'ignore forever drops the old condition');
SELECT is(triage.resolve(pg_temp.i('i2')), 1, 'resolve an ignored issue');
SELECT is((SELECT count(*) FROM triage.group_snoozes WHERE group_id = pg_temp.i('i2')), 0::bigint, 'resolve drops the ignore condition');
SELECT is(triage.unresolve(pg_temp.i('i3')), 1, 'unresolve an ignored issue');
SELECT is((SELECT count(*) FROM triage.group_snoozes WHERE group_id = pg_temp.i('i3')), 0::bigint, 'unresolve drops the ignore condition');
SELECT throws_ok(format($$SELECT triage.ignore(%s, true, 10)$$, pg_temp.i('i3')), '22023', NULL, 'ignore: until_escalating with a count (22023)');
SELECT throws_ok(format($$SELECT triage.ignore(%s, until_events => 0)$$, pg_temp.i('i3')), '22023', NULL, 'ignore: until_events 0 (22023)');
SELECT throws_ok(format($$SELECT triage.ignore(%s, until_users => -1)$$, pg_temp.i('i3')), '22023', NULL, 'ignore: until_users negative (22023)');
SELECT throws_ok(format($$SELECT triage.ignore(%s, until_time => now() - interval '1 minute')$$, pg_temp.i('i3')), '22023', NULL, 'ignore: until_time in the past (22023)');
SELECT throws_ok(format($$SELECT triage.ignore(%s, event_window => '1 hour')$$, pg_temp.i('i3')), '22023', NULL, 'ignore: a window without a count (22023)');
SELECT throws_ok(format($$SELECT triage.ignore(%s, until_events => 5, event_window => '-1 hour')$$, pg_temp.i('i3')), '22023', NULL, 'ignore: a negative window (22023)');
SELECT throws_ok($$SELECT triage.ignore(pg_temp.too_many())$$, '22023', NULL, 'ignore: more than 1000 ids (22023)');
SELECT is(pg_temp.st(pg_temp.i('i3')), 'unresolved/ongoing', 'ignore: rejected calls changed nothing');

-- ---------------------------------------------------------------------------------------------
-- set_priority
SELECT pg_temp.ev('a13', 'p1', 3000);
SELECT pg_temp.ev('a13', 'p2', 3000, '{"level":"warning"}');
SELECT is(triage.set_priority(pg_temp.i('p1'), 'low'), 1, 'set_priority(bigint): 1 changed');
SELECT is((SELECT row(priority, priority_locked_at)::text FROM triage.groups WHERE id = pg_temp.i('p1')), row('low'::triage.priority_level, now())::text,
          'set_priority: the priority, locked now');
SELECT is(pg_temp.act(pg_temp.i('p1'), 'set_priority'), '{"priority": "low", "previous": "high"}'::jsonb, 'set_priority: the activity');
SELECT is(triage.set_priority(pg_temp.i('p1'), 'low'), 0, 'set_priority again: 0 changed');
SELECT is(triage.set_priority(pg_temp.i('p2'), 'medium'), 1, 'set_priority to the same but unlocked priority: it is locked (1 changed)');
SELECT isnt((SELECT priority_locked_at FROM triage.groups WHERE id = pg_temp.i('p2')), NULL, 'set_priority locks the priority');
SELECT is(triage.set_priority(ARRAY[pg_temp.i('p1'), pg_temp.i('p2')], 'high'), 2, 'set_priority(bigint[]): 2 changed');
SELECT is(triage.set_priority(ARRAY[pg_temp.i('p1'), pg_temp.i('p2')], 'high'), 0, 'set_priority(bigint[]) again: 0 changed');
SELECT throws_ok(format($$SELECT triage.set_priority(%s, 'urgent')$$, pg_temp.i('p1')), '22023', NULL, 'set_priority: an unknown priority (22023)');
SELECT throws_ok(format($$SELECT triage.set_priority(%s, NULL)$$, pg_temp.i('p1')), '22023', NULL, 'set_priority: NULL (22023)');
SELECT throws_ok($$SELECT triage.set_priority(pg_temp.too_many(), 'low')$$, '22023', NULL, 'set_priority: more than 1000 ids (22023)');

-- assign, add_note
SELECT is(triage.assign(pg_temp.i('p1'), 'alice'), 1, 'assign(bigint): 1 changed');
SELECT is((SELECT assignee FROM triage.groups WHERE id = pg_temp.i('p1')), 'alice', 'assign: the assignee');
SELECT is(pg_temp.act(pg_temp.i('p1'), 'assigned'), '{"assignee": "alice", "previous": null}'::jsonb, 'assign: an assigned activity');
SELECT is(triage.assign(pg_temp.i('p1'), 'alice'), 0, 'assign again: 0 changed');
SELECT is(triage.assign(ARRAY[pg_temp.i('p1'), pg_temp.i('p2')], 'bob'), 2, 'assign(bigint[]): 2 changed');
SELECT is(pg_temp.act(pg_temp.i('p1'), 'assigned'), '{"assignee": "bob", "previous": "alice"}'::jsonb, 'reassign: the previous assignee');
SELECT is(triage.assign(pg_temp.i('p1'), NULL), 1, 'assign NULL: unassigns');
SELECT is(row((SELECT assignee FROM triage.groups WHERE id = pg_temp.i('p1')), pg_temp.act(pg_temp.i('p1'), 'unassigned'))::text,
          row(NULL::text, '{"assignee": null, "previous": "bob"}'::jsonb)::text, 'unassign: no assignee, an unassigned activity');
SELECT throws_ok(format($$SELECT triage.assign(%s, '')$$, pg_temp.i('p1')), '22023', NULL, 'assign: an empty assignee (22023)');
SELECT throws_ok($$SELECT triage.assign(pg_temp.too_many(), 'x')$$, '22023', NULL, 'assign: more than 1000 ids (22023)');
CREATE TEMP TABLE notes AS SELECT triage.add_note(pg_temp.i('p1'), 'looked into it') AS id;
INSERT INTO notes SELECT triage.add_note(pg_temp.i('p1'), 'second', 'carol');
SELECT is((SELECT array_agg(id ORDER BY id) FROM notes), (SELECT array_agg(id ORDER BY id) FROM triage.activities WHERE group_id = pg_temp.i('p1') AND type = 'note'),
          'add_note returns the activity id');
SELECT is((SELECT array_agg(row(data, actor)::text ORDER BY id) FROM triage.activities WHERE group_id = pg_temp.i('p1') AND type = 'note'),
          ARRAY[row('{"text": "looked into it"}'::jsonb, current_user::text)::text, row('{"text": "second"}'::jsonb, 'carol')::text],
          'add_note: a note activity with the text, by the current user or the given actor');
SELECT throws_ok(format($$SELECT triage.add_note(%s, '  ')$$, pg_temp.i('p1')), '22023', NULL, 'add_note: a blank note (22023)');
SELECT throws_ok($$SELECT triage.add_note(-1, 'x')$$, 'P0002', NULL, 'add_note: an unknown issue (P0002)');

-- ---------------------------------------------------------------------------------------------
-- delete_issues
SELECT pg_temp.ev('a13', 'd1', 3000, '{"release":"1.0","environment":"production"}');
SELECT pg_temp.ev('a13', 'd1', 2000, '{"release":"1.0","environment":"production"}');
SELECT pg_temp.ev('a13', n, 3000) FROM unnest(ARRAY['d2', 'd3']) n;
SELECT triage.add_note(pg_temp.i('d1'), 'to be deleted');
CREATE TEMP TABLE d1_hashes AS SELECT unnest(pg_temp.hashes_of('d1')) AS hash;
SELECT is(triage.delete_issues(pg_temp.i('d1')), 1, 'delete_issues(bigint): 1 deleted');
SELECT is((SELECT count(*) FROM triage.groups WHERE id = pg_temp.i('d1')), 0::bigint, 'delete: the issue is gone');
SELECT is((SELECT count(*) FROM triage.events JOIN evs USING (event_id) WHERE evs.name = 'd1'), 0::bigint, 'delete: its events are gone');
SELECT is((SELECT count(*) FROM triage.grouphashes WHERE project_id = pg_temp.pid('a13') AND hash IN (SELECT hash FROM d1_hashes)), 0::bigint,
          'delete: its hashes are gone');
SELECT is((SELECT count(*) FROM triage.group_environments WHERE group_id = pg_temp.i('d1')) + (SELECT count(*) FROM triage.group_releases WHERE group_id = pg_temp.i('d1'))
            + (SELECT count(*) FROM triage.activities WHERE group_id = pg_temp.i('d1')), 0::bigint,
          'delete: its environments, releases and activities are gone');
SELECT is(triage.delete_issues(ARRAY[pg_temp.i('d1'), pg_temp.i('d2'), pg_temp.i('d3')]), 2, 'delete_issues(bigint[]): the 2 remaining deleted');
SELECT throws_ok(format($$SELECT triage.delete_issues(%s::bigint)$$, pg_temp.i('d1')), 'P0002', NULL, 'delete_issues(bigint) of a deleted issue (P0002)');
SELECT throws_ok($$SELECT triage.delete_issues(pg_temp.too_many())$$, '22023', NULL, 'delete_issues: more than 1000 ids (22023)');
CREATE TEMP TABLE d1_new AS SELECT pg_temp.ev('a13', 'd1', 1000) AS id;
SELECT isnt((SELECT id FROM d1_new), pg_temp.i('d1'), 'delete: a new event with the same message makes a new issue');
SELECT is((SELECT row(times_seen, status, substatus)::text FROM triage.groups WHERE id = (SELECT id FROM d1_new)),
          row(1::bigint, 'unresolved'::triage.group_status, 'new'::triage.group_substatus)::text, 'delete: the new issue starts anew');

-- discard
SELECT pg_temp.ev('a13', 'dc1', 3000, '{"level":"warning","culprit":"app in handler"}');
SELECT pg_temp.ev('a13', 'dc1', 2000, '{"level":"warning","culprit":"app in handler"}');
SELECT pg_temp.ev('a13', 'dc2', 3000);
CREATE TEMP TABLE dc1_hashes AS SELECT unnest(pg_temp.hashes_of('dc1')) AS hash;
CREATE TEMP TABLE discarded_before AS SELECT COALESCE((SELECT discarded FROM triage.ingest_stats WHERE slug = 'a13'), 0) AS n;
SELECT is(triage.discard(pg_temp.i('dc1')), 1, 'discard(bigint): 1 discarded');
SELECT is((SELECT row(level, message, culprit)::text FROM triage.group_tombstones WHERE previous_group_id = pg_temp.i('dc1')),
          row('warning'::triage.log_level, 'dc1 event app in handler', 'app in handler')::text, 'discard: a tombstone of the issue');
SELECT is((SELECT array_agg(DISTINCT row(h.group_id, h.group_tombstone_id)::text) FROM triage.grouphashes h WHERE h.project_id = pg_temp.pid('a13') AND h.hash IN (SELECT hash FROM dc1_hashes)),
          ARRAY[row(NULL::bigint, (SELECT id FROM triage.group_tombstones WHERE previous_group_id = pg_temp.i('dc1')))::text], 'discard: the hashes point at the tombstone');
SELECT is((SELECT count(*) FROM triage.groups WHERE id = pg_temp.i('dc1')) + (SELECT count(*) FROM triage.events JOIN evs USING (event_id) WHERE evs.name = 'dc1'),
          0::bigint, 'discard: the issue and its events are gone');
SELECT is(pg_temp.ev('a13', 'dc1', 1000, '{"level":"warning","culprit":"app in handler"}'), NULL, 'discard: a new event with the hash is dropped');
SELECT is((SELECT count(*) FROM triage.events JOIN evs USING (event_id) WHERE evs.name = 'dc1'), 0::bigint, 'discard: the dropped event is not stored');
SELECT is((SELECT discarded FROM triage.ingest_stats WHERE slug = 'a13'), (SELECT n + 1 FROM discarded_before), 'discard: the dropped event is counted in ingest_stats');
SELECT is((SELECT times_discarded FROM triage.group_tombstones WHERE previous_group_id = pg_temp.i('dc1')), 1::bigint, 'discard: and on the tombstone');
SELECT is(triage.discard(ARRAY[pg_temp.i('dc1'), pg_temp.i('dc2')]), 1, 'discard(bigint[]): only the remaining issue');
SELECT throws_ok($$SELECT triage.discard(pg_temp.too_many())$$, '22023', NULL, 'discard: more than 1000 ids (22023)');

-- ---------------------------------------------------------------------------------------------
-- merge
SELECT pg_temp.ev('a13', 'm1', s, '{"release":"1.0","environment":"production"}') FROM unnest(ARRAY[5000, 4000, 3000]) s;
SELECT pg_temp.ev('a13', 'm2', s, '{"release":"2.0","environment":"staging"}') FROM unnest(ARRAY[9000, 8000]) s;
SELECT pg_temp.ev('a13', 'm3', s, '{"release":"1.0","environment":"production"}') FROM unnest(ARRAY[2000, 1500, 100]) s;
SELECT pg_temp.ev('b13', 'x1', 100);
SELECT triage.add_note(pg_temp.i('m1'), 'note on m1');
CREATE TEMP TABLE merged_hashes AS SELECT unnest(pg_temp.hashes_of('m1') || pg_temp.hashes_of('m2')) AS hash;
SELECT is(triage.merge(ARRAY[pg_temp.i('m1'), pg_temp.i('m2'), pg_temp.i('m3')]), pg_temp.i('m3'),
          'merge: the survivor has the highest (times_seen, id) (m3: 3 events like m1, higher id)');
SELECT is((SELECT count(*) FROM triage.groups WHERE id IN (pg_temp.i('m1'), pg_temp.i('m2'))), 0::bigint, 'merge: the others are gone');
SELECT is((SELECT array_agg(DISTINCT group_id) FROM triage.grouphashes WHERE project_id = pg_temp.pid('a13') AND hash IN (SELECT hash FROM merged_hashes)),
          ARRAY[pg_temp.i('m3')], 'merge: their hashes move to the survivor');
SELECT is((SELECT array_agg(DISTINCT e.group_id) FROM triage.events e JOIN evs USING (event_id) WHERE evs.name IN ('m1', 'm2', 'm3')),
          ARRAY[pg_temp.i('m3')], 'merge: all 8 events belong to the survivor');
SELECT is((SELECT row(times_seen, first_seen, last_seen)::text FROM triage.groups WHERE id = pg_temp.i('m3')),
          row(8::bigint, pg_temp.at(9000), pg_temp.at(100))::text, 'merge: times_seen summed, first_seen min, last_seen max');
SELECT is((SELECT environments FROM triage.issues WHERE id = pg_temp.i('m3')), ARRAY['production', 'staging'], 'merge: environments move');
SELECT is((SELECT array_agg(r.version || '@' || gr.environment ORDER BY r.version) FROM triage.group_releases gr JOIN triage.releases r ON r.id = gr.release_id WHERE gr.group_id = pg_temp.i('m3')),
          ARRAY['1.0@production', '2.0@staging'], 'merge: releases move');
SELECT is((SELECT row(min(first_seen), max(last_seen))::text FROM triage.group_releases WHERE group_id = pg_temp.i('m3') AND environment = 'production'),
          row(pg_temp.at(5000), pg_temp.at(100))::text, 'merge: a release both had spans both issues');
SELECT is((SELECT count(*) FROM triage.group_environments WHERE group_id IN (pg_temp.i('m1'), pg_temp.i('m2')))
            + (SELECT count(*) FROM triage.group_releases WHERE group_id IN (pg_temp.i('m1'), pg_temp.i('m2'))), 0::bigint,
          'merge: no side rows left on the merged ids');
SELECT is(pg_temp.act(pg_temp.i('m3'), 'note'), '{"text": "note on m1"}'::jsonb, 'merge: activities move');
SELECT is(pg_temp.act(pg_temp.i('m3'), 'merge'), jsonb_build_object('issues', jsonb_build_array(jsonb_build_object('id', pg_temp.i('m1')), jsonb_build_object('id', pg_temp.i('m2')))),
          'merge: a merge activity lists the merged issues');
SELECT is((SELECT array_agg(group_id ORDER BY previous_group_id) FROM triage.group_redirects WHERE previous_group_id IN (pg_temp.i('m1'), pg_temp.i('m2'))),
          ARRAY[pg_temp.i('m3'), pg_temp.i('m3')], 'merge: redirects from the merged ids');
SELECT is(pg_temp.try(format('SELECT triage.resolve(%s::bigint)', pg_temp.i('m1'))), '1', 'an action on a merged id applies to the survivor');
SELECT is(pg_temp.st(pg_temp.i('m3')), 'resolved/-', 'the survivor was resolved');
SELECT is(triage.unresolve(ARRAY[pg_temp.i('m2')]), 1, 'an action (bigint[]) on a merged id applies to the survivor');
SELECT is(pg_temp.ev('a13', 'm1', 50, '{"release":"1.0","environment":"production"}'), pg_temp.i('m3'), 'a new event with a merged hash lands in the survivor');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = pg_temp.i('m3')), 9::bigint, 'and is counted there');
SELECT throws_ok(format($$SELECT triage.merge(ARRAY[%s])$$, pg_temp.i('m3')), '22023', NULL, 'merge: one issue (22023)');
SELECT throws_ok(format($$SELECT triage.merge(ARRAY[%s, %s])$$, pg_temp.i('m3'), pg_temp.i('m1')), '22023', NULL, 'merge: an issue with its own merged id (22023)');
SELECT throws_ok(format($$SELECT triage.merge(ARRAY[%s, -1])$$, pg_temp.i('m3')), '22023', NULL, 'merge: an unknown issue (22023)');
SELECT throws_ok(format($$SELECT triage.merge(ARRAY[%s, %s])$$, pg_temp.i('m3'), pg_temp.i('x1')), '22023',
                 'only issues of one project can be merged', 'merge: issues of different projects (22023)');
SELECT throws_ok($$SELECT triage.merge(pg_temp.too_many())$$, '22023', NULL, 'merge: more than 1000 ids (22023)');
-- A second merge into a bigger issue: the earlier redirects follow.
SELECT pg_temp.ev('a13', 'm4', s, '{"environment":"production"}') FROM generate_series(10, 100, 10) s;
SELECT is(triage.merge(ARRAY[pg_temp.i('m3'), pg_temp.i('m4')]), pg_temp.i('m4'), 'merge: the issue with more events survives (m4: 10)');
SELECT is((SELECT array_agg(group_id ORDER BY previous_group_id) FROM triage.group_redirects WHERE previous_group_id IN (pg_temp.i('m1'), pg_temp.i('m2'), pg_temp.i('m3'))),
          ARRAY[pg_temp.i('m4'), pg_temp.i('m4'), pg_temp.i('m4')], 'merge: earlier redirects now point at the new survivor');

-- unmerge
SELECT is((SELECT count(*) FROM triage.events WHERE group_id = pg_temp.i('m4')), 19::bigint, 'unmerge setup: m4 has 19 events');
CREATE TEMP TABLE unmerged AS SELECT triage.unmerge(pg_temp.i('m4'), pg_temp.hashes_of('m2')) AS id;
SELECT isnt((SELECT id FROM unmerged), pg_temp.i('m4'), 'unmerge returns a new issue');
SELECT is((SELECT array_agg(DISTINCT group_id) FROM triage.grouphashes WHERE project_id = pg_temp.pid('a13') AND hash = ANY (pg_temp.hashes_of('m2'))),
          ARRAY[(SELECT id FROM unmerged)], 'unmerge: the listed hashes move to the new issue');
SELECT is((SELECT array_agg(DISTINCT e.group_id) FROM triage.events e JOIN evs USING (event_id) WHERE evs.name = 'm2'),
          ARRAY[(SELECT id FROM unmerged)], 'unmerge: the events whose primary hash is listed move');
SELECT is((SELECT array_agg(DISTINCT e.group_id) FROM triage.events e JOIN evs USING (event_id) WHERE evs.name IN ('m1', 'm3', 'm4')),
          ARRAY[pg_temp.i('m4')], 'unmerge: the other events stay');
SELECT is((SELECT row(times_seen, first_seen, last_seen, first_release, status, substatus, environments)::text FROM triage.issues WHERE id = (SELECT id FROM unmerged)),
          row(2::bigint, pg_temp.at(9000), pg_temp.at(8000), '2.0', 'unresolved'::triage.group_status, 'new'::triage.group_substatus, ARRAY['staging'])::text,
          'unmerge: the new issue''s counters, first release, state and environments come from its events');
SELECT is((SELECT row(times_seen, first_seen, last_seen, environments)::text FROM triage.issues WHERE id = pg_temp.i('m4')),
          row(17::bigint, pg_temp.at(5000), pg_temp.at(10), ARRAY['production'])::text, 'unmerge: the source''s counters are recomputed');
SELECT is(pg_temp.act(pg_temp.i('m4'), 'unmerge_source'), jsonb_build_object('destination_id', (SELECT id FROM unmerged), 'fingerprints', to_jsonb(pg_temp.hashes_of('m2'))),
          'unmerge: an unmerge_source activity');
SELECT is(pg_temp.act((SELECT id FROM unmerged), 'unmerge_destination'), jsonb_build_object('source_id', pg_temp.i('m4'), 'fingerprints', to_jsonb(pg_temp.hashes_of('m2'))),
          'unmerge: an unmerge_destination activity');
SELECT is(pg_temp.ev('a13', 'm2', 60, '{"release":"2.0","environment":"staging"}'), (SELECT id FROM unmerged), 'unmerge: a later event with such a hash lands in the new issue');
SELECT throws_ok(format($$SELECT triage.unmerge(%s, ARRAY['ffffffffffffffffffffffffffffffff'])$$, pg_temp.i('m4')), '22023', NULL, 'unmerge: a hash not of the issue (22023)');
INSERT INTO triage.grouphashes (project_id, hash, group_id) VALUES (pg_temp.pid('a13'), 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', pg_temp.i('m4'));
SELECT throws_ok(format($$SELECT triage.unmerge(%s, ARRAY['eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'])$$, pg_temp.i('m4')), '22023', NULL, 'unmerge: a hash without events (22023)');
SELECT throws_ok(format($$SELECT triage.unmerge(%s, '{}')$$, pg_temp.i('m4')), '22023', NULL, 'unmerge: no hashes (22023)');
SELECT throws_ok($$SELECT triage.unmerge(-1, ARRAY['ffffffffffffffffffffffffffffffff'])$$, 'P0002', NULL, 'unmerge: an unknown issue (P0002)');

-- ---------------------------------------------------------------------------------------------
-- A merge and unmerge round trip: every event back in its issue, every counter as before.
SELECT pg_temp.ev('a13', 'rt1', s, '{"release":"1.0","environment":"production","user":{"id":"u1"}}') FROM unnest(ARRAY[7000, 6000]) s;
SELECT pg_temp.ev('a13', 'rt1', 500, '{"release":"1.1","environment":"production","user":{"id":"u2"}}');
SELECT pg_temp.ev('a13', 'rt2', 8000, '{"release":"2.0","environment":"staging","user":{"id":"u3"}}');
SELECT pg_temp.ev('a13', 'rt2', 200, '{"release":"2.0","environment":"staging","user":{"id":"u1"}}');
SELECT is((SELECT array_agg(users_seen ORDER BY id) FROM triage.groups WHERE id IN (pg_temp.i('rt1'), pg_temp.i('rt2'))), ARRAY[2, 2]::bigint[],
          'round trip setup: users seen at ingest (rt1: u1, u2; rt2: u3, u1)');
CREATE TEMP TABLE rt_events AS SELECT e.event_id, e.group_id FROM triage.events e JOIN evs USING (event_id) WHERE evs.name IN ('rt1', 'rt2');
CREATE TEMP TABLE rt_issues AS
SELECT i.id, i.times_seen, i.users_seen, i.first_seen, i.last_seen, i.first_release, i.last_release, i.environments, i.level, i.title,
       ARRAY(SELECT row(gr.release_id, gr.environment, gr.first_seen, gr.last_seen)::text FROM triage.group_releases gr WHERE gr.group_id = i.id ORDER BY 1) AS releases
  FROM triage.issues i WHERE i.id IN (pg_temp.i('rt1'), pg_temp.i('rt2'));
SELECT is(triage.merge(ARRAY[pg_temp.i('rt2'), pg_temp.i('rt1')]), pg_temp.i('rt1'), 'round trip: merge into rt1 (3 events)');
SELECT is((SELECT array_agg(DISTINCT e.group_id) FROM triage.events e JOIN rt_events USING (event_id)), ARRAY[pg_temp.i('rt1')], 'round trip: merged, all 5 events in rt1');
SELECT is((SELECT row(times_seen, users_seen)::text FROM triage.groups WHERE id = pg_temp.i('rt1')), row(5::bigint, 3::bigint)::text,
          'round trip: merged, 5 events of 3 distinct users (u1 counted once)');
CREATE TEMP TABLE rt_new AS SELECT triage.unmerge(pg_temp.i('rt1'), pg_temp.hashes_of('rt2')) AS id;
SELECT is((SELECT array_agg(e.group_id ORDER BY e.event_id) FROM triage.events e JOIN rt_events USING (event_id)),
          (SELECT array_agg(CASE WHEN group_id = pg_temp.i('rt2') THEN (SELECT id FROM rt_new) ELSE group_id END ORDER BY event_id) FROM rt_events),
          'round trip: each event is back in its issue (rt2''s in the new issue)');
SELECT is((SELECT row(times_seen, users_seen, first_seen, last_seen, first_release, last_release, environments, level, title)::text FROM triage.issues WHERE id = pg_temp.i('rt1')),
          (SELECT row(times_seen, users_seen, first_seen, last_seen, first_release, last_release, environments, level, title)::text FROM rt_issues WHERE id = pg_temp.i('rt1')),
          'round trip: rt1''s counters (times_seen, users_seen, first_seen, last_seen), releases, environments, level and title as before');
SELECT is((SELECT row(times_seen, users_seen, first_seen, last_seen, first_release, last_release, environments, level, title)::text FROM triage.issues WHERE id = (SELECT id FROM rt_new)),
          (SELECT row(times_seen, users_seen, first_seen, last_seen, first_release, last_release, environments, level, title)::text FROM rt_issues WHERE id = pg_temp.i('rt2')),
          'round trip: the new issue has rt2''s counters (times_seen, users_seen, first_seen, last_seen), releases, environments, level and title');
SELECT is(ARRAY(SELECT row(gr.release_id, gr.environment, gr.first_seen, gr.last_seen)::text FROM triage.group_releases gr WHERE gr.group_id = pg_temp.i('rt1') ORDER BY 1),
          (SELECT releases FROM rt_issues WHERE id = pg_temp.i('rt1')), 'round trip: rt1''s release rows as before');
SELECT is(ARRAY(SELECT row(gr.release_id, gr.environment, gr.first_seen, gr.last_seen)::text FROM triage.group_releases gr WHERE gr.group_id = (SELECT id FROM rt_new) ORDER BY 1),
          (SELECT releases FROM rt_issues WHERE id = pg_temp.i('rt2')), 'round trip: the new issue has rt2''s release rows');

-- ---------------------------------------------------------------------------------------------
-- issue_tags, latest_event, issue_events
SELECT pg_temp.ev('a13', 'tg', s, format('{"tags":{"browser":"%s","route":"%s"}}', b, r)::jsonb)
  FROM (VALUES (900, 'Firefox', '/a'), (800, 'Chrome', '/a'), (700, 'Firefox', '/b'), (600, 'Chrome', '/a'), (650, 'Firefox', '/a')) v(s, b, r);
SELECT is((SELECT array_agg(key || '=' || value || ':' || events ORDER BY ord) FROM triage.issue_tags(pg_temp.i('tg')) WITH ORDINALITY t(key, value, events, f, l, ord) WHERE key IN ('browser', 'route', 'level')),
          ARRAY['browser=Firefox:3', 'browser=Chrome:2', 'level=error:5', 'route=/a:4', 'route=/b:1'], 'issue_tags: each tag''s values with counts, most frequent first');
SELECT is((SELECT row(first_seen, last_seen)::text FROM triage.issue_tags(pg_temp.i('tg')) WHERE key = 'browser' AND value = 'Chrome'),
          row(pg_temp.at(800), pg_temp.at(600))::text, 'issue_tags: first and last seen of a value');
SELECT is((SELECT array_agg(key || '=' || value ORDER BY key) FROM triage.issue_tags(pg_temp.i('tg'), 1) WHERE key IN ('browser', 'route')),
          ARRAY['browser=Firefox', 'route=/a'], 'issue_tags(top => 1): the top value of each tag');
SELECT is((SELECT occurred_at FROM triage.latest_event(pg_temp.i('tg'))), pg_temp.at(600), 'latest_event: the latest event');
SELECT is((SELECT occurred_at FROM triage.latest_event(pg_temp.i('m1'))), pg_temp.at(10), 'latest_event of a merged id: the survivor''s (m4)');
SELECT is((SELECT array_agg(occurred_at ORDER BY occurred_at DESC) FROM triage.issue_events WHERE group_id = pg_temp.i('tg')),
          ARRAY[pg_temp.at(600), pg_temp.at(650), pg_temp.at(700), pg_temp.at(800), pg_temp.at(900)], 'issue_events: the issue''s events');
SELECT is((SELECT tags ->> 'browser' FROM triage.issue_events WHERE group_id = pg_temp.i('tg') AND occurred_at = pg_temp.at(800)), 'Chrome', 'issue_events: with their tags');

-- issue_stats: 24 hourly and 14 daily buckets (UTC), zeros included.
SELECT pg_temp.ev('a13', 'stats', s) FROM unnest(ARRAY[600, 600, 10800, 172800, 1728000]) s;
SELECT is((SELECT array_agg(period || ':' || n ORDER BY period) FROM (SELECT period, count(*) n FROM triage.issue_stats WHERE group_id = pg_temp.i('stats') GROUP BY period) x),
          ARRAY['14d:14', '24h:24'], 'issue_stats: 24 hourly and 14 daily buckets');
SELECT is((SELECT events FROM triage.issue_stats WHERE group_id = pg_temp.i('stats') AND period = '24h' AND bucket = date_trunc('hour', pg_temp.at(600), 'UTC')),
          2::bigint, 'issue_stats: two events in one hour');
SELECT is((SELECT events FROM triage.issue_stats WHERE group_id = pg_temp.i('stats') AND period = '24h' AND bucket = date_trunc('hour', pg_temp.at(10800), 'UTC')),
          1::bigint, 'issue_stats: one event three hours ago');
SELECT is((SELECT sum(events) FROM triage.issue_stats WHERE group_id = pg_temp.i('stats') AND period = '24h'), 3::numeric, 'issue_stats: 3 events in the last 24 hours');
SELECT is((SELECT events FROM triage.issue_stats WHERE group_id = pg_temp.i('stats') AND period = '14d' AND bucket = date_trunc('day', pg_temp.at(172800), 'UTC')),
          1::bigint, 'issue_stats: one event two days ago');
SELECT is((SELECT sum(events) FROM triage.issue_stats WHERE group_id = pg_temp.i('stats') AND period = '14d'), 4::numeric, 'issue_stats: 4 events in 14 days (not the one 20 days ago)');

-- ---------------------------------------------------------------------------------------------
-- run_maintenance
UPDATE triage.projects SET resolve_age = interval '1 day' WHERE slug = 'r13';
SELECT pg_temp.ev('a13', n, 1000) FROM unnest(ARRAY['n1', 'n2', 'n3', 'n4', 'ig1', 'ig2', 'o3']) n;
SELECT pg_temp.ev('r13', 'o1', 172800);
SELECT pg_temp.ev('r13', 'o2', 3600);
UPDATE triage.groups SET first_seen = now() - interval '8 days' WHERE id = pg_temp.i('n1');
UPDATE triage.groups SET first_seen = now() - interval '6 days' WHERE id = pg_temp.i('n2');
UPDATE triage.groups SET substatus = 'regressed', active_at = now() - interval '8 days' WHERE id = pg_temp.i('n3');
UPDATE triage.groups SET substatus = 'regressed', active_at = now() - interval '1 day' WHERE id = pg_temp.i('n4');
UPDATE triage.groups SET last_seen = now() - interval '2 days' WHERE id = pg_temp.i('o3');
SELECT triage.ignore(ARRAY[pg_temp.i('ig1'), pg_temp.i('ig2')], until_time => now() + interval '1 hour');
UPDATE triage.group_snoozes SET until = now() - interval '1 minute' WHERE group_id = pg_temp.i('ig1');
CREATE TEMP TABLE maintenance AS SELECT * FROM triage.run_maintenance();
SELECT is((SELECT array_agg(transition ORDER BY transition) FROM maintenance), ARRAY['auto_resolved', 'ignore_expired', 'to_ongoing'], 'run_maintenance: one row per transition');
SELECT is(pg_temp.st(pg_temp.i('n1')), 'unresolved/ongoing', 'run_maintenance: new for more than 7 days becomes ongoing');
SELECT is(pg_temp.act(pg_temp.i('n1'), 'auto_set_ongoing'), '{"after_days": 7}'::jsonb, 'run_maintenance: with an auto_set_ongoing activity');
SELECT is(pg_temp.st(pg_temp.i('n2')), 'unresolved/new', 'run_maintenance: new for 6 days stays new');
SELECT is(pg_temp.st(pg_temp.i('n3')), 'unresolved/ongoing', 'run_maintenance: regressed 8 days ago becomes ongoing');
SELECT is(pg_temp.st(pg_temp.i('n4')), 'unresolved/regressed', 'run_maintenance: regressed a day ago stays');
SELECT is(pg_temp.st(pg_temp.i('ig1')), 'unresolved/ongoing', 'run_maintenance: an ignore until a passed time expires');
SELECT is((SELECT count(*) FROM triage.group_snoozes WHERE group_id = pg_temp.i('ig1')), 0::bigint, 'run_maintenance: the expired condition is dropped');
SELECT is(pg_temp.act(pg_temp.i('ig1'), 'set_unresolved'), '{"reason": "ignore_until_expired"}'::jsonb, 'run_maintenance: a set_unresolved activity with the reason');
SELECT is(pg_temp.st(pg_temp.i('ig2')), 'ignored/archived_until_condition_met', 'run_maintenance: an ignore until a later time stays');
SELECT is((SELECT issues FROM maintenance WHERE transition = 'ignore_expired'), 1::bigint, 'run_maintenance: 1 ignore expired');
SELECT is(pg_temp.st(pg_temp.i('o1')), 'resolved/-', 'run_maintenance: an issue older than the project''s resolve_age is resolved');
SELECT is(pg_temp.act(pg_temp.i('o1'), 'set_resolved_by_age'), '{}'::jsonb, 'run_maintenance: with a set_resolved_by_age activity');
SELECT is(pg_temp.st(pg_temp.i('o2')), 'unresolved/new', 'run_maintenance: an issue seen within resolve_age stays');
SELECT is(pg_temp.st(pg_temp.i('o3')), 'unresolved/new', 'run_maintenance: no auto-resolve without a resolve_age');
SELECT is((SELECT issues FROM maintenance WHERE transition = 'auto_resolved'), 1::bigint, 'run_maintenance: 1 auto-resolved');
SELECT cmp_ok((SELECT issues FROM maintenance WHERE transition = 'to_ongoing'), '>=', 2::bigint, 'run_maintenance: at least n1 and n3 to ongoing');
SELECT is((SELECT array_agg(issues) FROM triage.run_maintenance()), ARRAY[0, 0, 0]::bigint[], 'run_maintenance again: nothing to do');

-- ---------------------------------------------------------------------------------------------
-- The users-seen sketch's SQL functions: the two halves the save path keeps, and bad input.
CREATE TEMP TABLE sk AS
SELECT (SELECT triage.user_sketch_agg('u' || n) FROM generate_series(1, 300) n) AS main,
       (SELECT triage.user_sketch_agg('r' || n) FROM generate_series(1, 30) n) AS recent,
       (SELECT triage.user_sketch_agg('d' || n) FROM generate_series(1, 2) n) AS small_delta,
       (SELECT triage.user_sketch_agg('d' || n) FROM generate_series(1, 5) n) AS big_delta;
SELECT is((SELECT triage.user_sketch_estimate(triage.user_sketch_recent(recent, small_delta)) FROM sk), 32::bigint,
          'user_sketch_recent: the recent half takes a delta while it stays at 32 users');
SELECT is((SELECT triage.user_sketch_recent(recent, big_delta) FROM sk), NULL::bytea,
          'user_sketch_recent: NULL when the recent half would outgrow 32 users');
SELECT is((SELECT triage.user_sketch_main(main, recent, small_delta) = main FROM sk), true,
          'user_sketch_main: the main half unchanged while the recent half takes the delta');
SELECT is((SELECT triage.user_sketch_main(main, recent, big_delta)
                  = triage.user_sketch_union(triage.user_sketch_union(main, recent), big_delta) FROM sk), true,
          'user_sketch_main: on overflow, the union of all three');
SELECT is(triage.user_sketch_estimate(NULL), 0::bigint, 'user_sketch_estimate: no sketch, no users');
SELECT throws_ok($$SELECT triage.user_sketch_estimate('\x07'::bytea)$$, '22023', NULL,
                 'user_sketch_estimate: a corrupt sketch is an error (22023)');
SELECT throws_ok($$SELECT triage.user_sketch_union('\x0102'::bytea, NULL)$$, '22023', NULL,
                 'user_sketch_union: a truncated sketch is an error (22023)');

SELECT * FROM finish();
ROLLBACK;
