#!/usr/bin/env bash
# Concurrent ingest stress test: 8 pgbench clients store thousands of events of ~30 hot issues
# built from the recorded SDK payloads (test/sdk/node_events.jsonl, python_events.jsonl), each
# insert with its own event_id, a random environment (production or staging) and its template's
# number in extra.stress_template (extra is not part of grouping).
#   phase 1: single-event transactions (8 clients x 500), creating the issues concurrently;
#   phase 2: 10-event batches of random issues, one environment per batch (8 clients x 50).
# Then: no client error, every event stored and grouped, exactly the expected number of groups
# (the distinct hash lists of the templates, by triage.grouping_hashes), each template's hashes
# pointing to one group, sum(times_seen) = count(events) and times_seen = events per group, no
# duplicate grouphash, short ids 1..N with the project counter at N.
# Environment: STRESS_CLIENTS (8), STRESS_EVENTS (events per client in phase 1, 500),
# STRESS_BATCHES (batches per client in phase 2, 50).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib/tap.sh"

clients=${STRESS_CLIENTS:-8}
per_client=${STRESS_EVENTS:-500}
batches=${STRESS_BATCHES:-50}
batch_size=10
work=$(mktemp -d /tmp/pg_triage_stress.XXXXXX)
trap 'drop_db; rm -rf "$work"' EXIT

make_db "triage_stress_$$"
q "INSERT INTO triage.projects (slug) VALUES ('stress')" >/dev/null || bail "create the project"
load_templates stress_templates "$top/test/sdk/node_events.jsonl" "$top/test/sdk/python_events.jsonl" ||
	bail "load the event templates"
templates=$(q "SELECT count(*) FROM stress_templates")

# The expectation, from the grouping function alone: one issue per distinct hash list. That
# holds when no hash is shared by two different lists (else issues would merge, depending on
# the order events arrive); check that first.
q "CREATE TABLE stress_expected AS SELECT n, triage.grouping_hashes(payload) AS hashes FROM stress_templates" \
	>/dev/null || bail "compute the templates' hashes"
shared=$(q "SELECT count(*) FROM (SELECT h FROM stress_expected, unnest(hashes) h
                                   GROUP BY h HAVING count(DISTINCT hashes) > 1) s")
is "$shared" 0 "templates: no hash shared by two different hash lists ($templates templates)"
expected_groups=$(q "SELECT count(DISTINCT hashes) FROM stress_expected")
expected_hashes=$(q "SELECT count(DISTINCT h) FROM stress_expected, unnest(hashes) h")
[ "$expected_groups" -ge 20 ] && pass "templates: $expected_groups distinct issues expected" ||
	fail "templates: at least 20 distinct issues expected" "got $expected_groups"

# run_clients NAME SCRIPT TRANSACTIONS MAX_TRIES: pgbench with CLIENTS clients, each transaction
# tried up to MAX_TRIES times (pgbench retries deadlock and serialization failures only); checks
# that every transaction succeeded. Sets "retried" to the number of retried transactions.
run_clients() {
	local name=$1 script=$2 transactions=$3 tries=$4 log="$work/$1.log"
	pgbench -n -c "$clients" -j "$clients" -t "$transactions" --max-tries="$tries" --failures-detailed \
		-f "$script" -D "ntemplates=$templates" "$test_db" >"$log" 2>&1
	local rc=$?
	local processed failed errors
	processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\)\/.*/\1/p' "$log")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log")
	retried=$(sed -n 's/^number of transactions retried: \([0-9]*\).*/\1/p' "$log")
	retried=${retried:-0}
	errors=$(grep -ciE 'error|abort' "$log")
	if [ "$rc" -eq 0 ] && [ "${processed:-}" = $((clients * transactions)) ] && [ "${failed:-0}" = 0 ] &&
		[ "$errors" -eq 0 ]; then
		pass "$name: $clients clients x $transactions transactions, no client error"
	else
		local -a detail
		mapfile -t detail < <(grep -iE 'error|abort|deadlock|processed|failed|retried' "$log" | sort | uniq -c | head -n 20)
		fail "$name: $clients clients x $transactions transactions, no client error" "pgbench exit status $rc" "${detail[@]}"
	fi
}

# Phase 1: one event per transaction.
cat >"$work/single.sql" <<'SQL'
\set t random(1, :ntemplates)
\set e random(0, 1)
INSERT INTO triage.events (project_id, payload)
SELECT 1, (payload::jsonb || jsonb_build_object(
                 'event_id', replace(gen_random_uuid()::text, '-', ''),
                 'environment', CASE WHEN :e = 0 THEN 'production' ELSE 'staging' END,
                 'extra', COALESCE(payload::jsonb -> 'extra', '{}') || jsonb_build_object('stress_template', n)))::text
  FROM stress_templates WHERE n = :t;
