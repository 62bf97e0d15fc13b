-- The save path, what an issue looks like: the new issue's fields, priority, updates by later
-- events, placeholder titles, immutable fields, and the metadata, title, culprit, message and tags
-- derived from the payload. Section 18 behaviours 9-13 and 19; acceptance cases of sections 16.1,
-- 16.2, 16.5 and 16.6 of the save-path notes (test names start with the case id).
-- Issue counters are folded at the end of each INSERT statement: they are read in later statements.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(118);

\ir helpers/save_path.sql

INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('u04', 'md5');

-- ---------------------------------------------------------------------------------------------
-- B-9: the fields of a new issue.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000001', format(
  $${"fingerprint":["new-issue"],"level":"warning","platform":"python","logger":"app.log","release":"1.0","timestamp":%s,
     "sdk":{"name":"sentry.python"},
     "exception":{"values":[{"type":"ValueError","value":"bad value\nsecond line",
       "stacktrace":{"frames":[{"filename":"lib.py","function":"call","module":"lib","in_app":false},
                               {"filename":"app.py","function":"index","module":"app","in_app":true}]}}]}}$$, pg_temp.ago(1000)));
SELECT is((pg_temp.g('04000000000000000000000000000001')).status::text || '/' || (pg_temp.g('04000000000000000000000000000001')).substatus::text,
          'unresolved/new', 'B-9: a new issue is unresolved/new');
SELECT is((pg_temp.g('04000000000000000000000000000001')).first_seen, pg_temp.at(1000), 'B-9: first_seen is the event time');
SELECT is((pg_temp.g('04000000000000000000000000000001')).last_seen, pg_temp.at(1000), 'B-9: last_seen is the event time');
SELECT is((pg_temp.g('04000000000000000000000000000001')).active_at, pg_temp.at(1000), 'B-9: active_at is the event time');
SELECT is((pg_temp.g('04000000000000000000000000000001')).times_seen, 1::bigint, 'B-9: times_seen 1');
SELECT is((pg_temp.g('04000000000000000000000000000001')).first_release, '1.0', 'B-9: first_release is the event''s release');
SELECT is((pg_temp.g('04000000000000000000000000000001')).type, 'error', 'B-9: type error');
SELECT is((pg_temp.g('04000000000000000000000000000001')).level::text, 'warning', 'B-9: level from the event');
SELECT is((pg_temp.g('04000000000000000000000000000001')).title, 'ValueError: bad value', 'B-9/B-19: title Type: first line of value');
SELECT is((pg_temp.g('04000000000000000000000000000001')).culprit, 'app in index', 'B-9/B-19: culprit of the innermost in-app frame');
SELECT is((pg_temp.g('04000000000000000000000000000001')).message, 'bad value',
          'B-9: message is the first line of search_message');
SELECT is((pg_temp.g('04000000000000000000000000000001')).platform, 'python', 'AT-01: the issue''s platform is the event''s (python)');
SELECT is((pg_temp.e('04000000000000000000000000000001')).platform, 'python', 'AT-01: the event''s platform is python');
SELECT is((pg_temp.g('04000000000000000000000000000001')).logger, 'app.log', 'B-9: logger');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys((pg_temp.g('04000000000000000000000000000001')).data) k),
          ARRAY['culprit', 'last_received', 'location', 'metadata', 'title', 'type'],
          'B-9: data has {type, title, culprit, location, metadata, last_received}');
SELECT is((pg_temp.g('04000000000000000000000000000001')).data - 'last_received' - 'metadata',
          '{"type":"error","title":"ValueError: bad value","culprit":"app in index","location":"app.py"}'::jsonb,
          'B-9: data type, title, culprit, location');
SELECT ok(((pg_temp.g('04000000000000000000000000000001')).data ->> 'last_received')::float8
            BETWEEN extract(epoch FROM now()) - 60 AND extract(epoch FROM clock_timestamp()) + 1,
          'B-9: data.last_received is the receive time in Unix seconds');
SELECT is((pg_temp.g('04000000000000000000000000000001')).data -> 'metadata',
          '{"type":"ValueError","value":"bad value\nsecond line","filename":"app.py","function":"index","in_app_frame_mix":"mixed",
            "sdk":{"name":"sentry.python","name_normalized":"sentry.python"},"initial_priority":50}'::jsonb,
          'B-9/B-19: metadata: main exception type/value, crash frame filename/function, sdk, initial_priority');
