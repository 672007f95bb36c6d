#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests, with a
# CJK font: without one the Chinese pages are drawn as empty boxes, and
# neither their screenshots nor their widths are what a reader sees.
set -euo pipefail
need=()
if ! command -v chromium >/dev/null 2>&1 && [ -z "${FRONTDESK_CHROMIUM:-}" ]; then
  need+=(chromium)
fi
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "${need[*]} missing and this user cannot install them: apt-get install ${need[*]}" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "== installing ${need[*]} (apt)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
