-- The grouping interface: functions, signatures, errors with SQLSTATEs.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pg_triage;
SELECT plan(24);

SELECT has_schema('triage');
SELECT has_function('triage', 'grouping_hashes', ARRAY['text', 'text', 'text', 'text']);
SELECT has_function('triage', 'grouping_hashes', ARRAY['jsonb', 'text', 'text', 'text']);
SELECT has_function('triage', 'grouping_hashes', ARRAY['json', 'text', 'text', 'text']);
SELECT function_returns('triage', 'grouping_hashes', ARRAY['text', 'text', 'text', 'text'], 'text[]');
SELECT has_function('triage', 'grouping_info', ARRAY['text', 'text', 'text', 'text']);
SELECT has_function('triage', 'grouping_info', ARRAY['jsonb', 'text', 'text', 'text']);
SELECT has_function('triage', 'grouping_info', ARRAY['json', 'text', 'text', 'text']);
SELECT function_returns('triage', 'grouping_info', ARRAY['text', 'text', 'text', 'text'], 'jsonb');

SELECT is(triage.grouping_hashes('{"message":"m"}', 'md5'), ARRAY[md5('m')], 'md5 mode is md5 over the values');
SELECT matches(array_to_string(triage.grouping_hashes('{"message":"m"}'), ','), '^[0-9a-f]{32}$', 'xxh3_128 is 32 lowercase hex');
SELECT is(triage.grouping_hashes('{"message":"m"}', hash_algorithm => 'md5'), ARRAY[md5('m')], 'named argument');
SELECT is(triage.grouping_hashes('{"checksum":"0123456789abcdef0123456789abcdef"}'),
          ARRAY['0123456789abcdef0123456789abcdef'], 'a 32-hex checksum is used as given in xxh3 mode');

SELECT throws_ok($$SELECT triage.grouping_hashes('{')$$, '22P02', NULL, 'invalid JSON');
SELECT throws_ok($$SELECT triage.grouping_hashes('{"message":"\udc00"}')$$, '22P02', NULL, 'invalid UTF-16 escape');
SELECT throws_ok($$SELECT triage.grouping_hashes('[]')$$, '22023', 'event must be a JSON object', 'not an object');
SELECT throws_ok($$SELECT triage.grouping_hashes('{}', 'crc32')$$, '22023', NULL, 'unknown hash algorithm');
SELECT throws_ok($$SELECT triage.grouping_hashes(repeat('[', 5000) || repeat(']', 5000))$$, '54000', NULL, 'nesting too deep');
SELECT throws_ok($$SELECT triage.grouping_hashes('{}', 'md5', 'family:native +flying')$$, '42601', NULL, 'bad stack-trace rule');
SELECT throws_ok($$SELECT triage.grouping_hashes('{}', 'md5', NULL, 'no arrow here')$$, '42601', NULL, 'bad fingerprinting rule');
SELECT throws_ok($$SET triage.grouping_config = 'legacy:2019-03-12'$$, '22023', NULL, 'unknown grouping config');

-- Errors leave the transaction usable (savepoints inside throws_ok) and nothing half-written.
SELECT lives_ok($$SELECT triage.grouping_hashes('{"message":"after errors"}')$$, 'still usable after errors');
SELECT is((triage.grouping_info('{"message":"m"}', 'md5') -> 'hashes') ->> 0, md5('m'), 'grouping_info hashes');
SELECT is(triage.grouping_info('{"message":"m"}') #>> '{variants,default,component,children}', NULL, 'components use values, not children');

SELECT * FROM finish();
ROLLBACK;
