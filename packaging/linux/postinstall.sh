#!/bin/sh
# netbeat package postinstall (deb: postinst configure; rpm: %post).
# Creates the system user, the data and log directories, lets the netbeat
# user read its config, and enables nothing: it prints how to.
set -e
case "$1" in
  configure|1|2|"") ;;   # deb configure, rpm install (1) / upgrade (2)
  *) exit 0 ;;
esac
if ! getent group netbeat >/dev/null; then
  groupadd --system netbeat
fi
if ! getent passwd netbeat >/dev/null; then
  useradd --system --gid netbeat --home-dir /var/lib/netbeat --no-create-home \
    --shell /usr/sbin/nologin --comment "netbeat packet capture" netbeat
fi
install -d -o netbeat -g netbeat -m 0750 /var/lib/netbeat /var/log/netbeat
# libbeat refuses a config writable by group/others or owned by another user:
# root-owned, readable by the netbeat group.
chown root:netbeat /etc/netbeat /etc/netbeat/netbeat.yml /etc/netbeat/netbeat.reference.yml
chmod 0750 /etc/netbeat
chmod 0640 /etc/netbeat/netbeat.yml /etc/netbeat/netbeat.reference.yml
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
cat <<'MSG'
netbeat is installed but not started. Edit /etc/netbeat/netbeat.yml, check it with
  runuser -u netbeat -- netbeat test config
then start netbeat now and at boot with
  systemctl enable --now netbeat
Logs: /var/log/netbeat/ and `journalctl -u netbeat`.
MSG
