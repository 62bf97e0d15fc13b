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
