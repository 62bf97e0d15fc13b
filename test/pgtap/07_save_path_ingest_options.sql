-- The save path, what reaches it: duplicate event ids, event ids and timestamps, transactions,
-- bad events (reject or quarantine), max_event_bytes, rows restored with their hashes, the
-- project's first event, the grouping-config auto-upgrade and search_path safety. Our documented
-- decisions are asserted as such (AT-02 duplicates are skipped; AT-12/AT-46 transactions get no
-- issue). Test names start with the case id of the save-path notes (section 16) or B-n for
-- behaviour n of section 18.
-- Issue counters are folded at the end of each INSERT statement: they are read in later statements.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(60);

\ir helpers/save_path.sql
CREATE FUNCTION pg_temp.stats(p_slug text) RETURNS text LANGUAGE sql
AS $$ SELECT row(accepted, duplicates_skipped, discarded, quarantined)::text FROM triage.ingest_stats WHERE slug = p_slug $$;
-- An RFC 3339 time p_seconds before the transaction started.
CREATE FUNCTION pg_temp.rfc3339(p_seconds int) RETURNS text LANGUAGE sql
AS $$ SELECT to_char(date_trunc('second', now() - make_interval(secs => p_seconds)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- ---------------------------------------------------------------------------------------------
-- AT-02 (decision): a duplicate event id is skipped. Sentry's save() overwrites the payload and
-- counts again; we keep the first event and count the duplicate in ingest_stats.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('d07', 'md5');
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('d07'), '{"event_id":"07000000000000000000000000000001","message":"first payload"}');
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('d07'), '{"event_id":"07000000000000000000000000000001","message":"first payload","extra":"second payload"}');
SELECT is((SELECT count(*) FROM triage.events WHERE project_id = pg_temp.pid('d07')), 1::bigint, 'AT-02: the second insert of an event id is skipped');
SELECT is((pg_temp.e('07000000000000000000000000000001')).payload, '{"event_id":"07000000000000000000000000000001","message":"first payload"}',
          'AT-02: the first payload stays');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = pg_temp.grp('07000000000000000000000000000001')), 1::bigint, 'AT-02: times_seen stays 1');
SELECT is((SELECT duplicates_skipped FROM triage.ingest_stats WHERE slug = 'd07'), 1::bigint, 'AT-02: ingest_stats.duplicates_skipped = 1');
-- The same id in its other spellings, and twice in one statement.
INSERT INTO triage.events (project_id, payload) VALUES
  (pg_temp.pid('d07'), '{"event_id":"07000000-0000-0000-0000-000000000001","message":"dashed"}'),
  (pg_temp.pid('d07'), '{"event_id":"{07000000-0000-0000-0000-000000000001}","message":"braced"}'),
  (pg_temp.pid('d07'), '{"event_id":"07000000000000000000000000000002","message":"new one"}'),
  (pg_temp.pid('d07'), '{"event_id":"07000000000000000000000000000002","message":"new one again"}');
SELECT is(pg_temp.stats('d07'), '(2,4,0,0)', 'AT-02: dashed and braced spellings are the same id; a repeat within one statement is skipped too');
SELECT is((pg_temp.e('07000000000000000000000000000002')).payload, '{"event_id":"07000000000000000000000000000002","message":"new one"}',
          'AT-02: within one statement the first row wins');
SELECT is((SELECT sum(times_seen) FROM triage.groups WHERE project_id = pg_temp.pid('d07')), 2::numeric, 'AT-02: sum(times_seen) = stored events');
-- Event ids: the payload's, else the column's, else a random (version 4) one.
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('d07'), '07000000000000000000000000000003', '{"message":"id from the column"}'),
  (pg_temp.pid('d07'), '07000000000000000000000000000004', '{"event_id":"07000000000000000000000000000005","message":"id from the payload"}');
SELECT is((SELECT count(*) FROM triage.events WHERE event_id IN ('07000000000000000000000000000003', '07000000000000000000000000000005')), 2::bigint,
          'DEC-event_id: the event id is the payload''s, else the column''s');
SELECT is((SELECT count(*) FROM triage.events WHERE event_id = '07000000000000000000000000000004'), 0::bigint, 'DEC-event_id: the payload''s event id wins over the column');
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('d07'), '{"message":"no id","event_id":"not an id"}');
SELECT matches((SELECT event_id::text FROM triage.events WHERE project_id = pg_temp.pid('d07') AND payload LIKE '%no id%'),
               '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$', 'DEC-event_id: an event without a valid id gets a random version-4 uuid');

