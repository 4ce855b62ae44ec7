#!/usr/bin/env bash
# Builds netbeat and runs it on the capture bundled in the repo
# (testdata/captures/mixed.pcapng, real curl/dig/ping traffic) with the
# repo's netbeat.yml: packet and flow events are printed as JSON lines on
# stdout (console output), netbeat's log goes to stderr. Extra arguments are
# passed to netbeat, e.g. `scripts/demo.sh -I testdata/captures/vlan.pcap`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh >&2
go build -o netbeat .
exec ./netbeat -e -c netbeat.yml --path.data "${TMPDIR:-/tmp}/netbeat-demo" "$@"
