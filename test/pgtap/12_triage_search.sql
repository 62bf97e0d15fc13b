-- Triage over SQL, the stream: the triage.issues view, triage.search() with every query form of
-- Sentry's issue search, every sort, the lim default and clamp, keyset cursors paged through whole
-- projects, the cross-project overload, and every error with its SQLSTATE.
-- Issue counters are folded at the end of each INSERT statement: they are read in later statements.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(195);

\ir helpers/save_path.sql

-- The issues of this file by name: nine visible ones (a1..a9), three being merged or deleted
-- (h1..h3), the issues of a second project (t1, t2).
CREATE TEMP TABLE k (name text PRIMARY KEY, id bigint NOT NULL);
-- One event of the issue p_name (fingerprint p_name), p_ago seconds before the transaction
-- started, with p_extra merged into the payload. Returns the issue id.
CREATE FUNCTION pg_temp.ev(p_slug text, p_name text, p_ago int, p_extra jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  gid bigint;
BEGIN
  INSERT INTO triage.events (project_id, event_id, payload)
  VALUES (pg_temp.pid(p_slug), gen_random_uuid(),
          (jsonb_build_object('fingerprint', jsonb_build_array(p_name), 'message', p_name || ' event',
                              'timestamp', pg_temp.ago(p_ago)::bigint) || p_extra)::text)
  RETURNING group_id INTO gid;
  INSERT INTO k VALUES (p_name, gid) ON CONFLICT (name) DO NOTHING;
  RETURN gid;
END
$$;
CREATE FUNCTION pg_temp.i(p_name text) RETURNS bigint LANGUAGE sql AS $$ SELECT id FROM k WHERE name = p_name $$;
-- The names of the issues a search of project s12 returns, sorted by name (a filter's result set).
CREATE FUNCTION pg_temp.q(p_query text) RETURNS text[] LANGUAGE sql
AS $$ SELECT COALESCE(array_agg(k.name ORDER BY k.name), '{}')
        FROM triage.search(pg_temp.pid('s12'), p_query, 'date', 100) s LEFT JOIN k ON k.id = s.id $$;
-- The names in result order (a sort).
CREATE FUNCTION pg_temp.qs(p_sort text, p_query text DEFAULT '') RETURNS text[] LANGUAGE sql
AS $$ SELECT COALESCE(array_agg(COALESCE(k.name, s.id::text) ORDER BY s.ordinality), '{}')
        FROM triage.search(pg_temp.pid('s12'), p_query, p_sort, 100) WITH ORDINALITY s LEFT JOIN k ON k.id = s.id $$;
-- A search of project s12 that must fail with p_state (and p_message, unless NULL).
CREATE FUNCTION pg_temp.search_fails(p_query text, p_state text, p_message text, p_description text) RETURNS text
LANGUAGE sql AS $$ SELECT throws_ok(format('SELECT * FROM triage.search(%s, %L)', pg_temp.pid('s12'), p_query),
                                    p_state, p_message, p_description) $$;
-- UTC date and date-time of an instant, as the search syntax writes them.
CREATE FUNCTION pg_temp.day(p_ago int) RETURNS text LANGUAGE sql
AS $$ SELECT to_char(pg_temp.at(p_ago) AT TIME ZONE 'UTC', 'YYYY-MM-DD') $$;
CREATE FUNCTION pg_temp.instant(p_ago int) RETURNS text LANGUAGE sql
AS $$ SELECT to_char(pg_temp.at(p_ago) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || 'Z' $$;
-- Every issue of the projects, page after page of p_lim rows, each page started at the previous
-- page's last cursor.
CREATE FUNCTION pg_temp.page_all(p_projects bigint[], p_sort text, p_lim int, p_query text DEFAULT '',
                                 p_after text DEFAULT NULL) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
  cur text := p_after;
  ids bigint[] := '{}';
  r record;
  n int;
  pages int := 0;
BEGIN
  LOOP
    n := 0;
    FOR r IN SELECT s.id, s.cursor FROM triage.search(p_projects, p_query, p_sort, p_lim, cur) s LOOP
      ids := ids || r.id;
      cur := r.cursor;
      n := n + 1;
    END LOOP;
    pages := pages + 1;
    EXIT WHEN n < p_lim OR pages > 1000;
  END LOOP;
  RETURN ids;
END
$$;
-- The order a sort must give, written out from its definition (value descending, then id).
CREATE FUNCTION pg_temp.expected(p_projects bigint[], p_sort text) RETURNS bigint[] LANGUAGE sql
AS $$
  SELECT array_agg(i.id ORDER BY
           CASE WHEN p_sort = 'priority' THEN i.priority END DESC NULLS LAST,
           CASE p_sort WHEN 'date' THEN extract(epoch FROM i.last_seen) WHEN 'priority' THEN extract(epoch FROM i.last_seen)
                       WHEN 'new' THEN extract(epoch FROM i.first_seen) WHEN 'freq' THEN i.times_seen
                       WHEN 'user' THEN i.users_seen END DESC,
           i.id DESC)
    FROM triage.issues i WHERE i.project_id = ANY (p_projects)
$$;

INSERT INTO triage.projects (slug) VALUES ('s12'), ('t12'), ('m12');

-- ---------------------------------------------------------------------------------------------
-- The issues of s12. Times are seconds before now: d = 86400, h = 3600.
SELECT pg_temp.ev('s12', 'a1', 2160000, '{"message":"a1 alpha database timeout","release":"1.0","environment":"production","tags":{"route":"/api/users","browser":"Firefox"}}');
SELECT pg_temp.ev('s12', 'a1', 7200, '{"message":"a1 alpha database timeout","release":"1.0","environment":"production"}');
SELECT pg_temp.ev('s12', 'a2', 864000, '{"message":"a2 beta cache miss","level":"warning","release":"2.0","environment":"staging","tags":{"route":"/api/items"}}');
SELECT pg_temp.ev('s12', 'a2', 18000, '{"message":"a2 beta cache miss","level":"warning","release":"2.0","environment":"staging"}');
SELECT pg_temp.ev('s12', 'a2', 10800, '{"message":"a2 beta cache miss","level":"warning","release":"2.0","environment":"staging"}');
SELECT pg_temp.ev('s12', 'a3', 72000, '{"message":"a3 gamma","level":"fatal","release":"2.0","environment":"qa env","tags":{"browser":"Mobile Safari","route":"/static/app.js"}}');
SELECT pg_temp.ev('s12', 'a4', 259200, '{"message":"a4 delta","level":"info","tags":{"route":"/api/v*"}}');
SELECT pg_temp.ev('s12', 'a5', 172800, '{"message":"a5 epsilon","release":"3.0","environment":"production"}');
SELECT pg_temp.ev('s12', 'a5', 86400, '{"message":"a5 epsilon","release":"3.0","environment":"production"}');
SELECT pg_temp.ev('s12', 'a5', 5000, '{"message":"a5 epsilon","release":"3.0","environment":"production"}');
SELECT pg_temp.ev('s12', 'a5', 1800, '{"message":"a5 epsilon","release":"3.0","environment":"production"}');
SELECT pg_temp.ev('s12', 'a6', 691200, '{"message":"a6 zeta","level":"warning","release":"1.0","environment":"production","tags":{"browser":"Chrome","route":"/api/users/42"}}');
SELECT pg_temp.ev('s12', 'a6', 1800, '{"message":"a6 zeta","level":"warning","release":"2.0","environment":"staging"}');
SELECT pg_temp.ev('s12', 'a7', 21600, '{"message":"a7 seventh","release":"1.0-beta","environment":"production","culprit":"worker.jobs in omega_job"}');
SELECT pg_temp.ev('s12', 'a8', 777600, format('{"message":"a8 %s needleword","level":"debug","environment":"development"}', repeat('filler ', 16))::jsonb);
SELECT pg_temp.ev('s12', 'a9', 172800, '{"message":"a9 rate 100% full"}');
SELECT pg_temp.ev('s12', 'h1', 600, '{"message":"hidden one"}');
SELECT pg_temp.ev('s12', 'h2', 600, '{"message":"hidden two"}');
SELECT pg_temp.ev('s12', 'h3', 600, '{"message":"hidden three"}');
-- A second project.
SELECT pg_temp.ev('t12', 't1', 1000, '{"message":"t1 alpha elsewhere"}');
SELECT pg_temp.ev('t12', 't2', 1900000, '{"message":"t2 old","level":"warning"}');

-- States. The culprit alone names omega_job (the save path copies it into the message).
UPDATE triage.groups SET status = 'unresolved', substatus = 'ongoing' WHERE id = pg_temp.i('a1');
SELECT triage.resolve(pg_temp.i('a2'));
UPDATE triage.groups SET status = 'ignored', substatus = 'archived_forever' WHERE id = pg_temp.i('a4');
UPDATE triage.groups SET status = 'unresolved', substatus = 'regressed', active_at = now() - interval '1 hour' WHERE id = pg_temp.i('a5');
UPDATE triage.groups SET status = 'unresolved', substatus = 'escalating', active_at = pg_temp.at(691200) WHERE id = pg_temp.i('a6');
UPDATE triage.groups SET status = 'ignored', substatus = 'archived_until_escalating', message = 'a7 seventh' WHERE id = pg_temp.i('a7');
UPDATE triage.groups SET status = 'ignored', substatus = 'archived_until_condition_met' WHERE id = pg_temp.i('a8');
UPDATE triage.groups SET priority = NULL WHERE id = pg_temp.i('a9');
UPDATE triage.groups SET status = 'pending_merge', substatus = NULL WHERE id = pg_temp.i('h1');
UPDATE triage.groups SET status = 'pending_deletion', substatus = NULL WHERE id = pg_temp.i('h2');
UPDATE triage.groups SET status = 'deletion_in_progress', substatus = NULL WHERE id = pg_temp.i('h3');
SELECT triage.assign(pg_temp.i('a1'), 'alice');
SELECT triage.assign(pg_temp.i('a3'), 'bob');
-- users_seen set by hand for the user sort: ties, and 510 and 500 share a bucket.
UPDATE triage.groups SET users_seen = CASE id WHEN pg_temp.i('a5') THEN 510 WHEN pg_temp.i('a2') THEN 500 ELSE 10 END
 WHERE id IN (pg_temp.i('a5'), pg_temp.i('a2'), pg_temp.i('a3'), pg_temp.i('a1'));
-- The latest release is the one released last (else added last): 2.0, although 1.0-beta and 3.0
-- were added after it.
UPDATE triage.releases SET date_released = now() - interval '1 minute' WHERE project_id = pg_temp.pid('s12') AND version = '2.0';

SELECT is((SELECT array_agg(name ORDER BY name) FROM k WHERE id IN (SELECT id FROM triage.groups WHERE project_id = pg_temp.pid('s12'))),
          ARRAY['a1','a2','a3','a4','a5','a6','a7','a8','a9','h1','h2','h3'], 'setup: twelve distinct issues in s12');

-- ---------------------------------------------------------------------------------------------
-- The sort-key buckets: two per doubling of a count, the minute of a time; never decreasing.
SELECT is(ARRAY(SELECT triage.count_bucket(n) FROM unnest(ARRAY[0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 1000000]::bigint[]) n),
          ARRAY[0, 1, 3, 4, 5, 5, 6, 6, 7, 7, 8, 40], 'count_bucket: 0, 1, 2, 3, 4-5, 6-7, 8-11, ...');
SELECT is((SELECT count(*)::int FROM generate_series(1, 100000) n WHERE triage.count_bucket(n) < triage.count_bucket(n - 1)), 0,
          'count_bucket never decreases');
SELECT is(triage.minute_bucket('2000-01-01 00:01:59.999999+00'), 1::bigint, 'minute_bucket: minutes since 2000-01-01 UTC');
SELECT is(triage.minute_bucket('1999-12-31 23:59:00.5+00'), -1::bigint, 'minute_bucket: floor before 2000 too');

-- The view triage.issues, and search's rows: every column of the view, then cursor.
SELECT is((SELECT array_agg(attname::text || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = 'triage.search_result'::regclass AND attnum > 0),
          (SELECT array_agg(attname::text || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum) FROM pg_attribute
            WHERE attrelid = 'triage.issues'::regclass AND attnum > 0) || ARRAY['cursor text'],
          'search rows: the columns of triage.issues (names and types, in order) plus cursor');
SELECT is((SELECT short_id FROM triage.issues WHERE id = pg_temp.i('a1')), 'S12-1', 'issues: short_id is SLUG-<base32> (S12-1)');
SELECT is((SELECT short_id FROM triage.issues WHERE id = pg_temp.i('t2')), 'T12-2', 'issues: short ids count per project (T12-2)');
SELECT is((SELECT environments FROM triage.issues WHERE id = pg_temp.i('a6')), ARRAY['production', 'staging'],
          'issues: environments lists the issue''s environments, sorted');
SELECT is((SELECT last_release FROM triage.issues WHERE id = pg_temp.i('a6')), '2.0', 'issues: last_release is the newest release the issue was seen in');
SELECT is((SELECT first_release FROM triage.issues WHERE id = pg_temp.i('a6')), '1.0', 'issues: first_release');
SELECT is((SELECT last_release FROM triage.issues WHERE id = pg_temp.i('a4')), NULL, 'issues: last_release NULL without releases');
SELECT is((SELECT row(title, culprit, level::text, status::text, substatus::text, priority::text, times_seen, first_seen, last_seen, assignee, project_slug)::text
             FROM triage.issues WHERE id = pg_temp.i('a1')),
          row('a1 alpha database timeout', '', 'error', 'unresolved', 'ongoing', 'high', 2::bigint, pg_temp.at(2160000), pg_temp.at(7200), 'alice', 's12')::text,
          'issues: the display columns of an issue');
SELECT is((SELECT array_agg(k.name ORDER BY k.name) FROM triage.issues i JOIN k ON k.id = i.id WHERE i.project_id = pg_temp.pid('s12')),
          ARRAY['a1','a2','a3','a4','a5','a6','a7','a8','a9'], 'issues: issues pending merge, pending deletion or being deleted are hidden');

-- ---------------------------------------------------------------------------------------------
-- Empty query, default query.
SELECT is(pg_temp.q(''), ARRAY['a1','a2','a3','a4','a5','a6','a7','a8','a9'], 'empty query: no filter (every visible issue)');
SELECT is(pg_temp.q('   '), ARRAY['a1','a2','a3','a4','a5','a6','a7','a8','a9'], 'white space only: no filter');
SELECT is(pg_temp.q(NULL), ARRAY['a1','a2','a3','a4','a5','a6','a7','a8','a9'], 'NULL query: no filter');
SELECT is((SELECT array_agg(k.name ORDER BY k.name) FROM triage.search(pg_temp.pid('s12')) s JOIN k ON k.id = s.id),
          ARRAY['a1','a3','a5','a6','a9'], 'default query is is:unresolved');
SELECT is(pg_temp.q('hidden'), '{}', 'hidden issues match no query');

-- is:
SELECT is(pg_temp.q('is:unresolved'), ARRAY['a1','a3','a5','a6','a9'], 'is:unresolved');
SELECT is(pg_temp.q('is:resolved'), ARRAY['a2'], 'is:resolved');
SELECT is(pg_temp.q('is:ignored'), ARRAY['a4','a7','a8'], 'is:ignored');
SELECT is(pg_temp.q('is:archived'), ARRAY['a4','a7','a8'], 'is:archived reads as ignored');
SELECT is(pg_temp.q('is:muted'), ARRAY['a4','a7','a8'], 'is:muted reads as ignored');
SELECT is(pg_temp.q('is:new'), ARRAY['a3','a9'], 'is:new');
SELECT is(pg_temp.q('is:ongoing'), ARRAY['a1'], 'is:ongoing');
SELECT is(pg_temp.q('is:regressed'), ARRAY['a5'], 'is:regressed');
SELECT is(pg_temp.q('is:escalating'), ARRAY['a6'], 'is:escalating');
SELECT is(pg_temp.q('is:for_review'), ARRAY['a3','a5','a9'], 'is:for_review: new, regressed or escalating within the last 7 days');
SELECT is(pg_temp.q('is:archived_forever'), ARRAY['a4'], 'is:archived_forever');
SELECT is(pg_temp.q('is:archived_until_escalating'), ARRAY['a7'], 'is:archived_until_escalating');
SELECT is(pg_temp.q('is:archived_until_condition_met'), ARRAY['a8'], 'is:archived_until_condition_met');
SELECT is(pg_temp.q('is:assigned'), ARRAY['a1','a3'], 'is:assigned');
SELECT is(pg_temp.q('is:unassigned'), ARRAY['a2','a4','a5','a6','a7','a8','a9'], 'is:unassigned');
SELECT is(pg_temp.q('is:[new,regressed]'), ARRAY['a3','a5','a9'], 'is:[new,regressed] (a list)');
SELECT is(pg_temp.q('is:[resolved, ignored]'), ARRAY['a2','a4','a7','a8'], 'is:[resolved, ignored] (a list with spaces)');
SELECT is(pg_temp.q('!is:resolved'), ARRAY['a1','a3','a4','a5','a6','a7','a8','a9'], '!is:resolved');
SELECT is(pg_temp.q('!is:new'), ARRAY['a1','a2','a4','a5','a6','a7','a8'], '!is:new');
SELECT is(pg_temp.q('is:unresolved is:unassigned'), ARRAY['a5','a6','a9'], 'two is: terms: both must hold');
SELECT is(pg_temp.q('assigned_to:alice'), ARRAY['a1'], 'assigned_to:alice');
SELECT is(pg_temp.q('assigned:[alice,bob]'), ARRAY['a1','a3'], 'assigned:[alice,bob] (alias, list)');

-- level and issue.priority
SELECT is(pg_temp.q('level:error'), ARRAY['a1','a5','a7','a9'], 'level:error');
SELECT is(pg_temp.q('level:[warning,fatal]'), ARRAY['a2','a3','a6'], 'level:[warning,fatal]');
SELECT is(pg_temp.q('!level:error'), ARRAY['a2','a3','a4','a6','a8'], '!level:error');
SELECT is(pg_temp.q('level:debug'), ARRAY['a8'], 'level:debug');
SELECT is(pg_temp.q('issue.priority:[high,medium]'), ARRAY['a1','a2','a3','a5','a6','a7'], 'issue.priority:[high,medium]');
SELECT is(pg_temp.q('issue.priority:low'), ARRAY['a4','a8'], 'issue.priority:low');
SELECT is(pg_temp.q('!issue.priority:high'), ARRAY['a2','a4','a6','a8','a9'], '!issue.priority:high includes issues without a priority');

-- release, first_release (latest: released last)
SELECT is(pg_temp.q('release:1.0'), ARRAY['a1','a6'], 'release:1.0: any release the issue was seen in');
SELECT is(pg_temp.q('release:[1.0,3.0]'), ARRAY['a1','a5','a6'], 'release:[1.0,3.0]');
SELECT is(pg_temp.q('release:latest'), ARRAY['a2','a3','a6'], 'release:latest is the release with the latest release date (2.0)');
SELECT is(pg_temp.q('release:[latest,3.0]'), ARRAY['a2','a3','a5','a6'], 'release:[latest,3.0]');
SELECT is(pg_temp.q('release:1.0*'), ARRAY['a1','a6','a7'], 'release:1.0* (wildcard)');
SELECT is(pg_temp.q('!release:1.0'), ARRAY['a2','a3','a4','a5','a7','a8','a9'], '!release:1.0');
SELECT is(pg_temp.q('first_release:1.0'), ARRAY['a1','a6'], 'first_release:1.0');
SELECT is(pg_temp.q('first_release:latest'), ARRAY['a2','a3'], 'first_release:latest');
SELECT is(pg_temp.q('first_release:[latest,"1.0-beta"]'), ARRAY['a2','a3','a7'], 'first_release:[latest,"1.0-beta"]');
SELECT is(pg_temp.q('firstRelease:3.0'), ARRAY['a5'], 'firstRelease: alias');

-- environment
SELECT is(pg_temp.q('environment:production'), ARRAY['a1','a5','a6','a7'], 'environment:production');
SELECT is(pg_temp.q('environment:"qa env"'), ARRAY['a3'], 'environment:"qa env" (a quoted value)');
SELECT is(pg_temp.q('environment:[staging, "qa env"]'), ARRAY['a2','a3','a6'], 'environment:[staging, "qa env"]');
SELECT is(pg_temp.q('environment:prod*'), ARRAY['a1','a5','a6','a7'], 'environment:prod* (wildcard)');
SELECT is(pg_temp.q('!environment:production'), ARRAY['a2','a3','a4','a8','a9'], '!environment:production');
SELECT is(pg_temp.q('!environment:[production,staging]'), ARRAY['a3','a4','a8','a9'], '!environment:[production,staging] (NOT IN)');

-- times_seen
SELECT is(pg_temp.q('times_seen:>2'), ARRAY['a2','a5'], 'times_seen:>2');
SELECT is(pg_temp.q('times_seen:>=3'), ARRAY['a2','a5'], 'times_seen:>=3');
SELECT is(pg_temp.q('times_seen:<2'), ARRAY['a3','a4','a7','a8','a9'], 'times_seen:<2');
SELECT is(pg_temp.q('times_seen:<=2'), ARRAY['a1','a3','a4','a6','a7','a8','a9'], 'times_seen:<=2');
SELECT is(pg_temp.q('times_seen:2'), ARRAY['a1','a6'], 'times_seen:2');
SELECT is(pg_temp.q('times_seen:=4'), ARRAY['a5'], 'times_seen:=4');
SELECT is(pg_temp.q('!times_seen:>1'), ARRAY['a3','a4','a7','a8','a9'], '!times_seen:>1');
SELECT is(pg_temp.q('timesSeen:>3'), ARRAY['a5'], 'timesSeen: alias');
SELECT is(pg_temp.q('users_seen:>100'), ARRAY['a2','a5'], 'users_seen:>100');

-- first_seen, last_seen: relative and absolute
SELECT is(pg_temp.q('first_seen:-24h'), ARRAY['a3','a7'], 'first_seen:-24h: first seen within the last 24 hours');
SELECT is(pg_temp.q('first_seen:+7d'), ARRAY['a1','a2','a6','a8'], 'first_seen:+7d: first seen more than 7 days ago');
SELECT is(pg_temp.q('first_seen:-1w'), ARRAY['a3','a4','a5','a7','a9'], 'first_seen:-1w');
SELECT is(pg_temp.q('age:-24h'), ARRAY['a3','a7'], 'age: alias of first_seen');
SELECT is(pg_temp.q('last_seen:-24h'), ARRAY['a1','a2','a3','a5','a6','a7'], 'last_seen:-24h');
SELECT is(pg_temp.q('last_seen:+7d'), ARRAY['a8'], 'last_seen:+7d');
SELECT is(pg_temp.q('last_seen:-90m'), ARRAY['a5','a6'], 'last_seen:-90m (minutes)');
SELECT is(pg_temp.q('first_seen:' || pg_temp.day(2160000)), ARRAY['a1'], 'first_seen:YYYY-MM-DD: that whole UTC day');
SELECT is(pg_temp.q('first_seen:<' || pg_temp.day(1728000)), ARRAY['a1'], 'first_seen:<YYYY-MM-DD: before that day''s midnight');
SELECT is(pg_temp.q('first_seen:>=' || pg_temp.instant(864000)), ARRAY['a2','a3','a4','a5','a6','a7','a8','a9'], 'first_seen:>=date-time (inclusive)');
SELECT is(pg_temp.q('first_seen:>' || pg_temp.instant(864000)), ARRAY['a3','a4','a5','a6','a7','a8','a9'], 'first_seen:>date-time (exclusive)');
SELECT is(pg_temp.q('first_seen:' || pg_temp.instant(864000)), ARRAY['a2'], 'first_seen:date-time: that instant');
SELECT is(pg_temp.q('first_seen:<=' || to_char(pg_temp.at(864000) AT TIME ZONE 'UTC' + interval '2 hours', 'YYYY-MM-DD"T"HH24:MI:SS') || '+02:00'),
          ARRAY['a1','a2'], 'first_seen:<=date-time+02:00 (an offset)');
SELECT is(pg_temp.q('last_seen:<' || pg_temp.instant(700000)), ARRAY['a8'], 'last_seen:<date-time');

-- has:
SELECT is(pg_temp.q('has:release'), ARRAY['a1','a2','a3','a5','a6','a7'], 'has:release');
SELECT is(pg_temp.q('!has:release'), ARRAY['a4','a8','a9'], '!has:release');
SELECT is(pg_temp.q('has:environment'), ARRAY['a1','a2','a3','a5','a6','a7','a8'], 'has:environment: issues seen in a named environment');
SELECT is(pg_temp.q('!has:environment'), ARRAY['a4','a9'], '!has:environment: issues whose events have no environment');
SELECT is(pg_temp.q('has:assigned'), ARRAY['a1','a3'], 'has:assigned');
SELECT is(pg_temp.q('!has:assigned'), ARRAY['a2','a4','a5','a6','a7','a8','a9'], '!has:assigned');
SELECT is(pg_temp.q('has:browser'), ARRAY['a1','a3','a6'], 'has:browser (a tag of some event)');
SELECT is(pg_temp.q('!has:browser'), ARRAY['a2','a4','a5','a7','a8','a9'], '!has:browser');

-- tags, against the events' tags
SELECT is(pg_temp.q('route:/api/users'), ARRAY['a1'], 'route:/api/users (exact)');
SELECT is(pg_temp.q('route:/api/*'), ARRAY['a1','a2','a4','a6'], 'route:/api/* (wildcard at the end)');
SELECT is(pg_temp.q('route:*users*'), ARRAY['a1','a6'], 'route:*users* (wildcards around)');
SELECT is(pg_temp.q('route:/api/v\*'), ARRAY['a4'], 'route:/api/v\* (an escaped star is a literal star)');
SELECT is(pg_temp.q('route:[/api/items,/static/app.js]'), ARRAY['a2','a3'], 'route:[a,b] (a list)');
SELECT is(pg_temp.q('!route:/api/*'), ARRAY['a3','a5','a7','a8','a9'], '!route:/api/* (no event with such a route)');
SELECT is(pg_temp.q('browser:"Mobile Safari"'), ARRAY['a3'], 'browser:"Mobile Safari" (quoted tag value)');
SELECT is(pg_temp.q('browser:"Mobile*"'), ARRAY['a3'], 'browser:"Mobile*" (quoted wildcard)');
SELECT is(pg_temp.q('tags[browser]:Firefox'), ARRAY['a1'], 'tags[browser]:Firefox');
SELECT is(pg_temp.q('browser:firefox'), '{}', 'tag values are case-sensitive');
SELECT pg_temp.search_fails('nosuchtag:x', '22023',
                 'unknown search key "nosuchtag"', 'a key that is neither a field nor a tag of the project is an error');
SELECT pg_temp.search_fails('has:nosuchtag', '22023',
                 'unknown search key "nosuchtag"', 'has: with a name that is neither a field nor a tag is an error');
SELECT is((SELECT count(*)::int FROM triage.search(ARRAY[pg_temp.pid('s12'), 999999]::bigint[], 'browser:Firefox')), 1,
          'a tag key known in one of the projects searched is enough');
SELECT is(pg_temp.q('route:/api/* browser:Chrome'), ARRAY['a6'], 'two tag filters: both must hold');

-- free text over title, culprit and message
SELECT is(pg_temp.q('alpha'), ARRAY['a1'], 'free text in the title');
SELECT is(pg_temp.q('ALPHA'), ARRAY['a1'], 'free text is case-insensitive');
SELECT is(pg_temp.q('omega_job'), ARRAY['a7'], 'free text in the culprit');
SELECT is(pg_temp.q('needleword'), ARRAY['a8'], 'free text in the message (beyond the title''s 100 characters)');
SELECT is(pg_temp.q('database timeout'), ARRAY['a1'], 'two words: a phrase');
SELECT is(pg_temp.q('timeout database'), '{}', 'two words in another order: no match');
SELECT is(pg_temp.q('"cache miss"'), ARRAY['a2'], 'quoted free text');
SELECT is(pg_temp.q('message:"cache miss"'), ARRAY['a2'], 'message:"..." is free text');
SELECT is(pg_temp.q('100%'), ARRAY['a9'], 'free text with %');
SELECT is(pg_temp.q('1_0'), '{}', '_ in free text is not a wildcard');
SELECT is(pg_temp.q('beta is:resolved'), ARRAY['a2'], 'free text and a filter');
SELECT is(pg_temp.q('alpha is:resolved'), '{}', 'free text and a filter that excludes it');
SELECT is(pg_temp.q('is:unresolved level:error !is:assigned release:3.0 times_seen:>3 first_seen:-7d environment:production'),
          ARRAY['a5'], 'many filters at once');

-- ---------------------------------------------------------------------------------------------
-- Sorts: all descending, ties broken by id (descending).
SELECT is(pg_temp.qs('date'), ARRAY['a6','a5','a1','a2','a7','a3','a9','a4','a8'], 'sort date: last_seen, a tie broken by id');
SELECT is(pg_temp.qs('new'), ARRAY['a7','a3','a9','a5','a4','a6','a8','a2','a1'], 'sort new: first_seen, a tie broken by id');
SELECT is(pg_temp.qs('freq'), ARRAY['a5','a2','a6','a1','a9','a8','a7','a4','a3'], 'sort freq: times_seen, ties broken by id');
SELECT is(pg_temp.qs('user'), ARRAY['a5','a2','a3','a1','a9','a8','a7','a6','a4'], 'sort user: users_seen (510 before 500 in one bucket), ties by id');
SELECT is(pg_temp.qs('priority'), ARRAY['a5','a1','a7','a3','a6','a2','a4','a8','a9'], 'sort priority: high, medium, low, none; then last_seen');
SELECT is(pg_temp.qs('date', 'is:unresolved'), ARRAY['a6','a5','a1','a3','a9'], 'a sort applies to the filtered issues');
SELECT is((SELECT array_agg(k.name ORDER BY s.ordinality) FROM triage.search(pg_temp.pid('s12'), '', lim => 3) WITH ORDINALITY s JOIN k ON k.id = s.id),
          ARRAY['a6','a5','a1'], 'the default sort is date');

-- ---------------------------------------------------------------------------------------------
-- lim and paging over more than 100 issues: 130 issues, 4 of them being deleted; ties of every
-- sort key, one to four events each.
INSERT INTO triage.events (project_id, event_id, payload)
SELECT pg_temp.pid('m12'), gen_random_uuid(),
       format('{"fingerprint":["m%s"],"message":"m%s","level":"%s","timestamp":%s}', n,  n,
              (ARRAY['debug','info','warning','error','fatal'])[n % 5 + 1], pg_temp.ago((n % 17) * 60 + n % 3 + (e - 1) * 3600))
  FROM generate_series(1, 130) n CROSS JOIN LATERAL generate_series(1, n % 4 + 1) e;
UPDATE triage.groups SET users_seen = CASE short_id % 3 WHEN 0 THEN 0 WHEN 1 THEN 100 + short_id % 5 ELSE 1000 + short_id % 7 END,
                         priority = CASE WHEN short_id % 13 = 0 THEN NULL ELSE priority END
 WHERE project_id = pg_temp.pid('m12');
UPDATE triage.groups SET status = 'pending_deletion', substatus = NULL WHERE project_id = pg_temp.pid('m12') AND short_id % 29 = 0;
SELECT is((SELECT count(*) FROM triage.issues WHERE project_id = pg_temp.pid('m12')), 126::bigint, 'setup: 126 visible issues in m12');
SELECT is((SELECT array_agg(short_id ORDER BY short_id) FROM triage.issues WHERE project_id = pg_temp.pid('m12') AND short_id IN ('M12-A', 'M12-10', 'M12-42')),
          ARRAY['M12-10', 'M12-42', 'M12-A'], 'short ids in base32 (10 = A, 32 = 10, 130 = 42)');

SELECT is((SELECT count(*) FROM triage.search(pg_temp.pid('m12'), '')), 25::bigint, 'lim defaults to 25');
SELECT is((SELECT count(*) FROM triage.search(pg_temp.pid('m12'), '', 'date', NULL)), 25::bigint, 'lim NULL is the default 25');
SELECT is((SELECT count(*) FROM triage.search(pg_temp.pid('m12'), '', 'date', 1000)), 100::bigint, 'lim above 100 is clamped to 100');
SELECT is((SELECT count(*) FROM triage.search(pg_temp.pid('m12'), '', 'freq', 100)), 100::bigint, 'lim 100');
SELECT is((SELECT count(*) FROM triage.search(pg_temp.pid('m12'), '', 'new', 1)), 1::bigint, 'lim 1');
SELECT is((SELECT array_agg(id ORDER BY ordinality) FROM triage.search(pg_temp.pid('m12'), '', 'user', 40) WITH ORDINALITY),
          (pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'user'))[1:40], 'a page of 40 is the first 40 issues in order');

SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'date', 7), pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'date'),
          'paging sort date by 7: every issue once, in order');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'new', 7), pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'new'),
          'paging sort new by 7: every issue once, in order');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'freq', 7), pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'freq'),
          'paging sort freq by 7: every issue once, in order');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'user', 7), pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'user'),
          'paging sort user by 7: every issue once, in order');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'priority', 7), pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'priority'),
          'paging sort priority by 7 (issues without a priority last): every issue once, in order');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'date', 25), pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'date'),
          'paging sort date by 25');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'freq', 1), pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'freq'),
          'paging sort freq one by one');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('s12')], 'priority', 2), pg_temp.expected(ARRAY[pg_temp.pid('s12')], 'priority'),
          'paging s12 sort priority by 2');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'date', 10, 'level:[error,fatal]'),
          ARRAY(SELECT x FROM unnest(pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'date')) WITH ORDINALITY u(x, n)
                 WHERE x IN (SELECT id FROM triage.groups WHERE level IN ('error', 'fatal')) ORDER BY n),
          'paging a filtered stream');
