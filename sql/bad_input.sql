-- Bad input gets a clear error with a proper SQLSTATE and leaves the session usable.
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Not JSON (22P02), with the byte offset of the problem.
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('{"message": ')$$);
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('not json')$$);
-- Text reaching the function is valid UTF-8 (PostgreSQL checks it); the invalid text a client
-- can still send is an escaped lone surrogate (22P02).
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('{"message":"\ud800"}')$$);
-- JSON that is not an object (22023).
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('[1,2,3]')$$);
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('"just a string"')$$);
-- Unknown hash algorithm (22023).
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('{"message":"m"}', 'sha1')$$);
-- Nesting 10,000 deep (54000).
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes(repeat('{"a":', 10000) || '1' || repeat('}', 10000))$$);
-- Malformed rules (42601), naming the line and the offending token.
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('{"message":"m"}', 'md5', 'function:foo +nonsense')$$);
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('{"message":"m"}', 'md5', E'family:native -app\nfunction:', NULL)$$);
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('{"message":"m"}', 'md5', NULL, 'type:X -> ')$$);
SELECT pg_temp.error_of($$SELECT triage.grouping_hashes('{"message":"m"}', 'md5', NULL, '[{"matchers": 5}]')$$);
-- Unknown grouping config (22023).
SELECT pg_temp.error_of($$SET triage.grouping_config = 'newstyle:1999-01-01'$$);

-- Wrong shapes are ignored field by field: the event is still grouped.
SELECT triage.grouping_hashes('{"exception":"boom","threads":7,"fingerprint":"x","stacktrace":{"frames":[1,null,"f"]},"message":"still grouped"}', 'md5')
     = ARRAY[md5('still grouped')] AS wrong_shapes_ignored;
-- Duplicate keys: the last one wins.
SELECT triage.grouping_hashes('{"message":"first","message":"second"}', 'md5') = ARRAY[md5('second')] AS last_key_wins;
-- Large input is bounded: a 100 MB string value and a million frames.
SELECT cardinality(triage.grouping_hashes('{"message":"' || repeat('x', 100 * 1024 * 1024) || '"}')) AS hashes_of_100mb_message;
SELECT cardinality(triage.grouping_hashes('{"platform":"python","stacktrace":{"frames":['
       || string_agg('{"module":"m","function":"f' || i || '","in_app":true}', ',') || ']}}'))
       AS hashes_of_million_frames
  FROM generate_series(1, 1000000) i;
-- The session is still healthy.
SELECT 1 AS alive;
