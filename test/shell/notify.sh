#!/usr/bin/env bash
# NOTIFY triage_issues: a committed new issue sends one notification with a JSON payload
# {"event":"new_issue","project_id","group_id","short_id","title"}; a rolled-back insert sends
# none; events of an existing issue send none; a regression sends {"event":"regression",...};
# an ignored issue whose condition an event meets sends {"event":"escalation",...}.
# A listening psql reads its commands from a FIFO. After each step another session sends a
# marker notification on the same channel, and the listener is poked until the marker arrives:
# notifications are delivered in commit order, so each is attributed to its step.
# KEEP_WORK=1 keeps the listener's output (in /tmp/triage_notify.*) for debugging.
# Needs PGHOST/PGPORT/PGUSER of a cluster with pg_triage installed; creates and drops its own
# database. Prints "ok N - ..." / "not ok N - ..." lines; exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib/tap.sh"

db="triage_notify_$$_$(date +%s)"
work=$(mktemp -d /tmp/triage_notify.XXXXXX)
listener=""
cleanup() {
	if [ -n "$listener" ]; then
		exec 3>&- 2>/dev/null
		kill "$listener" 2>/dev/null
		wait "$listener" 2>/dev/null
	fi
	dropdb --if-exists "$db" >/dev/null 2>&1
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# The shared q queries $test_db, set by make_db.
make_db "$db"
q "INSERT INTO triage.projects (slug) VALUES ('shop'); INSERT INTO triage.projects (slug) VALUES ('api')" || bail "projects"
shop=$(q "SELECT id FROM triage.projects WHERE slug = 'shop'")
api=$(q "SELECT id FROM triage.projects WHERE slug = 'api'")

# The listener.
mkfifo "$work/in"
psql -X -q -At -d "$db" <"$work/in" >"$work/out" 2>&1 &
listener=$!
exec 3>"$work/in"
echo "LISTEN triage_issues;" >&3
echo "SELECT 'listening';" >&3
for _ in $(seq 1 200); do
	grep -qx listening "$work/out" 2>/dev/null && break
	sleep 0.05
done
grep -qx listening "$work/out" || bail "the listener did not start: $(cat "$work/out")"

step=0
# mark: ends the current step. Another session sends NOTIFY triage_issues 'mark-N'; it commits
# after everything the step did, so the listener receives it after the step's notifications.
# The listener is poked with a query (psql prints notifications after a query) until the
# marker shows up (at most 10 s).
mark() {
	step=$((step + 1))
	q "NOTIFY triage_issues, 'mark-$step'" || bail "NOTIFY failed"
	for _ in $(seq 1 200); do
		echo "SELECT 'poke';" >&3
		grep -q "^Asynchronous notification \"triage_issues\" with payload \"mark-$step\" received" "$work/out" 2>/dev/null && return 0
		sleep 0.05
	done
	bail "the listener did not receive marker $step"
}
# notifications STEP: the payloads received during that step (after the previous marker, before its own).
notifications() {
	sed -n 's/^Asynchronous notification "triage_issues" with payload "\(.*\)" received from server process with PID [0-9]*\.$/\1/p' "$work/out" |
		awk -v from="mark-$(($1 - 1))" -v to="mark-$1" '
			$0 == to { exit }
			started { print }
			$0 == from || from == "mark-0" { started = 1 }
		'
}
mark # step 1: LISTEN is in place
ev() { # ev ID MESSAGE [EXTRA-JSON]: an event payload 50000 s old with a fixed event id
	printf '{"event_id":"%032x","timestamp":%d,"message":"%s"%s}' "$1" "$(($(date +%s) - 50000))" "$2" "${3:+,$3}"
}

# Step 2: a new issue, committed.
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 1 'Disk 3 is full' '"level":"warning","release":"shop@1.0"')')" ||
	fail "insert a new issue"
