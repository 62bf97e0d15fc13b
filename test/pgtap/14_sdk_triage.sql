-- Triage over real SDK events (@sentry/node 11.12.0, test/sdk/): the bundled payloads ingested,
-- then searched, resolved, regressed, merged and unmerged, checked down to each event's issue and
-- every counter.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SET LOCAL client_min_messages = warning;
SELECT plan(27);

\ir helpers/sdk_events.sql

INSERT INTO triage.projects (slug) VALUES ('sdk-triage');
CREATE FUNCTION pg_temp.pid() RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM triage.projects WHERE slug = 'sdk-triage' $$;
INSERT INTO triage.events (project_id, payload)
SELECT pg_temp.pid(), payload FROM sdk_events WHERE sdk = 'node' ORDER BY n;
-- The issue of a scenario (the case tag of its events).
CREATE FUNCTION pg_temp.issue_of(p_case text) RETURNS bigint LANGUAGE sql
AS $$ SELECT DISTINCT e.group_id FROM triage.events e WHERE e.project_id = pg_temp.pid() AND e.tags ->> 'case' = p_case $$;
-- Every event's issue and every issue's counters, to compare before and after.
CREATE FUNCTION pg_temp.state() RETURNS TABLE (what text) LANGUAGE sql AS $$
  SELECT 'event ' || e.event_id || ' -> ' || e.group_id FROM triage.events e WHERE e.project_id = pg_temp.pid()
  UNION ALL
  SELECT format('issue %s: times_seen=%s users_seen=%s first=%s last=%s envs=%s', g.id, g.times_seen, g.users_seen,
                g.first_seen, g.last_seen, (SELECT array_agg(ge.environment_id ORDER BY ge.environment_id)
                                              FROM triage.group_environments ge WHERE ge.group_id = g.id))
    FROM triage.groups g WHERE g.project_id = pg_temp.pid()
$$;

-- ---------------------------------------------------------------------------------------------
-- The stream and searches.
SELECT is((SELECT count(*)::int FROM triage.search(pg_temp.pid(), '', 'date', 100)), 17,
          'the 38 node events form 17 issues, all in the stream');
SELECT results_eq($$SELECT id FROM triage.search(pg_temp.pid(), '', 'freq', 100)$$,
                  $$SELECT id FROM triage.groups WHERE project_id = pg_temp.pid() ORDER BY times_seen DESC, id DESC$$,
                  'sort freq: busiest first, ties by id');
SELECT results_eq($$SELECT id FROM triage.search(pg_temp.pid(), 'case:two-paths-*')$$,
                  $$SELECT id FROM triage.groups WHERE id IN (pg_temp.issue_of('two-paths-admin'), pg_temp.issue_of('two-paths-checkout'))
                    ORDER BY last_seen DESC, id DESC$$,
                  'a tag wildcard finds the issues of both two-path scenarios');
SELECT results_eq($$SELECT id FROM triage.search(pg_temp.pid(), 'level:warning')$$,
                  $$SELECT id FROM triage.groups WHERE project_id = pg_temp.pid() AND level = 'warning' ORDER BY last_seen DESC, id DESC$$,
                  'level:warning');
SELECT is((SELECT array_agg(id) FROM triage.search(pg_temp.pid(), 'Insufficient stock')), 
          (SELECT array_agg(id ORDER BY last_seen DESC, id DESC) FROM triage.groups
            WHERE project_id = pg_temp.pid() AND title LIKE '%Insufficient stock%'),
          'free text finds the insufficient-stock issues');
SELECT is((SELECT count(*)::int FROM triage.search(pg_temp.pid(), 'has:user')), 1, 'has:user: the one scenario with a user');
SELECT is((SELECT count(*)::int FROM triage.search(pg_temp.pid(), 'release:latest environment:production')), 17,
          'release:latest environment:production: every issue');
SELECT is((SELECT count(*)::int FROM triage.search(pg_temp.pid(), 'runtime.name:node os.name:Debian')), 17,
          'SDK context tags are searchable');

-- ---------------------------------------------------------------------------------------------
-- Resolve, then a regression by a new event in a newer release.
SELECT is(triage.resolve(pg_temp.issue_of('type-error'), in_release => 'pg-triage-demo@1.4.2'), 1, 'resolve in the release');
SELECT is((SELECT array_agg(id) FROM triage.search(pg_temp.pid(), 'is:resolved')), ARRAY[pg_temp.issue_of('type-error')],
          'is:resolved finds it');
SELECT is((SELECT count(*)::int FROM triage.search(pg_temp.pid())), 16, 'the default stream (is:unresolved) leaves it out');
INSERT INTO triage.events (project_id, payload)
SELECT pg_temp.pid(), (payload::jsonb || jsonb_build_object('event_id', replace(gen_random_uuid()::text, '-', ''),
                                                              'release', 'pg-triage-demo@1.5.0',
                                                              'timestamp', extract(epoch FROM now())))::text
  FROM sdk_events WHERE sdk = 'node' AND case_name = 'type-error' LIMIT 1;
