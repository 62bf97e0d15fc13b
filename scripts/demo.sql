-- Demo: real Sentry SDK events (test/sdk/sample_events.jsonl) grouped by pg_triage.
\pset pager off
CREATE EXTENSION pg_triage;

CREATE TEMP TABLE sample (n serial, payload text);
-- One JSON document a line; quote and delimiter characters that never occur keep lines verbatim.
\copy sample (payload) FROM 'test/sdk/sample_events.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')

CREATE TEMP VIEW grouped AS
SELECT n,
       payload::jsonb #>> '{sdk,name}' AS sdk,
       coalesce(payload::jsonb #>> '{exception,values,-1,type}', '(message)') AS type,
       left(coalesce(payload::jsonb #>> '{exception,values,-1,value}',
                     payload::jsonb #>> '{logentry,formatted}',
                     payload::jsonb #>> '{logentry,message}',
                     payload::jsonb #>> '{message}'), 60) AS message,
       triage.grouping_hashes(payload) AS hashes
  FROM sample;

\echo
\echo '== Each event and its grouping hashes (primary first; xxh3_128)'
SELECT n, sdk, type, message, (SELECT string_agg(left(h, 12), ' ') FROM unnest(hashes) h) AS hashes
  FROM grouped ORDER BY n;

\echo
\echo '== The groups they form (events sharing a primary hash)'
SELECT left(hashes[1], 12) AS "group", count(*) AS events, min(type) AS type,
       min(message) AS example_message
  FROM grouped GROUP BY hashes[1] ORDER BY count(*) DESC, 1;

\echo
\echo '== Why the largest group groups as it does: its variants (grouping_info of one of its events)'
SELECT v.key AS variant, v.value->>'type' AS type, (v.value->>'contributes')::bool AS contributes,
       left(v.value->>'hash', 12) AS hash, jsonb_array_length(v.value->'values') AS values_hashed,
       left((v.value->'values')::text, 100) AS first_values
  FROM sample JOIN grouped USING (n),
       jsonb_each(triage.grouping_info(payload) -> 'variants') v
 WHERE n = (SELECT min(n) FROM grouped
             WHERE hashes[1] = (SELECT hashes[1] FROM grouped GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1))
 ORDER BY 1;
