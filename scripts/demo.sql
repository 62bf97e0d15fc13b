-- Demo: real Sentry SDK events (test/sdk/sample_events.jsonl) ingested into triage.events; the
-- issues they form, as SQL sees them.
\pset pager off
CREATE EXTENSION pg_triage;

INSERT INTO triage.projects (slug) VALUES ('demo');

CREATE TEMP TABLE sample (n serial, payload text);
-- One JSON document a line; quote and delimiter characters that never occur keep lines verbatim.
\copy sample (payload) FROM 'test/sdk/sample_events.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')

\echo
\echo '== Ingest: one INSERT; each row is grouped into an issue in the same transaction'
INSERT INTO triage.events (project_id, payload)
SELECT p.id, s.payload FROM sample s, triage.projects p WHERE p.slug = 'demo' ORDER BY s.n;

\echo
\echo '== The issue stream: triage.search(project, query, sort), here every issue, busiest first'
SELECT s.short_id AS issue, left(s.title, 50) AS title, left(s.culprit, 40) AS culprit, s.level,
       s.times_seen AS events, s.users_seen AS users, to_char(s.first_seen, 'YYYY-MM-DD HH24:MI') AS first_seen,
       to_char(s.last_seen, 'YYYY-MM-DD HH24:MI') AS last_seen, s.status, s.priority
  FROM triage.projects p, triage.search(p.id, '', 'freq', 100) s
 WHERE p.slug = 'demo';

\echo
\echo '== A search in Sentry''s syntax: unresolved errors seen in the last 30 days whose title mentions "Error"'
SELECT s.short_id AS issue, left(s.title, 60) AS title, s.times_seen AS events, s.environments
  FROM triage.projects p, triage.search(p.id, 'is:unresolved level:error last_seen:-30d Error', 'date', 5) s
 WHERE p.slug = 'demo';

\echo
\echo '== Resolve the busiest issue; a new event of it in a newer release regresses it'
SELECT triage.resolve(id) AS resolved FROM triage.groups ORDER BY times_seen DESC, short_id LIMIT 1;
SELECT short_id AS issue, status FROM triage.issues ORDER BY times_seen DESC, id LIMIT 1;
INSERT INTO triage.events (project_id, payload)
SELECT e.project_id,
       (e.payload::jsonb || jsonb_build_object('event_id', replace(gen_random_uuid()::text, '-', ''),
                                               'release', 'demo@9.9.9',
                                               'timestamp', extract(epoch FROM now())))::text
  FROM triage.events e
 WHERE e.group_id = (SELECT id FROM triage.groups ORDER BY times_seen DESC, short_id LIMIT 1)
 LIMIT 1;
SELECT triage.format_short_id(p.slug, g.short_id) AS issue, g.status, g.substatus, g.times_seen AS events,
       (SELECT string_agg(a.type || ' ' || coalesce(a.data->>'version', ''), ', ' ORDER BY a.id)
          FROM triage.activities a WHERE a.group_id = g.id) AS activity
  FROM triage.groups g JOIN triage.projects p ON p.id = g.project_id
 WHERE g.id = (SELECT id FROM triage.groups ORDER BY times_seen DESC, short_id LIMIT 1);

\echo
\echo '== Releases and environments seen, and ingest counters'
SELECT r.version, r.new_groups, (SELECT count(*) FROM triage.group_releases gr WHERE gr.release_id = r.id) AS issue_rows
  FROM triage.releases r ORDER BY r.date_added, r.version;
SELECT * FROM triage.ingest_stats;
