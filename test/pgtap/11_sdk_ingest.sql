-- The save path on real SDK events (@sentry/node 11.12.0 and sentry-sdk 1.9.10, see
-- test/sdk/README.md): the issues they form, with titles, culprits, levels, counters, releases,
-- environments, tags and users. Node events go in one multi-row INSERT (xxh3_128 project),
-- Python events one INSERT per event (md5 project).
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SET LOCAL client_min_messages = warning;
SELECT plan(54);

\ir helpers/sdk_events.sql

SELECT is((SELECT count(*)::int FROM sdk_events WHERE payload ~ '"timestamp":' AND happened_at IS NOT NULL
                                                 AND happened_at BETWEEN now() - interval '1 day' AND now() - interval '1 hour'),
          71, 'test set-up: 71 events, all re-dated within the last day');

INSERT INTO triage.projects (slug) VALUES ('sdk-node');
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('sdk-python', 'md5');

-- Node: one statement.
INSERT INTO triage.events (project_id, payload)
SELECT (SELECT id FROM triage.projects WHERE slug = 'sdk-node'), payload FROM sdk_events WHERE sdk = 'node' ORDER BY n;
-- Python: one statement per event.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT payload FROM sdk_events WHERE sdk = 'python' ORDER BY n LOOP
    INSERT INTO triage.events (project_id, payload)
    VALUES ((SELECT id FROM triage.projects WHERE slug = 'sdk-python'), r.payload);
  END LOOP;
END
$$;

-- Every stored event with its test data, and every issue with the scenario it belongs to.
CREATE TEMP VIEW ev AS
SELECT s.sdk, s.case_name, s.n, s.happened_at, s.payload AS sent_payload, e.*
  FROM sdk_events s
  JOIN triage.projects p ON p.slug = 'sdk-' || s.sdk
  JOIN triage.events e ON e.project_id = p.id AND e.event_id = s.event_id;
CREATE TEMP VIEW issue AS
SELECT c.sdk, c.case_name, g.*
  FROM (SELECT DISTINCT sdk, case_name, group_id FROM ev) c JOIN triage.groups g ON g.id = c.group_id;

-- ---------------------------------------------------------------------------------------------
-- Node.
SELECT is((SELECT count(*)::int FROM ev WHERE sdk = 'node'), 38, 'node: all 38 events stored');
SELECT is((SELECT count(*)::int FROM triage.groups g JOIN triage.projects p ON p.id = g.project_id WHERE p.slug = 'sdk-node'),
          17, 'node: 17 issues');
SELECT is_empty($$SELECT case_name FROM ev WHERE sdk = 'node' GROUP BY case_name HAVING count(DISTINCT group_id) <> 1$$,
                'node: each scenario''s events are in one issue');
SELECT is_empty($$SELECT group_id FROM ev WHERE sdk = 'node' GROUP BY group_id HAVING count(DISTINCT case_name) <> 1$$,
                'node: no two scenarios share an issue');
SELECT set_eq($$SELECT case_name, times_seen FROM issue WHERE sdk = 'node'$$,
              $$VALUES ('message-varying', 4::bigint), ('message-other', 2), ('async-error', 2), ('non-error-object', 1),
                       ('same-site-varying-message', 5), ('hybrid-fingerprint', 2), ('two-paths-checkout', 2),
                       ('two-paths-admin', 2), ('type-error', 2), ('custom-fingerprint', 2), ('tags-user-transaction', 1),
                       ('chained-error', 2), ('node-modules-throw', 2), ('message-nostack-varying', 4),
                       ('message-nostack-other', 2), ('message-parameterized', 2), ('uncaught', 1)$$,
              'node: times_seen of each issue (one multi-row statement)');
SELECT results_eq($$SELECT short_id FROM issue i WHERE sdk = 'node'
                     ORDER BY (SELECT min(n) FROM ev WHERE ev.group_id = i.id)$$,
                  $$SELECT generate_series(1, 17)::bigint$$,
                  'node: short ids 1..17 in the order the issues first appeared');
