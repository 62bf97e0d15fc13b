#!/usr/bin/env bash
# Crash safety of the save path: a large INSERT ... SELECT of generated events (new and existing
# issues, releases, environments) is stopped mid-way, and the database must hold exactly what it
# held before, consistently:
#   terminate (gated)  pg_terminate_backend while the statement waits at its 10001st row of 20000;
#   terminate (busy)   pg_terminate_backend 1 s into a 100000-event statement;
#   kill -9 (gated)    kill -9 of the backend (the postmaster then restarts every backend and
#   kill -9 (busy)     recovers; the test waits until the server accepts connections again);
#   cancel             pg_cancel_backend, and the same session then stores more events;
#   savepoint          a bad event at row 10001 fails the statement inside a savepoint; the
#                      transaction rolls back to it, stores more events and commits.
# After each: no event of the stopped statement is stored, every issue's times_seen equals its
# stored events, no grouphash, event or side-table row points to a missing issue, the short-id
# counter is not behind the short ids, and the same counts as before (plus what was stored after).
# At the end a fresh insert (an existing and a new issue) works.
# kill -9 restarts every backend of the server: it runs only when PG_TRIAGE_THROWAWAY_CLUSTER=1
# (scripts/test.sh sets it inside its throwaway cluster), and needs the rights to signal the
# server's processes (root, or the server's user).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/tap.sh"

work=$(mktemp -d /tmp/pg_triage_crash.XXXXXX)
victim_app="triage_crash_victim_$$"
trap 'drop_db; rm -rf "$work"' EXIT

make_db "triage_crash_$$"
q "INSERT INTO triage.projects (slug) VALUES ('crash')" >/dev/null || bail "create the project"
# Passes the payload on; at row GATE_ROW it sleeps (until the backend is stopped).
q "CREATE FUNCTION crash_gate(i integer, gate_row integer, payload text) RETURNS text LANGUAGE plpgsql VOLATILE AS \$\$
   BEGIN
     IF i = gate_row THEN PERFORM pg_sleep(600); END IF;
     RETURN payload;
   END \$\$" >/dev/null || bail "create crash_gate()"

# events_sql COUNT FIRST_ISSUES [GATE_ROW] [BAD_ROW]: an INSERT of COUNT generated events over issues
# crash-issue-0 .. crash-issue-(FIRST_ISSUES - 1) (custom fingerprints), three releases, two
# environments, three levels. Row GATE_ROW sleeps; row BAD_ROW is invalid JSON.
events_sql() {
	local count=$1 issues=$2 gate=${3:-0} bad=${4:-0}
	cat <<SQL
INSERT INTO triage.events (project_id, payload)
SELECT 1, crash_gate(i, $gate, CASE WHEN i = $bad THEN '{"message": ' ELSE jsonb_build_object(
         'event_id', replace(gen_random_uuid()::text, '-', ''),
         'message', 'Crash test event number ' || i,
         'fingerprint', jsonb_build_array('crash-issue-' || (i % $issues)),
         'level', (ARRAY['error', 'warning', 'fatal'])[1 + i % 3],
         'release', 'shop@1.' || (i % 3) || '.0',
         'environment', (ARRAY['production', 'staging'])[1 + i % 2],
         'tags', jsonb_build_object('shard', (i % 7)::text),
         'platform', 'python')::text END)
  FROM generate_series(1, $count) i;
SQL
}

# The database's state, compared before and after a stopped statement.
snapshot() {
	q "SELECT (SELECT count(*) FROM triage.events) || ' events, ' ||
	          (SELECT count(*) FROM triage.groups) || ' issues, ' ||
	          (SELECT COALESCE(sum(times_seen), 0) FROM triage.groups) || ' times_seen, ' ||
	          (SELECT count(*) FROM triage.grouphashes) || ' grouphashes, ' ||
	          (SELECT count(*) FROM triage.group_environments) || ' group_environments, ' ||
	          (SELECT count(*) FROM triage.group_releases) || ' group_releases, ' ||
	          (SELECT count(*) FROM triage.releases) || ' releases, ' ||
	          (SELECT COALESCE(sum(new_issues_count), 0) FROM triage.release_environments) || ' new_issues_count, ' ||
	          (SELECT COALESCE(sum(new_groups), 0) FROM triage.releases) || ' release new_groups'"
}

