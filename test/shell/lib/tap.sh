# Shared by the test/shell/*.sh tests (sourced, not run): TAP-ish "ok N - ..." / "not ok N - ..."
# lines, a private database per test, and psql helpers. The PG* environment variables say
# where the server is (scripts/cluster.sh exports them; so does a developer's shell).

tap_count=0
tap_failed=0

# pass DESCRIPTION / fail DESCRIPTION [DETAIL...]. A description ending in "# TODO reason" marks a
# known failure (TAP's TODO directive): it is reported, and does not fail the test.
pass() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1"
}
fail() {
	tap_count=$((tap_count + 1))
	case $1 in
	*"# TODO"*) ;;
	*) tap_failed=$((tap_failed + 1)) ;;
	esac
	echo "not ok $tap_count - $1"
	shift
	local line
	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

# is GOT EXPECTED DESCRIPTION: exact comparison of two strings.
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "got:      $1" "expected: $2"
	fi
}

# Stops the test: prints the reason as a failed test, and exits non-zero (the EXIT trap cleans up).
bail() {
	fail "$1" "${@:2}"
	echo "# bailed out"
	exit 1
}

# The test's end: a plan line and the exit status.
tap_done() {
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ] || { echo "# $tap_failed of $tap_count failed"; exit 1; }
	exit 0
}

# q SQL: one query in the test's database, unaligned, no headers; fails on any error.
q() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$test_db" -c "$1"
}

# make_db NAME: a fresh database with pg_triage, dropped again when the test exits.
make_db() {
	test_db=$1
	dropdb --if-exists "$test_db" >/dev/null 2>&1
	createdb "$test_db" || bail "create database $test_db"
	q 'CREATE EXTENSION pg_triage' >/dev/null || bail "CREATE EXTENSION pg_triage in $test_db"
}
drop_db() {
	[ -n "${test_db:-}" ] && dropdb --if-exists "$test_db" >/dev/null 2>&1
	return 0
}

# load_templates TABLE FILE...: one row per line of the files (JSON lines, taken verbatim), n from 1.
load_templates() {
	local table=$1 file
	shift
	q "CREATE TABLE $table (n serial PRIMARY KEY, payload text NOT NULL)" >/dev/null || return 1
	for file in "$@"; do
		# CSV with quote and delimiter characters that never occur in the files: lines verbatim.
		psql -X -q -v ON_ERROR_STOP=1 -d "$test_db" \
			-c "\\copy $table (payload) FROM '$file' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')" ||
			return 1
	done
}