SELECT results_eq(
  $$SELECT case_name, title, culprit, level::text FROM issue WHERE sdk = 'node' AND case_name IN
      ('same-site-varying-message', 'two-paths-checkout', 'two-paths-admin', 'type-error', 'tags-user-transaction',
       'chained-error', 'node-modules-throw', 'message-nostack-varying', 'message-nostack-other', 'uncaught',
       'async-error', 'custom-fingerprint')
    ORDER BY case_name$$,
  $$VALUES
    ('async-error', 'Error: No exchange rate for BTC at 1705276800000', 'fetchRates(generate)', 'error'),
    ('chained-error', 'Error: Failed to load settings after 6 retries', 'loadSettings(generate)', 'error'),
    ('custom-fingerprint', 'TypeError: Customer 3311 has no email address', 'sendReminder(generate)', 'error'),
    ('message-nostack-other', 'Cache warmup finished with 4090 stale keys', '', 'info'),
    ('message-nostack-varying', 'Slow query on shard 0 took 5ms for user 1 from 8.8.8.8 (trace 5c1f0e9a-7d2b-4c3a-9e8f-1a2b3c4d5e6f)', '', 'warning'),
    ('node-modules-throw', 'SyntaxError: Unexpected token x in JSON at position 0 (input length 12)', 'readConfigFile(generate)', 'error'),
    ('same-site-varying-message', 'Error: Payment for order 5 failed: gateway 8.8.4.4 timed out after 999ms (request 9f8e7d6c-5b4a-4321-8fe...', 'chargeOrder(generate)', 'error'),
    ('tags-user-transaction', 'Error: Coupon SPRING24 expired at 2024-03-01T00:00:00Z', 'POST /api/cart/:id/coupon', 'error'),
    ('two-paths-admin', 'RangeError: Insufficient stock for SKU-3310: requested 40, available 37', 'reserveStock(generate)', 'error'),
    ('two-paths-checkout', 'RangeError: Insufficient stock for SKU-2044: requested 12, available 9', 'reserveStock(generate)', 'error'),
    ('type-error', 'TypeError: Cannot read properties of null (reading ''displayName'')', 'renderProfile(generate)', 'error'),
    ('uncaught', 'Error: Worker job 90210 crashed with exit code 137', 'startWorkerJob(generate)', 'fatal')$$,
  'node: titles (latest event''s, value cut to 100), culprits (in-app frame, transaction) and levels');
-- captureMessage with attachStacktrace and captureException of a plain object send a synthetic
-- exception: no type in the metadata, so the title is the crash frame's function. Relay drops
-- the SDK's "?" function names, so the crash frame is the innermost in-app frame that has one.
SELECT results_eq(
  $$SELECT case_name, title, culprit, level::text FROM issue WHERE sdk = 'node'
      AND case_name IN ('message-varying', 'message-other', 'non-error-object') ORDER BY case_name$$,
  $$VALUES ('message-other', 'captureMessageCase', '', 'info'),
           ('message-varying', 'captureMessageCase', '', 'warning'),
           ('non-error-object', 'runNonErrorCase', '', 'error')$$,
  'node: synthetic exceptions take the crash function as title ("?" is no function name), empty culprit');
-- Sentry.parameterize sends logentry.message and params without formatted: Relay formats it.
SELECT is((SELECT title FROM issue WHERE sdk = 'node' AND case_name = 'message-parameterized'),
          'Session for user 77 expired after 4s',
          'node: a parameterized message''s title is the template formatted with its params');
SELECT is_empty($$SELECT case_name, type FROM ev WHERE sdk = 'node'
                   AND type <> CASE WHEN case_name LIKE 'message-nostack-%' OR case_name = 'message-parameterized'
                                    THEN 'default' ELSE 'error' END$$,
                'node: message-only events are default events, the others error events');
SELECT is_empty($$SELECT i.case_name, i.first_seen, i.last_seen, min(e.occurred_at), max(e.occurred_at)
                    FROM issue i JOIN ev e ON e.group_id = i.id WHERE i.sdk = 'node'
                   GROUP BY 1, 2, 3 HAVING i.first_seen <> min(e.occurred_at) OR i.last_seen <> max(e.occurred_at)$$,
                'node: first_seen and last_seen are the earliest and latest event times');
SELECT is_empty($$SELECT n, case_name, sent_payload::jsonb -> 'timestamp', occurred_at, happened_at
                    FROM ev WHERE sdk = 'node' AND occurred_at IS DISTINCT FROM happened_at$$,
                'node: occurred_at is the payload timestamp to the microsecond (unix seconds with milliseconds)');