-- Timestamps: Unix seconds, RFC 3339, numbers as text; more than 30 days back or more than 60 s
-- ahead: the receive time; none: the receive time. (The receive time goes through Unix seconds
-- as a double: it may come back 1 microsecond off.)
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('d07'), '07000000000000000000000000000011', format('{"message":"ts a","timestamp":%s}', extract(epoch FROM now())::bigint - 3600)),
  (pg_temp.pid('d07'), '07000000000000000000000000000012', format('{"message":"ts b","timestamp":"%s"}', pg_temp.rfc3339(7200))),
  (pg_temp.pid('d07'), '07000000000000000000000000000013', format('{"message":"ts c","timestamp":"%s.25"}', extract(epoch FROM now())::bigint - 60)),
  (pg_temp.pid('d07'), '07000000000000000000000000000014', format('{"message":"ts d","timestamp":%s}', extract(epoch FROM now())::bigint - 31 * 86400)),
  (pg_temp.pid('d07'), '07000000000000000000000000000015', format('{"message":"ts e","timestamp":%s}', extract(epoch FROM now())::bigint + 3600)),
  (pg_temp.pid('d07'), '07000000000000000000000000000016', '{"message":"ts f"}');
SELECT is((pg_temp.e('07000000000000000000000000000011')).occurred_at, to_timestamp(extract(epoch FROM now())::bigint - 3600), 'DEC-timestamp: Unix seconds');
SELECT is((pg_temp.e('07000000000000000000000000000012')).occurred_at, date_trunc('second', now() - interval '7200 seconds'), 'DEC-timestamp: RFC 3339');
SELECT is((pg_temp.e('07000000000000000000000000000013')).occurred_at, to_timestamp(extract(epoch FROM now())::bigint - 60 + 0.25), 'DEC-timestamp: a number in a string');
SELECT is((SELECT count(*) FROM triage.events WHERE event_id BETWEEN '07000000000000000000000000000014' AND '07000000000000000000000000000016'
            AND abs(extract(epoch FROM occurred_at - received_at)) < 0.001 AND received_at BETWEEN now() AND clock_timestamp()), 3::bigint,
          'DEC-timestamp: more than 30 days back, more than 60 s ahead, or no timestamp: the receive time');

-- ---------------------------------------------------------------------------------------------
-- AT-12 / AT-46: transactions never get an issue, nor a short id.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('t07', 'md5');
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('t07'), '07000000000000000000000000000021', '{"fingerprint":["shared"],"message":"an error"}');
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('t07'), '07000000000000000000000000000022', '{"type":"transaction","transaction":"/checkout","fingerprint":["shared"],"message":"an error"}'),
  (pg_temp.pid('t07'), '07000000000000000000000000000023', '{"type":"transaction","transaction":"/other"}');
SELECT is((SELECT count(*) FROM triage.events WHERE project_id = pg_temp.pid('t07')), 3::bigint, 'AT-12: transactions are stored');
SELECT is((SELECT count(*) FROM triage.events WHERE project_id = pg_temp.pid('t07') AND type = 'transaction' AND group_id IS NULL), 2::bigint,
          'AT-12: ... as type transaction, without an issue');
SELECT is((pg_temp.e('07000000000000000000000000000023')).hashes, '{}'::text[], 'AT-12: a transaction has no hashes');
SELECT is((SELECT count(*) FROM triage.groups WHERE project_id = pg_temp.pid('t07')), 1::bigint, 'AT-12: no issue is created for them');
SELECT is((SELECT value FROM triage.project_counters WHERE project_id = pg_temp.pid('t07')), 1::bigint, 'AT-12: no short id is taken for them');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = pg_temp.grp('07000000000000000000000000000021')), 1::bigint,
          'AT-46: a transaction with an error issue''s fingerprint does not join it');
SELECT is((SELECT count(*) FROM triage.grouphashes WHERE project_id = pg_temp.pid('t07')), 1::bigint, 'AT-46: transactions create no grouphash');
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('t07'), '{"type":"transaction","event_id":"07000000000000000000000000000023"}');
SELECT is(pg_temp.stats('t07'), '(3,1,0,0)', 'AT-02: a duplicate transaction is skipped as well');

