-- The save path, assigning events to issues: hash lookup in order, tombstones, double-checked
-- creation, hash linking, the grouping-config transition, the category guard and short ids.
-- Section 18 behaviours 1-5, 7, 8 and the acceptance cases of section 16.1, 16.5 and 16.6 of
-- the save-path notes (test names start with the case id).
-- Issue counters are folded at the end of each INSERT statement: they are read in later statements.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(73);

\ir helpers/save_path.sql
CREATE FUNCTION pg_temp.hash_group(p_slug text, p_hash text) RETURNS bigint LANGUAGE sql
AS $$ SELECT group_id FROM triage.grouphashes WHERE project_id = pg_temp.pid(p_slug) AND hash = p_hash $$;
CREATE FUNCTION pg_temp.groups_of(p_slug text) RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM triage.groups WHERE project_id = pg_temp.pid(p_slug) $$;

INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('g03', 'md5'), ('t03', 'md5'), ('s03', 'md5'), ('x03', 'xxh3_128');

-- An error with an in-app and a system frame has two hashes: app first, system last.
CREATE TEMP TABLE st (payload text);
INSERT INTO st VALUES ($${"exception":{"values":[{"type":"E","value":"v","stacktrace":{"frames":[
  {"function":"outer","module":"lib","in_app":false},{"function":"inner","module":"app","in_app":true}]}}]}}$$);
CREATE TEMP TABLE sth AS SELECT h[1] AS app, h[2] AS sys FROM (SELECT triage.grouping_hashes(payload, 'md5') AS h FROM st) x;

-- ---------------------------------------------------------------------------------------------
-- B-1: hash lookup in order.
SELECT is((SELECT array_length(triage.grouping_hashes(payload, 'md5'), 1) FROM st), 2,
          'B-1: the stack-trace event has an app and a system hash');
INSERT INTO triage.events (project_id, event_id, payload) SELECT pg_temp.pid('g03'), '03000000000000000000000000000001', payload FROM st;
SELECT is((SELECT hashes FROM triage.events WHERE event_id = '03000000000000000000000000000001'),
          (SELECT ARRAY[app, sys] FROM sth), 'B-1: the event keeps its hashes, primary (app) first, system last');
SELECT is((SELECT array_agg(group_id ORDER BY hash) FROM triage.grouphashes WHERE project_id = pg_temp.pid('g03')),
          ARRAY[pg_temp.grp('03000000000000000000000000000001'), pg_temp.grp('03000000000000000000000000000001')],
          'B-1: one grouphash row per hash, both linked to the new issue');

-- A second issue G2; the system hash is moved to it by hand.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('g03'), '03000000000000000000000000000002', '{"message":"other issue"}');
UPDATE triage.grouphashes SET group_id = pg_temp.grp('03000000000000000000000000000002')
 WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT sys FROM sth);
INSERT INTO triage.events (project_id, event_id, payload) SELECT pg_temp.pid('g03'), '03000000000000000000000000000003', payload FROM st;
SELECT is(pg_temp.grp('03000000000000000000000000000003'), pg_temp.grp('03000000000000000000000000000001'),
          'B-1: the event joins the issue of the FIRST hash that has one (app hash), not the system hash''s');

-- B-4: hash linking. The app hash loses its issue: the event joins G2 through the system hash
-- and the app hash is linked to G2.
UPDATE triage.grouphashes SET group_id = NULL WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT app FROM sth);
INSERT INTO triage.events (project_id, event_id, payload) SELECT pg_temp.pid('g03'), '03000000000000000000000000000004', payload FROM st;
SELECT is(pg_temp.grp('03000000000000000000000000000004'), pg_temp.grp('03000000000000000000000000000002'),
          'B-1: with the first hash unlinked, the next hash with an issue decides');
SELECT is(pg_temp.hash_group('g03', (SELECT app FROM sth)), pg_temp.grp('03000000000000000000000000000002'),
          'B-4: the unlinked hash of the event is linked to the issue it joined');
