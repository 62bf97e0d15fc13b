-- pg_triage 0.3.0: triage over SQL. The issue stream (triage.issues), Sentry's issue search with
-- keyset pagination (triage.search), and the actions people take on issues.
\echo Use "ALTER EXTENSION pg_triage UPDATE TO '0.3.0'" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- Sort keys. The stream sorts by last_seen, times_seen or users_seen, which change with every
-- event: an index on them would make every counter update a non-HOT update (a new entry in every
-- index of triage.groups). So the indexes hold coarse buckets of those values instead (the minute
-- of last_seen; two buckets per doubling of a count), which change rarely, and a
-- query orders by (bucket, value, id): the index gives the bucket order and PostgreSQL sorts
-- only within the buckets it reads (an Incremental Sort). The buckets are monotonic in their
-- values, so this is exactly the order of the values.
CREATE FUNCTION triage.minute_bucket(ts timestamptz) RETURNS bigint
AS 'MODULE_PATHNAME', 'triage_minute_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION triage.count_bucket(n bigint) RETURNS integer
AS 'MODULE_PATHNAME', 'triage_count_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

ALTER TABLE triage.groups
  ADD COLUMN users_seen bigint NOT NULL DEFAULT 0,
  -- Distinct users (user_key) of the issue's events, as a sketch (src/core/user_sketch.hpp): the
  -- union of user_sketch, rewritten rarely, and user_sketch_recent, a few recent users (at most
  -- 32) kept inline, so that a new user costs no rewrite of a 4 KiB out-of-line value.
  ADD COLUMN user_sketch bytea,
  ADD COLUMN user_sketch_recent bytea,
  ADD COLUMN assignee text,
  ADD COLUMN last_seen_bucket bigint GENERATED ALWAYS AS (triage.minute_bucket(last_seen)) STORED,
  ADD COLUMN times_seen_bucket integer GENERATED ALWAYS AS (triage.count_bucket(times_seen)) STORED,
  ADD COLUMN users_seen_bucket integer GENERATED ALWAYS AS (triage.count_bucket(users_seen)) STORED;

-- A large sketch lives out of line, uncompressed: inline, it would make the row large enough that
-- every counter update tries to compress the row's other columns.
ALTER TABLE triage.groups ALTER COLUMN user_sketch SET STORAGE EXTERNAL;

CREATE INDEX groups_date_idx ON triage.groups (project_id, last_seen_bucket);
CREATE INDEX groups_new_idx ON triage.groups (project_id, first_seen);
CREATE INDEX groups_freq_idx ON triage.groups (project_id, times_seen_bucket);
CREATE INDEX groups_user_idx ON triage.groups (project_id, users_seen_bucket);
-- Scanned backward: priority high to low, then none.
CREATE INDEX groups_priority_idx ON triage.groups (project_id, priority NULLS FIRST, last_seen_bucket);

-- The default sort over all projects, for searches of many projects at once. (Only this one:
-- each index over all projects cost single-row ingest about a tenth of its rate.)
CREATE INDEX groups_date_all_idx ON triage.groups (last_seen_bucket);

-- An issue's events in time order (its latest event, its hourly counts).
DROP INDEX triage.events_group_idx;
CREATE INDEX events_group_idx ON triage.events (group_id, occurred_at);

