-- Driven by bench/grouping_vs_jsonb.sh. Times each query in the same session, interleaved.
\pset pager off
SET max_parallel_workers_per_gather = 0;
SET jit = off;
CREATE EXTENSION pg_triage;
-- The same payloads twice: as a plain text column (pglz TOAST compression, PostgreSQL's
-- default) and with lz4 compression (what pg_triage stores events with). Reading a compressed
-- value costs both sides the same; pglz makes that fixed cost larger.
CREATE TABLE corpus (payload text);
\copy corpus FROM 'bench/out/corpus.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
CREATE TABLE corpus_lz4 (payload text COMPRESSION lz4);
INSERT INTO corpus_lz4 SELECT * FROM corpus;
VACUUM ANALYZE corpus;
VACUUM ANALYZE corpus_lz4;
SELECT count(*) AS events, round(avg(octet_length(payload))) AS avg_bytes,
       (SELECT string_agg(DISTINCT pg_column_compression(payload), ',') FROM corpus) AS compression,
       (SELECT string_agg(DISTINCT pg_column_compression(payload), ',') FROM corpus_lz4) AS compression_lz4
  FROM corpus;

CREATE TEMP TABLE timings (query text, rep int, ms float8);
DO $$
DECLARE
	-- name, query, triage.stacktrace_cache_entries while it runs
	queries text[][] := ARRAY[
		['pglz: grouping_hashes (xxh3_128)', 'SELECT count(triage.grouping_hashes(payload)) FROM corpus', '256'],
		['pglz: grouping_hashes (md5)', 'SELECT count(triage.grouping_hashes(payload, ''md5'')) FROM corpus', '256'],
		['pglz: grouping_hashes (xxh3_128, no stack-trace cache)',
		 'SELECT count(triage.grouping_hashes(payload)) FROM corpus', '0'],
		['pglz: payload::jsonb', 'SELECT count(payload::jsonb) FROM corpus', '256'],
		['lz4: grouping_hashes (xxh3_128)', 'SELECT count(triage.grouping_hashes(payload)) FROM corpus_lz4', '256'],
		['lz4: grouping_hashes (md5)', 'SELECT count(triage.grouping_hashes(payload, ''md5'')) FROM corpus_lz4', '256'],
		['lz4: payload::jsonb', 'SELECT count(payload::jsonb) FROM corpus_lz4', '256']];
	started timestamptz;
BEGIN
	-- One warm-up round (caches, parsed rules), then the measured, interleaved rounds.
	FOR rep IN 0 .. current_setting('bench.reps')::int LOOP
		FOR q IN 1 .. array_length(queries, 1) LOOP
			PERFORM set_config('triage.stacktrace_cache_entries', queries[q][3], false);
			started := clock_timestamp();
			EXECUTE queries[q][2];
			IF rep > 0 THEN
				INSERT INTO timings VALUES (queries[q][1], rep,
					extract(epoch FROM clock_timestamp() - started) * 1000);
			END IF;
		END LOOP;
	END LOOP;
END $$;

\echo
\echo '== Per query (20,000 events a run): median, min and max of the interleaved repetitions'
SELECT query, count(*) AS reps,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) * 1000 / 20000)::numeric, 2) AS median_us_per_event
  FROM timings GROUP BY query ORDER BY median_ms;

\echo '== Speed-up of grouping over the jsonb cast (jsonb time / grouping time), per repetition'
SELECT g.query, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY j.ms / g.ms)::numeric, 2) AS median_ratio,
       round(min(j.ms / g.ms)::numeric, 2) AS min_ratio, round(max(j.ms / g.ms)::numeric, 2) AS max_ratio
  FROM timings g
  JOIN timings j ON j.rep = g.rep AND j.query = split_part(g.query, ':', 1) || ': payload::jsonb'
 WHERE g.query LIKE '%grouping%' GROUP BY g.query ORDER BY g.query;