SQL
# No retries allowed: a single-event transaction must never be a deadlock victim.
run_clients "phase 1 (single events)" "$work/single.sql" "$per_client" 1

# Phase 2: batches of random issues in random order, one environment per batch. The save path
# takes shared row locks in one order whatever the order of the rows (the architecture notes:
# "concurrent writers cannot deadlock"), so no transaction may be a deadlock victim; victims
# would be retried (up to 50 times) so that the counts below are still checked.
cat >"$work/batch.sql" <<SQL
\\set e random(0, 1)
INSERT INTO triage.events (project_id, payload)
SELECT 1, (t.payload::jsonb || jsonb_build_object(
                 'event_id', replace(gen_random_uuid()::text, '-', ''),
                 'environment', CASE WHEN :e = 0 THEN 'production' ELSE 'staging' END,
                 'extra', COALESCE(t.payload::jsonb -> 'extra', '{}') || jsonb_build_object('stress_template', t.n)))::text
  FROM (SELECT i, 1 + floor(random() * :ntemplates)::int AS k FROM generate_series(1, $batch_size) i) r
  JOIN stress_templates t ON t.n = r.k
  JOIN stress_expected x ON x.n = t.n
 ORDER BY random();
SQL
run_clients "phase 2 (random-order batches of $batch_size)" "$work/batch.sql" "$batches" 50
if [ "$retried" -eq 0 ]; then
	pass "phase 2: no transaction was a deadlock victim"
else
	fail "phase 2: no transaction was a deadlock victim" \
		"$retried of $((clients * batches)) transactions were retried after a deadlock"
fi

expected_events=$((clients * per_client + clients * batches * batch_size))
is "$(q "SELECT count(*) FROM triage.events")" "$expected_events" "every event stored ($expected_events)"
is "$(q "SELECT count(*) FROM triage.events WHERE group_id IS NULL")" 0 "every event has an issue"
is "$(q "SELECT count(*) FROM triage.groups")" "$expected_groups" "number of issues"
is "$(q "SELECT count(*) FROM triage.grouphashes")" "$expected_hashes" "number of grouphashes"
is "$(q "SELECT count(*) FROM (SELECT project_id, hash FROM triage.grouphashes
                               GROUP BY 1, 2 HAVING count(*) > 1) d")" 0 "no duplicate grouphash"
is "$(q "SELECT count(*) FROM stress_expected x, unnest(x.hashes) h
           WHERE NOT EXISTS (SELECT 1 FROM triage.grouphashes g WHERE g.hash = h AND g.group_id IS NOT NULL)")" 0 \
	"every template hash is linked to an issue"
is "$(q "SELECT count(*) FROM (SELECT x.hashes FROM stress_expected x, unnest(x.hashes) h
                                 JOIN triage.grouphashes g ON g.hash = h
                                GROUP BY x.hashes HAVING count(DISTINCT g.group_id) <> 1) d")" 0 \
	"each hash list points to exactly one issue"
is "$(q "SELECT count(*) FROM triage.events e
           LEFT JOIN stress_expected x ON x.n = (e.payload::jsonb #>> '{extra,stress_template}')::int
          WHERE e.hashes IS DISTINCT FROM x.hashes")" 0 "each stored event has its template's hashes"
is "$(q "SELECT sum(times_seen) FROM triage.groups")" "$expected_events" "sum(times_seen) = stored events"
is "$(q "SELECT count(*) FROM triage.groups g
          WHERE g.times_seen <> (SELECT count(*) FROM triage.events e WHERE e.group_id = g.id)")" 0 \
	"times_seen = stored events, per issue"
is "$(q "SELECT count(*) FROM triage.groups g WHERE g.last_seen <> (SELECT max(occurred_at) FROM triage.events e
          WHERE e.group_id = g.id) OR g.first_seen <> (SELECT min(occurred_at) FROM triage.events e WHERE e.group_id = g.id)")" 0 \
	"first_seen/last_seen = min/max event time, per issue"
# Short ids: unique, positive, and the counter at or past the highest (a creator that finds the
# issue created by a concurrent insert leaves a gap, as Sentry's counter does).
is "$(q "SELECT count(DISTINCT short_id) = count(*) AND min(short_id) >= 1 FROM triage.groups")" t \
	"short ids are unique and positive"
is "$(q "SELECT (SELECT value FROM triage.project_counters WHERE project_id = 1) >= max(short_id)
           FROM triage.groups")" t "short-id counter >= the highest short id"
is "$(q "SELECT string_agg(name, ',' ORDER BY name) FROM triage.environments")" "production,staging" "environments"
is "$(q "SELECT count(*) FROM triage.group_environments")" "$((expected_groups * 2))" \
	"one group_environments row per issue and environment"
is "$(q "SELECT count(*) FROM triage.activities WHERE type = 'set_regression'")" 0 "no regression"

tap_done
