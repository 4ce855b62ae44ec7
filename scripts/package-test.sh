#!/usr/bin/env bash
# Integration tests of netbeat's packages and services (issue #6), run by
# scripts/test.sh (and `go run mage.go packageTest`). Needs root: it installs
# the .deb on this machine, then purges it. Every check fails loudly; nothing
# is skipped. Steps:
#   1. unit tests of packaging/ (its own Go module: nfpm)
#   2. `go run mage.go package`: .deb, .rpm, .tar.gz (linux/amd64), .zip (windows/amd64)
#   3. .deb: dpkg -i, files/owners/modes, conffile, netbeat user, nothing enabled,
#      systemd-analyze verify + security --offline, `netbeat test config` as netbeat,
#      live AF_PACKET capture as netbeat with only CAP_NET_RAW/CAP_NET_ADMIN
#      (and its failure without them), upgrade keeps an edited netbeat.yml,
#      `netbeat plugin new` on the installed SDK tests and builds offline,
#      dpkg --purge removes everything
#   4. .rpm: content, modes, config(noreplace), scripts, requires (rpm -qp)
#   5. .tar.gz: content, `netbeat version` / `test config`, `plugin new` on sdk/
#   6. .zip under wine: netbeat.exe version, test config, devices (Npcap
#      message), -I http4.pcap to output.file compared with the Linux binary
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
DIST=$REPO/build/distributions
WORK=$(mktemp -d /tmp/netbeat-package-test.XXXXXX)
chmod 0755 "$WORK"
step() { echo ">> package-test: $*"; }
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
cleanup() {
	if dpkg -s netbeat >/dev/null 2>&1; then dpkg --purge netbeat >/dev/null 2>&1 || true; fi
	if getent passwd netbeat >/dev/null; then userdel netbeat 2>/dev/null || true; fi
	if getent group netbeat >/dev/null; then groupdel netbeat 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i, runuser, setpriv)"
for t in dpkg systemd-analyze rpm wine wineboot x86_64-w64-mingw32-gcc unzip runuser setpriv ping python3 capinfos; do
	command -v "$t" >/dev/null || fail "$t is missing: run scripts/deps.sh"
done
# expect_mode PATH OWNER:GROUP MODE
expect_mode() {
	local got; got=$(stat -c '%U:%G %a' "$1" 2>/dev/null) || fail "$1 does not exist"
	[ "$got" = "$2 $3" ] || fail "$1 is $got, want $2 $3"
}

step "unit tests of packaging/"
if [ -n "${NETBEAT_TESTSUMMARY:-}" ] && [ -n "${NETBEAT_TEST_LOGS:-}" ]; then
	# from scripts/test.sh: go test -json for its summary
	(cd packaging && go vet ./... && go test -json -count=1 ./... 2>&1 |
		"$NETBEAT_TESTSUMMARY" -live -suite packaging -o "$NETBEAT_TEST_LOGS/packaging.json")
else
	(cd packaging && go vet ./... && go test -count=1 ./...)
fi

