-- The save path, regressions: resolving and unresolving, when an event reopens a resolved issue
-- (resolutions in a release, in the next release, semver and date ordering, resolve_age, the
-- 5-second active_at window) and what a regression writes. Section 18 behaviours 14-16 and the
-- acceptance cases of section 16.3 of the save-path notes (test names start with the case id).
-- Events are dated in the past (the first one 50000 s back) so that the 5-second rule on
-- active_at can be controlled exactly. Issue counters are folded at the end of each INSERT
-- statement: they are read in later statements. (NOTIFY cannot be observed inside one
-- transaction; it is not tested here.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(78);

\ir helpers/save_path.sql
-- Sends one event of an issue (fingerprint p_fp) p_seconds ago, optionally in a release.
CREATE FUNCTION pg_temp.send(p_slug text, p_event uuid, p_fp text, p_seconds int, p_release text DEFAULT NULL)
RETURNS void LANGUAGE sql
AS $$ INSERT INTO triage.events (project_id, event_id, payload)
      VALUES (pg_temp.pid(p_slug), p_event, json_build_object('fingerprint', json_build_array(p_fp), 'message', 'regression ' || p_fp,
                                                               'timestamp', pg_temp.ago(p_seconds)::bigint, 'release', p_release)::text) $$;
CREATE FUNCTION pg_temp.status(p_event uuid) RETURNS text LANGUAGE sql
AS $$ SELECT status::text || '/' || COALESCE(substatus::text, '-') FROM triage.groups
       WHERE id = (SELECT group_id FROM triage.events WHERE event_id = p_event) $$;
CREATE FUNCTION pg_temp.activities(p_event uuid, p_type text) RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM triage.activities WHERE group_id = (SELECT group_id FROM triage.events WHERE event_id = p_event) AND type = p_type $$;
CREATE FUNCTION pg_temp.activity(p_event uuid, p_type text) RETURNS jsonb LANGUAGE sql
AS $$ SELECT data FROM triage.activities WHERE group_id = (SELECT group_id FROM triage.events WHERE event_id = p_event) AND type = p_type
       ORDER BY id DESC LIMIT 1 $$;
CREATE FUNCTION pg_temp.hex(p_event uuid) RETURNS text LANGUAGE sql AS $$ SELECT replace(p_event::text, '-', '') $$;

INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('r05', 'md5'), ('v05', 'md5'), ('d05', 'md5');
INSERT INTO triage.projects (slug, hash_algorithm, resolve_age) VALUES ('ra05', 'md5', interval '1 hour');

-- ---------------------------------------------------------------------------------------------
-- AT-26 / B-14 / B-15: a plain resolve, then a later event.
SELECT pg_temp.send('r05', '05000000000000000000000000000001', 'at26', 50000);
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000001')), 1, 'API-resolve: returns 1 when the status changes');
SELECT is(pg_temp.status('05000000000000000000000000000001'), 'resolved/-', 'API-resolve: resolved, no substatus');
SELECT ok((pg_temp.g('05000000000000000000000000000001')).resolved_at IS NOT NULL, 'API-resolve: resolved_at is set');
SELECT is(pg_temp.activities('05000000000000000000000000000001', 'set_resolved'), 1::bigint, 'API-resolve: a set_resolved activity');
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000001')), 0, 'API-resolve: returns 0 for a resolved issue');
SELECT is(pg_temp.activities('05000000000000000000000000000001', 'set_resolved'), 1::bigint, 'API-resolve: no second activity');
SELECT pg_temp.send('r05', '05000000000000000000000000000002', 'at26', 0);
SELECT is(pg_temp.status('05000000000000000000000000000001'), 'unresolved/regressed', 'AT-26: a later event unresolves the issue (regressed)');
SELECT is((pg_temp.g('05000000000000000000000000000001')).active_at, pg_temp.at(0), 'B-15: active_at is the regressing event''s time');
SELECT is((pg_temp.g('05000000000000000000000000000001')).last_seen, pg_temp.at(0), 'B-15: last_seen too');
SELECT is((pg_temp.g('05000000000000000000000000000001')).times_seen, 2::bigint, 'AT-26: the event is counted');
SELECT is(pg_temp.activity('05000000000000000000000000000001', 'set_regression'),
          jsonb_build_object('event_id', pg_temp.hex('05000000000000000000000000000002'), 'version', ''),
          'B-16: set_regression activity {event_id (32 hex), version ""} without a release');
SELECT is(pg_temp.activities('05000000000000000000000000000001', 'set_regression'), 1::bigint, 'B-16: one set_regression activity');
-- B-14: an unresolved issue does not regress (nor does the regressed one again).
SELECT pg_temp.send('r05', '05000000000000000000000000000003', 'at26', 0);
SELECT is(pg_temp.activities('05000000000000000000000000000001', 'set_regression'), 1::bigint, 'B-14: an unresolved issue does not regress');
SELECT is(pg_temp.status('05000000000000000000000000000001'), 'unresolved/regressed', 'B-14: ... and keeps its status');

-- B-15: the 5-second window on active_at. The issue was created (active_at) 50000 s ago.
SELECT pg_temp.send('r05', '05000000000000000000000000000011', 'win', 50000);
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000011')), 1, 'B-15: resolved');
SELECT pg_temp.send('r05', '05000000000000000000000000000012', 'win', 49995);
SELECT is(pg_temp.status('05000000000000000000000000000011'), 'resolved/-',
          'B-15: an event exactly 5 s after active_at is no regression (NOT active_at >= date - 5 s)');
SELECT is(pg_temp.activities('05000000000000000000000000000011', 'set_regression'), 0::bigint, 'B-15: no activity when no row was updated');
SELECT is((pg_temp.g('05000000000000000000000000000011')).times_seen, 2::bigint, 'B-15: the event is still counted');
SELECT is((pg_temp.g('05000000000000000000000000000011')).last_seen, pg_temp.at(49995), 'B-15: ... and moves last_seen');
SELECT is((pg_temp.g('05000000000000000000000000000011')).active_at, pg_temp.at(50000), 'B-15: active_at unchanged');
SELECT pg_temp.send('r05', '05000000000000000000000000000013', 'win', 49994);
SELECT is(pg_temp.status('05000000000000000000000000000011'), 'unresolved/regressed', 'B-15: 6 s after active_at it regresses');
SELECT is((pg_temp.g('05000000000000000000000000000011')).active_at, pg_temp.at(49994), 'B-15: active_at = the event time');

-- B-15: date = max(event time, last_seen): an old event regressing an issue seen recently.
SELECT pg_temp.send('r05', '05000000000000000000000000000021', 'late', 50000);
SELECT pg_temp.send('r05', '05000000000000000000000000000022', 'late', 100);
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000021')), 1, 'B-15: resolved (seen 100 s ago)');
SELECT pg_temp.send('r05', '05000000000000000000000000000023', 'late', 40000);
SELECT is(pg_temp.status('05000000000000000000000000000021'), 'unresolved/regressed', 'B-15: an older event regresses it too');
SELECT is((pg_temp.g('05000000000000000000000000000021')).active_at, pg_temp.at(100), 'B-15: active_at = max(event, last_seen) = last_seen');
SELECT is((pg_temp.g('05000000000000000000000000000021')).last_seen, pg_temp.at(100), 'B-15: last_seen stays the maximum');

-- B-15: two events of a resolved issue in one statement regress it once.
SELECT pg_temp.send('r05', '05000000000000000000000000000031', 'twice', 50000);
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000031')), 1, 'B-15: resolved');
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('r05'), '05000000000000000000000000000032', format('{"fingerprint":["twice"],"message":"a","timestamp":%s}', pg_temp.ago(20))),
  (pg_temp.pid('r05'), '05000000000000000000000000000033', format('{"fingerprint":["twice"],"message":"b","timestamp":%s}', pg_temp.ago(10)));