SELECT is_empty($$SELECT case_name, status, substatus, priority, level FROM issue WHERE sdk = 'node'
                   AND (status, substatus, priority) IS DISTINCT FROM
                       ('unresolved', 'new', CASE WHEN level IN ('error', 'fatal') THEN 'high'
                                                  WHEN level = 'warning' THEN 'medium' ELSE 'low' END::triage.priority_level)$$,
                'node: new issues are unresolved/new with the priority of their level');
SELECT is_empty($$SELECT id FROM issue WHERE sdk = 'node' AND (first_release IS DISTINCT FROM 'pg-triage-demo@1.4.2'
                                                               OR platform IS DISTINCT FROM 'node')$$,
                'node: every issue has first_release and platform');
SELECT is_empty($$SELECT e.n FROM ev e WHERE sdk = 'node'
                   AND (e.release, e.environment, e.platform, e.level::text)
                       IS DISTINCT FROM ('pg-triage-demo@1.4.2', 'production', 'node', sent_payload::jsonb ->> 'level')$$,
                'node: every event has its release, environment, platform and level');
SELECT is_empty($$SELECT e.n, e.tags FROM ev e WHERE sdk = 'node'
                   AND NOT e.tags @> jsonb_build_object('sentry:release', 'pg-triage-demo@1.4.2', 'environment', 'production',
                                                        'level', sent_payload::jsonb ->> 'level', 'case', case_name,
                                                        'server_name', 'sdk-capture-host', 'runtime.name', 'node')$$,
                'node: tags sentry:release, environment, level, server_name, runtime.name and the payload''s own');
SELECT results_eq($$SELECT case_name, user_key, tags ->> 'sentry:user' FROM ev WHERE sdk = 'node' AND
                     (user_key IS NOT NULL OR tags ? 'sentry:user' OR sent_payload::jsonb ? 'user')$$,
                  $$VALUES ('tags-user-transaction', 'id:4711', 'id:4711')$$,
                  'node: user_key and the sentry:user tag from the user id, only where the payload has a user');
SELECT is((SELECT tags - ARRAY['os', 'os.name', 'runtime', 'runtime.name', 'server_name'] FROM ev
            WHERE sdk = 'node' AND case_name = 'tags-user-transaction'),
          '{"case": "tags-user-transaction", "level": "error", "region": "eu-west-1", "feature": "coupons",
            "handled": "yes", "mechanism": "generic", "environment": "production", "sentry:user": "id:4711",
            "transaction": "POST /api/cart/:id/coupon", "sentry:release": "pg-triage-demo@1.4.2"}'::jsonb,
          'node: the tags of the tags-user-transaction event');
SELECT is((SELECT jsonb_build_array(tags -> 'mechanism', tags -> 'handled') FROM ev WHERE sdk = 'node' AND case_name = 'uncaught'),
          '["auto.node.onuncaughtexception", "no"]'::jsonb, 'node: the uncaught event''s mechanism and handled tags');
SELECT is_empty($$SELECT e.n FROM ev e WHERE sdk = 'node' AND (e.hashes IS NULL OR e.hashes[1] !~ '^[0-9a-f]{32}$'
                   OR NOT EXISTS (SELECT 1 FROM triage.grouphashes h
                                   WHERE h.project_id = e.project_id AND h.hash = e.hashes[1] AND h.group_id = e.group_id))$$,
                'node: each event''s primary hash (32 hex) is a grouphash of its issue');
SELECT results_eq($$SELECT version, package, major, minor, patch, new_groups, date_added FROM triage.releases r
                     JOIN triage.projects p ON p.id = r.project_id WHERE p.slug = 'sdk-node'$$,
                  $$SELECT 'pg-triage-demo@1.4.2', 'pg-triage-demo', 1::bigint, 4::bigint, 2::bigint, 17::bigint,
                           (SELECT occurred_at FROM ev WHERE sdk = 'node' ORDER BY n LIMIT 1)$$,
                  'node: one release, semver columns, 17 new groups, dated by its first event');
SELECT results_eq($$SELECT e.name FROM triage.environments e JOIN triage.projects p ON p.id = e.project_id
                     WHERE p.slug = 'sdk-node'$$, $$VALUES ('production')$$, 'node: one environment');