# The invariants, as one line per broken rule (empty: all hold).
broken_invariants() {
	q "SELECT 'issues whose times_seen is not their stored events: ' || count(*) FROM triage.groups g
	    WHERE g.times_seen <> (SELECT count(*) FROM triage.events e WHERE e.group_id = g.id) HAVING count(*) > 0
	   UNION ALL
	   SELECT 'grouphashes pointing to a missing issue: ' || count(*) FROM triage.grouphashes h
	    WHERE h.group_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM triage.groups g WHERE g.id = h.group_id)
	   HAVING count(*) > 0
	   UNION ALL
	   SELECT 'events pointing to a missing issue: ' || count(*) FROM triage.events e
	    WHERE e.group_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM triage.groups g WHERE g.id = e.group_id)
	   HAVING count(*) > 0
	   UNION ALL
	   SELECT 'events without an issue: ' || count(*) FROM triage.events WHERE group_id IS NULL HAVING count(*) > 0
	   UNION ALL
	   SELECT 'issues without a grouphash: ' || count(*) FROM triage.groups g
	    WHERE NOT EXISTS (SELECT 1 FROM triage.grouphashes h WHERE h.group_id = g.id) HAVING count(*) > 0
	   UNION ALL
	   SELECT 'group_environments/group_releases rows of a missing issue: ' || count(*)
	     FROM (SELECT group_id FROM triage.group_environments UNION ALL SELECT group_id FROM triage.group_releases) s
	    WHERE NOT EXISTS (SELECT 1 FROM triage.groups g WHERE g.id = s.group_id) HAVING count(*) > 0
	   UNION ALL
	   SELECT 'release_environments/group_releases rows of a missing release: ' || count(*)
	     FROM (SELECT release_id FROM triage.release_environments UNION ALL SELECT release_id FROM triage.group_releases) s
	    WHERE NOT EXISTS (SELECT 1 FROM triage.releases r WHERE r.id = s.release_id) HAVING count(*) > 0
	   UNION ALL
	   SELECT 'issues whose first/last_seen are not their events'' min/max time: ' || count(*) FROM triage.groups g
	    WHERE g.first_seen IS DISTINCT FROM (SELECT min(occurred_at) FROM triage.events e WHERE e.group_id = g.id)
	       OR g.last_seen IS DISTINCT FROM (SELECT max(occurred_at) FROM triage.events e WHERE e.group_id = g.id)
	   HAVING count(*) > 0
	   UNION ALL
	   SELECT 'short-id counter behind the short ids: ' || c.value || ' < ' || max(g.short_id)
	     FROM triage.project_counters c JOIN triage.groups g ON g.project_id = c.project_id
	    GROUP BY c.value HAVING c.value < max(g.short_id)"
}

check_invariants() { # LABEL
	local broken
	broken=$(broken_invariants 2>&1)
	if [ -z "$broken" ]; then
		pass "$1: counts and links consistent"
	else
		local -a lines
		mapfile -t lines <<<"$broken"
		fail "$1: counts and links consistent" "${lines[@]}"
	fi
}

# wait_for SQL_CONDITION SECONDS: polls until the condition is true.
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(q "SELECT ($1)" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_for_server SECONDS: until the server accepts connections and has finished recovery.
wait_for_server() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ "$(q "SELECT NOT pg_is_in_recovery()" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}

victim_backend() {
	q "SELECT pid FROM pg_stat_activity WHERE application_name = '$victim_app' AND state = 'active' LIMIT 1"
}

# start_victim SQL_FILE: runs the file in the background (one session, statements go on after an error).
start_victim() {
	PGAPPNAME=$victim_app psql -X -q -d "$test_db" -f "$1" >"$work/victim.log" 2>&1 &
	victim_shell=$!
}

# run_case LABEL HOW WHEN STATEMENT_SQL [AFTER_SQL AFTER_EVENTS]
#   HOW: terminate | kill9 | cancel; WHEN: gated (the statement sleeps at a row) | busy (1 s in).
#   AFTER_SQL runs in the same session after the stopped statement (cancel only) and stores
#   AFTER_EVENTS events.
run_case() {
	local label=$1 how=$2 when=$3 statement=$4 after=${5:-} after_events=${6:-0}
	local before before_events after_state pid
	before=$(snapshot) || bail "$label: read the state"
	before_events=$(q "SELECT count(*) FROM triage.events")
	{ echo "$statement"; echo "$after"; } >"$work/victim.sql"
	start_victim "$work/victim.sql"
	if [ "$when" = gated ]; then
		wait_for "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '$victim_app'
		                    AND wait_event = 'PgSleep')" 120 ||
			bail "$label: the statement did not reach its gate" "$(cat "$work/victim.log")"
	else
		wait_for "EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '$victim_app'
		                    AND state = 'active' AND query LIKE 'INSERT%'
		                    AND query_start < clock_timestamp() - interval '1 second')" 120 ||
			bail "$label: the statement did not run for 1 s" "$(cat "$work/victim.log")"
	fi
	pid=$(victim_backend)
	[ -n "$pid" ] || bail "$label: no backend to stop"
	case $how in
	terminate) q "SELECT pg_terminate_backend($pid)" >/dev/null ;;
	cancel) q "SELECT pg_cancel_backend($pid)" >/dev/null ;;
	kill9) kill -9 "$pid" || bail "$label: kill -9 $pid (not allowed to signal the server's processes?)" ;;
	esac
	wait "$victim_shell"
	if [ "$how" = kill9 ]; then
		wait_for_server 120 || bail "$label: the server did not come back within 120 s"
		pass "$label: the server recovered and accepts connections"
	fi
	local expected_error
	case $how in
	terminate) expected_error='terminating connection due to administrator command' ;;
	kill9) expected_error='server closed the connection unexpectedly' ;;
	cancel) expected_error='canceling statement due to user request' ;;
	esac
	if grep -q "$expected_error" "$work/victim.log"; then
		pass "$label: the statement was stopped ($expected_error)"
	else
		fail "$label: the statement was stopped ($expected_error)" "session output: $(tr '\n' ' ' <"$work/victim.log")"
	fi
	after_state=$(snapshot)
	if [ -n "$after" ]; then
		# The session stored more events after the stopped statement.
		is "$(q "SELECT count(*) FROM triage.events")" "$((before_events + after_events))" \
			"$label: only the $after_events events stored after the stopped statement were added"
	else
		is "$after_state" "$before" "$label: nothing of the stopped statement is left"
	fi
	check_invariants "$label"
}

