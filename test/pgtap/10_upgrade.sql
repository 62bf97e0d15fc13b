-- Upgrading 0.1.0 (the grouping engine) to 0.2.0 (the save path) and then to 0.3.0 (triage over
-- SQL): each update script creates its version's objects, what was stored keeps working after each
-- update, and an upgraded install has exactly the objects (and definitions) of a fresh 0.3.0 install.
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(57);

-- Whatever an earlier file left behind goes (all of this rolls back).
DROP EXTENSION IF EXISTS pg_triage CASCADE;
DROP SCHEMA IF EXISTS triage CASCADE;

-- Everything that makes up an installed pg_triage, one line per fact, as text independent of
-- oids: extension members, columns, constraints, indexes, triggers, function definitions,
-- views, enum labels, sequences, comments, privileges and the pg_dump configuration.
CREATE FUNCTION pg_temp.triage_shape() RETURNS SETOF text LANGUAGE sql STABLE AS $fn$
  WITH ext AS (SELECT oid, extconfig, extcondition FROM pg_catalog.pg_extension WHERE extname = 'pg_triage'),
  rels AS (SELECT c.oid, c.relname, c.relkind FROM pg_catalog.pg_class c
            WHERE c.relnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = 'triage'))
  SELECT 'member: ' || pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)
    FROM pg_catalog.pg_depend d, ext
   WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
  UNION ALL
  SELECT pg_catalog.format('relation: %s kind=%s persistence=%s options=%s acl=%s', r.relname, r.relkind,
                           c.relpersistence, c.reloptions, c.relacl)
    FROM rels r JOIN pg_catalog.pg_class c ON c.oid = r.oid
  UNION ALL
  SELECT pg_catalog.format('column: %s.%s #%s %s notnull=%s default=%s identity=%s generated=%s compression=%s collation=%s',
                           r.relname, a.attname, a.attnum, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                           pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
                           a.attcompression, a.attcollation::regcollation)
    FROM rels r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  UNION ALL
  SELECT pg_catalog.format('constraint: %s %s %s', r.relname, co.conname, pg_catalog.pg_get_constraintdef(co.oid))
    FROM rels r JOIN pg_catalog.pg_constraint co ON co.conrelid = r.oid
  UNION ALL
  SELECT 'index: ' || pg_catalog.pg_get_indexdef(i.indexrelid)
    FROM rels r JOIN pg_catalog.pg_index i ON i.indrelid = r.oid
  UNION ALL
  SELECT 'trigger: ' || pg_catalog.pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
    FROM rels r JOIN pg_catalog.pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
  UNION ALL
  SELECT 'view: ' || r.relname || ' ' || pg_catalog.pg_get_viewdef(r.oid) FROM rels r WHERE r.relkind = 'v'
  UNION ALL
  SELECT pg_catalog.format('sequence: %s start=%s increment=%s max=%s min=%s cache=%s cycle=%s owned_by=%s',
                           r.relname, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle,
                           (SELECT pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)
                              FROM pg_catalog.pg_depend d
                             WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = r.oid
                               AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')))
    FROM rels r JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid
  UNION ALL
  SELECT 'function: ' || pg_catalog.pg_get_functiondef(p.oid) || ' acl=' || COALESCE(p.proacl::text, '')
    FROM pg_catalog.pg_proc p WHERE p.pronamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = 'triage')
     AND p.prokind <> 'a'
  UNION ALL
  SELECT pg_catalog.format('aggregate: %s sfunc=%s stype=%s init=%s acl=%s', p.oid::regprocedure, a.aggtransfn,
                           a.aggtranstype::regtype, a.agginitval, p.proacl)
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
   WHERE p.pronamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = 'triage')
  UNION ALL
  SELECT pg_catalog.format('type: %s labels=%s', t.typname,
                           (SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder)
                              FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid))
    FROM pg_catalog.pg_type t WHERE t.typnamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = 'triage') AND t.typtype <> 'c' AND t.typelem = 0
  UNION ALL
  SELECT pg_catalog.format('comment: %s = %s', pg_catalog.pg_describe_object(ds.classoid, ds.objoid, ds.objsubid),
                           ds.description)
    FROM pg_catalog.pg_description ds
   WHERE (ds.classoid = 'pg_catalog.pg_proc'::regclass
          AND ds.objoid IN (SELECT oid FROM pg_catalog.pg_proc WHERE pronamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = 'triage')))
      OR (ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objoid IN (SELECT oid FROM rels))
  UNION ALL
  SELECT pg_catalog.format('dump config: %s condition=%s', cfg.rel::regclass, cfg.condition)
    FROM ext, LATERAL ROWS FROM (pg_catalog.unnest(ext.extconfig), pg_catalog.unnest(ext.extcondition)) AS cfg(rel, condition)
  UNION ALL
  SELECT 'schema acl: ' || COALESCE(n.nspacl::text, '') FROM pg_catalog.pg_namespace n WHERE n.nspname = 'triage'