-- A hash deleted entirely is re-created and linked.
DELETE FROM triage.grouphashes WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT app FROM sth);
INSERT INTO triage.events (project_id, event_id, payload) SELECT pg_temp.pid('g03'), '03000000000000000000000000000005', payload FROM st;
SELECT is(pg_temp.hash_group('g03', (SELECT app FROM sth)), pg_temp.grp('03000000000000000000000000000002'),
          'B-4: a missing grouphash row of the event is created and linked');
-- A locked_in_migration hash is never linked by ingest.
UPDATE triage.grouphashes SET group_id = NULL, state = 'locked_in_migration'
 WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT app FROM sth);
INSERT INTO triage.events (project_id, event_id, payload) SELECT pg_temp.pid('g03'), '03000000000000000000000000000006', payload FROM st;
SELECT is(pg_temp.grp('03000000000000000000000000000006'), pg_temp.grp('03000000000000000000000000000002'),
          'B-4: the event still joins through the system hash');
SELECT is((SELECT row(group_id, state)::text FROM triage.grouphashes WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT app FROM sth)),
          row(NULL::bigint, 'locked_in_migration'::text)::text, 'B-4: a locked_in_migration hash stays unlinked');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = pg_temp.grp('03000000000000000000000000000002')), 4::bigint,
          'B-1: the issue joined through its hashes counts every event (1 own + 3)');

-- ---------------------------------------------------------------------------------------------
-- B-2 / AT-08: tombstones discard. The app hash is tombstoned while the system hash has an issue.
INSERT INTO triage.group_tombstones (project_id, previous_group_id) VALUES (pg_temp.pid('g03'), 990301);
UPDATE triage.grouphashes SET state = NULL, group_tombstone_id = (SELECT id FROM triage.group_tombstones WHERE previous_group_id = 990301)
 WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT app FROM sth);
INSERT INTO triage.events (project_id, event_id, payload) SELECT pg_temp.pid('g03'), '03000000000000000000000000000007', payload FROM st;
SELECT is((SELECT count(*) FROM triage.events WHERE event_id = '03000000000000000000000000000007'), 0::bigint,
          'B-2: a tombstone met before any hash with an issue discards the event (not stored)');
SELECT is((SELECT discarded FROM triage.ingest_stats WHERE slug = 'g03'), 1::bigint, 'B-2: ingest_stats.discarded counts it');
SELECT is((SELECT times_discarded FROM triage.group_tombstones WHERE previous_group_id = 990301), 1::bigint,
          'B-2: the tombstone counts its hit');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = pg_temp.grp('03000000000000000000000000000002')), 4::bigint,
          'B-2: the issue behind the later hash is not counted');
-- Quirk kept (section 5.1): a tombstone on a LATER hash is ignored when an earlier hash has an issue.
UPDATE triage.grouphashes SET group_tombstone_id = NULL, group_id = pg_temp.grp('03000000000000000000000000000001')
 WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT app FROM sth);
UPDATE triage.grouphashes SET group_id = NULL, group_tombstone_id = (SELECT id FROM triage.group_tombstones WHERE previous_group_id = 990301)
 WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT sys FROM sth);
INSERT INTO triage.events (project_id, event_id, payload) SELECT pg_temp.pid('g03'), '03000000000000000000000000000008', payload FROM st;
SELECT is(pg_temp.grp('03000000000000000000000000000008'), pg_temp.grp('03000000000000000000000000000001'),
          'B-2: a tombstone on a later hash is ignored when an earlier hash has an issue');
SELECT is((SELECT group_tombstone_id IS NOT NULL AND group_id IS NULL FROM triage.grouphashes
            WHERE project_id = pg_temp.pid('g03') AND hash = (SELECT sys FROM sth)), true,
          'B-4: a tombstoned hash is not linked to the issue');
