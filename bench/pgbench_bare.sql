-- pgbench script (bench/pgbench_ingest.sh): one payload per transaction into the bare jsonb table
-- (no trigger), picked from the same pre-generated rows as pgbench_triage.sql.
INSERT INTO bare (payload) SELECT payload::jsonb FROM src WHERE id = (SELECT nextval('pick'));