-- Limits: message first line at most 255 characters, culprit at most 200.
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('u04'), '04000000000000000000000000000002', '{"message":"' || repeat('w', 300) || '\nsecond line"}'),
  (pg_temp.pid('u04'), '04000000000000000000000000000003', '{"message":"long culprit","culprit":"' || repeat('c', 250) || '"}');
SELECT is((pg_temp.g('04000000000000000000000000000002')).message, repeat('w', 252) || '...', 'B-9: message cut to 255 characters');
SELECT is((pg_temp.g('04000000000000000000000000000002')).title, repeat('w', 97) || '...', 'B-19: a default title is cut to 100 characters');
SELECT is((pg_temp.g('04000000000000000000000000000003')).culprit, repeat('c', 197) || '...', 'B-9: culprit cut to 200 characters');

-- ---------------------------------------------------------------------------------------------
-- B-10 / AT-58: priority from the level, on creation only.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('p04', 'md5');
INSERT INTO triage.events (project_id, event_id, payload)
SELECT pg_temp.pid('p04'), ('0400000000000000000000000000001' || n)::uuid, format('{"message":"priority %s","level":"%s"}', l, l)
  FROM (VALUES (0, 'debug'), (1, 'info'), (2, 'warning'), (3, 'error'), (4, 'fatal')) v(n, l);
SELECT is((SELECT array_agg(priority::text ORDER BY id) FROM triage.groups WHERE project_id = pg_temp.pid('p04')),
          ARRAY['low', 'low', 'medium', 'high', 'high'], 'AT-58/B-10: debug, info LOW; warning MEDIUM; error, fatal HIGH');
SELECT is((SELECT array_agg((data #>> '{metadata,initial_priority}')::int ORDER BY id) FROM triage.groups WHERE project_id = pg_temp.pid('p04')),
          ARRAY[25, 25, 50, 75, 75], 'AT-58/B-10: metadata.initial_priority equals the priority (25, 50, 75)');
SELECT is((SELECT array_agg(level::text ORDER BY id) FROM triage.groups WHERE project_id = pg_temp.pid('p04')),
          ARRAY['debug', 'info', 'warning', 'error', 'fatal'], 'B-9: the issue level is the event level');
-- AT-60: a later event of another level changes the level, not the priority.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('p04'), '04000000000000000000000000000019', '{"message":"priority debug","level":"fatal"}');
SELECT is((pg_temp.g('04000000000000000000000000000019')).priority::text, 'low', 'AT-60: priority is computed only at creation');
SELECT is((pg_temp.g('04000000000000000000000000000019')).data #>> '{metadata,initial_priority}', '25', 'AT-60: initial_priority unchanged');
SELECT is((pg_temp.g('04000000000000000000000000000019')).level::text, 'fatal', 'B-11: the level follows the latest event');
-- Level aliases and numbers (Relay's normalization).
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('p04'), '04000000000000000000000000000020', '{"message":"lvl a","level":"warn"}'),
  (pg_temp.pid('p04'), '04000000000000000000000000000021', '{"message":"lvl b","level":"critical"}'),
  (pg_temp.pid('p04'), '04000000000000000000000000000022', '{"message":"lvl c","level":"log"}'),
  (pg_temp.pid('p04'), '04000000000000000000000000000023', '{"message":"lvl d","level":40}'),
  (pg_temp.pid('p04'), '04000000000000000000000000000024', '{"message":"lvl e"}');
SELECT is((SELECT array_agg(level::text ORDER BY event_id) FROM triage.events WHERE event_id BETWEEN '04000000000000000000000000000020' AND '04000000000000000000000000000024'),
          ARRAY['warning', 'fatal', 'info', 'error', 'error'], 'B-9: levels warn, critical, log, 40 and none normalize');

-- ---------------------------------------------------------------------------------------------
-- B-11 / AT-48: updates by later events.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000031', format(
  $${"fingerprint":["new-issue"],"level":"fatal","platform":"javascript","logger":"other","release":"2.0","timestamp":%s,
     "sdk":{"name":"sentry.javascript.browser"},"exception":{"values":[{"type":"TypeError","value":"later"}]}}$$, pg_temp.ago(500)));
SELECT is(pg_temp.grp('04000000000000000000000000000031'), pg_temp.grp('04000000000000000000000000000001'), 'B-11: same fingerprint, same issue');
SELECT is((pg_temp.g('04000000000000000000000000000001')).times_seen, 2::bigint, 'B-11/AT-48: times_seen 2');
SELECT is((pg_temp.g('04000000000000000000000000000001')).last_seen, pg_temp.at(500), 'B-11/AT-48: last_seen moves to the later event');
SELECT is((pg_temp.g('04000000000000000000000000000001')).first_seen, pg_temp.at(1000), 'B-11: first_seen stays');
SELECT is((pg_temp.g('04000000000000000000000000000001')).level::text, 'fatal', 'B-11: level of the latest event');
SELECT is((pg_temp.g('04000000000000000000000000000001')).culprit, '', 'B-11: culprit of the latest event (none)');
SELECT is((pg_temp.g('04000000000000000000000000000001')).message, 'later TypeError', 'B-11/AT-48: message of the latest event');
SELECT is((pg_temp.g('04000000000000000000000000000001')).title, 'TypeError: later', 'B-11/AT-48: a real title replaces a real title');
SELECT is((pg_temp.g('04000000000000000000000000000001')).data - 'last_received' - 'metadata',
          '{"type":"error","title":"TypeError: later","culprit":"","location":null}'::jsonb,
          'B-11: data is merged, the incoming keys win (location becomes null)');
SELECT is((pg_temp.g('04000000000000000000000000000001')).data -> 'metadata',
          '{"type":"TypeError","value":"later","filename":"app.py","function":"index","in_app_frame_mix":"mixed",
            "sdk":{"name":"sentry.python","name_normalized":"sentry.python"},"initial_priority":50}'::jsonb,
          'B-11/AT-48: metadata merged key by key: incoming type/value/title win, old filename/function stay, sdk and initial_priority are the creation''s');
