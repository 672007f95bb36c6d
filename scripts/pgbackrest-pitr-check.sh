#!/usr/bin/env bash
# Proves the pgBackRest configuration of docs/operations.md on a private
# PostgreSQL cluster (port 5499, removed afterwards): WAL archiving, a full
# backup, then a point-in-time restore that brings back the row written
# before the target time and not the one written after it.
# Debian only; needs root (or sudo) and the packages postgresql and pgbackrest.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
ver=$(ls /etc/postgresql | sort -V | tail -n 1)
name=fdpitr
port=5499
work=$(mktemp -d /tmp/fd-pgbackrest-XXXX)
chmod 755 "$work"
conf="$work/pgbackrest.conf"
data="/var/lib/postgresql/$ver/$name"
cleanup() { $SUDO pg_dropcluster --stop "$ver" "$name" >/dev/null 2>&1 || true; $SUDO rm -rf "$work"; }
trap cleanup EXIT
as_pg() { $SUDO -u postgres "$@" 2>/dev/null || su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; }

if ! command -v pgbackrest >/dev/null; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq pgbackrest >/dev/null
fi
$SUDO pg_createcluster "$ver" "$name" --port "$port" >/dev/null
mkdir -p "$work/repo" "$work/log" "$work/spool"
chown -R postgres:postgres "$work"
# The configuration docs/operations.md gives, with this check's paths.
cat > "$conf" <<CONF
[global]
repo1-path=$work/repo
repo1-retention-full=2
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=check-only-passphrase-not-for-production
compress-type=zst
log-path=$work/log
spool-path=$work/spool
start-fast=y

[frontdesk]
pg1-path=$data
pg1-port=$port
CONF
chown postgres:postgres "$conf"
cat >> "/etc/postgresql/$ver/$name/postgresql.conf" <<CONF
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$conf --stanza=frontdesk archive-push %p'
archive_timeout = 60
CONF
$SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
psql_() { as_pg psql -X -q -t -A -p "$port" -d postgres -c "$1"; }
as_pg pgbackrest --config="$conf" --stanza=frontdesk stanza-create >/dev/null
as_pg pgbackrest --config="$conf" --stanza=frontdesk check >/dev/null
psql_ "CREATE TABLE pitr (v text); INSERT INTO pitr VALUES ('before-backup')"
as_pg pgbackrest --config="$conf" --stanza=frontdesk --type=full backup >/dev/null
psql_ "INSERT INTO pitr VALUES ('before-target')"
sleep 1
target=$(psql_ "SELECT now()")
sleep 1
psql_ "INSERT INTO pitr VALUES ('after-target')"
psql_ "SELECT pg_switch_wal()" >/dev/null
as_pg pgbackrest --config="$conf" --stanza=frontdesk check >/dev/null
$SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" stop
as_pg pgbackrest --config="$conf" --stanza=frontdesk --delta --type=time "--target=$target" --target-action=promote restore >/dev/null
$SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
for _ in $(seq 1 30); do
  [ "$(psql_ "SELECT pg_is_in_recovery()")" = "f" ] && break
  sleep 1
done
got=$(psql_ "SELECT string_agg(v, ',' ORDER BY v) FROM pitr")
if [ "$got" != "before-backup,before-target" ]; then
  echo "pgbackrest point-in-time restore to $target gave rows: $got" >&2
  exit 1
fi
echo "pgbackrest: full backup, WAL archive and point-in-time restore to $target checked (rows: $got)"