-- ---------------------------------------------------------------------------------------------
-- Bad events: on_bad_event 'reject' (the default) fails the statement with a SQLSTATE ...
INSERT INTO triage.projects (slug, max_event_bytes) VALUES ('b07', 100);
SELECT throws_ok(format($$INSERT INTO triage.events (project_id, payload) VALUES (%s, '{')$$, pg_temp.pid('b07')), '22P02', NULL,
                 'DEC-reject: invalid JSON is 22P02');
SELECT throws_ok(format($$INSERT INTO triage.events (project_id, payload) VALUES (%s, '[1, 2]')$$, pg_temp.pid('b07')), '22023', NULL,
                 'DEC-reject: JSON that is not an object is 22023');
SELECT throws_ok(format($$INSERT INTO triage.events (project_id, payload) VALUES (%s, NULL)$$, pg_temp.pid('b07')), '22004', NULL,
                 'DEC-reject: a NULL payload is 22004');
SELECT throws_ok(format($$INSERT INTO triage.events (project_id, payload) VALUES (%s, '{"message":"%s"}')$$, pg_temp.pid('b07'), repeat('x', 87)),
                 '54000', NULL, 'DEC-max_event_bytes: 101 bytes with a limit of 100 is 54000');
SELECT lives_ok(format($$INSERT INTO triage.events (project_id, payload) VALUES (%s, '{"message":"%s"}')$$, pg_temp.pid('b07'), repeat('x', 86)),
                'DEC-max_event_bytes: exactly 100 bytes are accepted');
SELECT throws_ok($$INSERT INTO triage.events (project_id, payload) VALUES (-7, '{"message":"x"}')$$, '23503', NULL, 'DEC-reject: an unknown project is 23503');
SELECT throws_ok($$INSERT INTO triage.events (project_id, payload) VALUES (NULL, '{"message":"x"}')$$, '23502', NULL, 'DEC-reject: a NULL project is 23502');
SELECT throws_ok(format($$INSERT INTO triage.events (project_id, payload) VALUES (%s, '{"a":%s1%s}')$$, pg_temp.pid('d07'), repeat('[', 300), repeat(']', 300)),
                 '54000', NULL, 'DEC-reject: JSON nested too deep is 54000');
-- One bad row fails the whole statement, and its good rows are not counted later.
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('b07'), '{"message":"ok"}');
SELECT throws_ok(format($$INSERT INTO triage.events (project_id, payload) VALUES (%s, '{"message":"ok"}'), (%s, '{')$$, pg_temp.pid('b07'), pg_temp.pid('b07')),
                 '22P02', NULL, 'DEC-reject: one bad row fails the whole statement');
SELECT is(pg_temp.stats('b07'), '(2,0,0,0)', 'DEC-reject: nothing of the failed statements is stored (the 100-byte event and "ok")');
SELECT is((SELECT count(*) FROM triage.rejected_events WHERE project_id = pg_temp.pid('b07')), 0::bigint, 'DEC-reject: nothing is quarantined');
INSERT INTO triage.events (project_id, payload) VALUES (pg_temp.pid('b07'), '{"message":"ok"}');
SELECT is((SELECT times_seen FROM triage.groups WHERE project_id = pg_temp.pid('b07') AND title = 'ok'), 2::bigint,
          'DEC-reject: the good row of the failed statement was never counted (times_seen 2 = stored events)');

-- ... or, with 'quarantine', sets the bad event aside and goes on.
INSERT INTO triage.projects (slug, hash_algorithm, on_bad_event, max_event_bytes) VALUES ('q07', 'md5', 'quarantine', 200);
INSERT INTO triage.events (project_id, payload) VALUES
  (pg_temp.pid('q07'), '{"message":"good one"}'),
  (pg_temp.pid('q07'), '{'),
  (pg_temp.pid('q07'), '[]'),
  (pg_temp.pid('q07'), NULL),
  (pg_temp.pid('q07'), '{"message":"' || repeat('x', 300) || '"}'),
  (pg_temp.pid('q07'), '{"message":"good one"}');
SELECT is(pg_temp.stats('q07'), '(2,0,0,4)', 'DEC-quarantine: the good events are stored, the four bad ones quarantined');
SELECT is((SELECT array_agg(sqlstate ORDER BY id) FROM triage.rejected_events WHERE project_id = pg_temp.pid('q07')),
          ARRAY['22P02', '22023', '22004', '54000'], 'DEC-quarantine: each with its SQLSTATE');
SELECT is((SELECT array_agg(payload ORDER BY id) FROM triage.rejected_events WHERE project_id = pg_temp.pid('q07') AND sqlstate IN ('22P02', '22023')),
          ARRAY['{', '[]'], 'DEC-quarantine: the payload is kept');
