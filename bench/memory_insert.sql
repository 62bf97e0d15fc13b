-- pgbench script (bench/memory.sh, 1 client): one event per transaction into triage.events; after
-- event :baseline, every :every events and after the last one (:total), the same backend records
-- its memory-context total and its RssAnon (/proc/self/status) in mem_samples.
SELECT nextval('pick') AS n \gset
INSERT INTO triage.events (project_id, payload) SELECT 1, payload FROM src WHERE id = :n;
\if :n = :baseline or :n % :every = 0 or :n = :total
INSERT INTO mem_samples
SELECT :n, pg_backend_pid(), (SELECT sum(total_bytes) FROM pg_backend_memory_contexts),
       (regexp_match(pg_read_file('/proc/self/status'), 'RssAnon:\s+(\d+) kB'))[1]::bigint * 1024,
       clock_timestamp();
\endif
