#!/usr/bin/env bash
# Records real status records for the snapshot of the "[netbeat] Probes"
# dashboard (docs/images/netbeat-probes.png): three probes capture live
# ping traffic with AF_PACKET (each on the host end of a veth pair whose
# peer, in a network namespace of its own, pings it) with remote control
# on, against the Kafka test broker; an operator session with `netbeat ctl`
# changes a filter, pauses and resumes a site, sends commands that are
# rejected or fail, and one probe is stopped. The status topic is then
# written out as JSON lines: the documents dashboards/probes/logstash.conf
# indexes (its json codec keeps each record's fields as they are).
#
# Usage, from the repository root, as root (broker: bash scripts/kafka.sh start):
#   bash dashboards/probes/record.sh NETBEAT_BIN OUT.ndjson [SECONDS]
#   python3 tools/render/render.py --dashboard netbeat-probes=OUT.ndjson:label
set -euo pipefail
bin=$(realpath "$1") out=$2 total=${3:-150}
# shellcheck disable=SC1091
. .cache/kafka/run/env
broker=$NETBEAT_KAFKA_PLAINTEXT
work=$(mktemp -d /tmp/netbeat-probes.XXXXXX)
stamp=$(date +%s)
ctlargs=(--kafka "$broker" --command-topic "probes-cmd-$stamp" --status-topic "probes-status-$stamp")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for i in 1 2 3; do
		ip link del "nbrec$i" 2>/dev/null || true
		ip netns del "nbrec$i" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

"$bin" ctl keygen --id alice --out "$work/alice.key" > "$work/alice.pub"
"$bin" ctl keygen --id mallory --out "$work/mallory.key" > /dev/null # not trusted by the probes

names=("" "Paris edge" "Lyon core" "Lyon edge")
ids=("" paris-1 lyon-1 lyon-2)
tags=("" "[site-paris, edge]" "[site-lyon]" "[site-lyon, edge]")
rates=("" 0.01 0.02 0.05) # ping intervals
for i in 1 2 3; do
	ns=nbrec$i dev=nbrec$i host=10.196.$i.1 peer=10.196.$i.2
	ip netns add "$ns"
	ip link add "$dev" type veth peer name peer0 netns "$ns"
	ip addr add "$host/24" dev "$dev"
	ip link set "$dev" up
	ip netns exec "$ns" ip addr add "$peer/24" dev peer0
	ip netns exec "$ns" ip link set peer0 up
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" ping -c 1 -w 10 "$host" > /dev/null
	ip netns exec "$ns" ping -q -i "${rates[$i]}" "$host" > /dev/null &
	pids+=($!)
	d=$work/${ids[$i]}
	mkdir -p "$d"
	cat > "$d/netbeat.yml" <<YML
netbeat:
  interfaces: [{device: $dev, bpf_filter: "icmp"}]
  mode: [packets]
  probe: {id: ${ids[$i]}, name: "${names[$i]}", tags: ${tags[$i]}}
  control:
    enabled: true
    heartbeat: 2s
    command_topic: probes-cmd-$stamp
    status_topic: probes-status-$stamp
    keys:
      $(cat "$work/alice.pub")
output.franz: {hosts: ["$broker"], topic: "probes-events-$stamp"}
YML
	"$bin" -e -c "$d/netbeat.yml" --path.home "$d" --path.data "$d/data" --path.logs "$d/logs" --strict.perms=false > "$d/log" 2>&1 &
	pids+=($!)
	eval "probe_pid_$i=$!"
done
for i in 1 2 3; do
	for _ in $(seq 1 300); do grep -q "control: reading " "$work/${ids[$i]}/log" && break; sleep 0.1; done
	grep -q "control: reading " "$work/${ids[$i]}/log" || { tail -20 "$work/${ids[$i]}/log"; exit 1; }
done
start=$(date +%s)
at() { # at SECONDS: sleep until SECONDS after the start
	local now
	now=$(date +%s)
	if [ $((start + $1)) -gt "$now" ]; then sleep $((start + $1 - now)); fi
}
send() { # send KEY ARGS...: prints the results; a rejected or failed one is expected here
	local key=$1
	shift
	echo "+ ctl send $*"
	"$bin" ctl "${ctlargs[@]}" send --key "$work/$key.key" --timeout 10s "$@" || true
}
at 15 && send alice --probe paris-1 set_filter 'filter=icmp[icmptype] == icmp-echo'
at 30 && send alice --tag site-lyon pause
at 55 && send alice --tag site-lyon resume
at 65 && send alice --all status
at 70 && send mallory --all status
at 75 && send alice --probe lyon-2 --ttl 1ms status
at 80 && send alice --probe lyon-1 add_interface device=nosuch0
at 85 && send alice --probe lyon-1 set_mode mode=packets,flows
at 90 && { echo "+ stopping lyon-2"; kill -TERM "$probe_pid_3"; }
at "$total"
"$bin" ctl "${ctlargs[@]}" probes || true
timeout 15 "$bin" ctl "${ctlargs[@]}" watch --since 1h > "$out" || true
echo "wrote $(wc -l < "$out") status records to $out"