step "go run mage.go package"
rm -rf "$DIST"
go run mage.go package
shopt -s nullglob
debs=("$DIST"/netbeat_*_amd64.deb); rpms=("$DIST"/netbeat-*.x86_64.rpm)
tgzs=("$DIST"/netbeat-*-linux-x86_64.tar.gz); zips=("$DIST"/netbeat-*-windows-x86_64.zip)
[ ${#debs[@]} -eq 1 ] && [ ${#rpms[@]} -eq 1 ] && [ ${#tgzs[@]} -eq 1 ] && [ ${#zips[@]} -eq 1 ] ||
	fail "want one .deb, .rpm, .tar.gz and .zip in $DIST, got: $(ls "$DIST")"
DEB=${debs[0]} RPM=${rpms[0]} TGZ=${tgzs[0]} ZIP=${zips[0]}
ls -l "$DIST"

# ---------------------------------------------------------------- .deb
if dpkg -s netbeat >/dev/null 2>&1; then
	step "purging a netbeat left installed by an earlier run"
	dpkg --purge netbeat
fi
step "dpkg -i $(basename "$DEB")"
DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" </dev/null >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; fail "dpkg -i failed"; }
cat "$WORK/install.log"
grep -q 'systemctl enable --now netbeat' "$WORK/install.log" || fail "postinstall does not print how to enable the service"

step "files, owners, modes"
expect_mode /usr/share/netbeat/bin/netbeat root:root 755
expect_mode /usr/bin/netbeat root:root 755
expect_mode /usr/lib/systemd/system/netbeat.service root:root 644
expect_mode /etc/netbeat root:netbeat 750
expect_mode /etc/netbeat/netbeat.yml root:netbeat 640
expect_mode /etc/netbeat/netbeat.reference.yml root:netbeat 640
expect_mode /var/lib/netbeat netbeat:netbeat 750
expect_mode /var/log/netbeat netbeat:netbeat 750
dpkg-query -W -f='${Conffiles}\n' netbeat | grep -q '^ /etc/netbeat/netbeat.yml ' || fail "netbeat.yml is not a conffile"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd netbeat) || fail "no netbeat user"
[ "$uid" -lt 1000 ] && [ "$home" = /var/lib/netbeat ] && [ "$shell" = /usr/sbin/nologin ] ||
	fail "netbeat user is uid $uid home $home shell $shell, want a system user, /var/lib/netbeat, nologin"
[ ! -e /etc/systemd/system/multi-user.target.wants/netbeat.service ] || fail "the package enabled the service"

step "systemd-analyze verify (installed unit and binary)"
if ! systemd-analyze verify /usr/lib/systemd/system/netbeat.service >"$WORK/verify.log" 2>&1 || grep -q netbeat "$WORK/verify.log"; then
	cat "$WORK/verify.log"; fail "systemd-analyze verify complains about netbeat.service"
fi
for d in 'User=netbeat' 'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN' 'CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN' \
	'ProtectSystem=strict' 'ProtectHome=true' 'NoNewPrivileges=true' 'PrivateTmp=true' 'ReadWritePaths=/var/lib/netbeat /var/log/netbeat' \
	'RestrictAddressFamilies=AF_PACKET AF_NETLINK AF_INET AF_INET6 AF_UNIX' 'Restart=on-failure' \
	'--path.config /etc/netbeat' '--path.data /var/lib/netbeat' '--path.logs /var/log/netbeat' '--path.home /usr/share/netbeat' '-c /etc/netbeat/netbeat.yml'; do
	grep -qF -- "$d" /usr/lib/systemd/system/netbeat.service || fail "netbeat.service lacks $d"
done
systemd-analyze security --offline=true /usr/lib/systemd/system/netbeat.service >"$WORK/security.log" 2>&1 || true
score=$(grep -o 'Overall exposure level for netbeat.service: [0-9.]*' "$WORK/security.log" | grep -o '[0-9.]*$') ||
	{ cat "$WORK/security.log"; fail "systemd-analyze security printed no exposure level"; }
echo "systemd-analyze security: exposure $score"
python3 -c "import sys; sys.exit(0 if float('$score') <= 3.6 else 1)" || { cat "$WORK/security.log"; fail "exposure $score > 3.6 (was 3.4): a hardening line was lost"; }

step "netbeat test config as the netbeat user"
runuser -u netbeat -- netbeat test config -c /etc/netbeat/netbeat.yml | tee "$WORK/tc.log"
grep -q 'Config OK' "$WORK/tc.log" || fail "test config did not say Config OK"
chmod 0660 /etc/netbeat/netbeat.yml
if runuser -u netbeat -- netbeat test config -c /etc/netbeat/netbeat.yml >"$WORK/tc2.log" 2>&1; then
	fail "a group-writable netbeat.yml was accepted"
fi
grep -q 'can only be writable by the owner' "$WORK/tc2.log" || { cat "$WORK/tc2.log"; fail "no clear message for a group-writable config"; }
chmod 0640 /etc/netbeat/netbeat.yml

step "live AF_PACKET capture as netbeat with only CAP_NET_RAW and CAP_NET_ADMIN (what the unit grants)"
install -o root -g netbeat -m 0640 /dev/stdin /etc/netbeat/live-test.yml <<'YML'
netbeat:
  interfaces: [{device: lo, type: af_packet, buffer_size_mb: 2}]
  mode: [packets]
queue.mem.flush.timeout: 100ms
output.file: {path: /var/lib/netbeat/live-test, filename: events}
YML
caps=(--inh-caps=-all,+net_raw,+net_admin --ambient-caps=-all,+net_raw,+net_admin --bounding-set=-all,+net_raw,+net_admin)
( sleep 4; ping -c 5 -i 0.2 127.0.0.1 >/dev/null ) &
pinger=$!
timeout -s INT 9 setpriv --reuid=netbeat --regid=netbeat --init-groups "${caps[@]}" --no-new-privs \
	netbeat -e -c /etc/netbeat/live-test.yml >"$WORK/live.log" 2>&1 || true
wait $pinger
n=$(cat /var/lib/netbeat/live-test/events* 2>/dev/null | grep -c '"icmp"' || true)
[ "${n:-0}" -ge 10 ] || { tail -30 "$WORK/live.log"; fail "netbeat with CAP_NET_RAW/CAP_NET_ADMIN captured $n ICMP events on lo, want >= 10"; }
echo "captured $n ICMP packet events as netbeat (uid $(id -u netbeat)) with 2 capabilities"
expect_mode "$(ls /var/lib/netbeat/live-test/events* | head -1)" netbeat:netbeat 600
timeout -s INT 5 runuser -u netbeat -- netbeat -e -c /etc/netbeat/live-test.yml >"$WORK/nocap.log" 2>&1 && fail "netbeat captured without capabilities"
grep -qi 'operation not permitted\|permission' "$WORK/nocap.log" || { tail -20 "$WORK/nocap.log"; fail "no permission error without capabilities"; }
rm -rf /etc/netbeat/live-test.yml /var/lib/netbeat/live-test

step "upgrade (same .deb again) keeps an edited netbeat.yml"
mark="# local edit $$ $(date +%s)"
printf '%s\nname: upgrade-test\n' "$mark" >>/etc/netbeat/netbeat.yml
DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" </dev/null >"$WORK/upgrade.log" 2>&1 || { cat "$WORK/upgrade.log"; fail "upgrade failed"; }
grep -qF "$mark" /etc/netbeat/netbeat.yml || fail "the upgrade replaced the edited netbeat.yml"
expect_mode /etc/netbeat/netbeat.yml root:netbeat 640
left=(/etc/netbeat/*.dpkg-*); [ ${#left[@]} -eq 0 ] || fail "the upgrade left ${left[*]}"
runuser -u netbeat -- netbeat test config -c /etc/netbeat/netbeat.yml | grep -q 'Config OK' || fail "test config after the upgrade"

step "plugin new with the installed SDK (/usr/share/netbeat/sdk), offline"
expect_mode /usr/share/netbeat/sdk/go.mod root:root 644
expect_mode /usr/share/netbeat/sdk/shared/handshake.go root:root 644
(cd "$WORK" && env -u NETBEAT_SDK GOPROXY=off GOFLAGS=-mod=mod netbeat plugin new debplug) || fail "netbeat plugin new with the installed SDK"
grep -qx 'replace github.com/netbeat/netbeat/plugins/sdk => /usr/share/netbeat/sdk' "$WORK/debplug/go.mod" ||
	{ cat "$WORK/debplug/go.mod"; fail "the scaffolded go.mod does not replace the SDK by /usr/share/netbeat/sdk"; }
(cd "$WORK/debplug" && GOPROXY=off go test -count=1 ./... && GOPROXY=off go build -o netbeat-plugin-debplug .) ||
	fail "the plugin scaffolded on the installed netbeat does not test and build offline"
echo "scaffolded plugin: go.sum $(wc -l <"$WORK/debplug/go.sum") lines"

step "dpkg --purge"
dpkg --purge netbeat >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "dpkg --purge failed"; }
dpkg -s netbeat >/dev/null 2>&1 && fail "netbeat still installed after purge"
for p in /etc/netbeat /usr/share/netbeat /var/lib/netbeat /var/log/netbeat /usr/bin/netbeat /usr/lib/systemd/system/netbeat.service; do
	[ ! -e "$p" ] || fail "$p is left after dpkg --purge"
done
getent passwd netbeat >/dev/null || fail "purge removed the netbeat user (kept by design, see packaging/README.md)"

# ---------------------------------------------------------------- .rpm
step "rpm -qp $(basename "$RPM")"
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM" 2>/dev/null | tee "$WORK/rpm.txt"
for want in '-rwxr-xr-x root:root  /usr/share/netbeat/bin/netbeat' '-rw-r----- root:root cn /etc/netbeat/netbeat.yml' \
	'-rw-r--r-- root:root  /usr/lib/systemd/system/netbeat.service' '-rwxr-xr-x root:root  /usr/bin/netbeat' \
	'drwxr-x--- root:root  /etc/netbeat' '-rw-r----- root:root  /etc/netbeat/netbeat.reference.yml' \
	'-rw-r--r-- root:root  /usr/share/netbeat/sdk/go.mod' '-rw-r--r-- root:root  /usr/share/netbeat/sdk/shared/handshake.go'; do
	grep -qxF -- "$want" "$WORK/rpm.txt" || fail "rpm lacks: $want"
done
rpm -qp --configfiles "$RPM" 2>/dev/null | grep -qx /etc/netbeat/netbeat.yml || fail "rpm: netbeat.yml is not %config"
rpm -qp --scripts "$RPM" 2>/dev/null >"$WORK/rpm-scripts.txt"
grep -q 'postinstall scriptlet' "$WORK/rpm-scripts.txt" && grep -q 'useradd --system' "$WORK/rpm-scripts.txt" || fail "rpm %post does not create the user"
grep -q 'preuninstall scriptlet' "$WORK/rpm-scripts.txt" || fail "rpm has no %preun"
rpm -qpR "$RPM" 2>/dev/null | grep -qx libpcap || fail "rpm does not require libpcap"

# ---------------------------------------------------------------- .tar.gz
step "tar.gz $(basename "$TGZ")"
tar -xzf "$TGZ" -C "$WORK"
top=$WORK/$(basename "$TGZ" .tar.gz)
for f in netbeat netbeat.yml netbeat.reference.yml netbeat.service README.md; do [ -f "$top/$f" ] || fail "tar.gz lacks $f"; done
"$top/netbeat" version | grep -q '^netbeat version' || fail "tar.gz netbeat version"
(cd "$top" && ./netbeat test config -c netbeat.yml --path.home . | grep -q 'Config OK') || fail "tar.gz test config"
[ -f "$top/sdk/go.mod" ] && [ -f "$top/sdk/sdk.go" ] || fail "tar.gz lacks the plugin SDK (sdk/)"
(cd "$WORK" && env -u NETBEAT_SDK GOPROXY=off "$top/netbeat" plugin new tgzplug) || fail "tar.gz: netbeat plugin new"
grep -qx "replace github.com/netbeat/netbeat/plugins/sdk => $top/sdk" "$WORK/tgzplug/go.mod" ||
	{ cat "$WORK/tgzplug/go.mod"; fail "tar.gz: the scaffolded go.mod does not replace the SDK by $top/sdk"; }
(cd "$WORK/tgzplug" && GOPROXY=off go build -o netbeat-plugin-tgzplug .) || fail "tar.gz: the scaffolded plugin does not build offline"

# ---------------------------------------------------------------- .zip + wine
step "zip $(basename "$ZIP") under wine ($(wine --version 2>/dev/null))"
# Wine 8.0 (Debian 12) needs two adjustments to run a Go 1.26 libbeat binary:
# - it lacks bcryptprimitives.dll, whose ProcessPrng Go's runtime requires
#   (Windows 10+ has it): a test-only shim (scripts/wine/) goes into the prefix;
# - its wevtapi.dll stubs EvtCreateRenderContext, which winlogbeat/sys/wineventlog
#   (linked by libbeat's decode_xml_wineventlog) calls in init(): disabled, so the
#   Event Log API looks absent, as libbeat handles.
# wpcap is disabled too: Wine's own wpcap.dll (libpcap-backed) lacks
# pcap_setdirection, which makes gopacket panic in init(); without it netbeat
# sees what a Windows machine without Npcap looks like.
export WINEPREFIX=$REPO/.cache/wine WINEDEBUG=-all WINEARCH=win64 WINEDLLOVERRIDES="wpcap=d;wevtapi=d"
mkdir -p "$REPO/.cache"
[ -d "$WINEPREFIX/drive_c/windows/system32" ] || timeout 600 wineboot -i >/dev/null 2>&1 || fail "wineboot -i failed"
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
	scripts/wine/bcryptprimitives.c -ladvapi32 || fail "building the bcryptprimitives.dll shim failed"
unzip -q "$ZIP" -d "$WORK/win"
wtop=$WORK/win/$(basename "$ZIP" .zip)
for f in netbeat.exe netbeat.yml netbeat.reference.yml install-service-netbeat.ps1 uninstall-service-netbeat.ps1; do
	[ -f "$wtop/$f" ] || fail "zip lacks $f"
done
cd "$wtop"
timeout 300 wine netbeat.exe version >"$WORK/wver.log" 2>&1 || { cat "$WORK/wver.log"; fail "wine netbeat.exe version failed"; }
grep -q '^netbeat version .*(amd64)' "$WORK/wver.log" || { cat "$WORK/wver.log"; fail "netbeat.exe version output"; }
cat "$WORK/wver.log"
timeout 120 wine netbeat.exe test config -c netbeat.yml --path.home . --path.data data --path.logs logs >"$WORK/wtc.log" 2>&1 ||
	{ cat "$WORK/wtc.log"; fail "wine netbeat.exe test config failed"; }
grep -q 'Config OK' "$WORK/wtc.log" || { cat "$WORK/wtc.log"; fail "netbeat.exe test config did not say Config OK"; }
timeout 120 wine netbeat.exe devices >"$WORK/wdev.log" 2>&1 && { cat "$WORK/wdev.log"; fail "netbeat.exe devices succeeded without Npcap"; }
grep -q 'Npcap is not available.*install Npcap from https://npcap.com' "$WORK/wdev.log" ||
	{ cat "$WORK/wdev.log"; fail "netbeat.exe devices without Npcap does not say how to install it"; }
grep -o 'Npcap is not available.*' "$WORK/wdev.log" | head -1
cp "$REPO/testdata/captures/http4.pcap" .
cat >file.yml <<'YML'
netbeat:
  mode: [packets, flows]
queue.mem.flush.timeout: 100ms
output.file: {path: out, filename: events}
YML
timeout 300 wine netbeat.exe -e -c file.yml --path.home . --path.data data --path.logs logs -I http4.pcap >"$WORK/wrun.log" 2>&1 ||
	{ tail -30 "$WORK/wrun.log"; fail "wine netbeat.exe -I http4.pcap failed"; }
mkdir -p "$WORK/lin" && cp file.yml http4.pcap "$WORK/lin/"
(cd "$WORK/lin" && "$top/netbeat" -e -c file.yml --path.home . --path.data data --path.logs logs -I http4.pcap >"$WORK/lrun.log" 2>&1) ||
	{ tail -30 "$WORK/lrun.log"; fail "linux netbeat -I http4.pcap failed"; }
packets=$(capinfos -c -M http4.pcap | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
python3 - "$wtop/out" "$WORK/lin/out" "$packets" <<'PY'
import glob, json, sys
def load(d):
    evs = [json.loads(l) for f in sorted(glob.glob(d + "/events*")) for l in open(f) if l.strip()]
    def g(e, p):
        for k in p.split("."):
            e = e.get(k) if isinstance(e, dict) else None
        return e
    key = lambda e: (g(e, "event.dataset"), json.dumps([g(e, "source"), g(e, "destination"), g(e, "network")], sort_keys=True))
    return sorted(key(e) for e in evs)
win, lin, want = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
pk = sum(1 for d, _ in win if d == "netbeat.packets")
fl = sum(1 for d, _ in win if d == "netbeat.flows")
print(f"netbeat.exe under wine: {pk} packet events, {fl} flow records (capture has {want} packets)")
if pk != want or fl == 0:
    sys.exit(f"package-test: FAIL: want {want} packet events and >0 flow records")
if win != lin:
    sys.exit("package-test: FAIL: netbeat.exe's events differ from the Linux binary's (source/destination/network)")
PY
cd "$REPO"
step "all packaging tests passed"
