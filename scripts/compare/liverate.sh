#!/usr/bin/env bash
# Live-rate test (issue #7): replays a capture with tcpreplay into a veth
# pair between two throw-away network namespaces at increasing packet rates,
# with netbeat capturing (AF_PACKET) on the far end, and reports per rate and
# mode what tcpreplay sent, what netbeat received and what the kernel
# dropped, then the highest rate with zero kernel/interface drops.
# Needs root (namespaces) and tcpreplay (apt-get install tcpreplay).
#
# Usage: sudo scripts/compare/liverate.sh
#   env: PCAP=.cache/bench/big.pcap  RATES="25000 50000 ..." (packets/s; "top" = tcpreplay --topspeed)
#        SECONDS_PER_RATE=5  MODES="packets flows"  BUFFER_MB=30 (netbeat buffer_size_mb)
#        OUTPUT=discard|file  WORK=/tmp/netbeat-liverate
#        BIN=path (default: go build of the working tree)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${WORK:-/tmp/netbeat-liverate}
pcap=$(realpath "${PCAP:-.cache/bench/big.pcap}")
rates=${RATES:-25000 50000 100000 150000 200000 300000 400000 top}
secs=${SECONDS_PER_RATE:-5}
modes=${MODES:-packets flows}
buffer=${BUFFER_MB:-30}
output=${OUTPUT:-discard}
[ "$(id -u)" = 0 ] || { echo "liverate.sh: needs root for network namespaces" >&2; exit 1; }
command -v tcpreplay >/dev/null || { echo "liverate.sh: tcpreplay missing: apt-get install tcpreplay" >&2; exit 1; }
[ -s "$pcap" ] || go run ./tools/mkbig -in testdata/captures/mixed.pcapng -out "$pcap" -packets 1000000
mkdir -p "$work"
bin=${BIN:-}
if [ -z "$bin" ]; then
	go build -o "$work/netbeat" .
	bin=$work/netbeat
fi

a=nblr-a-$$ b=nblr-b-$$
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip -n "$a" link add veth-send type veth peer name veth-cap netns "$b"
ip -n "$a" link set veth-send mtu 9000 up
ip -n "$b" link set veth-cap mtu 9000 up
ip -n "$b" link set lo up

out_args=(-E output.discard.enabled=true)
[ "$output" = file ] && out_args=(-E output.file.path="$work/out" -E output.file.filename=events
	-E output.file.rotate_every_kb=10000000 -E output.file.number_of_files=1024)

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); $(tcpreplay -V 2>&1 | head -1)"
echo "# capture $pcap; ${secs}s per rate; netbeat af_packet buffer_size_mb=$buffer, output $output"
printf '| mode | rate asked (pps) | tcpreplay sent | rate achieved (pps) | netbeat received | kernel dropped | interface dropped | events/records | zero drop |\n|---|---|---|---|---|---|---|---|---|\n'
declare -A best
for mode in $modes; do
	best[$mode]=none
	for rate in $rates; do
		rm -rf "$work/data" "$work/out"
		cat >"$work/netbeat.yml" <<YML
netbeat:
  interfaces: [{device: veth-cap, type: af_packet, buffer_size_mb: $buffer}]
  mode: [$mode]
  stats.period: 0
  flows: {timeout: 30s, period: -1s}
queue.mem: {events: 65536, flush.min_events: 4096, flush.timeout: 1s}
logging.level: info
seccomp.enabled: false
YML
		ip netns exec "$b" "$bin" -c "$work/netbeat.yml" --path.home "$work" --path.data "$work/data" -e \
			"${out_args[@]}" >/dev/null 2>"$work/log.txt" &
		nb=$!
		for _ in $(seq 200); do
			grep -q "capture \"veth-cap\" started\|netbeat start running" "$work/log.txt" && break
			sleep 0.05
		done
		sleep 1
		if [ "$rate" = top ]; then
			speed=(--topspeed) limit=$((secs * 400000))
		else
			speed=(--pps="$rate") limit=$((secs * rate))
		fi
		ip netns exec "$a" tcpreplay -q -i veth-send "${speed[@]}" --loop=0 --limit="$limit" "$pcap" >"$work/tcpreplay.txt" 2>&1 || true
		sleep 1
		kill -TERM "$nb"
		wait "$nb" || true
		sent=$(grep -o 'Successful packets: *[0-9]*' "$work/tcpreplay.txt" | grep -o '[0-9]*$' || echo 0)
		achieved=$(grep -o '[0-9.]* pps' "$work/tcpreplay.txt" | head -1 | cut -d' ' -f1)
		line=$(grep -o 'finished: [0-9]* packets.*' "$work/log.txt" | head -1)
		recv=$(sed -E 's/finished: ([0-9]+) packets.*/\1/' <<<"$line")
		kdrop=$(grep -o 'kernel dropped [0-9]*' <<<"$line" | grep -o '[0-9]*$')
		idrop=$(grep -o 'interface dropped [0-9]*' <<<"$line" | grep -o '[0-9]*$')
		records=$(grep -o 'flow records [0-9]*' <<<"$line" | grep -o '[0-9]*$')
		[ "$mode" = packets ] && records=$recv
		if [ -z "$line" ]; then
			echo "netbeat did not report a capture summary at $rate pps:" >&2
			tail -5 "$work/log.txt" >&2
			exit 1
		fi
		ok=no
		# zero drop: nothing dropped by the kernel ring or the interface, and
		# netbeat saw at least every packet tcpreplay put on the wire (the veth
		# may also carry a few IPv6 ND/MLD packets of its own)
		if [ "$kdrop" = 0 ] && [ "$idrop" = 0 ] && [ "$recv" -ge "$sent" ]; then
			ok=yes
			best[$mode]="$rate (achieved $achieved pps)"
		fi
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$mode" "$rate" "$sent" "$achieved" "$recv" "$kdrop" "$idrop" "$records" "$ok"
	done
done
echo
for mode in $modes; do echo "highest zero-drop rate, $mode mode: ${best[$mode]}"; done