-- ---------------------------------------------------------------------------------------------
-- Ignore conditions (Sentry's GroupSnooze): until a time, until N more events (in a window), until
-- N more users (in a window). state keeps the counters at the time of ignoring.
CREATE TABLE triage.group_snoozes (
  group_id bigint PRIMARY KEY,
  project_id bigint NOT NULL,
  until timestamptz,
  count integer CHECK (count > 0),
  "window" interval CHECK ("window" > interval '0'),
  user_count integer CHECK (user_count > 0),
  user_window interval CHECK (user_window > interval '0'),
  times_seen_at_snooze bigint NOT NULL,
  users_seen_at_snooze bigint NOT NULL,
  actor text,
  created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Merged issues keep resolving to the issue they were merged into.
CREATE TABLE triage.group_redirects (
  previous_group_id bigint PRIMARY KEY,
  project_id bigint NOT NULL,
  group_id bigint NOT NULL,
  date_added timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX group_redirects_group_idx ON triage.group_redirects (group_id);

-- The project's counter row is also the lock a transaction takes before it creates a release or
-- an environment (as before an issue), so that creations in a project never wait for each other
-- in opposite orders. A project whose first creation is not an issue gets the row with value 0.
ALTER TABLE triage.project_counters DROP CONSTRAINT project_counters_value_check,
  ADD CONSTRAINT project_counters_value_check CHECK (value >= 0);

-- The tag keys seen in each project's events (search tells tags from unknown keys with it).
-- Filled by the save path; here from the events stored before 0.3.0.
CREATE TABLE triage.tag_keys (
  project_id bigint NOT NULL,
  key text NOT NULL,
  first_seen timestamptz NOT NULL,
  PRIMARY KEY (project_id, key)
);
INSERT INTO triage.tag_keys (project_id, key, first_seen)
SELECT e.project_id, k.key, pg_catalog.min(e.received_at)
  FROM triage.events e CROSS JOIN LATERAL pg_catalog.jsonb_object_keys(e.tags) AS k(key)
 WHERE e.tags IS NOT NULL
 GROUP BY e.project_id, k.key;
CREATE TRIGGER invalidate_cache AFTER DELETE OR TRUNCATE ON triage.tag_keys
  FOR EACH STATEMENT EXECUTE FUNCTION triage.invalidate_cache();

SELECT pg_catalog.pg_extension_config_dump('triage.group_snoozes', '');
SELECT pg_catalog.pg_extension_config_dump('triage.tag_keys', '');
SELECT pg_catalog.pg_extension_config_dump('triage.group_redirects', '');

-- ---------------------------------------------------------------------------------------------
-- The issue stream: every issue that is not being deleted or merged.
CREATE VIEW triage.issues AS
SELECT g.id,
       g.project_id,
       triage.format_short_id(p.slug, g.short_id) AS short_id,
       g.title,
       g.culprit,
       g.message,
       g.level,
       g.status,
       g.substatus,
       g.priority,
       g.times_seen,
       g.users_seen,
       g.first_seen,
       g.last_seen,
       g.first_release,
       (SELECT r.version
          FROM triage.group_releases gr JOIN triage.releases r ON r.id = gr.release_id
         WHERE gr.project_id = g.project_id AND gr.group_id = g.id
         ORDER BY COALESCE(r.date_released, r.date_added) DESC, r.id DESC LIMIT 1) AS last_release,
       ARRAY(SELECT e.name
               FROM triage.group_environments ge JOIN triage.environments e ON e.id = ge.environment_id
              WHERE ge.project_id = g.project_id AND ge.group_id = g.id AND e.name <> ''
              ORDER BY e.name) AS environments,
       g.assignee,
       g.type,
       g.platform,
       g.logger,
       g.active_at,
       g.resolved_at,
       g.priority_locked_at,
       p.slug AS project_slug
  FROM triage.groups g JOIN triage.projects p ON p.id = g.project_id
 WHERE g.status NOT IN ('pending_deletion', 'deletion_in_progress', 'pending_merge');

-- A search result: an issue and the cursor that continues after it.
CREATE TYPE triage.search_result AS (
  id bigint,
  project_id bigint,
  short_id text,
  title text,
  culprit text,
  message text,
  level triage.log_level,
  status triage.group_status,
  substatus triage.group_substatus,
  priority triage.priority_level,
  times_seen bigint,
  users_seen bigint,
  first_seen timestamptz,
  last_seen timestamptz,
  first_release text,
  last_release text,
  environments text[],
  assignee text,
  type text,
  platform text,
  logger text,
  active_at timestamptz,
  resolved_at timestamptz,
  priority_locked_at timestamptz,
  project_slug text,
  cursor text
);

-- An issue's events, newest first when ordered by occurred_at.
CREATE VIEW triage.issue_events AS
SELECT e.group_id, e.project_id, e.event_id, e.occurred_at, e.received_at, e.level, e.title, e.culprit,
       e.release, e.environment, e.platform, e.type, e.user_key, e.tags, e.hashes, e.payload
  FROM triage.events e
 WHERE e.group_id IS NOT NULL;

-- Events per hour over the last 24 hours (period '24h') and per day over the last 14 days
-- (period '14d'), UTC, every bucket present (zeros included). Filter by group_id.
CREATE VIEW triage.issue_stats AS
SELECT g.id AS group_id, g.project_id, b.period, b.bucket, COALESCE(c.events, 0) AS events
  FROM triage.groups g
 CROSS JOIN LATERAL (
   SELECT '24h'::text AS period, h AS bucket, interval '1 hour' AS width
     FROM pg_catalog.generate_series(pg_catalog.date_trunc('hour', pg_catalog.now(), 'UTC') - interval '23 hours',
                                     pg_catalog.date_trunc('hour', pg_catalog.now(), 'UTC'), interval '1 hour') h
   UNION ALL
   SELECT '14d', d, interval '1 day'
     FROM pg_catalog.generate_series(pg_catalog.date_trunc('day', pg_catalog.now(), 'UTC') - interval '13 days',
                                     pg_catalog.date_trunc('day', pg_catalog.now(), 'UTC'), interval '1 day') d) b
  LEFT JOIN LATERAL (
   SELECT pg_catalog.count(*) AS events
     FROM triage.events e
    WHERE e.group_id = g.id AND e.occurred_at >= b.bucket AND e.occurred_at < b.bucket + b.width) c ON true;

-- ---------------------------------------------------------------------------------------------
-- Search (the query language is parsed by the C++ core: src/core/search_query.hpp). search_sql
-- returns the statement search runs, for EXPLAIN.
CREATE FUNCTION triage.search_sql(project_ids bigint[], query text DEFAULT 'is:unresolved', sort text DEFAULT 'date',
                                  lim integer DEFAULT 25, after text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'triage_search_sql'
LANGUAGE C STABLE;

CREATE FUNCTION triage.search(project_ids bigint[], query text DEFAULT 'is:unresolved', sort text DEFAULT 'date',
                              lim integer DEFAULT 25, after text DEFAULT NULL)
RETURNS SETOF triage.search_result
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
-- A page of issues takes milliseconds; JIT compiling its plan would take longer than that.
SET jit = off
AS $$
BEGIN
  RETURN QUERY EXECUTE triage.search_sql(project_ids, query, sort, lim, after);
END
$$;

CREATE FUNCTION triage.search(project_id bigint, query text DEFAULT 'is:unresolved', sort text DEFAULT 'date',
                              lim integer DEFAULT 25, after text DEFAULT NULL)
RETURNS SETOF triage.search_result
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM triage.search(ARRAY[project_id], query, sort, lim, after) $$;

-- ---------------------------------------------------------------------------------------------
-- Actions. Each takes one issue id or an array of at most 1000, applies only to issues whose state
-- actually changes, writes an activity for each, and returns the number of issues changed.

-- An issue id, or the id of the issue it was merged into.
CREATE FUNCTION triage.current_issue_id(group_id bigint) RETURNS bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE
RETURN COALESCE((SELECT r.group_id FROM triage.group_redirects r WHERE r.previous_group_id = current_issue_id.group_id),
                current_issue_id.group_id);

-- The issues an action applies to, locked in id order (the save path locks issues in id order
-- too, so actions and ingest do not deadlock). Merged ids resolve to their issue; unknown ids and
-- issues being deleted or merged are skipped, as in Sentry's bulk update.
CREATE FUNCTION triage.lock_issues(group_ids bigint[]) RETURNS SETOF triage.groups
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF group_ids IS NULL THEN
    RAISE EXCEPTION 'the issue ids must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF pg_catalog.cardinality(group_ids) > 1000 THEN
    RAISE EXCEPTION 'at most 1000 issues per action, got %', pg_catalog.cardinality(group_ids)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  SELECT g.* FROM triage.groups g
   WHERE g.id IN (SELECT triage.current_issue_id(i) FROM pg_catalog.unnest(group_ids) i)
     AND g.status NOT IN ('pending_deletion', 'deletion_in_progress', 'pending_merge')
   ORDER BY g.id FOR UPDATE OF g;
END
$$;

-- One issue: it must exist (no_data_found otherwise).
CREATE FUNCTION triage.require_issue(group_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  current_id bigint := triage.current_issue_id(group_id);
BEGIN
  IF group_id IS NULL OR NOT EXISTS (SELECT 1 FROM triage.groups g WHERE g.id = current_id
                                        AND g.status NOT IN ('pending_deletion', 'deletion_in_progress', 'pending_merge')) THEN
    RAISE EXCEPTION 'issue % does not exist', group_id USING ERRCODE = 'no_data_found';
  END IF;
  RETURN current_id;
END
$$;

DROP FUNCTION triage.resolve(bigint, text, boolean);
DROP FUNCTION triage.unresolve(bigint);

-- Resolve: now, in a release (events of later releases regress it), or in the next release
-- (events of releases newer than the issue's latest release regress it).
CREATE FUNCTION triage.resolve(group_ids bigint[], in_release text DEFAULT NULL,
                               in_next_release boolean DEFAULT false)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g triage.groups;
  rel triage.releases;
  res_id bigint;
  activity_type text;
  activity_data jsonb;
  changed integer := 0;
BEGIN
  IF in_release IS NOT NULL AND in_next_release THEN
    RAISE EXCEPTION 'in_release and in_next_release exclude each other' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR g IN SELECT * FROM triage.lock_issues(group_ids) LOOP
    rel := NULL;
    res_id := NULL;
    activity_type := 'set_resolved';
    activity_data := '{}';
    IF in_release IS NOT NULL THEN
      SELECT * INTO rel FROM triage.releases r WHERE r.project_id = g.project_id AND r.version = in_release;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'release % does not exist in project %', in_release, g.project_id
          USING ERRCODE = 'no_data_found';
      END IF;
    ELSIF in_next_release THEN
      -- The newest release the issue was seen in.
      SELECT r.* INTO rel FROM triage.group_releases gr JOIN triage.releases r ON r.id = gr.release_id
       WHERE gr.project_id = g.project_id AND gr.group_id = g.id
       ORDER BY COALESCE(r.date_released, r.date_added) DESC, r.id DESC LIMIT 1;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'issue % was never seen in a release', g.id USING ERRCODE = 'no_data_found';
      END IF;
    END IF;

    -- A resolution in a release replaces an earlier one; a plain resolve has none.
    DELETE FROM triage.group_resolutions r WHERE r.group_id = g.id;
    DELETE FROM triage.group_snoozes s WHERE s.group_id = g.id;
    IF rel.id IS NOT NULL THEN
      INSERT INTO triage.group_resolutions (project_id, group_id, release_id, current_release_version, type, status)
      VALUES (g.project_id, g.id, rel.id, CASE WHEN in_next_release THEN rel.version END,
              CASE WHEN in_next_release THEN 'in_next_release' ELSE 'in_release' END, 'pending')
      RETURNING id INTO res_id;
      activity_type := 'set_resolved_in_release';
      activity_data := CASE WHEN in_next_release
                            THEN jsonb_build_object('version', '', 'current_release_version', rel.version)
                            ELSE jsonb_build_object('version', rel.version) END;
    END IF;

    CONTINUE WHEN g.status = 'resolved' AND rel.id IS NULL;
    IF g.status <> 'resolved' THEN
      UPDATE triage.groups SET status = 'resolved', substatus = NULL, resolved_at = pg_catalog.now()
       WHERE id = g.id;
      changed := changed + 1;
    END IF;
    INSERT INTO triage.activities (project_id, group_id, type, ident, data)
    VALUES (g.project_id, g.id, activity_type, res_id::text, activity_data);
  END LOOP;
  RETURN changed;
END
$$;

CREATE FUNCTION triage.resolve(group_id bigint, in_release text DEFAULT NULL, in_next_release boolean DEFAULT false)
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT triage.resolve(ARRAY[triage.require_issue(group_id)], in_release, in_next_release) $$;

-- Unresolve (resolved or ignored issues): unresolved and ongoing; resolutions and ignore
-- conditions go.
CREATE FUNCTION triage.unresolve(group_ids bigint[])
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g triage.groups;
  changed integer := 0;
BEGIN
  FOR g IN SELECT * FROM triage.lock_issues(group_ids) LOOP
    CONTINUE WHEN g.status NOT IN ('resolved', 'ignored');
    DELETE FROM triage.group_resolutions r WHERE r.group_id = g.id;
    DELETE FROM triage.group_snoozes s WHERE s.group_id = g.id;
    UPDATE triage.groups SET status = 'unresolved', substatus = 'ongoing', resolved_at = NULL,
                             active_at = pg_catalog.now()
     WHERE id = g.id;
    INSERT INTO triage.activities (project_id, group_id, type, data)
    VALUES (g.project_id, g.id, 'set_unresolved', '{}');
    changed := changed + 1;
  END LOOP;
  RETURN changed;
END
$$;

CREATE FUNCTION triage.unresolve(group_id bigint)
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT triage.unresolve(ARRAY[triage.require_issue(group_id)]) $$;

-- Ignore (archive): forever; until escalating; or until a condition is met: a time, N more
-- events (within event_window, if given), N more users (within event_window, if given). The
-- save path checks the conditions as events arrive; triage.run_maintenance() expires the times.
CREATE FUNCTION triage.ignore(group_ids bigint[], until_escalating boolean DEFAULT false,
                              until_events integer DEFAULT NULL, until_users integer DEFAULT NULL,
                              until_time timestamptz DEFAULT NULL, event_window interval DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g triage.groups;
  conditional boolean := until_events IS NOT NULL OR until_users IS NOT NULL OR until_time IS NOT NULL;
  new_substatus triage.group_substatus;
  old_snooze triage.group_snoozes;
  changed integer := 0;
BEGIN
  IF until_escalating AND conditional THEN
    RAISE EXCEPTION 'until_escalating excludes the other ignore conditions' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF until_events <= 0 OR until_users <= 0 THEN
    RAISE EXCEPTION 'until_events and until_users must be positive' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF until_time <= pg_catalog.now() THEN
    RAISE EXCEPTION 'until_time must be in the future' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF event_window IS NOT NULL AND (until_events IS NULL AND until_users IS NULL OR event_window <= interval '0') THEN
    RAISE EXCEPTION 'event_window needs until_events or until_users, and must be positive'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  new_substatus := CASE WHEN until_escalating THEN 'archived_until_escalating'
                        WHEN conditional THEN 'archived_until_condition_met'
                        ELSE 'archived_forever' END;
  FOR g IN SELECT * FROM triage.lock_issues(group_ids) LOOP
    SELECT * INTO old_snooze FROM triage.group_snoozes s WHERE s.group_id = g.id;
    CONTINUE WHEN g.status = 'ignored' AND g.substatus IS NOT DISTINCT FROM new_substatus
              AND old_snooze.until IS NOT DISTINCT FROM until_time
              AND old_snooze.count IS NOT DISTINCT FROM until_events
              AND old_snooze.user_count IS NOT DISTINCT FROM until_users
              AND old_snooze."window" IS NOT DISTINCT FROM CASE WHEN until_events IS NOT NULL THEN event_window END
              AND old_snooze.user_window IS NOT DISTINCT FROM CASE WHEN until_users IS NOT NULL THEN event_window END;
    DELETE FROM triage.group_resolutions r WHERE r.group_id = g.id;
    DELETE FROM triage.group_snoozes s WHERE s.group_id = g.id;
    IF conditional THEN
      INSERT INTO triage.group_snoozes (group_id, project_id, until, count, "window", user_count, user_window,
                                        times_seen_at_snooze, users_seen_at_snooze, actor)
      VALUES (g.id, g.project_id, until_time, until_events, CASE WHEN until_events IS NOT NULL THEN event_window END,
              until_users, CASE WHEN until_users IS NOT NULL THEN event_window END, g.times_seen, g.users_seen,
              CURRENT_USER);
    END IF;
    UPDATE triage.groups SET status = 'ignored', substatus = new_substatus, resolved_at = NULL WHERE id = g.id;
    INSERT INTO triage.activities (project_id, group_id, type, actor, data)
    VALUES (g.project_id, g.id, 'set_ignored', CURRENT_USER,
            jsonb_strip_nulls(jsonb_build_object('substatus', new_substatus, 'until_escalating', until_escalating,
                                                 'ignore_count', until_events, 'ignore_user_count', until_users,
                                                 'ignore_until', until_time, 'ignore_window', event_window::text)));
    changed := changed + 1;
  END LOOP;
  RETURN changed;
END
$$;

CREATE FUNCTION triage.ignore(group_id bigint, until_escalating boolean DEFAULT false,
                              until_events integer DEFAULT NULL, until_users integer DEFAULT NULL,
                              until_time timestamptz DEFAULT NULL, event_window interval DEFAULT NULL)
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT triage.ignore(ARRAY[triage.require_issue(group_id)], until_escalating, until_events, until_users,
                           until_time, event_window) $$;

-- Priority set by a person: locked against automatic changes.
CREATE FUNCTION triage.set_priority(group_ids bigint[], priority text)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g triage.groups;
  changed integer := 0;
BEGIN
  IF priority IS NULL OR priority NOT IN ('high', 'medium', 'low') THEN
    RAISE EXCEPTION 'priority must be high, medium or low, not %', COALESCE(pg_catalog.quote_literal(priority), 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR g IN SELECT * FROM triage.lock_issues(group_ids) LOOP
    CONTINUE WHEN g.priority IS NOT DISTINCT FROM priority::triage.priority_level AND g.priority_locked_at IS NOT NULL;
    UPDATE triage.groups SET priority = set_priority.priority::triage.priority_level,
                             priority_locked_at = pg_catalog.now()
     WHERE id = g.id;
    INSERT INTO triage.activities (project_id, group_id, type, actor, data)
    VALUES (g.project_id, g.id, 'set_priority', CURRENT_USER,
            jsonb_build_object('priority', priority, 'previous', g.priority));
    changed := changed + 1;
  END LOOP;
  RETURN changed;
END
$$;

CREATE FUNCTION triage.set_priority(group_id bigint, priority text)
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT triage.set_priority(ARRAY[triage.require_issue(group_id)], priority) $$;

-- Assignee (free text; NULL unassigns).
CREATE FUNCTION triage.assign(group_ids bigint[], assignee text)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g triage.groups;
  changed integer := 0;
BEGIN
  IF assignee = '' THEN
    RAISE EXCEPTION 'an assignee must not be empty (NULL unassigns)' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR g IN SELECT * FROM triage.lock_issues(group_ids) LOOP
    CONTINUE WHEN g.assignee IS NOT DISTINCT FROM assign.assignee;
    UPDATE triage.groups SET assignee = assign.assignee WHERE id = g.id;
    INSERT INTO triage.activities (project_id, group_id, type, actor, data)
    VALUES (g.project_id, g.id, CASE WHEN assignee IS NULL THEN 'unassigned' ELSE 'assigned' END, CURRENT_USER,
            jsonb_build_object('assignee', assignee, 'previous', g.assignee));
    changed := changed + 1;
  END LOOP;
  RETURN changed;
END
$$;

CREATE FUNCTION triage.assign(group_id bigint, assignee text)
RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT triage.assign(ARRAY[triage.require_issue(group_id)], assignee) $$;

-- A note on an issue (an activity of type note); returns the activity's id.
CREATE FUNCTION triage.add_note(group_id bigint, note text, actor text DEFAULT CURRENT_USER)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g triage.groups;
  activity_id bigint;
BEGIN
  IF note IS NULL OR pg_catalog.btrim(note) = '' THEN
    RAISE EXCEPTION 'a note must have text' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO g FROM triage.groups x WHERE x.id = triage.require_issue(add_note.group_id);
  INSERT INTO triage.activities (project_id, group_id, type, actor, data)
  VALUES (g.project_id, g.id, 'note', actor, jsonb_build_object('text', note))
  RETURNING id INTO activity_id;
  RETURN activity_id;
END
$$;

-- Removes issues with their events and side rows, in this transaction. keep_hashes leaves the
-- grouphash rows (discard points them at tombstones).
CREATE FUNCTION triage.remove_issues(group_ids bigint[], keep_hashes boolean)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ids bigint[];
BEGIN
  SELECT pg_catalog.array_agg(g.id) INTO ids FROM triage.lock_issues(group_ids) g;
  IF ids IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM triage.events e WHERE e.group_id = ANY (ids);
  IF NOT keep_hashes THEN
    DELETE FROM triage.grouphashes h WHERE h.group_id = ANY (ids);
  END IF;
  DELETE FROM triage.group_environments x USING triage.groups g
   WHERE g.id = ANY (ids) AND x.project_id = g.project_id AND x.group_id = g.id;
  DELETE FROM triage.group_releases x USING triage.groups g
   WHERE g.id = ANY (ids) AND x.project_id = g.project_id AND x.group_id = g.id;
  DELETE FROM triage.group_resolutions x WHERE x.group_id = ANY (ids);
  DELETE FROM triage.group_snoozes x WHERE x.group_id = ANY (ids);
  DELETE FROM triage.group_redirects x WHERE x.group_id = ANY (ids);
  DELETE FROM triage.activities x USING triage.groups g
   WHERE g.id = ANY (ids) AND x.project_id = g.project_id AND x.group_id = g.id;
  DELETE FROM triage.groups g WHERE g.id = ANY (ids);
  RETURN pg_catalog.cardinality(ids);
END
$$;

-- Delete: the issues, their hashes and their events go; later events with those hashes make new
-- issues.
CREATE FUNCTION triage.delete_issues(group_ids bigint[]) RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT triage.remove_issues(group_ids, false) $$;

CREATE FUNCTION triage.delete_issues(group_id bigint) RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT triage.remove_issues(ARRAY[triage.require_issue(group_id)], false) $$;

-- Discard: delete, and tombstone the hashes: later events with them are dropped and counted in
-- triage.ingest_stats.
CREATE FUNCTION triage.discard(group_ids bigint[]) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g triage.groups;
  tombstone bigint;
BEGIN
  FOR g IN SELECT * FROM triage.lock_issues(group_ids) LOOP
    INSERT INTO triage.group_tombstones (project_id, previous_group_id, level, message, culprit, data)
    VALUES (g.project_id, g.id, g.level, g.message, g.culprit, g.data)
    RETURNING id INTO tombstone;
    UPDATE triage.grouphashes h SET group_id = NULL, group_tombstone_id = tombstone
     WHERE h.project_id = g.project_id AND h.group_id = g.id;
  END LOOP;
  RETURN triage.remove_issues(group_ids, true);
END
$$;

CREATE FUNCTION triage.discard(group_id bigint) RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT triage.discard(ARRAY[triage.require_issue(group_id)]) $$;

-- ---------------------------------------------------------------------------------------------
-- Users seen: a sketch per issue (exact while small, then HyperLogLog; src/core/user_sketch.hpp).
CREATE FUNCTION triage.user_sketch_add(sketch bytea, user_key text) RETURNS bytea
AS 'MODULE_PATHNAME', 'triage_user_sketch_add'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION triage.user_sketch_union(a bytea, b bytea) RETURNS bytea
AS 'MODULE_PATHNAME', 'triage_user_sketch_union'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION triage.user_sketch_estimate(sketch bytea) RETURNS bigint
AS 'MODULE_PATHNAME', 'triage_user_sketch_estimate'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The save path's two halves of a sketch (see triage.groups.user_sketch): the recent users with a
-- delta added, or NULL when they outgrow the recent half; and the main half, itself (not even
-- read) while the recent half can take the delta, else the union of all three.
CREATE FUNCTION triage.user_sketch_recent(recent bytea, delta bytea) RETURNS bytea
AS 'MODULE_PATHNAME', 'triage_user_sketch_recent'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION triage.user_sketch_main(main bytea, recent bytea, delta bytea) RETURNS bytea
AS 'MODULE_PATHNAME', 'triage_user_sketch_main'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The sketch of a set of user keys, and the union of sketches.
CREATE AGGREGATE triage.user_sketch_agg(text) (SFUNC = triage.user_sketch_add, STYPE = bytea);
CREATE AGGREGATE triage.user_sketch_union_agg(bytea) (SFUNC = triage.user_sketch_union, STYPE = bytea);

-- ---------------------------------------------------------------------------------------------
-- Merge: the issue with the highest (times_seen, id) survives and takes the others' hashes,
-- events, environments, releases, activities and counts; the merged ids redirect to it.
CREATE FUNCTION triage.merge(group_ids bigint[]) RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  issues triage.groups[];
  survivor triage.groups;
  children bigint[];
  project bigint;
BEGIN
  SELECT pg_catalog.array_agg(g) INTO issues FROM triage.lock_issues(group_ids) g;
  IF COALESCE(pg_catalog.cardinality(issues), 0) < 2 THEN
    RAISE EXCEPTION 'merge needs at least two existing issues' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (SELECT pg_catalog.count(DISTINCT i.project_id) FROM pg_catalog.unnest(issues) i) > 1 THEN
    RAISE EXCEPTION 'only issues of one project can be merged' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.unnest(issues) i WHERE i.type NOT IN ('error', 'default')) THEN
    RAISE EXCEPTION 'only error issues can be merged' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO survivor FROM pg_catalog.unnest(issues) i ORDER BY i.times_seen DESC, i.id DESC LIMIT 1;
  project := survivor.project_id;
  children := ARRAY(SELECT i.id FROM pg_catalog.unnest(issues) i WHERE i.id <> survivor.id ORDER BY i.id);

  UPDATE triage.grouphashes h SET group_id = survivor.id WHERE h.project_id = project AND h.group_id = ANY (children);
  UPDATE triage.events e SET group_id = survivor.id WHERE e.group_id = ANY (children);

  INSERT INTO triage.group_environments AS ge (project_id, group_id, environment_id, first_release, first_seen)
  SELECT DISTINCT ON (x.environment_id) project, survivor.id, x.environment_id, x.first_release, x.first_seen
    FROM triage.group_environments x
   WHERE x.project_id = project AND x.group_id = ANY (children)
   ORDER BY x.environment_id, x.first_seen
  ON CONFLICT (project_id, group_id, environment_id) DO UPDATE
     SET first_release = CASE WHEN EXCLUDED.first_seen < ge.first_seen THEN EXCLUDED.first_release ELSE ge.first_release END,
         first_seen = LEAST(ge.first_seen, EXCLUDED.first_seen);
  DELETE FROM triage.group_environments x WHERE x.project_id = project AND x.group_id = ANY (children);

  INSERT INTO triage.group_releases AS gr (project_id, group_id, release_id, environment, first_seen, last_seen)
  SELECT project, survivor.id, x.release_id, x.environment, pg_catalog.min(x.first_seen), pg_catalog.max(x.last_seen)
    FROM triage.group_releases x
   WHERE x.project_id = project AND x.group_id = ANY (children)
   GROUP BY x.release_id, x.environment
  ON CONFLICT (project_id, group_id, release_id, environment) DO UPDATE
     SET first_seen = LEAST(gr.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(gr.last_seen, EXCLUDED.last_seen);
  DELETE FROM triage.group_releases x WHERE x.project_id = project AND x.group_id = ANY (children);

  UPDATE triage.activities a SET group_id = survivor.id WHERE a.project_id = project AND a.group_id = ANY (children);
  UPDATE triage.group_redirects r SET group_id = survivor.id WHERE r.group_id = ANY (children);
  INSERT INTO triage.group_redirects (previous_group_id, project_id, group_id)
  SELECT c, project, survivor.id FROM pg_catalog.unnest(children) c;

  UPDATE triage.groups g
     SET times_seen = g.times_seen + m.times_seen,
         first_seen = LEAST(g.first_seen, m.first_seen),
         last_seen = GREATEST(g.last_seen, m.last_seen),
         user_sketch = triage.user_sketch_union(triage.user_sketch_union(g.user_sketch, g.user_sketch_recent), m.user_sketch),
         user_sketch_recent = NULL,
         users_seen = triage.user_sketch_estimate(
                        triage.user_sketch_union(triage.user_sketch_union(g.user_sketch, g.user_sketch_recent), m.user_sketch))
    FROM (SELECT pg_catalog.sum(i.times_seen) AS times_seen, pg_catalog.min(i.first_seen) AS first_seen,
                 pg_catalog.max(i.last_seen) AS last_seen, triage.user_sketch_union_agg(triage.user_sketch_union(i.user_sketch, i.user_sketch_recent)) AS user_sketch
            FROM pg_catalog.unnest(issues) i WHERE i.id = ANY (children)) m
   WHERE g.id = survivor.id;
  DELETE FROM triage.group_resolutions x WHERE x.group_id = ANY (children);
  DELETE FROM triage.group_snoozes x WHERE x.group_id = ANY (children);
  DELETE FROM triage.groups g WHERE g.id = ANY (children);
  INSERT INTO triage.activities (project_id, group_id, type, actor, data)
  VALUES (project, survivor.id, 'merge', CURRENT_USER,
          jsonb_build_object('issues', (SELECT pg_catalog.jsonb_agg(jsonb_build_object('id', c)) FROM pg_catalog.unnest(children) c)));
  RETURN survivor.id;
END
$$;

-- Recomputes an issue's environments, releases, counters and users from its stored events
-- (unmerge splits an issue's events between two issues).
CREATE FUNCTION triage.recount_issue(group_id bigint) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g triage.groups;
BEGIN
  SELECT * INTO g FROM triage.groups x WHERE x.id = recount_issue.group_id;
  DELETE FROM triage.group_environments x WHERE x.project_id = g.project_id AND x.group_id = g.id;
  INSERT INTO triage.group_environments (project_id, group_id, environment_id, first_release, first_seen)
  SELECT DISTINCT ON (env.id) g.project_id, g.id, env.id, e.release, e.occurred_at
    FROM triage.events e JOIN triage.environments env ON env.project_id = g.project_id AND env.name = e.environment
   WHERE e.group_id = g.id
   ORDER BY env.id, e.occurred_at;
  DELETE FROM triage.group_releases x WHERE x.project_id = g.project_id AND x.group_id = g.id;
  INSERT INTO triage.group_releases (project_id, group_id, release_id, environment, first_seen, last_seen)
  SELECT g.project_id, g.id, r.id, COALESCE(e.environment, ''), pg_catalog.min(e.occurred_at), pg_catalog.max(e.occurred_at)
    FROM triage.events e JOIN triage.releases r ON r.project_id = g.project_id AND r.version = e.release
   WHERE e.group_id = g.id
   GROUP BY r.id, COALESCE(e.environment, '');
  UPDATE triage.groups x
     SET times_seen = s.n, first_seen = COALESCE(s.first_seen, x.first_seen), last_seen = COALESCE(s.last_seen, x.last_seen),
         user_sketch = s.sketch, user_sketch_recent = NULL, users_seen = COALESCE(triage.user_sketch_estimate(s.sketch), 0)
    FROM (SELECT pg_catalog.count(*) AS n, pg_catalog.min(e.occurred_at) AS first_seen, pg_catalog.max(e.occurred_at) AS last_seen,
                 triage.user_sketch_agg(e.user_key) AS sketch
            FROM triage.events e WHERE e.group_id = g.id) s
   WHERE x.id = g.id;
END
$$;

-- Unmerge: a new issue takes the listed hashes and every event whose primary hash is among them;
-- later events with those hashes land in it. Both issues' counters, environments and releases are
-- recomputed from their events. Returns the new issue's id.
CREATE FUNCTION triage.unmerge(group_id bigint, hashes text[]) RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  source triage.groups;
  latest triage.events;
  earliest triage.events;
  new_id bigint;
  short_id bigint;
  bad_hash text;
BEGIN
  IF unmerge.hashes IS NULL OR pg_catalog.cardinality(unmerge.hashes) = 0 THEN
    RAISE EXCEPTION 'unmerge needs at least one hash' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO source FROM triage.lock_issues(ARRAY[triage.require_issue(unmerge.group_id)]);
  SELECT h INTO bad_hash FROM pg_catalog.unnest(unmerge.hashes) h
   WHERE NOT EXISTS (SELECT 1 FROM triage.grouphashes x
                      WHERE x.project_id = source.project_id AND x.hash = h AND x.group_id = source.id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'hash % does not belong to issue %', bad_hash, source.id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO latest FROM triage.events e WHERE e.group_id = source.id AND e.hashes[1] = ANY (unmerge.hashes)
   ORDER BY e.occurred_at DESC, e.received_at DESC LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'issue % has no event whose primary hash is among the given ones', source.id
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO earliest FROM triage.events e WHERE e.group_id = source.id AND e.hashes[1] = ANY (unmerge.hashes)
   ORDER BY e.occurred_at, e.received_at LIMIT 1;

  UPDATE triage.project_counters pc SET value = pc.value + 1 WHERE pc.project_id = source.project_id
  RETURNING pc.value INTO short_id;
  INSERT INTO triage.groups (project_id, short_id, status, substatus, priority, level, title, culprit, message, logger,
                             platform, times_seen, first_seen, last_seen, active_at, first_release, type, data)
  VALUES (source.project_id,
          short_id,
          'unresolved', 'new', source.priority, COALESCE(latest.level, source.level), COALESCE(latest.title, source.title),
          latest.culprit, source.message, source.logger, COALESCE(latest.platform, source.platform), 0,
          earliest.occurred_at, latest.occurred_at, pg_catalog.now(), earliest.release, source.type, source.data)
  RETURNING id INTO new_id;
  UPDATE triage.grouphashes h SET group_id = new_id WHERE h.project_id = source.project_id AND h.hash = ANY (unmerge.hashes);
  UPDATE triage.events e SET group_id = new_id WHERE e.group_id = source.id AND e.hashes[1] = ANY (unmerge.hashes);
  PERFORM triage.recount_issue(source.id);
  PERFORM triage.recount_issue(new_id);
  INSERT INTO triage.activities (project_id, group_id, type, actor, data)
  VALUES (source.project_id, source.id, 'unmerge_source', CURRENT_USER,
          jsonb_build_object('destination_id', new_id, 'fingerprints', pg_catalog.to_jsonb(unmerge.hashes))),
         (source.project_id, new_id, 'unmerge_destination', CURRENT_USER,
          jsonb_build_object('source_id', source.id, 'fingerprints', pg_catalog.to_jsonb(unmerge.hashes)));
  RETURN new_id;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Per issue: the top values of each tag of its events, and its latest event.
CREATE FUNCTION triage.issue_tags(group_id bigint, top integer DEFAULT 10)
RETURNS TABLE (key text, value text, events bigint, first_seen timestamptz, last_seen timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT x.key, x.value, x.events, x.first_seen, x.last_seen
    FROM (SELECT t.key, t.value, pg_catalog.count(*) AS events, pg_catalog.min(e.occurred_at) AS first_seen,
                 pg_catalog.max(e.occurred_at) AS last_seen,
                 pg_catalog.row_number() OVER (PARTITION BY t.key ORDER BY pg_catalog.count(*) DESC, t.value) AS rank
            FROM triage.events e CROSS JOIN LATERAL pg_catalog.jsonb_each_text(e.tags) AS t(key, value)
           WHERE e.group_id = triage.current_issue_id(issue_tags.group_id)
           GROUP BY t.key, t.value) x
   WHERE x.rank <= top
   ORDER BY x.key, x.events DESC, x.value
$$;

CREATE FUNCTION triage.latest_event(group_id bigint) RETURNS SETOF triage.events
LANGUAGE sql STABLE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT e.* FROM triage.events e WHERE e.group_id = triage.current_issue_id(latest_event.group_id)
   ORDER BY e.occurred_at DESC LIMIT 1
$$;

-- ---------------------------------------------------------------------------------------------
-- Ignore conditions, checked by the save path at the end of each statement for the ignored issues
-- its events joined (their rows locked by the counter fold). An issue whose condition is met
-- becomes unresolved: escalating, or ongoing when an ignore-until time has passed. Returned, for
-- the notifications. The conditions that count events in a window, and the escalation rule, are
-- checked only for slow_ids (the save path checks those at most every 10 seconds per issue).
-- Escalation rule (until_escalating): at least 10 events in the last hour, and more than 5 times
-- the hourly average of the 7 days before that hour.
CREATE FUNCTION triage.check_ignored(group_ids bigint[], slow_ids bigint[])
RETURNS TABLE (project_id bigint, group_id bigint, short_id text, title text, substatus text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  g record;
  reason text;
  slow boolean;
  hour_events bigint;
  week_events bigint;
BEGIN
  FOR g IN
    SELECT x.id, x.project_id, x.substatus AS sub, x.times_seen, x.users_seen, x.short_id AS number, x.title AS name,
           p.slug, s.until, s.count, s."window", s.user_count, s.user_window, s.times_seen_at_snooze,
           s.users_seen_at_snooze
      FROM triage.groups x JOIN triage.projects p ON p.id = x.project_id
      LEFT JOIN triage.group_snoozes s ON s.group_id = x.id
     WHERE x.id = ANY (group_ids) AND x.status = 'ignored'
     ORDER BY x.id
  LOOP
    reason := NULL;
    slow := g.id = ANY (slow_ids);
    IF g.sub = 'archived_until_condition_met' THEN
      IF g.until <= pg_catalog.now() THEN
        reason := 'until_time';
      ELSIF g.count IS NOT NULL AND g."window" IS NULL AND g.times_seen - g.times_seen_at_snooze >= g.count THEN
        reason := 'count';
      ELSIF g.user_count IS NOT NULL AND g.user_window IS NULL
            AND g.users_seen - g.users_seen_at_snooze >= g.user_count THEN
        reason := 'user_count';
      ELSIF slow AND g.count IS NOT NULL AND g."window" IS NOT NULL
            AND (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM triage.events e
                  WHERE e.group_id = g.id AND e.occurred_at >= pg_catalog.now() - g."window" LIMIT g.count) c) >= g.count THEN
        reason := 'count_in_window';
      ELSIF slow AND g.user_count IS NOT NULL AND g.user_window IS NOT NULL
            AND (SELECT pg_catalog.count(DISTINCT e.user_key) FROM triage.events e
                  WHERE e.group_id = g.id AND e.occurred_at >= pg_catalog.now() - g.user_window) >= g.user_count THEN
        reason := 'user_count_in_window';
      END IF;
    ELSIF g.sub = 'archived_until_escalating' AND slow THEN
      SELECT pg_catalog.count(*) INTO hour_events FROM triage.events e
       WHERE e.group_id = g.id AND e.occurred_at >= pg_catalog.now() - interval '1 hour';
      IF hour_events >= 10 THEN
        -- Counted only as far as needed: escalating iff hour_events > 5 * week_events / 168.
        SELECT pg_catalog.count(*) INTO week_events
          FROM (SELECT 1 FROM triage.events e
                 WHERE e.group_id = g.id AND e.occurred_at >= pg_catalog.now() - interval '169 hours'
                   AND e.occurred_at < pg_catalog.now() - interval '1 hour'
                 LIMIT hour_events * 168 / 5 + 1) c;
        IF hour_events * 168 > 5 * week_events THEN
          reason := 'escalating';
        END IF;
      END IF;
    END IF;
    CONTINUE WHEN reason IS NULL;
    DELETE FROM triage.group_snoozes s WHERE s.group_id = g.id;
    UPDATE triage.groups x
       SET status = 'unresolved', substatus = CASE WHEN reason = 'until_time' THEN 'ongoing' ELSE 'escalating' END::triage.group_substatus,
           active_at = pg_catalog.now()
     WHERE x.id = g.id;
    INSERT INTO triage.activities (project_id, group_id, type, data)
    VALUES (g.project_id, g.id, CASE WHEN reason = 'until_time' THEN 'set_unresolved' ELSE 'set_escalating' END,
            jsonb_build_object('reason', reason));
    project_id := g.project_id;
    group_id := g.id;
    short_id := triage.format_short_id(g.slug, g.number);
    title := g.name;
    substatus := CASE WHEN reason = 'until_time' THEN 'ongoing' ELSE 'escalating' END;
    RETURN NEXT;
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Time-based transitions, for a periodic job (pg_cron: see the README):
--   new, regressed and escalating issues become ongoing after 7 days;
--   issues ignored until a time that has passed become unresolved (ongoing);
--   unresolved issues of projects with a resolve_age, not seen for that long, are resolved.
-- Returns the number of issues of each transition.
CREATE FUNCTION triage.run_maintenance(OUT transition text, OUT issues bigint)
RETURNS SETOF record
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n bigint;
BEGIN
  WITH due AS (
    SELECT g.id FROM triage.groups g
     WHERE g.status = 'unresolved'
       AND (g.substatus = 'new' AND g.first_seen < pg_catalog.now() - interval '7 days'
            OR g.substatus IN ('regressed', 'escalating') AND COALESCE(g.active_at, g.first_seen) < pg_catalog.now() - interval '7 days')
     ORDER BY g.id FOR UPDATE SKIP LOCKED),
  changed AS (
    UPDATE triage.groups g SET substatus = 'ongoing' FROM due WHERE g.id = due.id RETURNING g.id, g.project_id)
  INSERT INTO triage.activities (project_id, group_id, type, data)
  SELECT c.project_id, c.id, 'auto_set_ongoing', '{"after_days": 7}' FROM changed c;
  GET DIAGNOSTICS n = ROW_COUNT;
  transition := 'to_ongoing'; issues := n; RETURN NEXT;

  WITH due AS (
    SELECT g.id FROM triage.groups g JOIN triage.group_snoozes s ON s.group_id = g.id
     WHERE g.status = 'ignored' AND s.until <= pg_catalog.now()
     ORDER BY g.id FOR UPDATE OF g SKIP LOCKED),
  gone AS (DELETE FROM triage.group_snoozes s USING due WHERE s.group_id = due.id),
  changed AS (
    UPDATE triage.groups g SET status = 'unresolved', substatus = 'ongoing', active_at = pg_catalog.now()
      FROM due WHERE g.id = due.id RETURNING g.id, g.project_id)
  INSERT INTO triage.activities (project_id, group_id, type, data)
  SELECT c.project_id, c.id, 'set_unresolved', '{"reason": "ignore_until_expired"}' FROM changed c;
  GET DIAGNOSTICS n = ROW_COUNT;
  transition := 'ignore_expired'; issues := n; RETURN NEXT;

  WITH due AS (
    SELECT g.id FROM triage.projects p JOIN triage.groups g ON g.project_id = p.id
     WHERE p.resolve_age IS NOT NULL AND g.status = 'unresolved'
       AND g.last_seen_bucket < triage.minute_bucket(pg_catalog.now() - p.resolve_age)
     ORDER BY g.id FOR UPDATE OF g SKIP LOCKED),
  changed AS (
    UPDATE triage.groups g SET status = 'resolved', substatus = NULL, resolved_at = pg_catalog.now()
      FROM due WHERE g.id = due.id RETURNING g.id, g.project_id)
  INSERT INTO triage.activities (project_id, group_id, type, data)
  SELECT c.project_id, c.id, 'set_resolved_by_age', '{}' FROM changed c;
  GET DIAGNOSTICS n = ROW_COUNT;
  transition := 'auto_resolved'; issues := n; RETURN NEXT;
END
$$;