-- AT-08: a message event whose only hash is tombstoned.
INSERT INTO triage.group_tombstones (project_id, previous_group_id) VALUES (pg_temp.pid('t03'), 990302);
INSERT INTO triage.grouphashes (project_id, hash, group_tombstone_id)
VALUES (pg_temp.pid('t03'), md5('discard me'), (SELECT id FROM triage.group_tombstones WHERE previous_group_id = 990302));
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('t03'), '{"message":"discard me"}'), (pg_temp.pid('t03'), '{"message":"discard me"}');
SELECT is((SELECT row(accepted, discarded)::text FROM triage.ingest_stats WHERE slug = 't03'), '(0,2)',
          'AT-08: events matching a tombstoned hash are not stored, each is counted as discarded');
SELECT is(pg_temp.groups_of('t03'), 0::bigint, 'AT-08: no issue is created for a discarded event');

-- ---------------------------------------------------------------------------------------------
-- B-3 / AT-55 (one statement; concurrent sessions are covered by the isolation specs): identical
-- events yield exactly one issue.
INSERT INTO triage.events (project_id, payload)
SELECT pg_temp.pid('s03'), '{"message":"same again"}' FROM generate_series(1, 3);
SELECT is(pg_temp.groups_of('s03'), 1::bigint, 'B-3/AT-55: three identical events in one statement: exactly one issue');
SELECT is((SELECT times_seen FROM triage.groups WHERE project_id = pg_temp.pid('s03')), 3::bigint,
          'B-3/AT-55: the one issue counts all three events');
SELECT is((SELECT count(*) FROM triage.grouphashes WHERE project_id = pg_temp.pid('s03')), 1::bigint,
          'B-3: one grouphash row');

-- ---------------------------------------------------------------------------------------------
-- B-8 / AT-56 / AT-57: short ids.
SELECT is((SELECT short_id FROM triage.groups WHERE project_id = pg_temp.pid('s03')), 1::bigint, 'B-8: the first issue of a project is 1');
SELECT is((SELECT value FROM triage.project_counters WHERE project_id = pg_temp.pid('s03')), 1::bigint, 'AT-56: the counter returns 1 first');
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('s03'), '{"message":"second issue"}');
SELECT is((SELECT value FROM triage.project_counters WHERE project_id = pg_temp.pid('s03')), 2::bigint, 'AT-56: then 2');
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('s03'), '{"message":"third issue"}');
SELECT is((SELECT array_agg(short_id ORDER BY id) FROM triage.groups WHERE project_id = pg_temp.pid('s03')), ARRAY[1, 2, 3]::bigint[],
          'B-8: short ids 1, 2, 3 in creation order');
SELECT is(triage.qualified_short_id((SELECT id FROM triage.groups WHERE project_id = pg_temp.pid('s03') AND short_id = 3)), 'S03-3',
          'B-8: qualified_short_id is SLUG-n');
SELECT is(triage.format_short_id('shop', 32), 'SHOP-10', 'B-8: 32 is SHOP-10 (Crockford base32)');
SELECT is(triage.format_short_id('shop', 31), 'SHOP-Z', 'B-8: 31 is SHOP-Z');
SELECT is(triage.format_short_id('shop', 1), 'SHOP-1', 'B-8: 1 is SHOP-1');
-- AT-57: the counter set back by 1, 2 and 3 (each time below the highest short id).
UPDATE triage.project_counters SET value = value - 1 WHERE project_id = pg_temp.pid('s03');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('s03'), '03000000000000000000000000000011', '{"message":"stuck alpha"}');
SELECT is((SELECT short_id FROM triage.groups WHERE id = pg_temp.grp('03000000000000000000000000000011')), 4::bigint,
          'AT-57: counter set back by 1: the new issue still gets a fresh short id (4)');
SELECT is((SELECT value FROM triage.project_counters WHERE project_id = pg_temp.pid('s03')), 4::bigint,
          'AT-57: afterwards the counter equals the new short id');