mark
gid=$(q "SELECT group_id FROM triage.events WHERE event_id = '00000000-0000-0000-0000-000000000001'")
expected="{\"event\":\"new_issue\",\"project_id\":$shop,\"group_id\":$gid,\"short_id\":\"SHOP-1\",\"title\":\"Disk 3 is full\"}"
got=$(notifications 2)
is "$(printf '%s' "$got" | grep -c .)" "1" "a committed new issue: one notification"
is "$got" "$expected" "the payload is the new issue's JSON"
if [ -n "$got" ] && psql -X -q -At -d "$db" -v ON_ERROR_STOP=1 \
	-c "SELECT (\$\$$got\$\$::jsonb ?& ARRAY['event', 'project_id', 'group_id', 'short_id', 'title'])::text" | grep -qx true; then
	pass "the payload parses as JSON with event, project_id, group_id, short_id and title"
else
	fail "the payload parses as JSON with event, project_id, group_id, short_id and title" "payload: $got"
fi

# Step 3: a new issue in a transaction that rolls back.
q "BEGIN; INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 2 'Printer on fire')'); ROLLBACK;" ||
	fail "insert and roll back"
mark
is "$(notifications 3)" "" "a rolled-back new issue: no notification"
is "$(q "SELECT count(*) FROM triage.groups WHERE title = 'Printer on fire'")" "0" "the rolled-back issue is not stored"

# Step 4: more events of the existing issue (two statements, one of them with two rows).
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 3 'Disk 4 is full' '"level":"warning","release":"shop@1.0"')')" ||
	fail "insert an event of an existing issue"
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 4 'Disk 5 is full' '"level":"warning"')'), ($shop, '$(ev 5 'Disk 6 is full' '"level":"warning"')')" ||
	fail "insert two events of an existing issue"
mark
is "$(notifications 4)" "" "events of an existing issue: no notification"
is "$(q "SELECT times_seen FROM triage.groups WHERE id = $gid")" "4" "they joined the issue"

# Step 5: two new issues in one transaction, in two projects, and a duplicate event id.
q "BEGIN;
   INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 6 'Cache miss storm')'), ($api, '$(ev 7 'Token expired for user 9')');
   INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 1 'Disk 3 is full')');
   COMMIT;" || fail "insert two new issues in one transaction"
mark
g6=$(q "SELECT group_id FROM triage.events WHERE event_id = '00000000-0000-0000-0000-000000000006'")
g7=$(q "SELECT group_id FROM triage.events WHERE event_id = '00000000-0000-0000-0000-000000000007'")
is "$(notifications 5)" \
	"{\"event\":\"new_issue\",\"project_id\":$shop,\"group_id\":$g6,\"short_id\":\"SHOP-2\",\"title\":\"Cache miss storm\"}
{\"event\":\"new_issue\",\"project_id\":$api,\"group_id\":$g7,\"short_id\":\"API-1\",\"title\":\"Token expired for user 9\"}" \
	"two new issues in one committed transaction: two notifications, in order"

# Step 6: a new issue whose title needs JSON escaping.
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 8 'Quote \\\" and back\\\\slash in title')')" ||
	fail "insert an issue with quotes in its title"
mark
g8=$(q "SELECT group_id FROM triage.events WHERE event_id = '00000000-0000-0000-0000-000000000008'")
got=$(notifications 6)
is "$(psql -X -q -At -d "$db" -c "SELECT \$\$$got\$\$::jsonb ->> 'title'" 2>&1)" \
	"$(q "SELECT title FROM triage.groups WHERE id = $g8")" \
	"a title with a quote and a backslash is escaped in the payload"

# Step 7: the first issue resolved; the resolution itself notifies nothing.
is "$(q "SELECT triage.resolve($gid)")" "1" "resolve"
mark
is "$(notifications 7)" "" "resolving: no notification"

# Step 8: an event of the resolved issue: a regression.
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '{\"event_id\":\"$(printf '%032x' 9)\",\"message\":\"Disk 9 is full\",\"level\":\"warning\"}')" ||
	fail "insert the regressing event"