# The baseline: 40 issues with releases and environments, stored completely.
events_sql 20000 40 >"$work/seed.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$test_db" -f "$work/seed.sql" >/dev/null || bail "store the baseline events"
is "$(q "SELECT count(*) || ' ' || sum(times_seen) FROM triage.groups")" "40 20000" "baseline: 40 issues, 20000 events"
check_invariants "baseline"

# The stopped statements also create issues crash-issue-40 .. 59 (new) and meet existing ones.
run_case "terminate (gated)" terminate gated "$(events_sql 20000 60 10001)"
run_case "terminate (busy)" terminate busy "$(events_sql 100000 60)"
if [ "${PG_TRIAGE_THROWAWAY_CLUSTER:-0}" = 1 ]; then
	run_case "kill -9 (gated)" kill9 gated "$(events_sql 20000 60 10001)"
	run_case "kill -9 (busy)" kill9 busy "$(events_sql 100000 60)"
else
	pass "kill -9 # SKIP it restarts every backend: set PG_TRIAGE_THROWAWAY_CLUSTER=1 on a throwaway cluster"
fi
run_case "cancel" cancel gated "$(events_sql 20000 60 10001)" "$(events_sql 1000 60)" 1000
is "$(q "SELECT count(*) FROM triage.groups")" 60 "cancel: the same session then created the 20 new issues"

# A failed statement inside a savepoint, the transaction goes on and commits.
before_events=$(q "SELECT count(*) FROM triage.events")
{
	echo "BEGIN;"
	echo "SAVEPOINT s;"
	events_sql 20000 80 0 10001
	echo "ROLLBACK TO SAVEPOINT s;"
	events_sql 500 80
	echo "COMMIT;"
} >"$work/savepoint.sql"
psql -X -q -d "$test_db" -f "$work/savepoint.sql" >"$work/savepoint.log" 2>&1
if grep -q 'invalid event' "$work/savepoint.log"; then
	pass "savepoint: the statement failed on its bad event"
else
	fail "savepoint: the statement failed on its bad event" "$(tr '\n' ' ' <"$work/savepoint.log")"
fi
is "$(q "SELECT count(*) FROM triage.events")" "$((before_events + 500))" "savepoint: only the 500 later events were stored"
is "$(q "SELECT count(*) FROM triage.groups")" 80 "savepoint: issues crash-issue-60 .. 79 created once, by the later statement"
check_invariants "savepoint"

# A fresh insert: an existing issue and a new one.
existing=$(q "SELECT group_id FROM triage.events WHERE payload LIKE '%\"crash-issue-1\"%' LIMIT 1")
existing_seen=$(q "SELECT times_seen FROM triage.groups WHERE id = $existing")
max_short_id=$(q "SELECT max(short_id) FROM triage.groups")
if q "INSERT INTO triage.events (project_id, payload) VALUES
        (1, jsonb_build_object('fingerprint', jsonb_build_array('crash-issue-1'), 'message', 'after the crashes')::text),
        (1, jsonb_build_object('fingerprint', jsonb_build_array('crash-issue-new'), 'message', 'a new issue')::text)" \
	>/dev/null 2>"$work/fresh.log"; then
	pass "fresh insert after the stopped statements"
else
	fail "fresh insert after the stopped statements" "$(cat "$work/fresh.log")"
fi
is "$(q "SELECT group_id || ' ' || (SELECT times_seen FROM triage.groups WHERE id = group_id)
           FROM triage.events WHERE payload LIKE '%after the crashes%'")" "$existing $((existing_seen + 1))" \
	"fresh insert: the existing issue counts the event"
is "$(q "SELECT g.short_id || ' ' || g.times_seen FROM triage.events e JOIN triage.groups g ON g.id = e.group_id
          WHERE e.payload LIKE '%a new issue%'")" "$((max_short_id + 1)) 1" \
	"fresh insert: the new issue gets the next short id, times_seen 1"
check_invariants "fresh insert"

tap_done
