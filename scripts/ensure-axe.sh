#!/bin/sh
# Installs axe-core, the accessibility checker the browser tests run on
# every page (e2e/pagecheck.go), from the pinned e2e/axe/package-lock.json
# with npm ci. node_modules is not committed. Nothing is done when the
# installed copy matches the lock file already.
set -eu
cd "$(dirname "$0")/.."

dir=e2e/axe
stamp="$dir/node_modules/.frontdesk-stamp"

sum() {
	if command -v sha256sum >/dev/null 2>&1; then
		cat "$@" | sha256sum | cut -d' ' -f1
	else
		cat "$@" | shasum -a 256 | cut -d' ' -f1
	fi
}
want=$(sum "$dir/package-lock.json" "$0")

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -s "$dir/node_modules/axe-core/axe.min.js" ]; then
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "ensure-axe: npm is needed to install axe-core for the browser tests (Debian: apt-get install npm)" >&2
	exit 1
fi
echo "== installing axe-core from $dir/package-lock.json"
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
