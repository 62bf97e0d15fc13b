-- The save path, environments and releases: environment rows, group environments, releases
-- (validation, the "<slug>-<version>" preference, dates, semver columns, new_groups), release
-- environments (new_issues_count, the 60-second last_seen throttle) and group releases keyed by
-- environment name. Section 18 behaviours 17 and 18; acceptance cases of section 16.4 (and AT-11,
-- AT-24) of the save-path notes (test names start with the case id).
-- Issue counters are folded at the end of each INSERT statement: they are read in later statements.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(67);

\ir helpers/save_path.sql
-- One event of an issue (fingerprint p_fp), p_seconds ago, with optional release and environment.
CREATE FUNCTION pg_temp.send(p_slug text, p_event uuid, p_fp text, p_seconds int, p_release text DEFAULT NULL, p_env text DEFAULT NULL)
RETURNS void LANGUAGE sql
AS $$ INSERT INTO triage.events (project_id, event_id, payload)
      VALUES (pg_temp.pid(p_slug), p_event, json_build_object('fingerprint', json_build_array(p_fp), 'message', 'release ' || p_fp,
              'timestamp', pg_temp.ago(p_seconds)::bigint, 'release', p_release, 'environment', p_env)::text) $$;
CREATE FUNCTION pg_temp.env(p_slug text, p_name text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM triage.environments WHERE project_id = pg_temp.pid(p_slug) AND name = p_name $$;
CREATE FUNCTION pg_temp.rel(p_slug text, p_version text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM triage.releases WHERE project_id = pg_temp.pid(p_slug) AND version = p_version $$;
CREATE FUNCTION pg_temp.re(p_slug text, p_version text, p_env text) RETURNS triage.release_environments LANGUAGE sql
AS $$ SELECT re FROM triage.release_environments re WHERE re.project_id = pg_temp.pid(p_slug)
        AND re.release_id = pg_temp.rel(p_slug, p_version) AND re.environment_id = pg_temp.env(p_slug, p_env) $$;

INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('e06', 'md5'), ('r06', 'md5'), ('o06', 'md5');

-- ---------------------------------------------------------------------------------------------
-- B-17 / AT-24: environments.
SELECT pg_temp.send('e06', '06000000000000000000000000000001', 'env', 1000);
SELECT is((pg_temp.e('06000000000000000000000000000001')).environment, NULL, 'B-17: an event without environment has none');
SELECT isnt(pg_temp.env('e06', ''), NULL, 'B-17: ... but maps to the environment named ""');
SELECT is((SELECT environment_id FROM triage.group_environments WHERE group_id = pg_temp.grp('06000000000000000000000000000001')),
          pg_temp.env('e06', ''), 'B-17: its issue is linked to the "" environment');
SELECT pg_temp.send('e06', '06000000000000000000000000000002', 'env', 900, NULL, 'prod');
SELECT is((pg_temp.e('06000000000000000000000000000002')).environment, 'prod', 'B-17: environment prod');
SELECT is((pg_temp.e('06000000000000000000000000000002')).tags ->> 'environment', 'prod', 'AT-24: the environment tag');
SELECT is((SELECT count(*) FROM triage.environments WHERE project_id = pg_temp.pid('e06')), 2::bigint, 'B-17: environments "" and prod');
SELECT pg_temp.send('e06', '06000000000000000000000000000003', 'env', 800, NULL, 'bad/name');
SELECT is((pg_temp.e('06000000000000000000000000000003')).environment, NULL, 'AT-24: an invalid environment (bad/name) is dropped');
SELECT is((pg_temp.e('06000000000000000000000000000003')).tags ? 'environment', false, 'AT-24: ... so there is no environment tag');
SELECT is(pg_temp.env('e06', 'bad/name'), NULL, 'AT-24: ... and no environment row');
SELECT pg_temp.send('e06', '06000000000000000000000000000004', 'env', 700, NULL, repeat('x', 65));
SELECT pg_temp.send('e06', '06000000000000000000000000000005', 'env', 700, NULL, repeat('y', 64));
SELECT pg_temp.send('e06', '06000000000000000000000000000006', 'env', 700, NULL, ' staging ');
SELECT is((pg_temp.e('06000000000000000000000000000004')).environment, NULL, 'B-17: an environment longer than 64 characters is dropped');
SELECT is((pg_temp.e('06000000000000000000000000000005')).environment, repeat('y', 64), 'B-17: 64 characters are kept');
SELECT is((pg_temp.e('06000000000000000000000000000006')).environment, 'staging', 'B-17: the environment is trimmed');
SELECT is((SELECT array_agg(name ORDER BY name) FROM triage.environments WHERE project_id = pg_temp.pid('e06')),
          ARRAY['', 'prod', 'staging', repeat('y', 64)], 'B-17: one row per valid environment name');
SELECT is((SELECT count(*) FROM triage.group_environments WHERE group_id = pg_temp.grp('06000000000000000000000000000001')), 4::bigint,
          'B-17: one group environment per (issue, environment)');
SELECT is((SELECT first_seen FROM triage.group_environments WHERE group_id = pg_temp.grp('06000000000000000000000000000001')
            AND environment_id = pg_temp.env('e06', '')), pg_temp.at(1000),
          'B-17: the group environment''s first_seen is its first event''s time (later events in "" leave it)');
SELECT pg_temp.send('o06', '06000000000000000000000000000007', 'env', 700, NULL, 'prod');
SELECT isnt(pg_temp.env('o06', 'prod'), pg_temp.env('e06', 'prod'), 'B-17: environments belong to their project');

-- AT-11: group environments and their first_release.
SELECT pg_temp.send('r06', '06000000000000000000000000000011', 'ge', 1000, '1.0', 'prod');
SELECT is((SELECT row(first_release, first_seen)::text FROM triage.group_environments WHERE group_id = pg_temp.grp('06000000000000000000000000000011')),
          row('1.0', pg_temp.at(1000))::text, 'AT-11: the group environment has first_release = the event''s release, first_seen = its time');
SELECT pg_temp.send('r06', '06000000000000000000000000000012', 'ge', 900, '2.0', 'prod');
SELECT is((SELECT array_agg(first_release) FROM triage.group_environments WHERE group_id = pg_temp.grp('06000000000000000000000000000011')),
          ARRAY['1.0'], 'AT-11: a second event in the same environment creates no group environment and changes nothing');
SELECT pg_temp.send('r06', '06000000000000000000000000000013', 'ge', 800, '2.0', 'staging');
SELECT is((SELECT first_release FROM triage.group_environments WHERE group_id = pg_temp.grp('06000000000000000000000000000011')
            AND environment_id = pg_temp.env('r06', 'staging')), '2.0', 'AT-11: a new environment: a new group environment with its own first_release');

-- ---------------------------------------------------------------------------------------------
-- B-18 / AT-36: releases.
SELECT is((SELECT date_added FROM triage.releases WHERE id = pg_temp.rel('r06', '1.0')), pg_temp.at(1000),
          'B-18: a release is dated by its first event');
SELECT pg_temp.send('r06', '06000000000000000000000000000021', 'ge', 100, '1.0', 'prod');
SELECT is((SELECT date_added FROM triage.releases WHERE id = pg_temp.rel('r06', '1.0')), pg_temp.at(1000),
          'B-18: a later event never changes date_added');
SELECT is((SELECT first_release FROM triage.groups WHERE id = pg_temp.grp('06000000000000000000000000000011')), '1.0',
          'AT-36: first_release stays 1.0 after events of 2.0');
SELECT is((SELECT count(*) FROM triage.releases WHERE project_id = pg_temp.pid('r06')), 2::bigint, 'B-18: releases 1.0 and 2.0');
SELECT is((SELECT new_groups FROM triage.releases WHERE id = pg_temp.rel('r06', '1.0')), 1::bigint, 'B-18: new_groups of 1.0 counts the issue it created');
SELECT is((SELECT new_groups FROM triage.releases WHERE id = pg_temp.rel('r06', '2.0')), 0::bigint, 'B-18: new_groups of 2.0: no new issue');
SELECT pg_temp.send('r06', '06000000000000000000000000000022', 'second issue', 100, '2.0', 'prod');
SELECT is((SELECT new_groups FROM triage.releases WHERE id = pg_temp.rel('r06', '2.0')), 1::bigint, 'B-18: a new issue in 2.0 counts');
SELECT is((pg_temp.e('06000000000000000000000000000022')).tags ->> 'sentry:release', '2.0', 'B-18: the sentry:release tag');
SELECT is((SELECT organization_id FROM triage.releases WHERE id = pg_temp.rel('r06', '2.0')), 1::bigint, 'B-18: the release''s organization is the project''s');
SELECT pg_temp.send('o06', '06000000000000000000000000000023', 'other project', 100, '2.0');
SELECT isnt(pg_temp.rel('o06', '2.0'), pg_temp.rel('r06', '2.0'), 'B-18: releases belong to their project');
-- Semver columns.
SELECT pg_temp.send('o06', '06000000000000000000000000000024', 'semver', 100, 'pkg@1.2.3-beta.1+45');
SELECT is((SELECT row(package, major, minor, patch, revision, prerelease, build_code, build_number)::text FROM triage.releases
            WHERE id = pg_temp.rel('o06', 'pkg@1.2.3-beta.1+45')), '(pkg,1,2,3,0,beta.1,45,45)', 'B-18: semver columns of pkg@1.2.3-beta.1+45');
SELECT is((SELECT package FROM triage.releases WHERE id = pg_temp.rel('o06', '2.0')), NULL, 'B-18: a version that is not package@version has no semver columns');

-- AT-37: empty and invalid releases give no release.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('n06', 'md5');
INSERT INTO triage.events (project_id, event_id, payload)
SELECT pg_temp.pid('n06'), ('0600000000000000000000000000003' || n)::uuid,
       json_build_object('fingerprint', json_build_array('empty release ' || n), 'message', 'empty release', 'release', r)::text
  FROM (VALUES (0, ''), (1, ' '), (2, E'\t'), (3, E'\n'), (4, 'latest'), (5, '.'), (6, '..'), (7, 'a/b'), (8, E'a\\b')) v(n, r);
SELECT is((SELECT count(*) FROM triage.events WHERE project_id = pg_temp.pid('n06')), 9::bigint, 'AT-37: the events are stored');
SELECT is((SELECT count(*) FROM triage.releases WHERE project_id = pg_temp.pid('n06')), 0::bigint,
          'AT-37: "", " ", tab, newline, latest, ".", "..", "a/b", "a\b": no Release row');
SELECT is((SELECT count(*) FROM triage.groups WHERE project_id = pg_temp.pid('n06') AND first_release IS NULL), 9::bigint,
          'AT-37: first_release is null');
SELECT is((SELECT count(*) FROM triage.events WHERE project_id = pg_temp.pid('n06') AND release IS NULL AND NOT tags ? 'sentry:release'), 9::bigint,
          'AT-37: no release on the events, no sentry:release tag');
SELECT is((SELECT count(*) FROM triage.group_releases WHERE project_id = pg_temp.pid('n06')), 0::bigint, 'AT-37: no group releases');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('n06'), '06000000000000000000000000000039', '{"message":"trimmed","release":" 1.5 "}');
SELECT is((pg_temp.e('06000000000000000000000000000039')).release, '1.5', 'B-18: a release is trimmed');
SELECT isnt(pg_temp.rel('n06', '1.5'), NULL, 'B-18: ... and stored trimmed');

-- AT-38: an existing "<slug>-<version>" release is preferred.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('foo', 'md5');
INSERT INTO triage.releases (project_id, version, date_added) VALUES (pg_temp.pid('foo'), 'foo-1.0', now() - interval '1 day');
SELECT pg_temp.send('foo', '06000000000000000000000000000041', 'slug', 100, '1.0');
SELECT is((SELECT array_agg(version) FROM triage.releases WHERE project_id = pg_temp.pid('foo')), ARRAY['foo-1.0'],
          'AT-38: no release 1.0 is created when foo-1.0 exists');
SELECT is((pg_temp.e('06000000000000000000000000000041')).tags ->> 'sentry:release', 'foo-1.0', 'AT-38: the sentry:release tag is foo-1.0');
SELECT is((pg_temp.e('06000000000000000000000000000041')).release, 'foo-1.0', 'AT-38: the event''s release is foo-1.0');
SELECT is((SELECT first_release FROM triage.groups WHERE id = pg_temp.grp('06000000000000000000000000000041')), 'foo-1.0',
          'AT-38: the issue''s first_release is foo-1.0');
SELECT is((SELECT release_id FROM triage.group_releases WHERE group_id = pg_temp.grp('06000000000000000000000000000041')),
          pg_temp.rel('foo', 'foo-1.0'), 'AT-38: the group release is foo-1.0''s');
SELECT is((SELECT new_groups FROM triage.releases WHERE id = pg_temp.rel('foo', 'foo-1.0')), 1::bigint, 'AT-38: foo-1.0 counts the new issue');
-- test_release_project_slug_long: a version of 196 characters, "foo-" + it is 200.
INSERT INTO triage.releases (project_id, version, date_added) VALUES (pg_temp.pid('foo'), 'foo-' || repeat('a', 196), now() - interval '1 day');
SELECT pg_temp.send('foo', '06000000000000000000000000000043', 'slug 196', 100, repeat('a', 196));
SELECT is((pg_temp.e('06000000000000000000000000000043')).release, 'foo-' || repeat('a', 196), 'AT-38: a long version: foo-<196 a> is used');
SELECT is(pg_temp.rel('foo', repeat('a', 196)), NULL, 'AT-38: ... and no <196 a> release is created');
-- ... also when slug-version is longer than 250 characters: Sentry looks up (slug + "-" + version)[:250].
INSERT INTO triage.projects (slug, hash_algorithm) VALUES (repeat('l', 50), 'md5');
INSERT INTO triage.releases (project_id, version, date_added)
VALUES (pg_temp.pid(repeat('l', 50)), left(repeat('l', 50) || '-' || repeat('v', 200), 250), now() - interval '1 day');
SELECT pg_temp.send(repeat('l', 50), '06000000000000000000000000000042', 'slug long', 100, repeat('v', 200));
SELECT is((SELECT array_agg(length(version)) FROM triage.releases WHERE project_id = pg_temp.pid(repeat('l', 50))), ARRAY[250],
          'AT-38: the slug-prefixed version cut to 250 characters is found; no other release is created');
SELECT is((pg_temp.e('06000000000000000000000000000042')).release, left(repeat('l', 50) || '-' || repeat('v', 200), 250),
          'AT-38: the event uses it');

-- ---------------------------------------------------------------------------------------------
-- AT-39: group releases are keyed by environment NAME ("" when none).
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('g06', 'md5');
SELECT pg_temp.send('g06', '06000000000000000000000000000051', 'gr', 1000, '1.0');
SELECT is((SELECT row(environment, first_seen, last_seen)::text FROM triage.group_releases WHERE group_id = pg_temp.grp('06000000000000000000000000000051')),
          row('', pg_temp.at(1000), pg_temp.at(1000))::text, 'AT-39: without environment the group release has environment ""');
SELECT lives_ok($$SELECT pg_temp.send('g06', '06000000000000000000000000000052', 'gr', 990, '1.0')$$, 'AT-39: a second creation does not error');
SELECT is((SELECT count(*) FROM triage.group_releases WHERE group_id = pg_temp.grp('06000000000000000000000000000051')), 1::bigint,
          'AT-39: ... and adds no row');
SELECT pg_temp.send('g06', '06000000000000000000000000000053', 'gr', 980, '1.0', 'prod');
SELECT is((SELECT array_agg(environment ORDER BY environment) FROM triage.group_releases WHERE group_id = pg_temp.grp('06000000000000000000000000000051')),
          ARRAY['', 'prod'], 'AT-39: one row per environment name');
SELECT is((SELECT count(DISTINCT release_id) FROM triage.group_releases WHERE group_id = pg_temp.grp('06000000000000000000000000000051')), 1::bigint,
          'AT-39: of the one release');
-- B-18: the 60-second last_seen throttle of group releases.
SELECT is((SELECT last_seen FROM triage.group_releases WHERE group_id = pg_temp.grp('06000000000000000000000000000051') AND environment = ''),
          pg_temp.at(1000), 'B-18: an event 10 s later leaves group release last_seen (60 s throttle)');
SELECT pg_temp.send('g06', '06000000000000000000000000000054', 'gr', 500, '1.0');
SELECT is((SELECT row(first_seen, last_seen)::text FROM triage.group_releases WHERE group_id = pg_temp.grp('06000000000000000000000000000051') AND environment = ''),
          row(pg_temp.at(1000), pg_temp.at(500))::text, 'B-18: an event 500 s later moves last_seen, first_seen stays');

-- ---------------------------------------------------------------------------------------------
-- AT-40: release environments and new_issues_count.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('i06', 'md5');
-- test_different_groups: two issues, same release and environment: 2.
SELECT pg_temp.send('i06', '06000000000000000000000000000061', 'issue one', 1000, '1.0', 'prod');
SELECT pg_temp.send('i06', '06000000000000000000000000000062', 'issue two', 1000, '1.0', 'prod');
SELECT is((pg_temp.re('i06', '1.0', 'prod')).new_issues_count, 2::bigint, 'AT-40: two issues, same release and environment: new_issues_count 2');
SELECT is((pg_temp.re('i06', '1.0', 'prod')).first_seen, pg_temp.at(1000), 'AT-40: first_seen is the first event''s time');
-- test_same_group: the same issue later: stays 2, last_seen moves (beyond 60 s), first_seen stays.
SELECT pg_temp.send('i06', '06000000000000000000000000000063', 'issue one', 970, '1.0', 'prod');
SELECT is((pg_temp.re('i06', '1.0', 'prod')).last_seen, pg_temp.at(1000), 'B-18: 30 s later: last_seen not moved (60 s throttle)');
SELECT pg_temp.send('i06', '06000000000000000000000000000064', 'issue one', 400, '1.0', 'prod');
SELECT is((pg_temp.re('i06', '1.0', 'prod')).new_issues_count, 2::bigint, 'AT-40: the same issue again: still 2');
SELECT is((pg_temp.re('i06', '1.0', 'prod')).last_seen, pg_temp.at(400), 'AT-40: last_seen is the later time');
SELECT is((pg_temp.re('i06', '1.0', 'prod')).first_seen, pg_temp.at(1000), 'AT-40: first_seen unchanged');
-- test_same_group_different_environment: each environment's row counts 1.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('j06', 'md5');
SELECT pg_temp.send('j06', '06000000000000000000000000000071', 'one issue', 1000, '1.0', 'prod');
SELECT pg_temp.send('j06', '06000000000000000000000000000072', 'one issue', 900, '1.0', 'staging');
SELECT is((pg_temp.re('j06', '1.0', 'prod')).new_issues_count, 1::bigint, 'AT-40: same issue, environment prod: 1');
SELECT is((pg_temp.re('j06', '1.0', 'staging')).new_issues_count, 1::bigint, 'AT-40: same issue, environment staging: 1');
SELECT is((SELECT new_groups FROM triage.releases WHERE id = pg_temp.rel('j06', '1.0')), 1::bigint, 'B-18: ... while new_groups counts the one issue');
-- An existing issue seen in a new release: a new (issue, environment) pair is not new in the
-- environment: new_issues_count counts new group environments only.
SELECT pg_temp.send('j06', '06000000000000000000000000000073', 'one issue', 800, '2.0', 'prod');
SELECT is((pg_temp.re('j06', '2.0', 'prod')).new_issues_count, 0::bigint, 'AT-40: an old issue in a new release: new_issues_count 0');
SELECT is((pg_temp.re('j06', '2.0', 'prod')).first_seen, pg_temp.at(800), 'B-18: the release environment row exists all the same');

-- Events without a group (transactions) write no release side tables.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('t06', 'md5');
INSERT INTO triage.events (project_id, event_id, payload)
VALUES (pg_temp.pid('t06'), '06000000000000000000000000000081', '{"type":"transaction","transaction":"/tx","release":"9.9","environment":"prod"}');
SELECT is((SELECT count(*) FROM triage.release_environments WHERE project_id = pg_temp.pid('t06')) +
          (SELECT count(*) FROM triage.group_releases WHERE project_id = pg_temp.pid('t06')) +
          (SELECT count(*) FROM triage.group_environments WHERE project_id = pg_temp.pid('t06')), 0::bigint,
          'B-18: a transaction writes no release environment, group release or group environment');

SELECT * FROM finish();
ROLLBACK;
