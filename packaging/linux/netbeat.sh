#!/bin/sh
# /usr/bin/netbeat: runs netbeat in the foreground with the same paths as the
# systemd unit (e.g. `netbeat test config`, `netbeat devices`, `netbeat -e`).
umask 0027
exec /usr/share/netbeat/bin/netbeat \
  --path.home /usr/share/netbeat \
  --path.config /etc/netbeat \
  --path.data /var/lib/netbeat \
  --path.logs /var/log/netbeat \
  "$@"
