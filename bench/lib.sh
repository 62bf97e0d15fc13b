# Shared by the bench/*.sh scripts (sourced, with $top set to the repository).

# The shared benchmark inputs, outside this repository; without them the scripts skip.
generator="$top/../shared/bench/gen_events.py"

# bench_require FILE...: stops the script (exit 0, a SKIPPED line) when an input is absent.
bench_require() {
	local f
	for f in "$@"; do
		if [ ! -f "$f" ]; then
			echo "SKIPPED: $f not found (the shared benchmark inputs are absent)"
			exit 0
		fi
	done
}

# The tables the save path writes, for TRUNCATE and VACUUM between runs.
triage_tables="triage.events, triage.groups, triage.grouphashes, triage.group_tombstones,
  triage.rejected_events, triage.ingest_counters, triage.environments, triage.releases,
  triage.release_environments, triage.group_environments, triage.group_releases,
  triage.group_resolutions, triage.activities, triage.project_counters, triage.tag_keys,
  triage.group_snoozes, triage.group_redirects"

# bench_reexec SCRIPT ARGS...: runs the script again inside the benchmark's server (BENCH_INSIDE=1):
# the server of the PG* environment with BENCH_CLUSTER=current, else a throwaway cluster
# (scripts/cluster.sh) of the build in .stage/, built first unless BENCH_NO_BUILD=1.
bench_reexec() {
	if [ "${BENCH_CLUSTER:-}" = current ]; then
		BENCH_INSIDE=1 exec bash "$@"
	fi
	[ -n "${BENCH_NO_BUILD:-}" ] || bash scripts/build.sh
	BENCH_INSIDE=1 exec scripts/cluster.sh bash "$@"
}