mark
# The title is the issue's title once the event is in: the regressing event's own.
is "$(q "SELECT title FROM triage.groups WHERE id = $gid")" "Disk 9 is full" "the regressed issue's title is the regressing event's"
is "$(notifications 8)" \
	"{\"event\":\"regression\",\"project_id\":$shop,\"group_id\":$gid,\"short_id\":\"SHOP-1\",\"title\":\"Disk 9 is full\"}" \
	"a regression: one notification with event regression and the issue's title"
is "$(q "SELECT status || ' ' || substatus FROM triage.groups WHERE id = $gid")" "unresolved regressed" "the issue is unresolved/regressed"

# Step 9: the next event of the regressed issue: nothing.
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '{\"event_id\":\"$(printf '%032x' 10)\",\"message\":\"Disk 10 is full\",\"level\":\"warning\"}')" ||
	fail "insert another event"
mark
is "$(notifications 9)" "" "the next event of a regressed issue: no notification"

# Step 10: a regression rolled back: nothing, and the issue stays resolved. The regression
# just now made the issue active at this moment; an event dated 30 s ahead is past the 5 s window.
is "$(q "SELECT triage.resolve($gid)")" "1" "resolve again"
ahead=$(($(date +%s) + 30))
q "BEGIN; INSERT INTO triage.events (project_id, payload) VALUES ($shop, '{\"event_id\":\"$(printf '%032x' 11)\",\"timestamp\":$ahead,\"message\":\"Disk 10 is full\"}'); ROLLBACK;" ||
	fail "insert a regression and roll back"
mark
is "$(notifications 10)" "" "a rolled-back regression: no notification"
is "$(q "SELECT status FROM triage.groups WHERE id = $gid")" "resolved" "the issue stays resolved"

# Step 11: the same event committed: the regression and its notification happen (its title
# is the issue's current one, so the payload does not depend on when the title is updated).
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '{\"event_id\":\"$(printf '%032x' 11)\",\"timestamp\":$ahead,\"message\":\"Disk 10 is full\"}')" ||
	fail "insert the regression again and commit"
mark
is "$(notifications 11)" \
	"{\"event\":\"regression\",\"project_id\":$shop,\"group_id\":$gid,\"short_id\":\"SHOP-1\",\"title\":\"Disk 10 is full\"}" \
	"the same regression committed: one notification"

# Step 12: a new issue in a savepoint rolled back, then another one, committed: only the second
# notifies, and it takes the short id the rolled-back one had.
q "BEGIN;
   SAVEPOINT s;
   INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 12 'Issue in a savepoint')');
   ROLLBACK TO SAVEPOINT s;
   INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 13 'Issue kept')');
   COMMIT;" || fail "savepoint transaction"
mark
g13=$(q "SELECT group_id FROM triage.events WHERE event_id = '00000000-0000-0000-0000-00000000000d'")
is "$(notifications 12)" \
	"{\"event\":\"new_issue\",\"project_id\":$shop,\"group_id\":$g13,\"short_id\":\"SHOP-4\",\"title\":\"Issue kept\"}" \
	"a new issue rolled back to a savepoint: no notification; the committed one: one"

# Step 13: an issue ignored until 2 more events: the first sends nothing, the second escalates it.
is "$(q "SELECT triage.ignore($g13, until_events => 2)")" "1" "ignore until 2 more events"
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 14 'Issue kept')')" || fail "insert an event of the ignored issue"
mark
is "$(notifications 13)" "" "an ignored issue's event below its condition: no notification"
# Step 14: the event that meets the condition.
q "INSERT INTO triage.events (project_id, payload) VALUES ($shop, '$(ev 15 'Issue kept')')" || fail "insert the escalating event"
mark
is "$(notifications 14)" \
	"{\"event\":\"escalation\",\"project_id\":$shop,\"group_id\":$g13,\"short_id\":\"SHOP-4\",\"title\":\"Issue kept\"}" \
	"the event that meets the ignore condition: one escalation notification"

echo "\\q" >&3
exec 3>&-
wait "$listener"
listener=""
if grep -q "ERROR" "$work/out"; then
	fail "the listener saw no error" "$(grep ERROR "$work/out")"
else
	pass "the listener saw no error"
fi

tap_done