SELECT is((SELECT cursor FROM triage.search(pg_temp.pid('s12'), 'alpha', 'freq')), 'freq:2:' || pg_temp.i('a1'),
          'the cursor is sort:value:id');

-- A row whose sort key changes between pages may move to a page already read; every other row is
-- returned exactly once.
CREATE TEMP TABLE live AS SELECT pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'date') AS before;
CREATE TEMP TABLE page1 AS
SELECT array_agg(id ORDER BY ordinality) AS ids, (array_agg(cursor ORDER BY ordinality DESC))[1] AS last_cursor
  FROM triage.search(pg_temp.pid('m12'), '', 'date', 10) WITH ORDINALITY;
SELECT is((SELECT ids FROM page1), (SELECT before[1:10] FROM live), 'live paging: the first page');
SELECT pg_temp.ev('m12', (SELECT title FROM triage.groups WHERE id = (SELECT before[60] FROM live)), 0);
SELECT cmp_ok(array_position(pg_temp.expected(ARRAY[pg_temp.pid('m12')], 'date'), (SELECT before[60] FROM live)), '<=', 10,
          'live paging: a new event moved the 60th issue onto the first page');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('m12')], 'date', 10, '', (SELECT last_cursor FROM page1)),
          (SELECT ARRAY(SELECT x FROM unnest(before[11:126]) WITH ORDINALITY u(x, n) WHERE x <> before[60] ORDER BY n) FROM live),
          'live paging: the following pages hold every other issue once, in order (the moved one was passed)');

