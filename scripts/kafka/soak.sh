#!/usr/bin/env bash
# scripts/kafka/soak.sh - bounded soak of output.franz against the 3-node
# cluster of scripts/kafka-cluster.sh (issue #15): netbeat replays a capture
# made by tools/mkbig at a fixed rate for a fixed time (--speed), while one
# node after the other is restarted (SIGTERM, start) every 60 s. netbeat's
# RSS is sampled every 5 s. It stops by itself: at the end the topic is read
# back (scripts/kafka/topiccount -read: frame numbers 1..N each once) and
# compared with the packets sent, and the RSS is plotted.
#
#   bash scripts/kafka/soak.sh            # 3,000 events/s for 600 s
#   SOAK_RATE=1000 SOAK_SECONDS=120 bash scripts/kafka/soak.sh
#
# Starts the cluster when it is not running (and stops it again). Output in
# $SOAK_OUT (default .cache/soak): rss.tsv, restarts.tsv (+ restarts.log), netbeat.log,
# summary.txt; the plot goes to $SOAK_PLOT (default docs/images/soak-rss.svg).
# Run it holding the heavy lock: flock /tmp/netbeat-heavy.lock bash scripts/kafka/soak.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
RATE="${SOAK_RATE:-3000}"
DUR="${SOAK_SECONDS:-600}"
EVERY="${SOAK_RESTART_EVERY:-60}"
OUT="${SOAK_OUT:-$REPO/.cache/soak}"
PLOT="${SOAK_PLOT:-$REPO/docs/images/soak-rss.svg}"
log() { echo "soak.sh: $*" >&2; }
die() { echo "soak.sh: ERROR: $*" >&2; exit 1; }

mkdir -p "$OUT"
packets=$((RATE * DUR))
pcap="$OUT/soak-$packets.pcap"
if [[ ! -f "$pcap" ]]; then
  log "generating $pcap ($packets packets, tools/mkbig)"
  go run ./tools/mkbig -in testdata/captures/mixed.pcapng -out "$pcap.tmp" -packets "$packets" && mv "$pcap.tmp" "$pcap"
fi
read -r sent span < <(python3 - "$pcap" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
div = 1e9 if struct.unpack_from("<I", b)[0] == 0xA1B23C4D else 1e6  # nanosecond pcap
off, n, first, last = 24, 0, None, None
while off + 16 <= len(b):
    s, u, incl, _ = struct.unpack_from("<IIII", b, off)
    t = s + u / div
    first = t if first is None else first
    last = t
    n += 1
    off += 16 + incl
print(n, last - first)
PY
)
speed=$(python3 -c "print(f'{$span / $DUR:.6f}')")
bin="${NETBEAT_BIN:-$OUT/netbeat}"
[[ -n "${NETBEAT_BIN:-}" ]] || go build -o "$bin" .

started=0
if ! bash scripts/kafka-cluster.sh status 2>/dev/null; then
  bash scripts/kafka-cluster.sh start >/dev/null
  started=1
fi
eval "$(bash scripts/kafka-cluster.sh env)"
cleanup() {
  [[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null || true
  bash scripts/kafka-cluster.sh resume >/dev/null 2>&1 || true
  if (( started )); then bash scripts/kafka-cluster.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

topic="soak-$(date +%s)"
home="$OUT/home"; rm -rf "$home"; mkdir -p "$home"
hosts=$(echo "$NETBEAT_KAFKA_CLUSTER" | sed 's/[^,]*/"&"/g')
cat > "$home/netbeat.yml" <<YML
logging.level: info
output.franz:
  hosts: [$hosts]
  topic: "$topic"
  required_acks: -1
YML
log "replaying $sent packets at $RATE/s for ${DUR}s (--speed $speed) to $topic; a node restarts every ${EVERY}s"
"$bin" -e -c "$home/netbeat.yml" --path.home "$home" --path.data "$home/data" \
  -I "$pcap" --mode packets --speed "$speed" > "$OUT/netbeat.log" 2>&1 &
pid=$!
printf 't_s\trss_kb\n' > "$OUT/rss.tsv"
printf 't_s\tnode\tseconds\trc\n' > "$OUT/restarts.tsv"
t0=$SECONDS next=$EVERY node=1 rpid=""
while kill -0 "$pid" 2>/dev/null; do
  el=$((SECONDS - t0))
  rss=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n "$rss" ]] && printf '%d\t%d\n' "$el" "$rss" >> "$OUT/rss.tsv"
  if (( el >= next && el < DUR )) && { [[ -z "$rpid" ]] || ! kill -0 "$rpid" 2>/dev/null; }; then
    ( s=$SECONDS; r=0; bash scripts/kafka-cluster.sh restart "$node" >> "$OUT/restarts.log" 2>&1 || r=$?
      printf '%d\t%d\t%d\t%d\n' "$el" "$node" "$((SECONDS - s))" "$r" >> "$OUT/restarts.tsv" ) &
    rpid=$!
    node=$((node % 3 + 1)); next=$((next + EVERY))
  fi
  if (( el > DUR + 600 )); then die "netbeat still runs $((el - DUR))s after the replay should have ended"; fi
  sleep 5
done
set +e; wait "$pid"; rc=$?; set -e
[[ -n "$rpid" ]] && wait "$rpid" || true
wall=$((SECONDS - t0))
log "netbeat exited $rc after ${wall}s"
bash scripts/kafka-cluster.sh resume >/dev/null
if readback=$(go run ./scripts/kafka/topiccount -brokers "$NETBEAT_KAFKA_CLUSTER" -read -delete "$topic" 2>"$OUT/topiccount.err"); then
  n=$(awk '{print $2}' <<< "$readback"); check="frame numbers 1..$n each once"
else
  n=$(go run ./scripts/kafka/topiccount -brokers "$NETBEAT_KAFKA_CLUSTER" "$topic" | awk '{print $2}'); check="FAILED: $(cat "$OUT/topiccount.err")"
fi
maxrss=$(awk 'NR>1 && $2>m {m=$2} END {print m}' "$OUT/rss.tsv")
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "rate: $RATE events/s for ${DUR}s (--speed $speed); node restarts every ${EVERY}s: $(($(wc -l < "$OUT/restarts.tsv") - 1))"
  echo "netbeat exit: $rc after ${wall}s; max RSS: ${maxrss} KiB"
  echo "sent: $sent; read back: $n; read-back check: $check"
} | tee "$OUT/summary.txt"
python3 scripts/kafka/soakplot.py "$OUT/rss.tsv" "$OUT/restarts.tsv" "$PLOT" "$(head -1 "$OUT/summary.txt")"
log "plot: $PLOT"
[[ $rc == 0 && "$n" == "$sent" && "$check" != FAILED* ]] || die "soak failed: exit $rc, sent $sent, read back $n ($check)"
