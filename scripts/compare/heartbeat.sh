#!/usr/bin/env bash
# Heartbeat cost on the data path (issue #14): the same netbeat binary
# replays the same capture (packets and flows to output.discard) with
# netbeat.control off and on (heartbeat every $HB, 100x the default rate, to
# the broker of scripts/kafka.sh), alternately, round by round. Every run is
# printed: wall s, CPU s (user+sys), peak RSS MB.
#
# Usage: scripts/compare/heartbeat.sh   (broker running: bash scripts/kafka.sh start)
#   env: BIN (default: go build of the working tree), PCAP=.cache/bench/big.pcap,
#        ROUNDS=3, HB=100ms
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
rounds=${ROUNDS:-3}
hb=${HB:-100ms}
pcap=${PCAP:-.cache/bench/big.pcap}
[ -s "$pcap" ] || go run ./tools/mkbig -in testdata/captures/mixed.pcapng -out "$pcap" -packets 1000000
bin=${BIN:-}
work=$(mktemp -d /tmp/netbeat-heartbeat.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ -z "$bin" ]; then bin=$work/netbeat; go build -o "$bin" .; fi
eval "$(bash scripts/kafka.sh env)"
"$bin" ctl keygen --id bench --out "$work/bench.key" > "$work/pub.yml" 2>/dev/null
for mode in off on; do
  {
    echo "netbeat:"
    echo "  mode: [packets, flows]"
    if [ "$mode" = on ]; then
      echo "  probe: {id: bench-probe}"
      echo "  control:"
      echo "    enabled: true"
      echo "    heartbeat: $hb"
      echo "    command_topic: bench-control-$$"
      echo "    status_topic: bench-status-$$"
      echo "    kafka.hosts: [\"$NETBEAT_KAFKA_PLAINTEXT\"]"
      echo "    keys:"
      sed 's/^/      /' "$work/pub.yml"
    fi
    echo "output.discard: {}"
  } > "$work/$mode.yml"
done
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), $bin, $pcap, heartbeat $hb"
printf 'round\tcontrol\twall_s\tcpu_s\trss_mb\n'
for r in $(seq 1 "$rounds"); do
  for mode in off on; do
    home=$work/home-$mode-$r; mkdir -p "$home"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bin" -e -c "$work/$mode.yml" -I "$pcap" \
      --path.home "$home" --path.data "$home/data" --path.logs "$home/logs" --strict.perms=false \
      -E seccomp.enabled=false > /dev/null 2> "$work/log-$mode-$r"
    if [ "$mode" = on ] && ! grep -q 'control: probe bench-probe' "$work/log-$mode-$r"; then
      echo "round $r: the control loop did not start:" >&2; tail -5 "$work/log-$mode-$r" >&2; exit 1
    fi
    read -r wall user sys rss < "$work/time"
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$mode" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))"
  done
done