UPDATE triage.project_counters SET value = value - 2 WHERE project_id = pg_temp.pid('s03');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('s03'), '03000000000000000000000000000012', '{"message":"stuck beta"}');
SELECT is((SELECT short_id FROM triage.groups WHERE id = pg_temp.grp('03000000000000000000000000000012')), 5::bigint,
          'AT-57: counter set back by 2: fresh short id 5');
UPDATE triage.project_counters SET value = value - 3 WHERE project_id = pg_temp.pid('s03');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('s03'), '03000000000000000000000000000013', '{"message":"stuck gamma"}');
SELECT is((SELECT short_id FROM triage.groups WHERE id = pg_temp.grp('03000000000000000000000000000013')), 6::bigint,
          'AT-57: counter set back by 3: fresh short id 6');
SELECT is((SELECT value FROM triage.project_counters WHERE project_id = pg_temp.pid('s03')), 6::bigint,
          'AT-57: the counter equals the last short id');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('s03'), '03000000000000000000000000000014', '{"message":"after the repair"}');
SELECT is((SELECT short_id FROM triage.groups WHERE id = pg_temp.grp('03000000000000000000000000000014')), 7::bigint,
          'AT-57: the next issue is created normally (7)');
SELECT is((SELECT count(DISTINCT short_id) FROM triage.groups WHERE project_id = pg_temp.pid('s03')), 7::bigint,
          'B-8: all short ids of the project are distinct');
-- Gaps are allowed: a counter moved ahead is used as it is.
UPDATE triage.project_counters SET value = 40 WHERE project_id = pg_temp.pid('s03');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('s03'), '03000000000000000000000000000015', '{"message":"after a gap"}');
SELECT is(triage.qualified_short_id(pg_temp.grp('03000000000000000000000000000015')), 'S03-19',
          'B-8: gaps are allowed (41 = S03-19)');
SELECT is((SELECT short_id FROM triage.groups WHERE project_id = pg_temp.pid('g03') ORDER BY id LIMIT 1), 1::bigint,
          'B-8: short ids are per project');

-- ---------------------------------------------------------------------------------------------
-- B-5 / AT-06 / AT-52 / AT-53 / AT-54: the grouping-config transition. An unknown fingerprint
-- variable is kept verbatim by newstyle:2025-11-21 and becomes <unrecognized-variable-foo> in
-- newstyle:2026-01-20, so the event's hashes differ between the two configs.
CREATE TEMP TABLE fp (payload text);
INSERT INTO fp VALUES ('{"fingerprint":["{{ foo }}"],"message":"transition"}');
SELECT is(triage.grouping_hashes((SELECT payload FROM fp), 'md5'), ARRAY[md5('<unrecognized-variable-foo>')],
          'B-5: under newstyle:2026-01-20 an unknown variable becomes <unrecognized-variable-foo>');
SET LOCAL triage.grouping_config = 'newstyle:2025-11-21';
SELECT is(triage.grouping_hashes((SELECT payload FROM fp), 'md5'), ARRAY[md5('{{ foo }}')],
          'B-5: under newstyle:2025-11-21 it is kept verbatim');
RESET triage.grouping_config;

INSERT INTO triage.projects (slug, hash_algorithm, grouping_config)
VALUES ('tr03', 'md5', 'newstyle:2025-11-21'), ('nt03', 'md5', 'newstyle:2025-11-21'), ('ex03', 'md5', 'newstyle:2025-11-21');
INSERT INTO triage.events (project_id, event_id, payload)
SELECT pg_temp.pid(s), ('03000000000000000000000000000' || n)::uuid, (SELECT payload FROM fp)
  FROM (VALUES ('tr03', '021'), ('nt03', '022'), ('ex03', '023')) v(s, n);
SELECT is((SELECT hashes FROM triage.events WHERE event_id = '03000000000000000000000000000021'), ARRAY[md5('{{ foo }}')],
          'B-5: the issue was made under the old config');
