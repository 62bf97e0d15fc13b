#!/usr/bin/env bash
# Regenerates node_events.jsonl, python_events.jsonl and sample_events.jsonl from scratch with the real Sentry SDKs,
# fully offline apart from `npm ci` (see README.md). Needs node >= 20.19 with npm, and Debian's python3-sentry-sdk
# and python3-yaml for /usr/bin/python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

python=/usr/bin/python3
if ! "$python" -c 'import sentry_sdk, yaml' 2>/dev/null; then
	echo "generate.sh: $python lacks sentry_sdk or yaml (apt-get install python3-sentry-sdk python3-yaml)" >&2
	exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Runs a generator mode that ends in an uncaught exception: the SDK reports it and the process exits with status 1.
expect_uncaught_exit() {
	local status=0
	"$@" 2>"$work/uncaught.stderr" || status=$?
	if [[ $status -ne 1 ]]; then
		cat "$work/uncaught.stderr" >&2
		echo "generate.sh: '$*' exited with $status, expected 1" >&2
		exit 1
	fi
}

(cd node && npm ci --no-audit --no-fund --loglevel=error)
node node/generate.js "$work/node.envelopes" handled
node node/generate.js "$work/node.envelopes" nostack
expect_uncaught_exit node node/generate.js "$work/node.envelopes" uncaught

# The logging scenario also prints its records to stderr through Python's last-resort handler; that is expected.
# Run from the scratch folder so that the sys.argv the SDK records names no random temporary path.
(cd "$work" && "$python" "$here/python/generate.py" python.envelopes handled 2>/dev/null)
(cd "$work" && expect_uncaught_exit "$python" "$here/python/generate.py" python.envelopes uncaught)

python3 extract_events.py node_events.jsonl "$work/node.envelopes"
python3 extract_events.py python_events.jsonl "$work/python.envelopes"
python3 make_sample.py sample_events.jsonl node_events.jsonl python_events.jsonl