-- ---------------------------------------------------------------------------------------------
-- Across projects: the bigint[] overload.
SELECT is((SELECT array_agg(k.name ORDER BY s.ordinality) FROM triage.search(ARRAY[pg_temp.pid('s12'), pg_temp.pid('t12')], 'alpha', 'date') WITH ORDINALITY s JOIN k ON k.id = s.id),
          ARRAY['t1', 'a1'], 'across projects: both projects'' issues, in one order');
SELECT is((SELECT array_agg(k.name ORDER BY s.ordinality) FROM triage.search(ARRAY[pg_temp.pid('s12'), pg_temp.pid('t12')], 'is:unresolved', 'new', 4) WITH ORDINALITY s JOIN k ON k.id = s.id),
          ARRAY['t1', 'a3', 'a9', 'a5'], 'across projects: the best lim over all projects');
SELECT is((SELECT array_agg(s.project_slug ORDER BY s.ordinality) FROM triage.search(ARRAY[pg_temp.pid('t12')], '', 'date') WITH ORDINALITY s),
          ARRAY['t12', 't12'], 'one project in an array');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('s12'), pg_temp.pid('t12'), pg_temp.pid('m12')], 'date', 9),
          pg_temp.expected(ARRAY[pg_temp.pid('s12'), pg_temp.pid('t12'), pg_temp.pid('m12')], 'date'),
          'paging across three projects, sort date');
