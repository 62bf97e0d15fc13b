-- Everything works with nothing but pg_catalog on the search path (postgres_fdw sessions, and
-- no search_path hijacking).
SET search_path = pg_catalog;
SELECT triage.grouping_hashes('{"message":"m"}', 'md5') = ARRAY[md5('m')] AS text_form;
SELECT triage.grouping_hashes('{"message":"m"}'::jsonb, 'md5') = ARRAY[md5('m')] AS jsonb_form;
SELECT triage.grouping_hashes('{"message":"m"}'::json, 'md5') = ARRAY[md5('m')] AS json_form;
SELECT triage.grouping_info('{"message":"m"}'::jsonb) ->> 'hash_algorithm' AS algorithm;
-- A hostile object earlier on the path is not picked up.
CREATE SCHEMA hijack;
CREATE FUNCTION hijack.text(jsonb) RETURNS text LANGUAGE sql AS $$ SELECT '{"message":"hijacked"}' $$;
SET search_path = hijack, pg_catalog;
SELECT triage.grouping_hashes('{"message":"m"}'::jsonb, 'md5') = ARRAY[md5('m')] AS not_hijacked;
RESET search_path;
DROP SCHEMA hijack CASCADE;
-- The save path (trigger, SPI plans, SQL helper functions, resolve) under pg_catalog only.
SET search_path = pg_catalog;
INSERT INTO triage.projects (slug, hash_algorithm) VALUES ('paths', 'md5');
INSERT INTO triage.events (project_id, payload)
SELECT p.id, jsonb_build_object('message', 'm', 'release', '1.0', 'environment', 'prod',
                                 'timestamp', extract(epoch FROM now()) - 86400)::text
  FROM triage.projects p WHERE p.slug = 'paths';
INSERT INTO triage.events (project_id, payload)
SELECT p.id, '{"message":"m","release":"1.0","level":"warning"}' FROM triage.projects p WHERE p.slug = 'paths';
SELECT g.short_id, g.title, g.level, g.times_seen, g.first_release, e.hashes = ARRAY[md5('m')] AS md5_hash
  FROM triage.groups g JOIN triage.events e ON e.group_id = g.id
 WHERE g.project_id = (SELECT id FROM triage.projects WHERE slug = 'paths') ORDER BY e.occurred_at LIMIT 1;
SELECT triage.resolve(g.id, in_release => '1.0') FROM triage.groups g
 WHERE g.project_id = (SELECT id FROM triage.projects WHERE slug = 'paths');
-- Hostile look-alikes of the objects the save path uses, earlier on the path.
CREATE SCHEMA hijack;
CREATE TABLE hijack.groups (LIKE triage.groups);
CREATE FUNCTION hijack.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2000-01-01'::timestamptz $$;
CREATE FUNCTION hijack.unnest(text[]) RETURNS SETOF text LANGUAGE sql AS $$ SELECT 'hijacked' $$;
CREATE FUNCTION hijack.jsonb_build_object(text, text) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
SET search_path = hijack, pg_catalog;
INSERT INTO triage.events (project_id, payload)
SELECT p.id, '{"message":"m","release":"2.0"}' FROM triage.projects p WHERE p.slug = 'paths';
SELECT g.status, g.substatus, g.times_seen, (SELECT count(*) FROM hijack.groups) AS hijacked_rows
  FROM triage.groups g WHERE g.project_id = (SELECT id FROM triage.projects WHERE slug = 'paths');
SELECT a.type, a.data ->> 'version' AS version FROM triage.activities a
 WHERE a.project_id = (SELECT id FROM triage.projects WHERE slug = 'paths') ORDER BY a.id;
RESET search_path;
DROP SCHEMA hijack CASCADE;
DELETE FROM triage.projects WHERE slug = 'paths';
