-- triage.grouping_info(): the variants, hashes and component trees a person reads to see why
-- events group together or apart.
SELECT jsonb_pretty(triage.grouping_info('{"exception":{"values":[{"type":"ValueError","value":"bad id 42"}]}}', 'md5'));

-- Which variants exist, which contribute, and what each one hashed.
SELECT key AS variant, value->>'type' AS type, (value->>'contributes')::bool AS contributes, value->'values' AS hashed_values
  FROM jsonb_each(triage.grouping_info($${"platform":"python","fingerprint":["{{ default }}","eu"],
    "exception":{"values":[{"type":"KeyError","stacktrace":{"frames":[
      {"module":"shop.views","function":"checkout","in_app":true},
      {"module":"collections","function":"__getitem__","in_app":false}]}}]}}$$, 'md5') -> 'variants')
 ORDER BY key;

-- The hashes list equals grouping_hashes().
SELECT (SELECT array_agg(h) FROM jsonb_array_elements_text(triage.grouping_info(e) -> 'hashes') h) = triage.grouping_hashes(e) AS same_hashes
  FROM (VALUES ('{"message":"hello 1"}'), ('{"exception":{"values":[{"type":"E"}]}}'), ('{}')) v(e);

-- jsonb argument.
SELECT triage.grouping_info('{"message":"m"}'::jsonb) ->> 'config' AS config;

-- A NUL inside a value is shown as U+2400 (jsonb cannot hold \u0000); the hash uses the real byte.
SELECT triage.grouping_info($${"message":"before\u0000after"}$$, 'md5') #>> '{variants,default,values}' AS shown,
       triage.grouping_hashes($${"message":"before\u0000after"}$$, 'md5')
       = ARRAY[md5('\x6265666f7265006166746572'::bytea)] AS real_byte_hashed;