SELECT is(pg_temp.activities('05000000000000000000000000000031', 'set_regression'), 1::bigint, 'B-15: one regression for two events in one statement');
SELECT is((pg_temp.g('05000000000000000000000000000031')).times_seen, 3::bigint, 'B-15: both events counted');
SELECT is((pg_temp.g('05000000000000000000000000000031')).last_seen, pg_temp.at(10), 'B-15: last_seen of the later one');

-- B-14: ignored issues never regress on ingest.
SELECT pg_temp.send('r05', '05000000000000000000000000000041', 'ignored', 50000);
UPDATE triage.groups SET status = 'ignored', substatus = 'archived_forever' WHERE id = pg_temp.grp('05000000000000000000000000000041');
SELECT pg_temp.send('r05', '05000000000000000000000000000042', 'ignored', 0);
SELECT is(pg_temp.status('05000000000000000000000000000041'), 'ignored/archived_forever', 'B-14: an ignored issue does not regress');
SELECT is(pg_temp.activities('05000000000000000000000000000041', 'set_regression'), 0::bigint, 'B-14: no activity for it');

-- unresolve.
SELECT pg_temp.send('r05', '05000000000000000000000000000051', 'unres', 50000, 'u1');
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000051'), in_release => 'u1'), 1, 'API-resolve: in release u1');
SELECT is(triage.unresolve(pg_temp.grp('05000000000000000000000000000051')), 1, 'API-unresolve: returns 1');
SELECT is(pg_temp.status('05000000000000000000000000000051'), 'unresolved/ongoing', 'API-unresolve: unresolved/ongoing');
SELECT is((pg_temp.g('05000000000000000000000000000051')).resolved_at, NULL, 'API-unresolve: resolved_at cleared');
SELECT is((SELECT count(*) FROM triage.group_resolutions WHERE group_id = pg_temp.grp('05000000000000000000000000000051')), 0::bigint,
          'API-unresolve: the resolution is deleted');
