#!/bin/sh
# Installs openid-client, the independent Node.js relying party of the
# OpenID Connect tests (e2e/oidc_node_test.go), from the pinned
# e2e/openid-client/package-lock.json with npm ci. node_modules is not
# committed. Nothing is done when the installed copy matches the lock file.
set -eu
cd "$(dirname "$0")/.."

dir=e2e/openid-client
stamp="$dir/node_modules/.frontdesk-stamp"
want=$(cat "$dir/package-lock.json" "$0" | sha256sum | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dir/node_modules/openid-client" ]; then
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "ensure-openid-client: npm is needed to install openid-client for the OIDC tests (Debian: apt-get install npm)" >&2
	exit 1
fi
echo "== installing openid-client from $dir/package-lock.json"
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