SELECT results_eq($$SELECT re.new_issues_count, re.first_seen FROM triage.release_environments re
                     JOIN triage.projects p ON p.id = re.project_id WHERE p.slug = 'sdk-node'$$,
                  $$SELECT 17::bigint, (SELECT occurred_at FROM ev WHERE sdk = 'node' ORDER BY n LIMIT 1)$$,
                  'node: release environment with 17 new issues');
SELECT results_eq($$SELECT count(*)::int, count(DISTINCT ge.group_id)::int, min(ge.first_release), max(en.name)
                     FROM triage.group_environments ge JOIN triage.environments en ON en.id = ge.environment_id
                     JOIN triage.projects p ON p.id = ge.project_id WHERE p.slug = 'sdk-node'$$,
                  $$VALUES (17, 17, 'pg-triage-demo@1.4.2', 'production')$$,
                  'node: one group environment per issue, with the first release');
SELECT is_empty($$SELECT i.case_name FROM issue i
                    LEFT JOIN triage.group_releases gr ON gr.group_id = i.id
                   WHERE i.sdk = 'node' GROUP BY i.case_name, i.first_seen, i.last_seen
                  HAVING count(gr.*) <> 1 OR min(gr.environment) <> 'production' OR min(gr.first_seen) <> i.first_seen$$,
                'node: one group release per issue (environment production, first seen with the issue)');
SELECT results_eq($$SELECT accepted, duplicates_skipped, discarded, quarantined FROM triage.ingest_stats WHERE slug = 'sdk-node'$$,
                  $$VALUES (38::bigint, 0::bigint, 0::bigint, 0::bigint)$$, 'node: ingest_stats');
SELECT results_eq($$SELECT c.value FROM triage.project_counters c JOIN triage.projects p ON p.id = c.project_id
                     WHERE p.slug = 'sdk-node'$$, $$VALUES (17::bigint)$$, 'node: the short-id counter is at 17');
SELECT is((SELECT count(*)::int FROM triage.activities), 0, 'no activities for new issues');

-- ---------------------------------------------------------------------------------------------
-- Python (md5).
SELECT is((SELECT count(*)::int FROM ev WHERE sdk = 'python'), 33, 'python: all 33 events stored');
SELECT is((SELECT count(*)::int FROM triage.groups g JOIN triage.projects p ON p.id = g.project_id WHERE p.slug = 'sdk-python'),
          15, 'python: 15 issues');
SELECT is_empty($$SELECT case_name FROM ev WHERE sdk = 'python' GROUP BY case_name HAVING count(DISTINCT group_id) <> 1$$,
                'python: each scenario''s events are in one issue');
SELECT is_empty($$SELECT group_id FROM ev WHERE sdk = 'python' GROUP BY group_id HAVING count(DISTINCT case_name) <> 1$$,
                'python: no two scenarios share an issue');
SELECT set_eq($$SELECT case_name, times_seen FROM issue WHERE sdk = 'python'$$,
              $$VALUES ('same-site-varying-message', 5::bigint), ('hybrid-fingerprint', 2), ('two-paths-checkout', 2),
                       ('two-paths-admin', 2), ('attribute-error', 2), ('message-varying', 4), ('message-other', 2),
                       ('logging-error', 2), ('custom-fingerprint', 2), ('tags-user-transaction', 1),
                       ('chained-error', 2), ('chained-implicit', 2), ('stdlib-throw', 2), ('library-throw', 2),
                       ('uncaught', 1)$$,
              'python: times_seen of each issue (one statement per event)');
SELECT results_eq($$SELECT short_id FROM issue i WHERE sdk = 'python'
                     ORDER BY (SELECT min(n) FROM ev WHERE ev.group_id = i.id)$$,
                  $$SELECT generate_series(1, 15)::bigint$$,
                  'python: short ids 1..15 in the project''s own sequence');
SELECT is_empty($$SELECT n, hashes FROM ev WHERE sdk = 'python'
                   AND hashes IS DISTINCT FROM triage.grouping_hashes(payload, 'md5')$$,
                'python: events carry the md5-mode hashes');