$fn$;

-- ---------------------------------------------------------------------------------------------
-- 0.1.0: the grouping functions only.
CREATE EXTENSION pg_triage VERSION '0.1.0';
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'pg_triage'), '0.1.0', '0.1.0 installed');
SELECT tables_are('triage', ARRAY[]::name[], '0.1.0 has no tables');
SELECT functions_are('triage', ARRAY['grouping_hashes', 'grouping_info'], '0.1.0 has the grouping functions only');
SELECT is(triage.grouping_hashes('{"message":"m"}', 'md5'), ARRAY[md5('m')], '0.1.0: grouping_hashes works');
SELECT is(triage.grouping_hashes('{"message":"m"}'::jsonb, 'md5'), ARRAY[md5('m')], '0.1.0: the jsonb form works');
SELECT is(triage.grouping_info('{"message":"m"}', 'md5') -> 'hashes' ->> 0, md5('m'), '0.1.0: grouping_info works');
SELECT is(triage.grouping_hashes('{"message":"user 1234 failed"}', 'md5'),
          triage.grouping_hashes('{"message":"user 98 failed"}', 'md5'), '0.1.0: messages are parameterized');

-- ---------------------------------------------------------------------------------------------
-- The update.
ALTER EXTENSION pg_triage UPDATE TO '0.2.0';
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'pg_triage'), '0.2.0', 'updated to 0.2.0');

SELECT tables_are('triage', ARRAY['projects', 'project_counters', 'groups', 'grouphashes', 'group_tombstones',
                                  'events', 'rejected_events', 'ingest_counters', 'environments', 'releases',
                                  'release_environments', 'group_environments', 'group_releases',
                                  'group_resolutions', 'activities'], 'the 0.2.0 tables');
SELECT views_are('triage', ARRAY['ingest_stats'], 'the 0.2.0 views');
SELECT sequences_are('triage', ARRAY['projects_id_seq', 'groups_id_seq', 'group_tombstones_id_seq',
                                     'rejected_events_id_seq', 'environments_id_seq', 'releases_id_seq',
                                     'group_resolutions_id_seq', 'activities_id_seq'], 'the identity sequences');
SELECT enums_are('triage', ARRAY['group_status', 'group_substatus', 'priority_level', 'log_level'], 'the enums');
SELECT enum_has_labels('triage', 'group_status', ARRAY['unresolved', 'resolved', 'ignored', 'pending_deletion',
                       'deletion_in_progress', 'pending_merge', 'reprocessing'], 'group_status labels in order');
SELECT enum_has_labels('triage', 'log_level', ARRAY['debug', 'info', 'warning', 'error', 'fatal'],
                       'log_level labels in order');
SELECT functions_are('triage', ARRAY['grouping_hashes', 'grouping_info', 'check_grouping_setup', 'ingest_event',
                                     'count_event', 'fold_counts', 'invalidate_cache', 'invalidate_cache_on_change',
                                     'status_allows_substatus', 'is_placeholder_title',
                                     'updated_title', 'merge_group_data', 'format_short_id', 'qualified_short_id',
                                     'resolve', 'unresolve'], 'the 0.2.0 functions');

-- The triggers on triage.events: when they fire and what they call.
SELECT triggers_are('triage', 'events', ARRAY['ingest_event', 'count_event', 'fold_counts'], 'the triggers on triage.events');
SELECT is(pg_get_triggerdef(oid), 'CREATE TRIGGER ingest_event BEFORE INSERT ON triage.events FOR EACH ROW EXECUTE FUNCTION triage.ingest_event()',
          'ingest_event: BEFORE INSERT, FOR EACH ROW')
  FROM pg_trigger WHERE tgrelid = 'triage.events'::regclass AND tgname = 'ingest_event';
SELECT is(pg_get_triggerdef(oid), 'CREATE TRIGGER count_event AFTER INSERT ON triage.events FOR EACH ROW EXECUTE FUNCTION triage.count_event()',
          'count_event: AFTER INSERT, FOR EACH ROW')
  FROM pg_trigger WHERE tgrelid = 'triage.events'::regclass AND tgname = 'count_event';
SELECT is(pg_get_triggerdef(oid), 'CREATE TRIGGER fold_counts AFTER INSERT ON triage.events FOR EACH STATEMENT EXECUTE FUNCTION triage.fold_counts()',
          'fold_counts: AFTER INSERT, FOR EACH STATEMENT')
  FROM pg_trigger WHERE tgrelid = 'triage.events'::regclass AND tgname = 'fold_counts';
