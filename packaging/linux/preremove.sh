#!/bin/sh
# netbeat package preremove (deb: prerm remove; rpm: %preun 0): stops the
# service on removal, leaves it running on upgrade.
set -e
case "$1" in
  remove|0) ;;
  *) exit 0 ;;
esac
if [ -d /run/systemd/system ]; then
  systemctl --no-reload disable --now netbeat.service >/dev/null 2>&1 || true
fi
