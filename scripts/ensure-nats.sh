#!/usr/bin/env bash
# Makes sure a NATS server (with JetStream) answers on 127.0.0.1:4222 for the
# bus tests: installs Debian's nats-server with apt if it is absent, and starts
# it in the background if nothing listens on the port.
set -euo pipefail
ready() { (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo

if ready; then
  exit 0
fi
if [ ! -x /usr/sbin/nats-server ]; then
  echo "== installing nats-server (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nats-server >/dev/null
fi
echo "== starting nats-server"
$SUDO mkdir -p /var/lib/nats-server
$SUDO start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
  -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
for _ in $(seq 1 20); do ready && exit 0; sleep 1; done
echo "NATS does not answer on 127.0.0.1:4222 after 20 s; see /var/log/nats-server.log" >&2
exit 1
