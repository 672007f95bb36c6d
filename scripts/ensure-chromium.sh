#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -n "${FRONTDESK_CHROMIUM:-}" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Chromium is missing and this user cannot install it: apt-get install chromium" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "== installing chromium (apt)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
