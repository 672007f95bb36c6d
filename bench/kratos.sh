#!/usr/bin/env bash
# Frontdesk beside Ory Kratos, in one run per database: bench/signin with
# -kratos. Kratos is built here from a source checkout that you give by path
# and that stays outside this repository (nothing of it is committed):
#
#   git clone https://github.com/ory/kratos /somewhere/kratos   # once
#   bench/kratos.sh /somewhere/kratos [OUT.md]
#
# It checks out the pinned release in that checkout, builds it with the
# sqlite tag (Kratos' SQLite support) into a temporary directory, builds
# Frontdesk and the benchmark, and runs the benchmark on SQLite and then on
# the PostgreSQL server at $PG_URL (default: the local one), writing both
# reports to OUT.md (default: kratos-side-by-side.md). Run it from the
# module root on an otherwise idle machine: every figure is compared with
# the raw Argon2id rate measured in the same run.
set -euo pipefail

KRATOS_RELEASE=v1.3.1
src=${1:?usage: bench/kratos.sh KRATOS_SOURCE_CHECKOUT [OUT.md]}
out=${2:-kratos-side-by-side.md}
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case "$(realpath "$src")" in
"$(realpath .)"/*) echo "kratos.sh: keep the Kratos checkout outside this repository" >&2; exit 2 ;;
esac
git -C "$src" checkout --quiet "$KRATOS_RELEASE"
echo "building Ory Kratos $KRATOS_RELEASE from $src"
(cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go build -tags sqlite -o "$work/kratos" .)
"$work/kratos" version | head -3
go build -o "$work/frontdesk" ./cmd/frontdesk
go build -o "$work/signinbench" ./bench/signin

: > "$out"
"$work/signinbench" -server "$work/frontdesk" -kratos "$work/kratos" -profile 0 "${@:3}" | tee -a "$out"
"$work/signinbench" -server "$work/frontdesk" -kratos "$work/kratos" -profile 0 -postgres "$pg" "${@:3}" | tee -a "$out"
echo "reports in $out"
