#!/usr/bin/env bash
# Installs what pg_triage needs to build and test, from Debian's packages (run as root, or
# with sudo available). Skips the install when everything is already there.
set -euo pipefail

packages=(
	build-essential cmake pkg-config
	postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
	rapidjson-dev libxxhash-dev libpcre2-dev
	libgtest-dev libbenchmark-dev
	clang libclang-rt-14-dev
	python3
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
