-- triage.grouping_hashes(): hash lists for the main event shapes, both hash algorithms,
-- text/json/jsonb arguments, rule arguments and the grouping config setting.
\pset null '(null)'

-- An exception without stack trace: type and parameterized value, one hash.
SELECT triage.grouping_hashes('{"exception":{"values":[{"type":"ValueError","value":"bad id 42"}]}}', 'md5')
     = ARRAY[md5('ValueError' || 'bad id <int>')] AS md5_is_sentry_recipe;

-- xxh3_128 is the default and hashes the same bytes.
SELECT triage.grouping_hashes('{"exception":{"values":[{"type":"ValueError","value":"bad id 42"}]}}');

-- Messages that differ only in variable parts group together.
SELECT triage.grouping_hashes('{"message":"connection to 10.0.0.1 timed out after 31ms"}')
     = triage.grouping_hashes('{"message":"connection to 192.168.7.9 timed out after 2500ms"}') AS same_group;

-- text, json and jsonb arguments give the same answer.
SELECT triage.grouping_hashes('{"message":"m"}'::text) = triage.grouping_hashes('{"message":"m"}'::jsonb)
   AND triage.grouping_hashes('{"message":"m"}'::json) = triage.grouping_hashes('{"message":"m"}'::text) AS overloads_agree;

-- A 32-hex checksum is used as given in both modes; any other checksum is hashed.
SELECT triage.grouping_hashes('{"checksum":"0123456789abcdef0123456789abcdef"}'),
       triage.grouping_hashes('{"checksum":"0123456789abcdef0123456789abcdef"}', 'md5');
SELECT triage.grouping_hashes('{"checksum":"abc"}', 'md5') = ARRAY[md5('abc')] AS hashed_checksum;

-- Nothing to group on: the fallback hash (md5 of nothing).
SELECT triage.grouping_hashes('{}', 'md5');

-- App and system variants: app first, system last.
SELECT triage.grouping_hashes($${"platform":"python","exception":{"values":[{"type":"KeyError","value":"'x'",
  "stacktrace":{"frames":[
    {"module":"shop.views","function":"checkout","context_line":"total = cart[key]","in_app":true},
    {"module":"collections","function":"__getitem__","context_line":"raise KeyError(key)","in_app":false}]}}]}}$$, 'md5')
  = ARRAY[md5('KeyError' || 'shop.views' || 'checkout' || 'total = cart[key]'),
          md5('KeyError' || 'shop.views' || 'checkout' || 'total = cart[key]'
              || 'collections' || '__getitem__' || 'raise KeyError(key)')] AS app_then_system;

-- Client fingerprints: custom replaces grouping, hybrid salts it.
SELECT triage.grouping_hashes('{"fingerprint":["database-down"],"message":"x"}', 'md5') = ARRAY[md5('database-down')] AS custom,
       triage.grouping_hashes('{"fingerprint":["{{ default }}","eu"],"message":"x"}', 'md5') = ARRAY[md5('x' || 'eu')] AS hybrid;

-- Stack-trace rules argument: marking the library frame in-app changes the app hash.
SELECT (triage.grouping_hashes(e, 'md5'))[1] <> (triage.grouping_hashes(e, 'md5', 'module:collections +app'))[1] AS rules_apply
  FROM (VALUES ($${"platform":"python","exception":{"values":[{"type":"KeyError",
  "stacktrace":{"frames":[{"module":"shop.views","function":"checkout","in_app":true},
                          {"module":"collections","function":"__getitem__","in_app":false}]}}]}}$$)) v(e);

-- Fingerprinting rules argument, in text and JSON form.
SELECT triage.grouping_hashes('{"exception":{"values":[{"type":"DatabaseUnavailable","value":"x"}]}}', 'md5', NULL,
                              'error.type:DatabaseUnavailable -> system-down') = ARRAY[md5('system-down')] AS text_rule,
       triage.grouping_hashes('{"exception":{"values":[{"type":"DatabaseUnavailable","value":"x"}]}}', 'md5', NULL,
                              '[{"matchers":[["type","DatabaseUnavailable"]],"fingerprint":["system-down"]}]')
       = ARRAY[md5('system-down')] AS json_rule;

-- The grouping config setting: both configs are available, unknown ones are refused.
SHOW triage.grouping_config;
SET triage.grouping_config = 'newstyle:2025-11-21';
SELECT triage.grouping_hashes('{"message":"m"}', 'md5') = ARRAY[md5('m')] AS previous_config_works;
RESET triage.grouping_config;

-- NULL event gives NULL; NULL algorithm means the default.
SELECT triage.grouping_hashes(NULL::text), triage.grouping_hashes('{"message":"m"}', NULL) = triage.grouping_hashes('{"message":"m"}') AS null_algorithm;
