#!/usr/bin/env bash
# Installs what testing netbeat needs on a fresh Debian/Ubuntu machine (as
# root, or with sudo): what building needs (scripts/deps-demo.sh: libpcap
# headers, gcc, the Go modules), then the real programs the tests run (tshark
# is the decoder's oracle; tcpdump, iproute2, curl, ping, dig, python3 make
# live traffic), a JDK + Maven for the Kafka broker the integration tests
# start, and the packaging tests' tools. Skips what is already there.
#
# One apt-get run installs everything (the build deps included, so that
# deps-demo.sh finds them), while the Go modules download in the background.
set -euo pipefail
cd "$(dirname "$0")/.."
# the plugin SDK is a module of its own: its modules too (TestPluginNewOffline
# builds a plugin offline from exactly those)
{ go mod download && (cd plugins/sdk && go mod download); } >/tmp/netbeat-deps-gomod.$$ 2>&1 &
gomod=$!
need=()
have() { command -v "$1" >/dev/null 2>&1; }
# building (what scripts/deps-demo.sh installs)
dpkg -s libpcap-dev >/dev/null 2>&1 || need+=(libpcap-dev)
have gcc || need+=(gcc)
# the tests
have tshark || need+=(tshark)
have capinfos || need+=(wireshark-common)
have tcpdump || need+=(tcpdump)
have ip || need+=(iproute2)
have curl || need+=(curl)
have ping || need+=(iputils-ping)
have dig || need+=(dnsutils)
have python3 || need+=(python3)
have openssl || need+=(openssl)
have java || need+=(default-jdk-headless)
have mvn || need+=(maven)
# packaging tests (scripts/package-test.sh): unit checks, rpm reader, Windows binary under wine
have systemd-analyze || need+=(systemd)
have rpm || need+=(rpm)
have wine || need+=(wine wine64)
have x86_64-w64-mingw32-gcc || need+=(gcc-mingw-w64-x86-64-win32)
have unzip || need+=(unzip)
have setpriv || need+=(util-linux)
if ((${#need[@]})); then
	echo ">> installing (to run the tests): ${need[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
wait $gomod || { cat /tmp/netbeat-deps-gomod.$$ >&2; rm -f /tmp/netbeat-deps-gomod.$$; exit 1; }
rm -f /tmp/netbeat-deps-gomod.$$
bash scripts/deps-demo.sh # nothing left to install; go mod download is a no-op now
