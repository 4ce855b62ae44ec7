#!/usr/bin/env bash
# Installs what building netbeat and running the demo need on a fresh
# Debian/Ubuntu machine (as root, or with sudo), and nothing else: a C
# compiler and the libpcap headers for the cgo capture code, and the Go
# modules. Skips what is already there. The test suite's tools (tshark,
# tcpdump, a JDK, wine, rpm, …) are in scripts/deps.sh.
set -euo pipefail
. "$(dirname "$0")/aptlib.sh"
need=()
need_build
apt_install "to build netbeat" "${need[@]}"
echo ">> go mod download (quick once the modules are cached)"
go mod download