-- B-13: immutable fields.
SELECT is((pg_temp.g('04000000000000000000000000000001')).platform, 'python', 'B-13: platform never changes');
SELECT is((pg_temp.g('04000000000000000000000000000001')).logger, 'app.log', 'B-13: logger never changes');
SELECT is((pg_temp.g('04000000000000000000000000000001')).first_release, '1.0', 'B-13/AT-36: first_release never changes');
SELECT is((pg_temp.g('04000000000000000000000000000001')).short_id, 1::bigint, 'B-13: short_id never changes');
SELECT is((pg_temp.g('04000000000000000000000000000001')).type, 'error', 'B-13: type never changes');
SELECT is((pg_temp.g('04000000000000000000000000000001')).priority::text, 'medium', 'B-13: priority never changes (warning at creation)');
-- An earlier event (clock skew) moves first_seen back; last_seen stays the maximum.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000032', format(
  '{"fingerprint":["new-issue"],"message":"from the past","timestamp":%s}', pg_temp.ago(2000)));
SELECT is((pg_temp.g('04000000000000000000000000000001')).first_seen, pg_temp.at(2000), 'B-11: first_seen = min (earlier event)');
SELECT is((pg_temp.g('04000000000000000000000000000001')).last_seen, pg_temp.at(500), 'B-11: last_seen = max (not moved back)');
SELECT is((pg_temp.g('04000000000000000000000000000001')).times_seen, 3::bigint, 'B-11: times_seen 3');

-- AT-03: same checksum, later event: times_seen 2, last_seen and message of the second,
-- metadata title "foo bar".
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000041',
  format('{"checksum":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","message":"foo","timestamp":%s}', pg_temp.ago(300)));
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000042',
  format('{"checksum":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","message":"foo bar","timestamp":%s}', pg_temp.ago(200)));