SELECT is((SELECT array_agg(tgenabled::text ORDER BY tgname) FROM pg_trigger
            WHERE tgrelid = 'triage.events'::regclass AND NOT tgisinternal), ARRAY['O', 'O', 'O'],
          'the events triggers are enabled (origin)');

-- resolve and unresolve, with their exact signatures.
SELECT has_function('triage', 'resolve', ARRAY['bigint', 'text', 'boolean'], 'resolve(bigint, text, boolean)');
SELECT function_returns('triage', 'resolve', ARRAY['bigint', 'text', 'boolean'], 'integer', 'resolve returns integer');
SELECT is(pg_get_function_arguments('triage.resolve(bigint, text, boolean)'::regprocedure),
          'group_id bigint, in_release text DEFAULT NULL::text, in_next_release boolean DEFAULT false',
          'resolve: argument names and defaults');
SELECT has_function('triage', 'unresolve', ARRAY['bigint'], 'unresolve(bigint)');
SELECT function_returns('triage', 'unresolve', ARRAY['bigint'], 'integer', 'unresolve returns integer');
SELECT is(pg_get_function_arguments('triage.unresolve(bigint)'::regprocedure), 'group_id bigint',
          'unresolve: argument name');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'triage'::regnamespace
            AND proname IN ('resolve', 'unresolve')), 2, 'one resolve and one unresolve, no other overloads');
SELECT has_function('triage', 'format_short_id', ARRAY['text', 'bigint'], 'format_short_id(text, bigint)');
SELECT has_function('triage', 'qualified_short_id', ARRAY['bigint'], 'qualified_short_id(bigint)');
SELECT columns_are('triage', 'ingest_stats', ARRAY['project_id', 'slug', 'accepted', 'duplicates_skipped',
                                                   'discarded', 'quarantined'], 'ingest_stats columns');

-- ---------------------------------------------------------------------------------------------
-- The save path right after the update, in the same session that used 0.1.0.
INSERT INTO triage.projects (slug) VALUES ('upgraded');
INSERT INTO triage.events (project_id, payload)
SELECT id, '{"event_id":"0123456789abcdef0123456789abcdef","level":"warning","platform":"python","timestamp":' ||
           (extract(epoch FROM now()) - 50000)::bigint || ',"message":"disk 3 is 91% full","release":"app@1.0.0","environment":"prod"}'
  FROM triage.projects WHERE slug = 'upgraded';

SELECT is((SELECT count(*)::int FROM triage.groups), 1, 'after the update: an event creates one group');
SELECT results_eq(
  $$SELECT g.short_id, g.status::text, g.substatus::text, g.level::text, g.title, g.times_seen, g.first_release, g.platform
      FROM triage.groups g JOIN triage.projects p ON p.id = g.project_id WHERE p.slug = 'upgraded'$$,
  $$VALUES (1::bigint, 'unresolved', 'new', 'warning', 'disk 3 is 91% full', 1::bigint, 'app@1.0.0', 'python')$$,
  'after the update: the group has its short id, status, level, title, counter, release and platform');
SELECT results_eq(
  $$SELECT e.event_id, e.group_id = g.id, e.hashes = triage.grouping_hashes(e.payload), e.type, e.title, e.level::text,
           e.release, e.environment, e.tags ->> 'sentry:release', e.tags ->> 'environment', e.tags ->> 'level'
      FROM triage.events e JOIN triage.groups g ON g.project_id = e.project_id$$,
  $$VALUES ('01234567-89ab-cdef-0123-456789abcdef'::uuid, true, true, 'default', 'disk 3 is 91% full', 'warning',
            'app@1.0.0', 'prod', 'app@1.0.0', 'prod', 'warning')$$,
  'after the update: the event row is filled by the trigger');
SELECT is(triage.qualified_short_id((SELECT id FROM triage.groups)), 'UPGRADED-1', 'qualified short id');
SELECT results_eq($$SELECT version FROM triage.releases$$, $$VALUES ('app@1.0.0')$$, 'release recorded');
SELECT results_eq($$SELECT name FROM triage.environments$$, $$VALUES ('prod')$$, 'environment recorded');
SELECT results_eq($$SELECT accepted, duplicates_skipped FROM triage.ingest_stats$$, $$VALUES (1::bigint, 0::bigint)$$,
                  'ingest_stats counts the event');
SELECT is(triage.resolve((SELECT id FROM triage.groups)), 1, 'resolve works after the update');
SELECT is(triage.unresolve((SELECT id FROM triage.groups)), 1, 'unresolve works after the update');
SELECT results_eq($$SELECT type FROM triage.activities ORDER BY id$$, $$VALUES ('set_resolved'), ('set_unresolved')$$,
                  'resolve and unresolve wrote their activities');