SELECT is((SELECT DISTINCT hashes[1] FROM ev WHERE sdk = 'python' AND case_name = 'custom-fingerprint'),
          md5('my-custom' || 'fp'), 'python: the custom fingerprint hashes to md5 of its values');
SELECT results_eq(
  $$SELECT case_name, title, culprit, level::text, logger FROM issue WHERE sdk = 'python' AND case_name IN
      ('same-site-varying-message', 'attribute-error', 'message-varying', 'tags-user-transaction', 'chained-error',
       'chained-implicit', 'stdlib-throw', 'library-throw', 'uncaught')
    ORDER BY case_name$$,
  $$VALUES
    ('attribute-error', 'AttributeError: ''NoneType'' object has no attribute ''display_name''', '__main__ in render_profile', 'error', ''),
    ('chained-error', 'RuntimeError: Failed to load settings after 6 retries', '__main__ in load_settings', 'error', ''),
    ('chained-implicit', 'KeyError: ''fallback-2048''', '__main__ in write_audit_log', 'error', ''),
    ('library-throw', 'ParserError: while parsing a flow sequence', '__main__ in read_yaml_settings', 'error', ''),
    ('message-varying', 'Slow query on shard 0 took 5ms for user 1 from 8.8.8.8 (trace 5c1f0e9a-7d2b-4c3a-9e8f-1a2b3c4d5e6f)', '', 'warning', ''),
    ('same-site-varying-message', 'PaymentError: Payment for order 5 failed: gateway 8.8.4.4 timed out after 999ms (request 9f8e7d6c-5b4a-4321-8fe...', '__main__ in charge_order', 'error', ''),
    ('stdlib-throw', 'JSONDecodeError: Expecting value: line 3 column 3 (char 4)', 'json.decoder in raw_decode', 'error', ''),
    ('tags-user-transaction', 'RuntimeError: Coupon SPRING24 expired at 2024-03-01T00:00:00Z', 'POST /api/cart/<id>/coupon', 'error', ''),
    ('uncaught', 'SystemError: Worker job 90210 crashed with exit code 137', '__main__ in start_worker_job', 'error', '')$$,
  'python: titles, culprits (dist-packages frames out of app, stdlib frames in app, transaction), levels');
SELECT results_eq($$SELECT title, logger, level::text, culprit FROM issue WHERE sdk = 'python' AND case_name = 'logging-error'$$,
                  $$VALUES ('Reconciliation for account 77 off by 990.00 EUR after 4s', 'billing.reconcile', 'error', '')$$,
                  'python: a logging record''s title is its template formatted with its args; logger kept');
SELECT is_empty($$SELECT n, case_name, occurred_at, happened_at FROM ev WHERE sdk = 'python'
                   AND occurred_at IS DISTINCT FROM happened_at$$,
                'python: occurred_at is the RFC 3339 timestamp to the microsecond');
SELECT is_empty($$SELECT i.case_name FROM issue i JOIN ev e ON e.group_id = i.id WHERE i.sdk = 'python'
                   GROUP BY i.case_name, i.first_seen, i.last_seen
                  HAVING i.first_seen <> min(e.occurred_at) OR i.last_seen <> max(e.occurred_at)$$,
                'python: first_seen and last_seen are the earliest and latest event times');
SELECT is_empty($$SELECT e.n, e.tags FROM ev e WHERE sdk = 'python'
                   AND NOT e.tags @> jsonb_build_object('sentry:release', 'pg-triage-demo@1.4.2', 'environment', 'production',
                                                        'level', sent_payload::jsonb ->> 'level', 'case', case_name,
                                                        'server_name', 'sdk-capture-host', 'runtime.name', 'CPython')$$,
                'python: tags sentry:release, environment, level, server_name, runtime.name and the payload''s own');
SELECT is_empty($$SELECT n FROM ev WHERE sdk = 'python' AND case_name = 'logging-error'
                   AND (tags ->> 'logger' IS DISTINCT FROM 'billing.reconcile' OR type <> 'default')$$,
                'python: logging events are default events with a logger tag');
SELECT results_eq($$SELECT case_name, user_key, tags ->> 'sentry:user' FROM ev WHERE sdk = 'python' AND
                     (user_key IS NOT NULL OR tags ? 'sentry:user' OR sent_payload::jsonb ? 'user')$$,
                  $$VALUES ('tags-user-transaction', 'id:4711', 'id:4711')$$,
                  'python: user_key and the sentry:user tag from the user id');
