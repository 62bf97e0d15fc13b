-- Grouping of real SDK payloads (@sentry/node 11.12.0 and sentry-sdk 1.9.10, see
-- test/sdk/README.md): every scenario ("case" tag) forms exactly one group, and scenarios that
-- must stay apart do.
CREATE TEMP TABLE sdk_events (n serial, sdk text, payload text);
\copy sdk_events (payload) FROM 'test/sdk/node_events.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
UPDATE sdk_events SET sdk = 'node' WHERE sdk IS NULL;
\copy sdk_events (payload) FROM 'test/sdk/python_events.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
UPDATE sdk_events SET sdk = 'python' WHERE sdk IS NULL;

CREATE TEMP TABLE grouped AS
SELECT sdk, payload::jsonb #>> '{tags,case}' AS case_name, triage.grouping_hashes(payload) AS hashes,
       triage.grouping_hashes(payload, 'md5') AS md5_hashes
  FROM sdk_events;

-- One group per scenario: the same throw site with different messages (numbers, ids, IPs,
-- durations, uuids), varying log messages, custom and hybrid fingerprints.
SELECT sdk, case_name, count(*) AS events, count(DISTINCT hashes[1]) AS groups, count(DISTINCT md5_hashes[1]) AS md5_groups
  FROM grouped GROUP BY sdk, case_name ORDER BY sdk, case_name;

-- Scenarios sharing a group. Expected: only the pairs the README names (message-only events
-- with the same text across SDKs, and the custom fingerprint shared by both SDKs). Different
-- call paths, exception types, hybrid fingerprints and library frames stay apart.
WITH groups AS (SELECT DISTINCT sdk, case_name, hashes[1] AS primary_hash FROM grouped)
SELECT a.sdk || ':' || a.case_name AS scenario, b.sdk || ':' || b.case_name AS shares_group_with
  FROM groups a JOIN groups b ON a.primary_hash = b.primary_hash AND (a.sdk, a.case_name) < (b.sdk, b.case_name)
 ORDER BY 1, 2;

-- The custom fingerprint hashes exactly its values; the hybrid one salts the default grouping.
SELECT DISTINCT md5_hashes = ARRAY[md5('my-custom' || 'fp')] AS custom_fingerprint_is_its_values
  FROM grouped WHERE case_name = 'custom-fingerprint';
SELECT count(*) AS hybrid_groups_equal_to_plain_ones
  FROM grouped h JOIN grouped s ON h.sdk = s.sdk AND h.hashes[1] = s.hashes[1]
 WHERE h.case_name = 'hybrid-fingerprint' AND s.case_name = 'same-site-varying-message';