SELECT is(pg_temp.activities('05000000000000000000000000000051', 'set_unresolved'), 1::bigint, 'API-unresolve: a set_unresolved activity');
SELECT is(triage.unresolve(pg_temp.grp('05000000000000000000000000000051')), 0, 'API-unresolve: returns 0 for an unresolved issue');
SELECT throws_ok($$SELECT triage.resolve(-1)$$, 'P0002', NULL, 'API-resolve: an unknown issue is P0002');
SELECT throws_ok(format('SELECT triage.resolve(%s, in_release => %L)', pg_temp.grp('05000000000000000000000000000051'), 'no such release'),
                 'P0002', NULL, 'API-resolve: an unknown release is P0002');
SELECT throws_ok(format('SELECT triage.resolve(%s, in_release => %L, in_next_release => true)', pg_temp.grp('05000000000000000000000000000051'), 'u1'),
                 '22023', NULL, 'API-resolve: in_release and in_next_release exclude each other');
SELECT throws_ok(format('SELECT triage.resolve(%s, in_next_release => true)', pg_temp.grp('05000000000000000000000000000001')),
                 'P0002', NULL, 'API-resolve: in the next release needs an issue seen in a release');

-- ---------------------------------------------------------------------------------------------
-- AT-28 / AT-30 / B-16: resolved in the next release after "a".
SELECT pg_temp.send('r05', '05000000000000000000000000000101', 'at28', 50000, 'a');
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000101'), in_next_release => true), 1, 'AT-28: resolved in the next release');
SELECT is((SELECT row(r.type, r.current_release_version, rel.version)::text FROM triage.group_resolutions r JOIN triage.releases rel ON rel.id = r.release_id
            WHERE r.group_id = pg_temp.grp('05000000000000000000000000000101')),
          row('in_next_release', 'a', 'a')::text, 'AT-28: the resolution: in_next_release, current_release_version a, release a');
SELECT is((SELECT row(ident, data)::text FROM triage.activities WHERE group_id = pg_temp.grp('05000000000000000000000000000101') AND type = 'set_resolved_in_release'),
          row((SELECT id FROM triage.group_resolutions WHERE group_id = pg_temp.grp('05000000000000000000000000000101'))::text,
              '{"version":"","current_release_version":"a"}'::jsonb)::text,
          'AT-28: set_resolved_in_release activity, ident = resolution id, version ""');
SELECT pg_temp.send('r05', '05000000000000000000000000000102', 'at28', 40000, 'a');
SELECT is(pg_temp.status('05000000000000000000000000000101'), 'resolved/-', 'AT-28: an event in release a keeps it resolved');
SELECT is((SELECT count(*) FROM triage.group_resolutions WHERE group_id = pg_temp.grp('05000000000000000000000000000101')), 1::bigint,
          'AT-28: ... the resolution untouched');
