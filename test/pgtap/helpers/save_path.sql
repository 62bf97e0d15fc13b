-- Helper functions of the save-path pgTAP files (included with \ir after CREATE EXTENSION).
CREATE FUNCTION pg_temp.pid(p_slug text) RETURNS bigint LANGUAGE sql
AS $$ SELECT id FROM triage.projects WHERE slug = p_slug $$;
CREATE FUNCTION pg_temp.grp(p_event uuid) RETURNS bigint LANGUAGE sql
AS $$ SELECT group_id FROM triage.events WHERE event_id = p_event $$;
CREATE FUNCTION pg_temp.g(p_event uuid) RETURNS triage.groups LANGUAGE sql
AS $$ SELECT g FROM triage.groups g WHERE g.id = (SELECT group_id FROM triage.events WHERE event_id = p_event) $$;
CREATE FUNCTION pg_temp.e(p_event uuid) RETURNS triage.events LANGUAGE sql
AS $$ SELECT e FROM triage.events e WHERE e.event_id = p_event $$;
-- Unix seconds, p_seconds before the transaction started (events are dated in the past so that
-- the order of events is known exactly).
CREATE FUNCTION pg_temp.ago(p_seconds int) RETURNS text LANGUAGE sql
AS $$ SELECT (extract(epoch FROM now())::bigint - p_seconds)::text $$;
CREATE FUNCTION pg_temp.at(p_seconds int) RETURNS timestamptz LANGUAGE sql
AS $$ SELECT to_timestamp(extract(epoch FROM now())::bigint - p_seconds) $$;