-- A second event for the same issue in a second statement: counted by the statement fold.
INSERT INTO triage.events (project_id, payload)
SELECT id, '{"level":"warning","platform":"python","message":"disk 7 is 99% full","release":"app@1.0.0","environment":"prod"}'
  FROM triage.projects WHERE slug = 'upgraded';
SELECT results_eq($$SELECT count(*)::int, sum(times_seen)::int FROM triage.groups$$, $$VALUES (1, 2)$$,
                  'a second event joins the issue and is counted once');

-- ---------------------------------------------------------------------------------------------
-- 0.2.0 to 0.3.0 (triage over SQL), over the data written by 0.2.0.
ALTER EXTENSION pg_triage UPDATE TO '0.3.0';
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'pg_triage'), '0.3.0', 'updated to 0.3.0');
SELECT tables_are('triage', ARRAY['projects', 'project_counters', 'groups', 'grouphashes', 'group_tombstones',
                                  'events', 'rejected_events', 'ingest_counters', 'environments', 'releases',
                                  'release_environments', 'group_environments', 'group_releases',
                                  'group_resolutions', 'activities', 'group_snoozes', 'group_redirects', 'tag_keys'],
                  'the 0.3.0 tables');
SELECT views_are('triage', ARRAY['ingest_stats', 'issues', 'issue_events', 'issue_stats'], 'the 0.3.0 views');
SELECT set_eq($$SELECT key FROM triage.tag_keys$$, $$SELECT DISTINCT jsonb_object_keys(tags) FROM triage.events$$,
              '0.3.0: the tag keys of the events stored before the update');
SELECT results_eq($$SELECT short_id, times_seen, users_seen, environments, last_release, status::text FROM triage.issues$$,
                  $$VALUES ('UPGRADED-1', 2::bigint, 0::bigint, ARRAY['prod'], 'app@1.0.0', 'unresolved')$$,
                  '0.3.0: the issue written by 0.2.0 is in the stream');
SELECT ok((SELECT last_seen_bucket = triage.minute_bucket(last_seen) AND times_seen_bucket = triage.count_bucket(2) AND users_seen_bucket = 0
             FROM triage.groups), '0.3.0: the sort keys of existing issues are filled');
SELECT results_eq($$SELECT short_id FROM triage.search((SELECT id FROM triage.projects WHERE slug = 'upgraded'))$$,
                  $$VALUES ('UPGRADED-1')$$, '0.3.0: search finds it');
SELECT is(triage.resolve(ARRAY[(SELECT id FROM triage.groups)]), 1, '0.3.0: the array form of resolve');
SELECT is(triage.unresolve((SELECT id FROM triage.groups)), 1, '0.3.0: the single form of unresolve');

CREATE TEMP TABLE upgraded_shape AS SELECT pg_temp.triage_shape() AS line;

-- ---------------------------------------------------------------------------------------------
-- A fresh 0.3.0 install in the same transaction and session.
DROP EXTENSION pg_triage CASCADE;
SELECT is((SELECT count(*)::int FROM pg_class WHERE relnamespace = 'triage'::regnamespace), 0,
          'DROP EXTENSION removes every relation of the schema');
CREATE EXTENSION pg_triage VERSION '0.3.0';
CREATE TEMP TABLE fresh_shape AS SELECT pg_temp.triage_shape() AS line;

SELECT ok((SELECT count(*) FROM fresh_shape WHERE line LIKE 'member: %') >= 45, 'the shape query sees the members');
SELECT is_empty($$SELECT line FROM upgraded_shape EXCEPT ALL SELECT line FROM fresh_shape$$,
                'nothing an upgraded install has that a fresh one lacks');
SELECT is_empty($$SELECT line FROM fresh_shape EXCEPT ALL SELECT line FROM upgraded_shape$$,
                'nothing a fresh install has that an upgraded one lacks');

-- The fresh install starts from empty tables and new sequences; settings cached by this backend
-- for the dropped install's project 1 must not leak into the new project 1.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('fresh', 'md5');
INSERT INTO triage.events (project_id, payload) VALUES (1, '{"message":"hello after reinstall"}');
SELECT results_eq($$SELECT g.id, g.short_id, g.times_seen, triage.qualified_short_id(g.id) FROM triage.groups g$$,
                  $$VALUES (1::bigint, 1::bigint, 1::bigint, 'FRESH-1')$$,
                  'fresh install: ids and short ids start at 1, with the new slug');
SELECT is((SELECT hashes FROM triage.events), ARRAY[md5('hello after reinstall')],
          'fresh install: the new project''s md5 setting applies (no stale cached settings)');
SELECT is((SELECT count(*)::int FROM triage.releases) + (SELECT count(*)::int FROM triage.activities), 0,
          'fresh install: no rows from the dropped install');

SELECT * FROM finish();
ROLLBACK;
