#!/usr/bin/env bash
# pg_dump -Fc and pg_restore of a database using pg_triage: every triage table comes back with
# identical content (computed event columns included: the ingest trigger passes restored rows
# through), the identity sequences and short-id counters continue, restored issues keep
# counting, and the same events sent again after the restore are skipped as duplicates.
# Needs PGHOST/PGPORT/PGUSER of a cluster with pg_triage installed; creates and drops its own
# databases. Prints "ok N - ..." / "not ok N - ..." lines; exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib/tap.sh"

suffix="$$_$(date +%s)"
src="triage_dump_src_$suffix"
dst="triage_dump_dst_$suffix"
work=$(mktemp -d /tmp/triage_dump_restore.XXXXXX)
cleanup() {
	dropdb --if-exists "$src" >/dev/null 2>&1
	dropdb --if-exists "$dst" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# qdb DATABASE SQL: the shared q for a named database (this test has two: the source and the
# restored one): one unaligned, tuples-only result, errors stop the statement.
qdb() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

createdb "$src" || bail "createdb $src failed"

# ---------------------------------------------------------------------------------------------
# The source database: two projects, several issues over releases and environments, a plain and
# an in-release resolution, a regression, a quarantined bad event, a tombstone hit and a
# duplicate. public.sent holds every payload sent, to send them again after the restore.
psql -X -q -v ON_ERROR_STOP=1 -d "$src" >"$work/setup.log" 2>&1 <<'SQL' || { cat "$work/setup.log"; bail "source set-up failed"; }
CREATE EXTENSION pg_triage;
INSERT INTO triage.projects (slug) VALUES ('shop');
INSERT INTO triage.projects (slug, hash_algorithm, on_bad_event) VALUES ('api', 'md5', 'quarantine');

CREATE TABLE public.sent (n int PRIMARY KEY, project text NOT NULL, batch int NOT NULL, payload text NOT NULL);
CREATE FUNCTION pg_temp.ev(id int, extra jsonb, age_seconds int) RETURNS text LANGUAGE sql AS $$
  SELECT (jsonb_build_object('event_id', lpad(to_hex(id), 32, '0'),
                             'timestamp', floor(extract(epoch FROM now())) - age_seconds,
                             'platform', 'python') || extra)::text
$$;
CREATE FUNCTION pg_temp.exc(type text, value text, fn text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('exception', jsonb_build_object('values', jsonb_build_array(jsonb_build_object(
    'type', type, 'value', value, 'stacktrace', jsonb_build_object('frames', jsonb_build_array(
      jsonb_build_object('module', 'shop.views', 'filename', 'shop/views.py', 'function', 'handle', 'lineno', 10, 'in_app', true),
      jsonb_build_object('module', 'shop.cart', 'filename', 'shop/cart.py', 'function', fn, 'lineno', 42, 'in_app', true)))))))
$$;
INSERT INTO public.sent VALUES
  -- batch 1, 50000 s ago: four issues in shop
  (1, 'shop', 1, pg_temp.ev(1, pg_temp.exc('KeyError', '''sku-1''', 'total')
       || '{"release":"shop@1.0.0","environment":"production","user":{"id":"42","email":"a@example.org"},"tags":{"region":"eu"}}', 50000)),
  (2, 'shop', 1, pg_temp.ev(2, pg_temp.exc('KeyError', '''sku-2''', 'total')
       || '{"release":"shop@1.0.0","environment":"staging"}', 49990)),
  (3, 'shop', 1, pg_temp.ev(3, '{"message":"Payment 1001 failed after 250ms","level":"warning","release":"shop@1.0.0","environment":"production"}', 49980)),
  (4, 'shop', 1, pg_temp.ev(4, '{"message":"Payment 77 failed after 9ms","level":"warning","release":"shop@1.0.0","environment":"staging"}', 49970)),
  (5, 'shop', 1, pg_temp.ev(5, pg_temp.exc('ValueError', 'bad quantity -1', 'add_item')
       || '{"release":"shop@1.1.0","environment":"production"}', 49960)),
  (6, 'shop', 1, pg_temp.ev(6, '{"message":"cache warmup done","level":"info","logger":"shop.cache"}', 49950)),
  (7, 'api', 1, pg_temp.ev(7, '{"message":"upstream 10.0.0.1 refused","level":"error","release":"api@2.0.0","environment":"production"}', 49940)),
  (8, 'api', 1, pg_temp.ev(8, '{"message":"token for user 9 expired","level":"error","release":"api@2.0.0","environment":"production"}', 49930)),
  (9, 'api', 1, '{"message": "cut short'),
  -- batch 2, after the resolutions and the tombstone
  (10, 'shop', 2, pg_temp.ev(10, '{"message":"Payment 5 failed after 1ms","level":"warning","release":"shop@1.0.0","environment":"production"}', 100)),
  -- older than the release the quantity issue is resolved in: covered, no regression
  (11, 'shop', 2, pg_temp.ev(11, pg_temp.exc('ValueError', 'bad quantity -7', 'add_item')
       || '{"release":"shop@1.0.0","environment":"production"}', 90)),
  (12, 'api', 2, pg_temp.ev(12, '{"message":"token for user 12 expired","level":"error","release":"api@2.0.0","environment":"production"}', 80)),
  (13, 'shop', 2, pg_temp.ev(1, pg_temp.exc('KeyError', '''sku-1''', 'total')
       || '{"release":"shop@1.0.0","environment":"production"}', 50000));

INSERT INTO triage.events (project_id, payload)
SELECT p.id, s.payload FROM public.sent s JOIN triage.projects p ON p.slug = s.project WHERE s.batch = 1 ORDER BY s.n;

-- The payment issue resolved (plain), the quantity issue resolved in shop@1.1.0.
SELECT triage.resolve(group_id) FROM triage.events WHERE event_id = '00000000-0000-0000-0000-000000000003';
SELECT triage.resolve(group_id, 'shop@1.1.0') FROM triage.events WHERE event_id = '00000000-0000-0000-0000-000000000005';
-- The api token issue discarded: its hash now points at a tombstone.
WITH g AS (SELECT group_id AS id, project_id FROM triage.events WHERE event_id = '00000000-0000-0000-0000-000000000008'),
t AS (INSERT INTO triage.group_tombstones (project_id, previous_group_id, level, message)
      SELECT g.project_id, g.id, 'error', 'token for user 9 expired' FROM g RETURNING id, previous_group_id)
UPDATE triage.grouphashes h SET group_id = NULL, group_tombstone_id = t.id FROM t WHERE h.group_id = t.previous_group_id;
DELETE FROM triage.groups WHERE id IN (SELECT group_tombstone.previous_group_id FROM triage.group_tombstones group_tombstone);
DELETE FROM triage.events WHERE event_id = '00000000-0000-0000-0000-000000000008';

INSERT INTO triage.events (project_id, payload)
SELECT p.id, s.payload FROM public.sent s JOIN triage.projects p ON p.slug = s.project WHERE s.batch = 2 ORDER BY s.n;
SQL

# The source is what it should be before it is dumped (so that the comparison means something).
is "$(qdb "$src" "SELECT p.slug, count(*) FROM triage.events e JOIN triage.projects p ON p.id = e.project_id GROUP BY 1 ORDER BY 1")" \
	"api|1
shop|8" "source: stored events per project"
is "$(qdb "$src" "SELECT p.slug, g.short_id, g.status, g.substatus, g.times_seen FROM triage.groups g JOIN triage.projects p ON p.id = g.project_id ORDER BY 1, 2")" \
	"api|1|unresolved|new|1
shop|1|unresolved|new|2
shop|2|unresolved|regressed|3
shop|3|resolved||2
shop|4|unresolved|new|1" \
	"source: issues (status, substatus, times_seen)"
is "$(qdb "$src" "SELECT slug, accepted, duplicates_skipped, discarded, quarantined FROM triage.ingest_stats ORDER BY slug")" \
	"api|1|0|1|1
shop|8|1|0|0" \
	"source: ingest counters (accepted, duplicates, discarded, quarantined)"
is "$(qdb "$src" "SELECT type FROM triage.activities ORDER BY id")" "set_resolved
set_resolved_in_release
set_regression" "source: activities"
is "$(qdb "$src" "SELECT times_discarded FROM triage.group_tombstones")" "1" "source: tombstone hit counted"

# ---------------------------------------------------------------------------------------------
# Dump and restore.
if pg_dump -Fc -f "$work/db.dump" "$src" 2>"$work/dump.err"; then
	pass "pg_dump -Fc"
else
	fail "pg_dump -Fc" "$(cat "$work/dump.err")"
fi
createdb "$dst" || bail "createdb $dst failed"
if pg_restore --exit-on-error -d "$dst" "$work/db.dump" 2>"$work/restore.err" && [ ! -s "$work/restore.err" ]; then
	pass "pg_restore into a new database, without errors or warnings"
else
	fail "pg_restore into a new database, without errors or warnings" "$(head -n 20 "$work/restore.err")"
fi
is "$(qdb "$dst" "SELECT extversion FROM pg_extension WHERE extname = 'pg_triage'")" \
	"$(qdb "$src" "SELECT extversion FROM pg_extension WHERE extname = 'pg_triage'")" "restored extension version"

# Every table of the schema (the extension's config tables: all of them) and every sequence.
tables=$(qdb "$src" "SELECT relname FROM pg_class WHERE relnamespace = 'triage'::regnamespace AND relkind = 'r' ORDER BY 1")
is "$(echo "$tables" | wc -l)" "18" "source has the 18 triage tables"
for t in $tables; do
	sql="SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '-') FROM triage.$t x"
	is "$(qdb "$dst" "$sql")" "$(qdb "$src" "$sql")" "table triage.$t identical after restore"
done
for s in $(qdb "$src" "SELECT relname FROM pg_class WHERE relnamespace = 'triage'::regnamespace AND relkind = 'S' ORDER BY 1"); do
	sql="SELECT last_value || ' ' || is_called FROM triage.$s"
	is "$(qdb "$dst" "$sql")" "$(qdb "$src" "$sql")" "sequence triage.$s at the same position"
done
is "$(qdb "$dst" "SELECT count(*) FROM triage.events WHERE hashes IS NULL OR group_id IS NULL OR title IS NULL OR tags IS NULL OR occurred_at IS NULL")" \
	"0" "restored events keep their computed columns"

# pg_restore loads triage.events before triage.groups (alphabetical), so the comparison above
# would not see restored rows counted again. Loading complete event rows while the issues exist
# (as pg_restore --data-only or a partial reload does) must store them as they are and count
# nothing.
groups_before=$(qdb "$dst" "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM triage.groups x")
events_before=$(qdb "$dst" "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM triage.events x")
stats_before=$(qdb "$dst" "SELECT string_agg(slug || ':' || accepted || ':' || duplicates_skipped, ',' ORDER BY slug) FROM triage.ingest_stats")
psql -X -q -v ON_ERROR_STOP=1 -d "$dst" >"$work/reload.log" 2>&1 <<SQL || fail "reloading event rows with COPY" "$(cat "$work/reload.log")"
\copy (SELECT * FROM triage.events WHERE project_id = (SELECT id FROM triage.projects WHERE slug = 'shop')) TO '$work/events.copy'
DELETE FROM triage.events WHERE project_id = (SELECT id FROM triage.projects WHERE slug = 'shop');
\copy triage.events FROM '$work/events.copy'
SQL
is "$(qdb "$dst" "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM triage.events x")" \
	"$events_before" "reloading complete event rows with COPY: the rows come back as they were"
is "$(qdb "$dst" "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM triage.groups x")" \
	"$groups_before" "reloading complete event rows with COPY: no issue counted again"
is "$(qdb "$dst" "SELECT string_agg(slug || ':' || accepted || ':' || duplicates_skipped, ',' ORDER BY slug) FROM triage.ingest_stats")" \
	"$stats_before" "reloading complete event rows with COPY: no duplicates counted"

# ---------------------------------------------------------------------------------------------
# Life goes on after the restore.
next_id=$(qdb "$src" "SELECT last_value + 1 FROM triage.groups_id_seq")
max_id=$(qdb "$src" "SELECT max(id) FROM triage.groups")
next_short=$(qdb "$src" "SELECT c.value + 1 FROM triage.project_counters c JOIN triage.projects p ON p.id = c.project_id WHERE p.slug = 'shop'")
qdb "$dst" "INSERT INTO triage.events (project_id, payload) SELECT id, '{\"event_id\":\"00000000000000000000000000000101\",\"message\":\"brand new after restore\"}' FROM triage.projects WHERE slug = 'shop'" \
	>/dev/null || fail "insert after restore"
new=$(qdb "$dst" "SELECT g.id || ' ' || g.short_id || ' ' || triage.qualified_short_id(g.id) || ' ' || g.times_seen FROM triage.groups g JOIN triage.events e ON e.group_id = g.id WHERE e.event_id = '00000000-0000-0000-0000-000000000101'")
is "$new" "$next_id $next_short SHOP-$next_short 1" "a new issue after restore takes the next id and short id"
if [ "$next_id" -gt "$max_id" ]; then
	pass "the new id ($next_id) is above every restored id ($max_id)"
else
	fail "the new id ($next_id) is above every restored id ($max_id)"
fi
is "$(qdb "$dst" "SELECT count(*) FROM triage.groups")" "$(($(qdb "$src" "SELECT count(*) FROM triage.groups") + 1))" \
	"the new issue is the only one created"

qdb "$dst" "INSERT INTO triage.events (project_id, payload) SELECT id, '{\"event_id\":\"00000000000000000000000000000102\",\"platform\":\"python\",\"message\":\"cache warmup done\",\"level\":\"info\",\"logger\":\"shop.cache\"}' FROM triage.projects WHERE slug = 'shop'" \
	>/dev/null || fail "insert for a restored issue"
is "$(qdb "$dst" "SELECT group_id || ' ' || (SELECT times_seen FROM triage.groups g WHERE g.id = e.group_id) FROM triage.events e WHERE event_id = '00000000-0000-0000-0000-000000000102'")" \
	"$(qdb "$src" "SELECT id || ' ' || times_seen + 1 FROM triage.groups WHERE title = 'cache warmup done'")" \
	"an event for a restored issue joins it and is counted"

# The same events again: the stored ones are duplicates; the bad one is quarantined again, and
# the two whose hash is tombstoned (the deleted event 8 and event 12) are discarded again.
before=$(qdb "$dst" "SELECT string_agg(id || ':' || times_seen || ':' || last_seen, ',' ORDER BY id) FROM triage.groups")
qdb "$dst" "INSERT INTO triage.events (project_id, payload) SELECT p.id, s.payload FROM public.sent s JOIN triage.projects p ON p.slug = s.project ORDER BY s.n" \
	>/dev/null || fail "sending the events again"
is "$(qdb "$dst" "SELECT slug, accepted, duplicates_skipped, discarded, quarantined FROM triage.ingest_stats ORDER BY slug")" \
	"api|1|1|3|2
shop|10|10|0|0" \
	"sending every event again after restore: stored ones are skipped as duplicates"
is "$(qdb "$dst" "SELECT string_agg(id || ':' || times_seen || ':' || last_seen, ',' ORDER BY id) FROM triage.groups")" \
	"$before" "duplicates change no issue"
is "$(qdb "$dst" "SELECT times_discarded FROM triage.group_tombstones")" "3" "the tombstone counts the new hits"

# A restored resolution still holds: an event of shop@1.0.0 for the issue resolved in
# shop@1.1.0 does not regress it (an event of shop@1.1.0 itself would).
qdb "$dst" "INSERT INTO triage.events (project_id, payload) SELECT id, (SELECT regexp_replace(payload, '0000000b\"', '00000103\"') FROM public.sent WHERE n = 11) FROM triage.projects WHERE slug = 'shop'" \
	>/dev/null || fail "insert for the resolved-in-release issue"
is "$(qdb "$dst" "SELECT g.status || ' ' || g.times_seen FROM triage.groups g JOIN triage.events e ON e.group_id = g.id WHERE e.event_id = '00000000-0000-0000-0000-000000000103'")" \
	"resolved 3" "the issue resolved in shop@1.1.0 stays resolved after restore"

tap_done