SELECT is(pg_temp.activity('05000000000000000000000000000101', 'set_resolved_in_release'), '{"version":"","current_release_version":"a"}'::jsonb,
          'AT-28: ... the activity untouched');
SELECT pg_temp.send('r05', '05000000000000000000000000000103', 'at28', 0, 'b');
SELECT is(pg_temp.status('05000000000000000000000000000101'), 'unresolved/regressed', 'AT-28: an event in the newer release b regresses it');
SELECT is((SELECT count(*) FROM triage.group_resolutions WHERE group_id = pg_temp.grp('05000000000000000000000000000101')), 0::bigint,
          'AT-28/B-16: the resolution is deleted');
SELECT is(pg_temp.activity('05000000000000000000000000000101', 'set_resolved_in_release'), '{"version":"b","current_release_version":"a"}'::jsonb,
          'AT-28/AT-30: the activity''s version "" becomes b, current_release_version is kept');
SELECT is(pg_temp.activities('05000000000000000000000000000101', 'set_regression'), 1::bigint, 'AT-28: one set_regression activity');
SELECT is(pg_temp.activity('05000000000000000000000000000101', 'set_regression'),
          jsonb_build_object('event_id', pg_temp.hex('05000000000000000000000000000103'), 'version', 'b', 'follows_semver', false, 'resolved_in_version', 'b'),
          'AT-28/B-16: set_regression {event_id, version b, follows_semver false, resolved_in_version b}');

-- AT-29: resolved in release "a" (an explicit version) keeps it.
SELECT pg_temp.send('d05', '05000000000000000000000000000111', 'at29', 50000, 'a');
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000111'), in_release => 'a'), 1, 'AT-29: resolved in release a');
SELECT is((SELECT type FROM triage.group_resolutions WHERE group_id = pg_temp.grp('05000000000000000000000000000111')), 'in_release',
          'AT-29: an in_release resolution');
SELECT pg_temp.send('d05', '05000000000000000000000000000112', 'at29', 0, 'b');
SELECT is(pg_temp.status('05000000000000000000000000000111'), 'unresolved/regressed', 'AT-29: an event in the newer release b regresses it');
SELECT is(pg_temp.activity('05000000000000000000000000000111', 'set_resolved_in_release'), '{"version":"a"}'::jsonb,
          'AT-29: the resolved-in-release activity keeps its explicit version a');
SELECT is(pg_temp.activity('05000000000000000000000000000111', 'set_regression') - 'event_id',
          '{"version":"b","follows_semver":false,"resolved_in_version":"a"}'::jsonb,
          'AT-29: the regression activity: version b, follows_semver false, resolved_in_version a');

-- B-14: resolved in release c, an event of release c regresses it (the fix was supposed to be in c).
SELECT pg_temp.send('d05', '05000000000000000000000000000121', 'same', 50000, 'c');
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000121'), in_release => 'c'), 1, 'B-14: resolved in release c');
SELECT pg_temp.send('d05', '05000000000000000000000000000122', 'same', 0, 'c');
SELECT is(pg_temp.status('05000000000000000000000000000121'), 'unresolved/regressed', 'B-14: in_release c, event in c: regression');
-- B-14: an event without a release is covered by a resolution in a release.
SELECT pg_temp.send('d05', '05000000000000000000000000000131', 'norel', 50000, 'c');
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000131'), in_release => 'c'), 1, 'B-14: resolved in release c');
SELECT pg_temp.send('d05', '05000000000000000000000000000132', 'norel', 0);
SELECT is(pg_temp.status('05000000000000000000000000000131'), 'resolved/-', 'B-14: an event without a release does not regress it');
SELECT is((SELECT count(*) FROM triage.group_resolutions WHERE group_id = pg_temp.grp('05000000000000000000000000000131')), 1::bigint,
          'B-14: ... and the resolution stays');
