#!/bin/sh
# netbeat package postremove (deb: postrm; rpm: %postun). On `dpkg --purge`
# deletes the data and log directories and the config directory. The netbeat
# user and group are kept (Debian policy: files elsewhere may still be theirs;
# remove them with `userdel netbeat`).
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
if [ "$1" = purge ]; then
  rm -rf /var/lib/netbeat /var/log/netbeat /etc/netbeat
fi