SELECT is(pg_temp.page_all(ARRAY[pg_temp.pid('s12'), pg_temp.pid('t12'), pg_temp.pid('m12')], 'priority', 9),
          pg_temp.expected(ARRAY[pg_temp.pid('s12'), pg_temp.pid('t12'), pg_temp.pid('m12')], 'priority'),
          'paging across three projects, sort priority');
SELECT is((SELECT count(*) FROM triage.search('{}'::bigint[], '')), 0::bigint, 'no projects: no issues');
SELECT throws_ok($$SELECT * FROM triage.search(NULL::bigint, '')$$, '22004', 'project ids must not be NULL',
                 'a NULL project id is an error');

-- ---------------------------------------------------------------------------------------------
-- Errors.
SELECT pg_temp.search_fails('status:resolved', '22023',
                 'unsupported search key: "status" in "status:resolved"', 'unsupported key status: (22023, names the term)');
SELECT pg_temp.search_fails('bookmarks:me', '22023', NULL, 'unsupported key bookmarks:');
SELECT pg_temp.search_fails(repeat('k', 201) || ':x', '22023', NULL, 'unknown key that can be no tag (too long)');
SELECT pg_temp.search_fails('has:bad/name', '22023', NULL, 'has: with a name that can be no tag');
SELECT pg_temp.search_fails('title:"abc', '42601',
                 'unterminated quoted string in "title:"abc"', 'unterminated quote (42601)');