SELECT is(pg_temp.grp('04000000000000000000000000000042'), pg_temp.grp('04000000000000000000000000000041'), 'AT-03: same checksum, same issue');
SELECT is((pg_temp.g('04000000000000000000000000000041')).times_seen, 2::bigint, 'AT-03: times_seen 2');
SELECT is((pg_temp.g('04000000000000000000000000000041')).last_seen, pg_temp.at(200), 'AT-03: last_seen is the second event''s');
SELECT is((pg_temp.g('04000000000000000000000000000041')).message, 'foo bar', 'AT-03: message is the second event''s');
SELECT is((pg_temp.g('04000000000000000000000000000041')).data #>> '{metadata,title}', 'foo bar', 'AT-03/AT-48: metadata title "foo bar"');
-- AT-04: same fingerprint and the same timestamp: last_seen unchanged, message updated.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000043',
  format('{"fingerprint":["same-ts"],"message":"first message","timestamp":%s}', pg_temp.ago(100)));
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000044',
  format('{"fingerprint":["same-ts"],"message":"second message","timestamp":%s}', pg_temp.ago(100)));
SELECT is((pg_temp.g('04000000000000000000000000000043')).times_seen, 2::bigint, 'AT-04: times_seen 2');
SELECT is((pg_temp.g('04000000000000000000000000000043')).last_seen, pg_temp.at(100), 'AT-04: last_seen unchanged (the first event''s)');
SELECT is((pg_temp.g('04000000000000000000000000000043')).message, 'second message', 'AT-04: message updated');

-- ---------------------------------------------------------------------------------------------
-- B-12 / AT-51: placeholder titles never overwrite real ones. The truth table of section 7:
SELECT is(triage.updated_title('A', 'B'), 'B', 'AT-51: real A, real B: B');
SELECT is(triage.updated_title('A', '<untitled>'), 'A', 'AT-51: real A, <untitled>: A');
SELECT is(triage.updated_title('A', NULL), 'A', 'AT-51: real A, none: A');
SELECT is(triage.updated_title('<unlabeled event>', 'B'), 'B', 'AT-51: <unlabeled event>, real B: B');
SELECT is(triage.updated_title('<unlabeled event>', '<untitled>'), '<untitled>', 'AT-51: <unlabeled event>, <untitled>: <untitled>');
SELECT is(triage.updated_title('<unlabeled event>', NULL), NULL, 'AT-51: <unlabeled event>, none: none');
SELECT is(triage.updated_title(NULL, 'B'), 'B', 'AT-51: none, real B: B');
SELECT is(triage.updated_title(NULL, '<untitled>'), NULL, 'AT-51: none, <untitled>: none');
SELECT is(triage.updated_title(NULL, NULL), NULL, 'AT-51: none, none: none');
SELECT is(ARRAY(SELECT triage.is_placeholder_title(t) FROM unnest(ARRAY['<untitled>', '<unknown>', '<unlabeled event>', 'Error', 'Errors', 'Foo']) t),
          ARRAY[true, true, true, true, false, false], 'B-12: the placeholders are <untitled>, <unknown>, <unlabeled event>, Error');
-- ... and end to end, one issue (fingerprint "pt") fed one event per statement.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000051', '{"fingerprint":["pt"]}');
SELECT is((pg_temp.g('04000000000000000000000000000051')).title, '<unlabeled event>', 'AT-51: an issue made by a message-less event is <unlabeled event>');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000052', '{"fingerprint":["pt"],"exception":{"values":[{"type":"Error"}]}}');
SELECT is((pg_temp.g('04000000000000000000000000000051')).title, 'Error', 'AT-51: a placeholder title is replaced even by a placeholder (Error)');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000053', '{"fingerprint":["pt"],"message":"Real title"}');
SELECT is((pg_temp.g('04000000000000000000000000000051')).title, 'Real title', 'AT-51: a placeholder is replaced by the next real title');
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('u04'), '04000000000000000000000000000054', '{"fingerprint":["pt"]}');
SELECT is((pg_temp.g('04000000000000000000000000000051')).title, 'Real title', 'AT-51: a placeholder never overwrites a real title');
SELECT is((pg_temp.g('04000000000000000000000000000051')).data ->> 'title', 'Real title', 'AT-51: ... nor data.title');
SELECT is((pg_temp.g('04000000000000000000000000000051')).message, 'Real title', 'B-11: a placeholder message does not replace the message');
SELECT is((pg_temp.g('04000000000000000000000000000051')).times_seen, 4::bigint, 'AT-51: the issue counted the four events');

