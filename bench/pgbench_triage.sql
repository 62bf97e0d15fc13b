-- pgbench script (bench/pgbench_ingest.sh): one event per transaction into triage.events, the next
-- pre-generated payload (each with its own event_id) picked by the sequence.
INSERT INTO triage.events (project_id, payload) SELECT 1, payload FROM src WHERE id = (SELECT nextval('pick'));
