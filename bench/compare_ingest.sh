#!/usr/bin/env bash
# Ingest cost of a change: bench/save_path.sh run alternately on an older commit (BASE, checked out
# into a temporary worktree) and on this tree, ROUNDS times each (the order alternates every
# round). Each run builds its own tree and starts its own throwaway cluster, so the two builds
# never share a server; within a run the triage INSERT (c) is timed against the bare jsonb INSERT
# (a) of the same run, which takes out the machine's drift between runs. Reports, per version, the
# median (and range) of c in ms and of c/a, and the change: (c/a of this tree) / (c/a of BASE).
#     bench/compare_ingest.sh BASE [ROUNDS] [REPETITIONS]     (defaults: 3 rounds, 3 repetitions)
# Example: bench/compare_ingest.sh da29354    (the save path before the triage layer)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: bench/compare_ingest.sh BASE [ROUNDS] [REPETITIONS]}
rounds=${2:-3}
reps=${3:-3}
. "$top/bench/lib.sh"
bench_require "$generator"
work=$(mktemp -d /tmp/pg_triage_compare.XXXXXX)
cleanup() {
	git -C "$top" worktree remove --force "$work/base" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
git -C "$top" worktree add --detach "$work/base" "$base" >/dev/null
ln -s "$(cd "$top/../shared" && pwd)" "$work/shared" # the base tree finds ../shared
mkdir -p "$top/bench/out"
results="$top/bench/out/compare_ingest.txt"
: >"$results"

# run_one LABEL TREE: one save_path.sh run; appends "LABEL a_ms c_ms" to the results.
run_one() {
	local label=$1 tree=$2 log="$work/$1.log" a c
	(cd "$tree" && bash bench/save_path.sh "$reps") >"$log" 2>&1 || { cat "$log"; exit 1; }
	a=$(sed -n 's/^ a: bare jsonb INSERT *| *[0-9]* | *\([0-9.]*\) .*/\1/p' "$log")
	c=$(sed -n 's/^ c: triage.events *| *[0-9]* | *\([0-9.]*\) .*/\1/p' "$log")
	echo "$label round $round: a ${a} ms, c ${c} ms"
	echo "$label $a $c" >>"$results"
}

for round in $(seq 1 "$rounds"); do
	if [ $((round % 2)) = 1 ]; then
		run_one base "$work/base"; run_one head "$top"
	else
		run_one head "$top"; run_one base "$work/base"
	fi
done

echo
echo "== save_path.sh (c: INSERT into triage.events, a: bare jsonb INSERT), $rounds runs each of $reps repetitions"
python3 - "$results" "$base" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
stats = {}
for label in ("base", "head"):
    c = [float(r[2]) for r in rows if r[0] == label]
    ratio = [float(r[2]) / float(r[1]) for r in rows if r[0] == label]
    stats[label] = statistics.median(ratio)
    name = f"base ({sys.argv[2]})" if label == "base" else "this tree"
    print(f"{name:>20}: c median {statistics.median(c):8.1f} ms ({min(c):.1f}-{max(c):.1f}), "
          f"c/a median {statistics.median(ratio):.3f} ({min(ratio):.3f}-{max(ratio):.3f})")
change = stats["head"] / stats["base"]
print(f"change of c/a: {change:.3f} (target <= 1.10: {'met' if change <= 1.10 else 'NOT met'})")
EOF
