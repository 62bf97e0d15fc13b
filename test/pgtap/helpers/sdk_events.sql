-- The bundled real SDK events (test/sdk/), re-dated, as the temp table sdk_events (n, sdk, case_name,
-- event_id, payload, happened_at). Included with \ir after CREATE EXTENSION.
CREATE TEMP TABLE raw_events (n serial, sdk text, payload text);
\copy raw_events (payload) FROM 'test/sdk/node_events.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
UPDATE raw_events SET sdk = 'node' WHERE sdk IS NULL;
\copy raw_events (payload) FROM 'test/sdk/python_events.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
UPDATE raw_events SET sdk = 'python' WHERE sdk IS NULL;

-- The files were recorded on 2026-11-21; events more than 30 days old are dated at their
-- arrival. Every event's "timestamp" (each line has exactly one, at the top level) moves by
-- the same whole number of seconds so that the newest is one hour old. Node sends unix seconds
-- with milliseconds, Python RFC 3339 with microseconds; each keeps its form.
CREATE TEMP TABLE sdk_events AS
WITH parsed AS (
  SELECT n, sdk, payload,
         substring(payload FROM '"timestamp":([0-9.]+)')::numeric AS unix_ts,
         substring(payload FROM '"timestamp":"([^"]+)"')::timestamptz AS rfc_ts
    FROM raw_events),
shift AS (
  SELECT floor(extract(epoch FROM now())
               - max(COALESCE(unix_ts, extract(epoch FROM rfc_ts))))::bigint - 3600 AS seconds
    FROM parsed)
SELECT p.n, p.sdk, p.payload::jsonb #>> '{tags,case}' AS case_name, (p.payload::jsonb ->> 'event_id')::uuid AS event_id,
       CASE WHEN p.unix_ts IS NOT NULL
            THEN regexp_replace(p.payload, '"timestamp":[0-9.]+', '"timestamp":' || (p.unix_ts + s.seconds)::text)
            ELSE regexp_replace(p.payload, '"timestamp":"[^"]+"',
                                '"timestamp":"' || to_char((p.rfc_ts + make_interval(secs => s.seconds)) AT TIME ZONE 'UTC',
                                                           'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"')
       END AS payload,
       -- When the event happened: unix seconds with at most 3 decimals convert exactly.
       COALESCE(to_timestamp((p.unix_ts + s.seconds)::float8), p.rfc_ts + make_interval(secs => s.seconds)) AS happened_at
  FROM parsed p, shift s;