-- tr03 moves to the new config in transition; nt03 without one; ex03 with an expired one. (All
-- three columns are set explicitly: the first event may have auto-upgraded the project already.)
UPDATE triage.projects SET grouping_config = 'newstyle:2026-01-20', secondary_grouping_config = 'newstyle:2025-11-21',
                           secondary_grouping_expiry = now() + interval '7 days' WHERE slug = 'tr03';
UPDATE triage.projects SET grouping_config = 'newstyle:2026-01-20', secondary_grouping_config = NULL,
                           secondary_grouping_expiry = NULL WHERE slug = 'nt03';
UPDATE triage.projects SET grouping_config = 'newstyle:2026-01-20', secondary_grouping_config = 'newstyle:2025-11-21',
                           secondary_grouping_expiry = now() - interval '1 day' WHERE slug = 'ex03';
INSERT INTO triage.events (project_id, event_id, payload)
SELECT pg_temp.pid(s), ('03000000000000000000000000000' || n)::uuid, (SELECT payload FROM fp)
  FROM (VALUES ('tr03', '031'), ('nt03', '032'), ('ex03', '033')) v(s, n);
SELECT is(pg_temp.grp('03000000000000000000000000000031'), pg_temp.grp('03000000000000000000000000000021'),
          'AT-53/AT-06: in transition the event joins the old issue through the secondary hash');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = pg_temp.grp('03000000000000000000000000000021')), 2::bigint,
          'AT-06: the old issue has times_seen 2');
SELECT is(pg_temp.hash_group('tr03', md5('<unrecognized-variable-foo>')), pg_temp.grp('03000000000000000000000000000021'),
          'AT-53/B-4: the new primary hash is created and linked to the old issue');
SELECT is((SELECT hashes FROM triage.events WHERE event_id = '03000000000000000000000000000031'), ARRAY[md5('<unrecognized-variable-foo>')],
          'B-5: the stored event keeps only its primary hashes');
SELECT isnt(pg_temp.grp('03000000000000000000000000000032'), pg_temp.grp('03000000000000000000000000000022'),
            'AT-53: outside the transition the same event makes a new issue');
SELECT is(pg_temp.groups_of('nt03'), 2::bigint, 'AT-53: two issues in the project without transition');
SELECT isnt(pg_temp.grp('03000000000000000000000000000033'), pg_temp.grp('03000000000000000000000000000023'),
            'B-5: a transition whose expiry has passed is no transition (new issue)');
-- AT-06: after expiry the event still finds the old issue, through the linked primary hash.
UPDATE triage.projects SET secondary_grouping_expiry = now() - interval '1 second' WHERE slug = 'tr03';
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('tr03'), '03000000000000000000000000000041', (SELECT payload FROM fp));
SELECT is(pg_temp.grp('03000000000000000000000000000041'), pg_temp.grp('03000000000000000000000000000021'),
          'AT-06: after expiry still the same issue');
SELECT is(pg_temp.groups_of('tr03'), 1::bigint, 'AT-06: the transitioned project has one issue');
-- AT-52: in transition, a brand-new event: new issue, primary grouphash created, secondary not.
UPDATE triage.projects SET secondary_grouping_expiry = now() + interval '7 days' WHERE slug = 'tr03';
INSERT INTO triage.events (project_id, event_id, payload)
VALUES (pg_temp.pid('tr03'), '03000000000000000000000000000042', '{"fingerprint":["{{ foo }}","brand new"],"message":"transition"}');
SELECT isnt(pg_temp.grp('03000000000000000000000000000042'), pg_temp.grp('03000000000000000000000000000021'),
            'AT-52: a new event in transition makes a new issue');
SELECT is(pg_temp.hash_group('tr03', md5('<unrecognized-variable-foo>brand new')), pg_temp.grp('03000000000000000000000000000042'),
          'AT-52: its primary grouphash exists and is linked');
