#!/usr/bin/env bash
# Installs what building netbeat and running the demo need on a fresh
# Debian/Ubuntu machine (as root, or with sudo), and nothing else: a C
# compiler and the libpcap headers for the cgo capture code, and the Go
# modules. Skips what is already there. The test suite's tools (tshark,
# tcpdump, a JDK, wine, rpm, …) are in scripts/deps.sh.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
dpkg -s libpcap-dev >/dev/null 2>&1 || need+=(libpcap-dev)
have gcc || need+=(gcc)
if ((${#need[@]})); then
	echo ">> installing (to build netbeat): ${need[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo ">> go mod download (quick once the modules are cached)"
go mod download