SELECT pg_temp.search_fails('"abc', '42601', NULL, 'unterminated quoted free text');
SELECT pg_temp.search_fails('level:[error, warning', '42601',
                 'unterminated list in "level:[error, warning"', 'unterminated list (42601)');
SELECT pg_temp.search_fails('level:[error warning]', '42601', NULL, 'list without commas');
SELECT pg_temp.search_fails('environment:"a"b', '42601', NULL, 'text after a closing quote');
SELECT pg_temp.search_fails('is:bogus', '22023',
                 'invalid value for is: "bogus" in "is:bogus"', 'bad is: value (22023)');
SELECT pg_temp.search_fails('is:[new,resolved]', '22023', NULL, 'is: list mixing status and substatus');
SELECT pg_temp.search_fails('level:bogus', '22023', NULL, 'bad level');
SELECT pg_temp.search_fails('issue.priority:urgent', '22023', NULL, 'bad priority');
SELECT pg_temp.search_fails('level:>error', '22023', NULL, 'an operator on level');
SELECT pg_temp.search_fails('times_seen:>abc', '22023',
                 'invalid value for times_seen: "abc" in "times_seen:>abc"', 'bad number (22023)');
SELECT pg_temp.search_fails('times_seen:-1', '22023', NULL, 'negative number');
SELECT pg_temp.search_fails('times_seen:99999999999999999999', '22023', NULL, 'number out of range');
SELECT pg_temp.search_fails('first_seen:2024-02-30', '22023',
                 'invalid value for first_seen: "2024-02-30" in "first_seen:2024-02-30"', 'bad date (22023)');
