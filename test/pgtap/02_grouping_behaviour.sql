-- Grouping behaviour seen from SQL: what groups together and what stays apart.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(13);

CREATE TEMP TABLE ev (name text, payload text);
INSERT INTO ev VALUES
  ('site-a-1', $${"platform":"node","exception":{"values":[{"type":"TypeError","value":"Cannot read properties of undefined (reading 'id')",
     "stacktrace":{"frames":[{"filename":"/srv/app/routes.js","function":"route","lineno":10,"in_app":true},
                             {"filename":"/srv/app/cart.js","function":"total","lineno":42,"in_app":true}]}}]}}$$),
  ('site-a-2', $${"platform":"node","exception":{"values":[{"type":"TypeError","value":"Cannot read properties of null (reading 'sku')",
     "stacktrace":{"frames":[{"filename":"/srv/app/routes.js","function":"route","lineno":11,"in_app":true},
                             {"filename":"/srv/app/cart.js","function":"total","lineno":43,"in_app":true}]}}]}}$$),
  ('site-b',   $${"platform":"node","exception":{"values":[{"type":"TypeError","value":"Cannot read properties of undefined (reading 'id')",
     "stacktrace":{"frames":[{"filename":"/srv/app/admin.js","function":"report","lineno":10,"in_app":true},
                             {"filename":"/srv/app/cart.js","function":"total","lineno":42,"in_app":true}]}}]}}$$),
  ('msg-1', '{"message":"user 1234 failed login from 10.1.2.3 after 350ms"}'),
  ('msg-2', '{"message":"user 98 failed login from 172.16.0.9 after 12ms"}'),
  ('msg-3', '{"message":"user 98 logged in"}');

CREATE TEMP TABLE h AS SELECT name, triage.grouping_hashes(payload) AS hashes FROM ev;
SELECT is((SELECT hashes FROM h WHERE name = 'site-a-1'), (SELECT hashes FROM h WHERE name = 'site-a-2'),
          'same throw site, different message and line numbers: same hashes');
SELECT isnt((SELECT hashes[1] FROM h WHERE name = 'site-a-1'), (SELECT hashes[1] FROM h WHERE name = 'site-b'),
            'different in-app call path: different group');
SELECT is((SELECT hashes FROM h WHERE name = 'msg-1'), (SELECT hashes FROM h WHERE name = 'msg-2'),
          'messages differing in numbers, IPs and durations group together');
SELECT isnt((SELECT hashes FROM h WHERE name = 'msg-1'), (SELECT hashes FROM h WHERE name = 'msg-3'),
            'different message text: different group');

-- Fingerprints as Sentry documents them.
SELECT is(triage.grouping_hashes('{"fingerprint":["{{ type }}","checkout"],"exception":{"values":[{"type":"KeyError","value":"x"}]}}', 'md5'),
          ARRAY[md5('KeyError' || 'checkout')], 'custom fingerprint with a variable');
SELECT is(triage.grouping_hashes('{"fingerprint":["{{ default }}","eu"],"exception":{"values":[{"type":"KeyError","value":"x"}]}}', 'md5'),
          ARRAY[md5('KeyError' || 'x' || 'eu')], 'hybrid fingerprint splices the default values');
SELECT isnt(triage.grouping_hashes('{"fingerprint":["{{ default }}","eu"],"message":"m"}'),
            triage.grouping_hashes('{"fingerprint":["{{ default }}","us"],"message":"m"}'), 'hybrid extras split groups');
SELECT is(triage.grouping_hashes('{"fingerprint":["{{ default }}"],"message":"m"}'),
          triage.grouping_hashes('{"message":"m"}'), 'the default fingerprint changes nothing');

-- Server-side rules win over the client fingerprint.
SELECT is(triage.grouping_hashes('{"fingerprint":["client"],"logger":"db","message":"m"}', 'md5', NULL, 'logger:db -> database'),
          ARRAY[md5('database')], 'a matching server rule replaces the client fingerprint');

-- The stack-trace cache never changes a result; it can be turned off, not set below zero.
SELECT is(triage.grouping_hashes((SELECT payload FROM ev WHERE name = 'site-a-1')),
          (SELECT hashes FROM h WHERE name = 'site-a-1'), 'grouping again through the stack-trace cache');
SET LOCAL triage.stacktrace_cache_entries = 0;
SELECT is(triage.grouping_hashes((SELECT payload FROM ev WHERE name = 'site-a-1')),
          (SELECT hashes FROM h WHERE name = 'site-a-1'), 'the same hashes with the cache off');
SELECT throws_ok($$SET triage.stacktrace_cache_entries = -1$$, '22023', NULL, 'a negative cache size is refused');

-- The previous grouping config is selectable.
SET LOCAL triage.grouping_config = 'newstyle:2025-11-21';
SELECT is(triage.grouping_info('{"message":"m"}') ->> 'config', 'newstyle:2025-11-21', 'config setting is used');

SELECT * FROM finish();
ROLLBACK;