-- B-14: date ordering (not semver): an event of an OLDER release is covered.
SELECT pg_temp.send('d05', '05000000000000000000000000000141', 'other issue', 60000, 'old');
SELECT pg_temp.send('d05', '05000000000000000000000000000142', 'dated', 50000, 'new');
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000142'), in_release => 'new'), 1, 'B-14: resolved in release new');
SELECT pg_temp.send('d05', '05000000000000000000000000000143', 'dated', 0, 'old');
SELECT is(pg_temp.status('05000000000000000000000000000142'), 'resolved/-',
          'B-14: not semver: an event of a release dated before the resolved one stays covered');

-- ---------------------------------------------------------------------------------------------
-- AT-31 / B-14: a semver project: foo@1.0.0 resolved, foo@0.9.0 (first seen later) is covered,
-- foo@2.0.0 regresses.
SELECT pg_temp.send('v05', '05000000000000000000000000000201', 'semver', 50000, 'foo@1.0.0');
SELECT is((SELECT row(package, major, minor, patch)::text FROM triage.releases WHERE project_id = pg_temp.pid('v05') AND version = 'foo@1.0.0'),
          '(foo,1,0,0)', 'AT-31: the release has its semver columns');
SELECT is(triage.resolve(pg_temp.grp('05000000000000000000000000000201'), in_release => 'foo@1.0.0'), 1, 'AT-31: resolved in foo@1.0.0');
SELECT pg_temp.send('v05', '05000000000000000000000000000202', 'semver', 10, 'foo@0.9.0');
SELECT is(pg_temp.status('05000000000000000000000000000201'), 'resolved/-',
          'B-14: semver: foo@0.9.0 < foo@1.0.0 is covered although its release is dated later');
SELECT pg_temp.send('v05', '05000000000000000000000000000203', 'semver', 0, 'foo@2.0.0');
SELECT is(pg_temp.status('05000000000000000000000000000201'), 'unresolved/regressed', 'AT-31: foo@2.0.0 regresses it');
SELECT is(pg_temp.activity('05000000000000000000000000000201', 'set_regression'),
          jsonb_build_object('event_id', pg_temp.hex('05000000000000000000000000000203'), 'version', 'foo@2.0.0',
                             'follows_semver', true, 'resolved_in_version', 'foo@1.0.0'),
          'AT-31: regression activity follows_semver true, resolved_in_version foo@1.0.0');
SELECT is((SELECT count(*) FROM triage.group_resolutions WHERE group_id = pg_temp.grp('05000000000000000000000000000201')), 0::bigint,
          'AT-31: the resolution is deleted');

-- ---------------------------------------------------------------------------------------------
-- AT-35: resolve_age. An unresolved issue not seen for longer than resolve_age counts as
-- resolved: its next event regresses it, active_at = the event's time.
SELECT pg_temp.send('ra05', '05000000000000000000000000000301', 'aged', 50000);
SELECT pg_temp.send('ra05', '05000000000000000000000000000302', 'aged', 0);
SELECT is(pg_temp.status('05000000000000000000000000000301'), 'unresolved/regressed', 'AT-35: not seen for more than resolve_age: regression');
SELECT is((pg_temp.g('05000000000000000000000000000301')).active_at, pg_temp.at(0), 'AT-35: active_at is the new event''s time');
SELECT is(pg_temp.activities('05000000000000000000000000000301', 'set_regression'), 1::bigint, 'AT-35: a set_regression activity');
SELECT pg_temp.send('ra05', '05000000000000000000000000000311', 'recent', 1800);
SELECT pg_temp.send('ra05', '05000000000000000000000000000312', 'recent', 0);
SELECT is(pg_temp.status('05000000000000000000000000000311'), 'unresolved/new', 'AT-35: seen within resolve_age: no regression');
SELECT pg_temp.send('r05', '05000000000000000000000000000321', 'no age', 50000);
SELECT pg_temp.send('r05', '05000000000000000000000000000322', 'no age', 0);
SELECT is(pg_temp.status('05000000000000000000000000000321'), 'unresolved/new', 'AT-35: without resolve_age an old unresolved issue does not regress');
SELECT is(pg_temp.activities('05000000000000000000000000000321', 'set_regression'), 0::bigint, 'AT-35: ... no activity');

SELECT * FROM finish();
ROLLBACK;