SELECT is((SELECT count(*) FROM triage.grouphashes WHERE project_id = pg_temp.pid('tr03') AND hash = md5('{{ foo }}brand new')), 0::bigint,
          'AT-52: its secondary grouphash is NOT created');
-- AT-54: the primary hash is linked already: found by primary; the secondary hash (tombstoned
-- here, which would discard the event if it were consulted) is never looked at.
INSERT INTO triage.group_tombstones (project_id, previous_group_id) VALUES (pg_temp.pid('tr03'), 990303);
UPDATE triage.grouphashes SET group_id = NULL, group_tombstone_id = (SELECT id FROM triage.group_tombstones WHERE previous_group_id = 990303)
 WHERE project_id = pg_temp.pid('tr03') AND hash = md5('{{ foo }}');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('tr03'), '03000000000000000000000000000043', (SELECT payload FROM fp));
SELECT is(pg_temp.grp('03000000000000000000000000000043'), pg_temp.grp('03000000000000000000000000000021'),
          'AT-54: primary hash found: the event joins its issue, secondary never consulted');
SELECT is((SELECT discarded FROM triage.ingest_stats WHERE slug = 'tr03'), 0::bigint, 'AT-54: nothing discarded');
-- ... while an event that only its (tombstoned) secondary hash finds is discarded: secondary
-- grouping does look at tombstones.
INSERT INTO triage.grouphashes (project_id, hash, group_tombstone_id)
VALUES (pg_temp.pid('tr03'), md5('{{ foo }}tomb'), (SELECT id FROM triage.group_tombstones WHERE previous_group_id = 990303));
INSERT INTO triage.events (project_id, event_id, payload)
VALUES (pg_temp.pid('tr03'), '03000000000000000000000000000044', '{"fingerprint":["{{ foo }}","tomb"],"message":"transition"}');
SELECT is((SELECT row(accepted, discarded)::text FROM triage.ingest_stats WHERE slug = 'tr03'), '(5,1)',
          'B-5/B-2: an event found only by a tombstoned secondary hash is discarded');

-- ---------------------------------------------------------------------------------------------
-- B-7 / AT-09: the category guard. A performance issue owns a hash; an error event with that
-- hash is stored without an issue (our decision: stored, not dropped).
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('c03', 'md5');
INSERT INTO triage.groups (project_id, short_id, title, first_seen, last_seen, type)
VALUES (pg_temp.pid('c03'), 77, 'N+1 Query', now(), now(), 'performance');
INSERT INTO triage.grouphashes (project_id, hash, group_id)
VALUES (pg_temp.pid('c03'), md5('perf collision'), (SELECT id FROM triage.groups WHERE project_id = pg_temp.pid('c03') AND short_id = 77));
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('c03'), '03000000000000000000000000000051', '{"message":"perf collision"}');
SELECT is((SELECT count(*) FROM triage.events WHERE event_id = '03000000000000000000000000000051'), 1::bigint,
          'B-7/AT-09: the error event is stored');
SELECT is(pg_temp.grp('03000000000000000000000000000051'), NULL::bigint, 'B-7/AT-09: ... with group_id NULL');
SELECT is((SELECT times_seen FROM triage.groups WHERE project_id = pg_temp.pid('c03') AND short_id = 77), 1::bigint,
          'B-7/AT-09: the performance issue is not counted');
SELECT is(pg_temp.groups_of('c03'), 1::bigint, 'B-7/AT-09: no error issue is created');

