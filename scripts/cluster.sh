#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster with pg_triage installed from the
# build's staging directory (nothing is written into system directories):
#     scripts/cluster.sh COMMAND [ARG...]
# Uses Debian's pg_virtualenv, which works as root (the server runs as postgres) and removes
# the cluster afterwards. PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE are exported.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
stage="$top/.stage"
if [ ! -d "$stage" ]; then
	echo "cluster.sh: $stage is missing; run make install DESTDIR=$stage first" >&2
	exit 1
fi
# The server (the postgres user when run as root) must read the staged files, wherever the
# checkout lives (a home directory may be closed to it): it gets a world-readable copy.
served=$(mktemp -d /tmp/pg_triage_stage.XXXXXX)
trap 'rm -rf "$served"' EXIT
cp -a "$stage/." "$served/"
chmod -R a+rX "$served"
chmod 755 "$served"
pg_virtualenv -t -v 15 -o "extension_destdir=$served" -o "max_connections=40" -- "$@"