SELECT is((SELECT jsonb_build_array(tags -> 'mechanism', tags -> 'handled') FROM ev WHERE sdk = 'python' AND case_name = 'uncaught'),
          '["excepthook", "no"]'::jsonb, 'python: the uncaught event''s mechanism and handled tags');
SELECT is_empty($$SELECT e.n FROM ev e WHERE sdk = 'python'
                   AND (e.release, e.environment, e.platform) IS DISTINCT FROM ('pg-triage-demo@1.4.2', 'production', 'python')$$,
                'python: every event has its release, environment and platform');
SELECT results_eq($$SELECT r.version, r.new_groups FROM triage.releases r JOIN triage.projects p ON p.id = r.project_id
                     WHERE p.slug = 'sdk-python'$$,
                  $$VALUES ('pg-triage-demo@1.4.2', 15::bigint)$$,
                  'python: its own release row (releases are per project) with 15 new groups');
SELECT results_eq($$SELECT count(*)::int FROM triage.environments$$, $$VALUES (2)$$,
                  'one production environment per project');
SELECT results_eq($$SELECT accepted, duplicates_skipped FROM triage.ingest_stats WHERE slug = 'sdk-python'$$,
                  $$VALUES (33::bigint, 0::bigint)$$, 'python: ingest_stats');

-- ---------------------------------------------------------------------------------------------
-- The same events again: every one is a duplicate (same project and event id), nothing moves.
CREATE TEMP TABLE before_again AS SELECT id, times_seen, last_seen, title FROM triage.groups;
INSERT INTO triage.events (project_id, payload)
SELECT (SELECT id FROM triage.projects WHERE slug = 'sdk-node'), payload FROM sdk_events WHERE sdk = 'node' ORDER BY n;
INSERT INTO triage.events (project_id, payload)
SELECT (SELECT id FROM triage.projects WHERE slug = 'sdk-python'), payload FROM sdk_events WHERE sdk = 'python' ORDER BY n;
SELECT results_eq($$SELECT slug, accepted, duplicates_skipped FROM triage.ingest_stats ORDER BY slug$$,
                  $$VALUES ('sdk-node', 38::bigint, 38::bigint), ('sdk-python', 33::bigint, 33::bigint)$$,
                  'sending every event again: all skipped as duplicates and counted');
SELECT is_empty($$SELECT id, times_seen, last_seen, title FROM triage.groups
                  EXCEPT SELECT id, times_seen, last_seen, title FROM before_again$$,
                'duplicates change no issue');

-- The node file in the python project: the same event ids are new there (ids are per project).
-- Message-only scenarios and the custom fingerprint join the Python issues; the rest are new.
INSERT INTO triage.events (project_id, payload)
SELECT (SELECT id FROM triage.projects WHERE slug = 'sdk-python'), payload FROM sdk_events WHERE sdk = 'node' ORDER BY n;
SELECT results_eq($$SELECT accepted, duplicates_skipped FROM triage.ingest_stats WHERE slug = 'sdk-python'$$,
                  $$VALUES (71::bigint, 33::bigint)$$, 'event ids are unique per project, not globally');
SELECT set_eq($$SELECT c.case_name, g.times_seen FROM triage.groups g
                  JOIN triage.projects p ON p.id = g.project_id AND p.slug = 'sdk-python'
                  JOIN (SELECT DISTINCT case_name, group_id FROM triage.events e
                          JOIN sdk_events s ON s.event_id = e.event_id AND s.sdk = 'python') c ON c.group_id = g.id
                 WHERE c.case_name IN ('message-varying', 'message-other', 'custom-fingerprint', 'logging-error')$$,
              $$VALUES ('message-varying', 8::bigint), ('message-other', 4), ('custom-fingerprint', 4), ('logging-error', 2)$$,
              'node message-only events join the python message issues, the shared custom fingerprint joins too');
SELECT is((SELECT count(*)::int FROM triage.groups g JOIN triage.projects p ON p.id = g.project_id WHERE p.slug = 'sdk-python'),
          15 + 17 - 3, 'python project: 14 more issues (17 node scenarios, 3 of them joined)');

SELECT * FROM finish();
ROLLBACK;
