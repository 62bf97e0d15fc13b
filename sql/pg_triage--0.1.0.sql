-- pg_triage 0.1.0: the grouping engine.
\echo Use "CREATE EXTENSION pg_triage" to load this file. \quit

-- The ordered grouping hashes of an event (primary first, the system variant last).
CREATE FUNCTION triage.grouping_hashes(event text, hash_algorithm text DEFAULT 'xxh3_128',
                                       stacktrace_rules text DEFAULT NULL,
                                       fingerprinting_rules text DEFAULT NULL)
RETURNS text[]
AS 'MODULE_PATHNAME', 'triage_grouping_hashes'
LANGUAGE C STABLE PARALLEL SAFE CALLED ON NULL INPUT;

COMMENT ON FUNCTION triage.grouping_hashes(text, text, text, text) IS
  'Sentry grouping hashes of an event JSON (config from triage.grouping_config; xxh3_128 or md5)';

CREATE FUNCTION triage.grouping_hashes(event jsonb, hash_algorithm text DEFAULT 'xxh3_128',
                                       stacktrace_rules text DEFAULT NULL,
                                       fingerprinting_rules text DEFAULT NULL)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN triage.grouping_hashes(event::pg_catalog.text, hash_algorithm, stacktrace_rules, fingerprinting_rules);

CREATE FUNCTION triage.grouping_hashes(event json, hash_algorithm text DEFAULT 'xxh3_128',
                                       stacktrace_rules text DEFAULT NULL,
                                       fingerprinting_rules text DEFAULT NULL)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN triage.grouping_hashes(event::pg_catalog.text, hash_algorithm, stacktrace_rules, fingerprinting_rules);

-- Why an event groups as it does: every variant with its hash and component tree.
CREATE FUNCTION triage.grouping_info(event text, hash_algorithm text DEFAULT 'xxh3_128',
                                     stacktrace_rules text DEFAULT NULL,
                                     fingerprinting_rules text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'triage_grouping_info'
LANGUAGE C STABLE PARALLEL SAFE CALLED ON NULL INPUT;

COMMENT ON FUNCTION triage.grouping_info(text, text, text, text) IS
  'Grouping variants, hashes and component trees of an event JSON';

CREATE FUNCTION triage.grouping_info(event jsonb, hash_algorithm text DEFAULT 'xxh3_128',
                                     stacktrace_rules text DEFAULT NULL,
                                     fingerprinting_rules text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
RETURN triage.grouping_info(event::pg_catalog.text, hash_algorithm, stacktrace_rules, fingerprinting_rules);

CREATE FUNCTION triage.grouping_info(event json, hash_algorithm text DEFAULT 'xxh3_128',
                                     stacktrace_rules text DEFAULT NULL,
                                     fingerprinting_rules text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
RETURN triage.grouping_info(event::pg_catalog.text, hash_algorithm, stacktrace_rules, fingerprinting_rules);