-- ---------------------------------------------------------------------------------------------
-- B-19 and section 16.2: metadata, title, culprit, search message.
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('m04', 'md5'), ('n04', 'md5');
-- Message-less events all share the fallback hash: AT-13's event has a project of its own.
INSERT INTO triage.events (project_id, event_id, payload) VALUES (pg_temp.pid('n04'), '04000000000000000000000000000061', '{"transaction":"/checkout"}');
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('m04'), '04000000000000000000000000000062', '{"message":"foo bar"}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000063', '{"logentry":{"formatted":"foo bar formatted"}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000064', '{"exception":{"values":[{"type":"Foo","value":"bar"}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000065', '{"csp":{"effective_directive":"script-src","blocked_uri":"http://evil.example.com/x.js"},"message":"Blocked ''script'' from ''evil.example.com''"}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000066', '{"message":"unity","sdk":{"name":"sentry-native-unity","version":"1.0"}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000067', '{"message":"culprit wins","culprit":"explicit culprit","transaction":"/tx"}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000068', '{"message":"transaction culprit","transaction":"/tx","stacktrace":{"frames":[{"filename":"a.py","function":"f","in_app":true}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000069', '{"message":"empty stack","stacktrace":{"frames":[]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000070', '{"exception":{"values":[{"type":"Z","value":"y","stacktrace":{"frames":[{"filename":"foo.py"},{"filename":"bar.py","in_app":true}]}}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000071', '{"message":"to the url","request":{"url":"http://example.com"}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000072', '{"message":"number transaction","transaction":123}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000073', '{"exception":{"values":[{"type":"DogsAreNeverAnError","value":"Dogs are great!"}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000074', '{"logentry":{"message":"template %s","formatted":"template x"},"exception":{"values":[{"type":"T","value":"template x"}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000075', '{"exception":{"values":[{"type":"ValueError","value":"inner","mechanism":{"type":"chained","exception_id":1,"parent_id":0}},{"type":"ExceptionGroup","value":"group","mechanism":{"type":"generic","exception_id":0,"is_exception_group":true}}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000082', '{"platform":"javascript","exception":{"values":[{"type":"TypeError","value":"Load failed","mechanism":{"type":"onerror","handled":false,"source":"cause","exception_id":1,"parent_id":0}},{"type":"Error","value":"There was an error during concurrent rendering but React was able to recover by instead synchronously rendering the entire root.","mechanism":{"type":"generic","handled":true,"exception_id":0}}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000076', '{"exception":{"values":[{"type":"First","value":"inner"},{"type":"Last","value":"outer"}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000077', '{"exception":{"values":[{"type":"SIGSEGV","value":"crash","mechanism":{"type":"signal","synthetic":true},"stacktrace":{"frames":[{"function":"main","filename":"main.c","in_app":true},{"function":"crash_here","filename":"crash.c","in_app":true}]}}]}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000078', '{"message":"legacy message","logentry":{"message":"logentry message"}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000079', '{"message":1234}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000080', '{"logentry":"plain string logentry"}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000081', '{}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000096', '{"message":["asdf", {"b": 2, "a": 1.0}]}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000097', '{"message":false}');
-- AT-13
SELECT is((pg_temp.e('04000000000000000000000000000061')).type, 'default', 'AT-13: a message-less event with a transaction is of type default');
SELECT is((pg_temp.g('04000000000000000000000000000061')).culprit, '/checkout', 'AT-13: its culprit is the transaction');
SELECT is((pg_temp.g('04000000000000000000000000000061')).data -> 'metadata', '{"title":"<unlabeled event>","initial_priority":75}'::jsonb,
          'AT-13: metadata {title: <unlabeled event>}');
