#!/bin/sh
# Builds the browser files of remote assistance: installs the pinned rrweb
# packages (web/assist/package-lock.json) with npm ci and copies their
# ready-made browser builds into internal/assist/static/, which the binary
# embeds. The copies are not committed. Nothing is done when the copies
# match the lock file already, so make run, build and test stay fast.
# FRONTDESK_SKIP_ASSETS=1 skips the step (the binary then serves no
# recorder, and co-browsing pages say so).
set -eu
cd "$(dirname "$0")/.."

src=web/assist
out=internal/assist/static
stamp="$out/.build-stamp"

if [ "${FRONTDESK_SKIP_ASSETS:-}" = 1 ]; then
	exit 0
fi

sum() {
	if command -v sha256sum >/dev/null 2>&1; then
		cat "$@" | sha256sum | cut -d' ' -f1
	else
		cat "$@" | shasum -a 256 | cut -d' ' -f1
	fi
}
want=$(sum "$src/package-lock.json" "$0")

# source in node_modules → name in the embedded folder
copies="@rrweb/record/dist/record.umd.min.cjs:rrweb-record.js
@rrweb/replay/dist/replay.umd.min.cjs:rrweb-replay.js
@rrweb/replay/dist/style.min.css:rrweb-replay.css"

built() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || return 1
	for c in $copies; do
		[ -s "$out/${c#*:}" ] || return 1
	done
}
if built; then
	exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
	echo "build-assets: npm is needed once to build the co-browsing recorder (Debian: apt-get install npm); FRONTDESK_SKIP_ASSETS=1 skips it" >&2
	exit 1
fi
echo "build-assets: installing rrweb from $src/package-lock.json"
(cd "$src" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

mkdir -p "$out"
for c in $copies; do
	from="$src/node_modules/${c%%:*}"
	to="$out/${c#*:}"
	cp "$from" "$to.tmp"
	mv "$to.tmp" "$to"
done
# The packages are MIT-licensed; keep their names, versions and licence beside the copies.
node -e '
const fs = require("fs");
const lines = ["Third-party browser files embedded for remote assistance (built by scripts/build-assets.sh):", ""];
for (const p of ["@rrweb/record", "@rrweb/replay"]) {
  const j = JSON.parse(fs.readFileSync(process.argv[1] + "/node_modules/" + p + "/package.json"));
  lines.push(j.name + " " + j.version + " — licence " + j.license + " — " + (j.homepage || "https://github.com/rrweb-io/rrweb"));
}
fs.writeFileSync(process.argv[2], lines.join("\n") + "\n");
' "$src" "$out/rrweb-NOTICE.txt"
echo "$want" > "$stamp"
echo "build-assets: rrweb recorder and replayer copied to $out"