SELECT pg_temp.search_fails('last_seen:-24x', '22023', NULL, 'bad relative date unit');
SELECT pg_temp.search_fails('first_seen:>-24h', '22023', NULL, 'a relative date with an operator');
SELECT pg_temp.search_fails('first_seen:2024-01-01T25:00:00', '22023', NULL, 'bad time of day');
SELECT pg_temp.search_fails('level:error AND level:fatal', '22023',
                 'boolean operators are not supported in issue search: "AND"', 'AND (22023)');
SELECT pg_temp.search_fails('level:error OR level:fatal', '22023', NULL, 'OR (22023)');
SELECT pg_temp.search_fails('level:""', '22023', NULL, 'an empty value');
SELECT pg_temp.search_fails('!alpha', '22023', NULL, 'negated free text');
SELECT pg_temp.search_fails('has:[release,environment]', '22023', NULL, 'a list for has:');
SELECT pg_temp.search_fails(repeat('x ', 101), '54000', NULL, 'more than 100 terms (54000)');
SELECT pg_temp.search_fails(repeat('x', 8193), '54000', NULL, 'a query over 8192 bytes (54000)');
SELECT throws_ok(format($$SELECT * FROM triage.search(%s, '', 'random')$$, pg_temp.pid('s12')), '22023', 'unknown sort "random"', 'unknown sort (22023)');
SELECT throws_ok(format($$SELECT * FROM triage.search(%s, '', 'date', 25, 'garbage')$$, pg_temp.pid('s12')), '22023',
                 'invalid cursor "garbage"', 'malformed cursor (22023)');