SELECT is((pg_temp.g('04000000000000000000000000000061')).data -> 'location', 'null'::jsonb, 'AT-13: location None');
-- AT-16
SELECT is((pg_temp.g('04000000000000000000000000000062')).data #>> '{metadata,title}', 'foo bar', 'AT-16: default event: metadata title from the message');
SELECT is((pg_temp.g('04000000000000000000000000000063')).data #>> '{metadata,title}', 'foo bar formatted', 'AT-16: ... or from logentry.formatted');
SELECT is((pg_temp.g('04000000000000000000000000000062')).data ->> 'type', 'default', 'AT-16: type default');
-- AT-17
SELECT is((pg_temp.g('04000000000000000000000000000064')).data -> 'metadata', '{"type":"Foo","value":"bar","initial_priority":75}'::jsonb,
          'AT-17: error event: metadata {type: Foo, value: bar, initial_priority: HIGH}');
SELECT is((pg_temp.g('04000000000000000000000000000064')).title, 'Foo: bar', 'AT-17: title Foo: bar');
-- AT-18
SELECT is((pg_temp.e('04000000000000000000000000000065')).type, 'csp', 'AT-18: a CSP report is of type csp');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys((pg_temp.g('04000000000000000000000000000065')).data -> 'metadata') k),
          ARRAY['directive', 'initial_priority', 'message', 'uri'], 'AT-18: metadata {directive, uri, message, initial_priority}');
