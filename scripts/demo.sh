#!/usr/bin/env bash
# Builds netbeat and runs it on the capture bundled in the repo
# (testdata/captures/mixed.pcapng, real curl/dig/ping traffic) with the
# repo's netbeat.yml: packet and flow events are printed as JSON lines on
# stdout (console output), netbeat's log goes to stderr. Extra arguments are
# passed to netbeat, e.g. `scripts/demo.sh -I testdata/captures/vlan.pcap`.
#
# It installs only what building netbeat needs (scripts/deps-demo.sh: gcc and
# libpcap-dev, if missing, and the Go modules); the test suite's tools are
# installed by scripts/test.sh. The first build compiles netbeat's
# dependencies (libbeat, gopacket, franz-go, …) and takes minutes (see the
# README); later builds take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps-demo.sh >&2
if [ ! -x netbeat ]; then
	echo ">> building netbeat: the first build compiles libbeat and the other dependencies and takes a few minutes" >&2
fi
go build -o netbeat .
exec ./netbeat -e -c netbeat.yml --path.data "${TMPDIR:-/tmp}/netbeat-demo" "$@"