SELECT results_eq($$SELECT status::text, substatus::text, times_seen, last_release FROM triage.issues WHERE id = pg_temp.issue_of('type-error')$$,
                  $$VALUES ('unresolved', 'regressed', 3::bigint, 'pg-triage-demo@1.5.0')$$,
                  'an event of a newer release regresses it');
SELECT is((SELECT array_agg(id) FROM triage.search(pg_temp.pid(), 'is:regressed')), ARRAY[pg_temp.issue_of('type-error')],
          'is:regressed finds it');
SELECT is((SELECT array_agg(id) FROM triage.search(pg_temp.pid(), 'release:pg-triage-demo@1.5.0')), ARRAY[pg_temp.issue_of('type-error')],
          'release: finds it by the new release');

-- ---------------------------------------------------------------------------------------------
-- Merge the two scenarios of one throw site reached by two paths, then unmerge them.
CREATE TEMP TABLE before_merge AS SELECT * FROM pg_temp.state();
CREATE TEMP TABLE two AS SELECT pg_temp.issue_of('two-paths-admin') AS admin, pg_temp.issue_of('two-paths-checkout') AS checkout;
-- Equal times_seen: the survivor is the higher id, the child the lower.
CREATE TEMP TABLE child AS
SELECT least(admin, checkout) AS id, greatest(admin, checkout) AS survivor,
       CASE WHEN admin < checkout THEN 'two-paths-admin' ELSE 'two-paths-checkout' END AS case_name,
       (SELECT array_agg(h.hash) FROM triage.grouphashes h WHERE h.group_id = least(admin, checkout)) AS hashes
  FROM two;
SELECT is(triage.merge(ARRAY[(SELECT admin FROM two), (SELECT checkout FROM two)]), (SELECT survivor FROM child),
          'merge: the survivor is the higher id (equal times_seen)');
SELECT is(triage.current_issue_id((SELECT id FROM child)), (SELECT survivor FROM child), 'the merged id redirects to the survivor');
SELECT is((SELECT times_seen FROM triage.groups WHERE id = (SELECT survivor FROM child)), 4::bigint, 'the survivor counts all 4 events');
SELECT is((SELECT count(*)::int FROM triage.events WHERE group_id = (SELECT survivor FROM child)), 4, 'and has them');
SELECT is((SELECT count(*)::int FROM triage.search(pg_temp.pid(), '', 'date', 100)), 16, 'the stream has one issue fewer');
SELECT is((SELECT count(*)::int FROM triage.search(pg_temp.pid(), 'case:two-paths-*')), 1, 'the tag search finds the merged issue once');

-- Unmerge the child's hashes: a new issue with its events.
CREATE TEMP TABLE split AS SELECT triage.unmerge((SELECT survivor FROM child), (SELECT hashes FROM child)) AS new_issue;
SELECT is((SELECT count(*)::int FROM triage.events WHERE group_id = (SELECT new_issue FROM split)), 2,
          'unmerge: the new issue has the child''s 2 events');
SELECT is((SELECT array_agg(DISTINCT tags ->> 'case') FROM triage.events WHERE group_id = (SELECT new_issue FROM split)),
          ARRAY[(SELECT case_name FROM child)], 'unmerge: only the child scenario''s');
SELECT is((SELECT array_agg(times_seen ORDER BY id) FROM triage.groups WHERE id IN ((SELECT survivor FROM child), (SELECT new_issue FROM split))),
          ARRAY[2::bigint, 2::bigint], 'unmerge: both issues count their events');
-- Round trip: apart from the new issue's id, every event's issue and every issue's counters are
-- as before the merge.
SELECT is_empty($$
  SELECT replace(what, ' -> ' || (SELECT new_issue FROM split), ' -> ' || (SELECT id FROM child))
    FROM (SELECT what FROM pg_temp.state() WHERE what LIKE 'event %') s
  EXCEPT SELECT what FROM before_merge WHERE what LIKE 'event %'$$,
  'merge + unmerge round trip: every event is back in its scenario''s issue');
SELECT is_empty($$
  SELECT regexp_replace(what, '^issue ' || (SELECT new_issue FROM split) || ':', 'issue ' || (SELECT id FROM child) || ':')
    FROM (SELECT what FROM pg_temp.state() WHERE what LIKE 'issue %') s
  EXCEPT SELECT what FROM before_merge WHERE what LIKE 'issue %'$$,
  'merge + unmerge round trip: every issue''s times_seen, users_seen, first and last seen and environments as before');
SELECT is((SELECT array_agg(type ORDER BY id) FROM triage.activities WHERE group_id = (SELECT new_issue FROM split)),
          ARRAY['unmerge_destination'], 'unmerge: the new issue''s activity');
-- A later event of the child scenario lands in the new issue.
INSERT INTO triage.events (project_id, payload)
SELECT pg_temp.pid(), (payload::jsonb || jsonb_build_object('event_id', replace(gen_random_uuid()::text, '-', '')))::text
  FROM sdk_events WHERE sdk = 'node' AND case_name = (SELECT case_name FROM child) LIMIT 1;
SELECT is((SELECT times_seen FROM triage.groups WHERE id = (SELECT new_issue FROM split)), 3::bigint,
          'a later event with an unmerged hash lands in the new issue');

SELECT * FROM finish();
ROLLBACK;