SELECT is((pg_temp.g('04000000000000000000000000000065')).title, 'Blocked ''script'' from ''evil.example.com''', 'AT-18: the title is the CSP message');
SELECT is((pg_temp.g('04000000000000000000000000000065')).data #>> '{metadata,uri}', 'evil.example.com', 'AT-18: uri is the blocked host');
-- AT-20
SELECT is((pg_temp.g('04000000000000000000000000000066')).data #> '{metadata,sdk}', '{"name":"sentry-native-unity","name_normalized":"sentry.native.unity"}'::jsonb,
          'AT-20: metadata.sdk {name, name_normalized}');
-- AT-19 / AT-25: the culprit.
SELECT is((pg_temp.g('04000000000000000000000000000067')).culprit, 'explicit culprit', 'AT-19: the explicit culprit comes first');
SELECT is((pg_temp.g('04000000000000000000000000000068')).culprit, '/tx', 'AT-19: then the transaction, before the stack trace');
SELECT is((pg_temp.g('04000000000000000000000000000069')).culprit, '', 'AT-19: an empty stack trace gives ""');
SELECT is((pg_temp.g('04000000000000000000000000000070')).culprit, 'bar.py in ?', 'AT-25: frames [foo.py, bar.py (in app)] give "bar.py in ?"');
SELECT is((pg_temp.g('04000000000000000000000000000071')).culprit, 'http://example.com', 'AT-25: no frames: the request URL');
SELECT is((pg_temp.g('04000000000000000000000000000072')).culprit, '', 'AT-19: a transaction that is not a string is dropped');
SELECT is((pg_temp.e('04000000000000000000000000000081')).culprit, '', 'AT-25: {} gives ""');
-- AT-22: search message.
SELECT is((pg_temp.g('04000000000000000000000000000073')).message, 'Dogs are great! DogsAreNeverAnError', 'AT-22: error: value, then type');
SELECT is((pg_temp.g('04000000000000000000000000000064')).message, 'bar Foo', 'AT-22: numbers in the metadata (initial_priority 75) are skipped');
SELECT is((pg_temp.g('04000000000000000000000000000074')).message, 'template x T', 'AT-22: the log entry first, values already in it are not repeated');
SELECT is((pg_temp.g('04000000000000000000000000000001')).data #>> '{metadata,in_app_frame_mix}', 'mixed',
          'AT-14/AT-22: in_app_frame_mix (metadata from stack-trace normalization) survives materialization and the merge ...');
SELECT is((SELECT count(*) FROM triage.groups WHERE message LIKE '%mixed%'), 0::bigint, 'AT-22: ... but never in a message');
-- B-19: which exception, synthetic types.
SELECT is((pg_temp.g('04000000000000000000000000000075')).title, 'ValueError: inner', 'B-19: an exception group: the title describes the exception the grouping chose (main exception)');
SELECT is((pg_temp.g('04000000000000000000000000000082')).title, 'TypeError: Load failed', 'AT-15: a React error with a cause: the title comes from the cause');
SELECT is((pg_temp.g('04000000000000000000000000000082')).data -> 'metadata', '{"type":"TypeError","value":"Load failed","initial_priority":75}'::jsonb,
          'AT-15: ... and so do metadata type and value');
SELECT is((pg_temp.g('04000000000000000000000000000076')).title, 'Last: outer', 'B-19: otherwise the last exception');
SELECT is((pg_temp.g('04000000000000000000000000000077')).data -> 'metadata',
          '{"value":"crash","filename":"crash.c","function":"crash_here","in_app_frame_mix":"in-app-only","initial_priority":75}'::jsonb,
          'B-19: a synthetic exception has no type in the metadata; the crash frame is the innermost in-app one');
SELECT is((pg_temp.g('04000000000000000000000000000077')).title, 'crash_here', 'B-19: without a type the title is the function');
SELECT is((pg_temp.g('04000000000000000000000000000077')).culprit, '', 'B-19: a synthetic exception gives no culprit');
SELECT is((pg_temp.e('04000000000000000000000000000081')).title, '<unlabeled event>', 'B-19: no message: <unlabeled event>');
-- AT-21: message and logentry normalization (section 2).
SELECT is((pg_temp.e('04000000000000000000000000000078')).title, 'logentry message', 'AT-21: logentry.message wins over the legacy message');
SELECT is((pg_temp.e('04000000000000000000000000000079')).title, '1234', 'AT-21: a non-string message is stringified (1234 -> "1234")');
SELECT is((pg_temp.e('04000000000000000000000000000080')).title, 'plain string logentry', 'AT-21: a plain-string logentry is its formatted value');
SELECT is((pg_temp.e('04000000000000000000000000000096')).title, '["asdf",{"a":1.0,"b":2}]',
          'AT-21: a message sent as an array is its compact JSON text, as Relay writes it (["asdf"] -> ''["asdf"]'')');
SELECT is((pg_temp.e('04000000000000000000000000000097')).title, '<unlabeled event>', 'AT-21: a message false is no message, not "false" (Relay)');

-- ---------------------------------------------------------------------------------------------
-- AT-10 / AT-24 / section 9.6: tags and the user.
INSERT INTO triage.events (project_id, event_id, payload) VALUES
  (pg_temp.pid('m04'), '04000000000000000000000000000091', '{"message":"tags","logger":"lg","transaction":"/tx","environment":"prod","release":"r1",'
     '"site":"mysite","server_name":"srv1","user":{"id":"42","email":"a@b.c"},'
     '"tags":[["foo","bar"],["","empty key"],["k",""],["nl","a\nb"],null,["x"],["release","user release"],["user","user tag"]]}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000092', '{"message":"unicode user","user":{"username":"Ünïcödé","ip_address":"127.0.0.1"}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000093', '{"message":"bad ip","user":{"ip_address":"not an ip"}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000094', '{"message":"good ip","user":{"ip_address":"::1"}}'),
  (pg_temp.pid('m04'), '04000000000000000000000000000095', '{"message":"numeric id","user":{"id":123}}');
SELECT is((pg_temp.e('04000000000000000000000000000091')).tags,
          '{"foo":"bar","site":"mysite","server_name":"srv1","level":"error","logger":"lg","environment":"prod","transaction":"/tx",
            "sentry:release":"r1","sentry:user":"id:42"}'::jsonb,
          'AT-24/AT-10: invalid tags removed; site, server_name, level, logger, environment, transaction, sentry:release and sentry:user set; user tags release and user dropped');
SELECT is((pg_temp.e('04000000000000000000000000000091')).user_key, 'id:42', 'AT-10: user_key is the sentry:user tag value (id first)');
SELECT is((pg_temp.e('04000000000000000000000000000092')).user_key, 'username:Ünïcödé', 'AT-10: a unicode username is kept (before the IP)');
SELECT is((pg_temp.e('04000000000000000000000000000093')).user_key, NULL, 'AT-10: an invalid IP is dropped');
SELECT is((pg_temp.e('04000000000000000000000000000093')).tags, '{"level":"error"}'::jsonb, 'AT-10: ... and gives no sentry:user tag');
SELECT is((pg_temp.e('04000000000000000000000000000094')).tags ->> 'sentry:user', 'ip:::1', 'AT-10: a valid IP is the user');
SELECT is((pg_temp.e('04000000000000000000000000000095')).user_key, 'id:123', 'AT-10: a numeric user id is kept as text');

SELECT * FROM finish();
ROLLBACK;
