#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the test suite:
# starts the local cluster if it is installed but stopped, installs it with
# apt if it is absent, and gives the postgres role the password the test URL
# uses (harmless where local connections are trusted).
set -euo pipefail
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "== installing postgresql (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi
if ! ready; then
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "== starting PostgreSQL $ver"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
if ! ready; then
  echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2
  exit 1
fi
# A fresh Debian cluster asks for a password over TCP; set the one the tests use.
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -qtAc 'SELECT 1' >/dev/null 2>&1; then
  $SUDO -u postgres psql -qc "ALTER ROLE postgres PASSWORD 'postgres'" >/dev/null 2>&1 \
    || su postgres -c "psql -qc \"ALTER ROLE postgres PASSWORD 'postgres'\"" >/dev/null
fi