SELECT ok((SELECT bool_and(error <> '') FROM triage.rejected_events WHERE project_id = pg_temp.pid('q07')), 'DEC-quarantine: with the error message');
SELECT is((SELECT times_seen FROM triage.groups WHERE project_id = pg_temp.pid('q07')), 2::bigint, 'DEC-quarantine: the good events are counted');

-- ---------------------------------------------------------------------------------------------
-- Rows that carry their hashes (pg_restore, a copy between databases) are stored as they are and
-- leave the issues' counters alone (restored issues already count them).
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('p07', 'md5');
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('p07'), '07000000000000000000000000000031', '{"message":"restored"}'),
  (pg_temp.pid('p07'), '07000000000000000000000000000032', '{"message":"restored"}');
CREATE TEMP TABLE saved_events AS SELECT * FROM triage.events WHERE project_id = pg_temp.pid('p07');
CREATE TEMP TABLE saved_groups AS SELECT * FROM triage.groups WHERE project_id = pg_temp.pid('p07');
DELETE FROM triage.events WHERE project_id = pg_temp.pid('p07');
DELETE FROM triage.groups WHERE project_id = pg_temp.pid('p07');
-- Issues first, then their events, as a table-by-table copy may do (of the columns that are not
-- generated, as pg_dump does).
DO $$
BEGIN
  EXECUTE (SELECT format('INSERT INTO triage.groups (%1$s) SELECT %1$s FROM saved_groups',
                         string_agg(quote_ident(attname), ', ' ORDER BY attnum))
             FROM pg_attribute
            WHERE attrelid = 'triage.groups'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '');
END
$$;
INSERT INTO triage.events SELECT * FROM saved_events;
SELECT is((SELECT count(*) FROM triage.events WHERE project_id = pg_temp.pid('p07')), 2::bigint, 'DEC-restore: restored rows are stored');
SELECT is((SELECT array_agg(row(e.*)::text ORDER BY event_id) FROM triage.events e WHERE project_id = pg_temp.pid('p07')),
          (SELECT array_agg(row(s.*)::text ORDER BY event_id) FROM saved_events s), 'DEC-restore: restored rows are stored exactly as they are');
SELECT is((SELECT times_seen FROM triage.groups WHERE project_id = pg_temp.pid('p07')), 2::bigint,
          'DEC-restore: restored rows are not counted again (times_seen stays 2 = stored events)');
SELECT is((SELECT count(*) FROM triage.groups WHERE project_id = pg_temp.pid('p07')), 1::bigint, 'DEC-restore: restored rows create no issue');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('p07'), '07000000000000000000000000000033', '{"message":"restored"}');
SELECT is((SELECT times_seen FROM triage.groups WHERE project_id = pg_temp.pid('p07')), 3::bigint, 'DEC-restore: a new event of a restored issue is counted');

-- ---------------------------------------------------------------------------------------------
-- The project's first event.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('f07', 'md5');
SELECT is((SELECT first_event FROM triage.projects WHERE slug = 'f07'), NULL, 'DEC-first_event: first_event is null before any event');
INSERT INTO triage.events (project_id, payload) VALUES
  (pg_temp.pid('f07'), format('{"message":"first","timestamp":%s}', extract(epoch FROM now())::bigint - 500));
INSERT INTO triage.events (project_id, payload) VALUES
  (pg_temp.pid('f07'), format('{"message":"earlier but later","timestamp":%s}', extract(epoch FROM now())::bigint - 900));
SELECT is((SELECT first_event FROM triage.projects WHERE slug = 'f07'), to_timestamp(extract(epoch FROM now())::bigint - 500),
          'DEC-first_event: first_event is the time of the first stored event, set once');

-- ---------------------------------------------------------------------------------------------
-- B-6 / AT-49 / AT-50: the grouping-config auto-upgrade. A project on an older config moves to
-- the current one with its next event; the old config stays secondary for a week. A pinned
-- project (auto_upgrade_grouping = false) keeps its config.
INSERT INTO triage.projects (slug, hash_algorithm, grouping_config) VALUES ('a07', 'md5', 'newstyle:2025-11-21');
INSERT INTO triage.projects (slug, hash_algorithm, grouping_config, auto_upgrade_grouping) VALUES ('n07', 'md5', 'newstyle:2025-11-21', false);
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('c07', 'md5');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('a07'), '07000000000000000000000000000041', '{"type":"transaction","transaction":"/t"}');
SELECT is((SELECT grouping_config FROM triage.projects WHERE slug = 'a07'), 'newstyle:2025-11-21', 'B-6: a transaction does not upgrade the config');
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('a07'), '07000000000000000000000000000042', '{"fingerprint":["{{ foo }}"],"message":"upgrade"}'),
  (pg_temp.pid('n07'), '07000000000000000000000000000043', '{"fingerprint":["{{ foo }}"],"message":"upgrade"}'),
  (pg_temp.pid('c07'), '07000000000000000000000000000044', '{"fingerprint":["{{ foo }}"],"message":"upgrade"}');
