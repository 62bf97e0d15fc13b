#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install dependencies, build, start a throwaway
# cluster, CREATE EXTENSION pg_triage, load the bundled sample of real SDK events and print
# how they group (each event's grouping hashes, then the groups they form).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/install-deps.sh
bash scripts/build.sh
scripts/cluster.sh psql -X -v ON_ERROR_STOP=1 -q -f scripts/demo.sql
