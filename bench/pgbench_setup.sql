-- Driven by bench/pgbench_ingest.sh (which loads base_mixed and base_one from gen_events.py).
-- Builds src: three sets of :rows payloads, each payload with its own event_id (so the trigger never
-- sees a duplicate), picked one per transaction by the sequence pick:
--   ids 1..rows            mixed:  the realistic corpus (--signatures 2000 --seed 42), cycled
--   ids 1e9+1..1e9+rows    hot:    one stack trace (--signatures 1), every event in ONE issue
--   ids 2e9+1..2e9+rows    spread: the same events, function names suffixed _s<id % :issues>, so
--                          that consecutive events go round-robin to :issues issues
-- hot gets the constant suffix _s0, so both sets have payloads of the same size.
\pset pager off
SET client_min_messages = warning;
INSERT INTO triage.projects (slug) VALUES ('bench');
CREATE TABLE bare (payload jsonb);
CREATE TABLE src (id bigint PRIMARY KEY, payload text);
CREATE SEQUENCE pick NO CYCLE;
CREATE TABLE runs (kind text, rep int, clients int, tps float8, xacts bigint, stored bigint, issues bigint);

CREATE TEMP TABLE mixed AS SELECT row_number() OVER () AS i, payload FROM base_mixed;
CREATE TEMP TABLE one AS SELECT row_number() OVER () AS i, payload FROM base_one;
SELECT count(*) AS n_mixed FROM mixed \gset
SELECT count(*) AS n_one FROM one \gset

INSERT INTO src
SELECT g, regexp_replace(m.payload, '"event_id": "[0-9a-f]{32}"', '"event_id": "' || md5('mixed' || g) || '"')
  FROM generate_series(1, :rows) g JOIN mixed m ON m.i = (g - 1) % :n_mixed + 1;
INSERT INTO src
SELECT 1000000000 + g,
       regexp_replace(regexp_replace(o.payload, '"event_id": "[0-9a-f]{32}"', '"event_id": "' || md5('hot' || g) || '"'),
                      '("function": "[^"]*)"', '\1_s0"', 'g')
  FROM generate_series(1, :rows) g JOIN one o ON o.i = (g - 1) % :n_one + 1;
INSERT INTO src
SELECT 2000000000 + g,
       regexp_replace(regexp_replace(o.payload, '"event_id": "[0-9a-f]{32}"', '"event_id": "' || md5('spread' || g) || '"'),
                      '("function": "[^"]*)"', '\1_s' || (g % :issues) || '"', 'g')
  FROM generate_series(1, :rows) g JOIN one o ON o.i = (g - 1) % :n_one + 1;
DROP TABLE base_mixed, base_one;
VACUUM ANALYZE src;
SELECT CASE WHEN id > 2000000000 THEN 'spread' WHEN id > 1000000000 THEN 'hot' ELSE 'mixed' END AS set,
       count(*) AS payloads, count(DISTINCT substring(payload FROM '"event_id": "([0-9a-f]{32})"')) AS distinct_event_ids,
       round(avg(octet_length(payload))) AS avg_bytes
  FROM src GROUP BY 1 ORDER BY 1;
SELECT pg_size_pretty(pg_total_relation_size('src')) AS src_size;
