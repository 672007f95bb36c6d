#!/usr/bin/env bash
# Makes sure pg_dump and psql of the test server's major version are
# installed: Frontdesk's PostgreSQL backups stream pg_dump and restores load
# the dump with psql, and both refuse a client of another major version.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
server=$(PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -qtAc 'SHOW server_version_num' 2>/dev/null || true)
major=$(( ${server:-0} / 10000 ))
have() { command -v "$1" >/dev/null 2>&1 && "$1" --version | grep -q ") $major\."; }
if [ "$major" -gt 0 ] && have pg_dump && have psql; then
  exit 0
fi
pkg=postgresql-client
[ "$major" -gt 0 ] && pkg="postgresql-client-$major"
echo "== installing $pkg (apt) for pg_dump and psql"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg" >/dev/null