SELECT is((pg_temp.e('07000000000000000000000000000042')).hashes, ARRAY[md5('{{ foo }}')], 'AT-49: the upgrading event is grouped with the old config');
SELECT is((SELECT row(grouping_config, secondary_grouping_config)::text FROM triage.projects WHERE slug = 'a07'),
          '(newstyle:2026-01-20,newstyle:2025-11-21)', 'AT-49: then the project is on the current config, the old one secondary');
SELECT ok((SELECT secondary_grouping_expiry BETWEEN now() + interval '7 days' - interval '1 minute' AND clock_timestamp() + interval '7 days'
             FROM triage.projects WHERE slug = 'a07'), 'AT-49: the transition lasts a week');
SELECT is((SELECT row(grouping_config, secondary_grouping_config)::text FROM triage.projects WHERE slug = 'n07'),
          '(newstyle:2025-11-21,)', 'AT-50: a pinned project keeps its config');
SELECT is((SELECT row(grouping_config, secondary_grouping_config)::text FROM triage.projects WHERE slug = 'c07'),
          '(newstyle:2026-01-20,)', 'B-6: a project on the current config is left alone');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('a07'), '07000000000000000000000000000045', '{"fingerprint":["{{ foo }}"],"message":"upgrade"}');
SELECT is(pg_temp.grp('07000000000000000000000000000045'), pg_temp.grp('07000000000000000000000000000042'),
          'AT-49: the next event, hashed with the new config, keeps its issue through the transition');
SELECT is((pg_temp.e('07000000000000000000000000000045')).hashes, ARRAY[md5('<unrecognized-variable-foo>')], 'AT-49: ... with the new hash');

-- ---------------------------------------------------------------------------------------------
-- search_path safety: ingest, updates, releases, environments and regressions under
-- search_path = pg_catalog.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('s07', 'md5');
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('s07'), '07000000000000000000000000000051',
   format('{"message":"safe","release":"1.0","environment":"prod","timestamp":%s}', extract(epoch FROM now())::bigint - 50000));
SELECT is(triage.resolve(pg_temp.grp('07000000000000000000000000000051'), in_release => '1.0'), 1, 'DEC-search_path: resolved in 1.0');
SET LOCAL search_path = pg_catalog;
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  ((SELECT id FROM triage.projects WHERE slug = 's07'), '07000000000000000000000000000052',
   '{"message":"safe","release":"2.0","environment":"staging","user":{"id":"1"}}'),
  ((SELECT id FROM triage.projects WHERE slug = 's07'), '07000000000000000000000000000053', '{"message":"another safe one"}');
-- (pgTAP itself needs its schema on the search_path: the results are read after RESET.)
RESET search_path;
SELECT is((SELECT count(*) FROM triage.events WHERE project_id = pg_temp.pid('s07')), 3::bigint, 'DEC-search_path: pg_catalog only: inserts work');
SELECT is((SELECT row(times_seen, status, substatus)::text FROM triage.groups WHERE id = pg_temp.grp('07000000000000000000000000000051')),
          '(2,unresolved,regressed)', 'DEC-search_path: pg_catalog only: the issue was updated and regressed');
SELECT is((SELECT count(*) FROM triage.groups WHERE project_id = pg_temp.pid('s07')), 2::bigint, 'DEC-search_path: pg_catalog only: a new issue was created');
SELECT is((SELECT count(*) FROM triage.group_releases WHERE group_id = pg_temp.grp('07000000000000000000000000000051')), 2::bigint,
          'DEC-search_path: pg_catalog only: group releases written');
SELECT is((SELECT array_agg(name ORDER BY name) FROM triage.environments WHERE project_id = pg_temp.pid('s07')), ARRAY['', 'prod', 'staging'],
          'DEC-search_path: pg_catalog only: environments written');

SELECT * FROM finish();
ROLLBACK;