SELECT throws_ok(format($$SELECT * FROM triage.search(%s, '', 'date', 25, 'date:abc:1')$$, pg_temp.pid('s12')), '22023', NULL, 'cursor with a bad value');
SELECT throws_ok(format($$SELECT * FROM triage.search(%s, '', 'date', 25, 'date:1:2:3')$$, pg_temp.pid('s12')), '22023', NULL, 'cursor with too many parts');
SELECT throws_ok(format($$SELECT * FROM triage.search(%s, '', 'priority', 25, 'priority:urgent:1:2')$$, pg_temp.pid('s12')), '22023', NULL, 'priority cursor with a bad priority');
SELECT throws_ok(format($$SELECT * FROM triage.search(%s, '', 'date', 25, 'new:1:2')$$, pg_temp.pid('s12')), '22023',
                 'cursor "new:1:2" was made for sort "new", not "date"', 'cursor made for another sort (22023)');
SELECT throws_ok(format($$SELECT * FROM triage.search(%s, '', 'date', 0)$$, pg_temp.pid('s12')), '22023', 'lim must be at least 1', 'lim 0 (22023)');
SELECT throws_ok(format($$SELECT * FROM triage.search(%s, '', 'date', -5)$$, pg_temp.pid('s12')), '22023', NULL, 'lim negative (22023)');
SELECT throws_ok($$SELECT * FROM triage.search(NULL::bigint[], '')$$, '22004', 'project_ids must not be NULL', 'NULL project_ids (22004)');
SELECT throws_ok(format($$SELECT triage.search_sql(ARRAY[%s], 'is:bogus')$$, pg_temp.pid('s12')), '22023', NULL, 'search_sql raises the same errors');

SELECT * FROM finish();
ROLLBACK;
