#!/usr/bin/env bash
# Usage: scripts/compare/ctl-latency.sh NETBEAT_BIN ACTION [KEY=VALUE...], with a probe
# probe-1 running and NETBEAT_CTL_KAFKA / NETBEAT_CTL_KEY set. Prints one line per
# command: ctl wall ms, send->applied ms, apply_ms.
# 50 x `netbeat ctl send --probe probe-1 ACTION`, one after another: wall time
# of each ctl process, and send->applied (the result's @timestamp minus the
# time ctl was started; same machine clock).
set -euo pipefail
bin=$1; action=${2:-status}; shift 2 || true
for i in $(seq 1 50); do
  s=$(date +%s%N)
  out=$("$bin" ctl send --json --probe probe-1 "$action" "$@" 2>/dev/null)
  e=$(date +%s%N)
  ts=$(echo "$out" | python3 -c 'import sys,json,datetime; r=json.loads(sys.stdin.readline()); assert r["status"]=="applied", r; t=r["@timestamp"]; d=datetime.datetime.fromisoformat(t.replace("Z","+00:00")[:26]+"+00:00" if "." in t else t.replace("Z","+00:00")); print(int(d.timestamp()*1e9), r["apply_ms"])')
  read -r rts applyms <<< "$ts"
  echo "$(( (e - s) / 1000000 )) $(( (rts - s) / 1000000 )) $applyms"
done
