-- Bad input gets a clear error with a proper SQLSTATE and leaves the session usable.
\set VERBOSITY sqlstate
-- Not JSON (22P02).
SELECT triage.grouping_hashes('{"message": ');
SELECT triage.grouping_hashes('not json');
-- Invalid UTF-8 inside a JSON string (22P02). The database is UTF-8, so build it with convert_from on bytes is
-- impossible; an escaped lone surrogate is the invalid text a client can send.
SELECT triage.grouping_hashes('{"message":"\ud800"}');
-- JSON that is not an object (22023).
SELECT triage.grouping_hashes('[1,2,3]');
SELECT triage.grouping_hashes('"just a string"');
-- Unknown hash algorithm (22023).
SELECT triage.grouping_hashes('{"message":"m"}', 'sha1');
-- Nesting 10,000 deep (54000).
SELECT triage.grouping_hashes(repeat('{"a":', 10000) || '1' || repeat('}', 10000));
-- Malformed rules (42601).
SELECT triage.grouping_hashes('{"message":"m"}', 'md5', 'function:foo +nonsense');
SELECT triage.grouping_hashes('{"message":"m"}', 'md5', NULL, 'type:X -> ');
SELECT triage.grouping_hashes('{"message":"m"}', 'md5', NULL, '[{"matchers": 5}]');
-- Unknown grouping config (22023).
SET triage.grouping_config = 'newstyle:1999-01-01';
\set VERBOSITY default
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