-- ---------------------------------------------------------------------------------------------
-- Grouping outcomes (section 16.1 and 16.5).
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('a03', 'md5');
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('a03'), '03000000000000000000000000000061', '{"fingerprint":["checkout-fail"],"message":"first text"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000062', '{"fingerprint":["checkout-fail"],"message":"totally different"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000063', '{"fingerprint":["a"],"message":"same message"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000064', '{"fingerprint":["b"],"message":"same message"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000065', '{"message":"Dogs are great!"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000066', '{"message":"Dogs are really great!"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000067', '{"fingerprint":["{{ default }}","X"],"message":"fp"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000068', '{"fingerprint":["X"],"message":"fp"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000069', '{"message":"plain default"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000070', '{"fingerprint":["{{ default }}"],"message":"plain default"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000071', '{"exception":null,"message":"no exception"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000072', '{"checksum":"not a hex checksum"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000073', '{"message":"foo"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000074', '{"fingerprint":["foo","bar","foô"]}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000075', '{"checksum":"0123456789abcdef0123456789abcdef","message":"foo"}'),
  (pg_temp.pid('a03'), '03000000000000000000000000000076', '{"checksum":"0123456789abcdef0123456789abcdef","message":"foo bar"}');
SELECT is(pg_temp.grp('03000000000000000000000000000062'), pg_temp.grp('03000000000000000000000000000061'),
          'AT-42: same custom fingerprint, different messages: same issue');
SELECT isnt(pg_temp.grp('03000000000000000000000000000064'), pg_temp.grp('03000000000000000000000000000063'),
            'AT-43: same message, different fingerprints: different issues');
SELECT isnt(pg_temp.grp('03000000000000000000000000000066'), pg_temp.grp('03000000000000000000000000000065'),
            'AT-44: "Dogs are great!" and "Dogs are really great!" are different issues');
SELECT isnt(pg_temp.grp('03000000000000000000000000000068'), pg_temp.grp('03000000000000000000000000000067'),
            'AT-05: ["{{ default }}", X] and [X] are different issues');
SELECT is(pg_temp.grp('03000000000000000000000000000070'), pg_temp.grp('03000000000000000000000000000069'),
          'AT-45: no fingerprint is the default fingerprint ["{{ default }}"] (same issue)');
SELECT isnt(pg_temp.grp('03000000000000000000000000000071'), NULL, 'AT-47: "exception": null still gets an issue');
SELECT is((SELECT array_agg(hash) FROM triage.grouphashes WHERE group_id = pg_temp.grp('03000000000000000000000000000072')),
          ARRAY[md5('not a hex checksum')], 'AT-07: a non-hex checksum gives exactly one grouphash, md5(checksum)');
SELECT is((SELECT hashes[1] FROM triage.events WHERE event_id = '03000000000000000000000000000073'), 'acbd18db4cc2f85cedef654fccc4a4d8',
          'AT-11: md5 mode: the primary hash of message "foo" is md5("foo") as in Sentry');
SELECT is((SELECT hashes FROM triage.events WHERE event_id = '03000000000000000000000000000074'), ARRAY['6d81588029ed4190110b2779ba952a00'],
          'AT-25: md5 mode: hash_from_values(["foo","bar","foô"]) is Sentry''s');
SELECT is(pg_temp.grp('03000000000000000000000000000076'), pg_temp.grp('03000000000000000000000000000075'),
          'AT-03: same 32-hex checksum: same issue, whatever the message');
SELECT is((SELECT hashes FROM triage.events WHERE event_id = '03000000000000000000000000000076'), ARRAY['0123456789abcdef0123456789abcdef'],
          'AT-03: a 32-hex checksum is the hash verbatim');

-- The default algorithm: the stored hashes are triage.grouping_hashes' xxh3_128 hashes.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('x03'), '03000000000000000000000000000081', '{"message":"foo"}');
SELECT is((SELECT hashes FROM triage.events WHERE event_id = '03000000000000000000000000000081'), triage.grouping_hashes('{"message":"foo"}'),
          'B-1: xxh3_128 projects store grouping_hashes'' hashes');
SELECT isnt((SELECT hashes[1] FROM triage.events WHERE event_id = '03000000000000000000000000000081'), md5('foo'),
            'B-1: ... which are not md5');

SELECT * FROM finish();
ROLLBACK;
