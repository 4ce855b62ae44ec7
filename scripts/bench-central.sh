#!/usr/bin/env bash
# Central mode throughput (issue #18): Kafka -> netbeat (netbeat.kafka) ->
# Elasticsearch _bulk, with tools/bulksink as the _bulk endpoint (it keeps
# only the ids, so the figure is netbeat's, not a search engine's).
# A probe fills one topic (auto-created: the test broker's 3 partitions) once; each round then runs a fresh
# central instance in a new consumer group until the sink holds every
# event, and prints records/s and netbeat's CPU per record (utime+stime
# from /proc). Run it holding the heavy lock:
#
#   flock /tmp/netbeat-heavy.lock bash scripts/bench-central.sh [packets=200000] [rounds=3]
#
# BINS="old new" runs each round with each binary in turn (old and new
# alternately, on the same topic); default: the worktree's netbeat.
#
# Needs the test broker (bash scripts/kafka.sh start).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/kafka.sh env)"
PKTS=${1:-200000}
ROUNDS=${2:-3}
W=$PWD/.cache/bench-central
mkdir -p "$W"
go build -o "$W/netbeat" .
BINS=${BINS:-$W/netbeat}
go build -o "$W/bulksink" ./tools/bulksink
go build -o "$W/topiccount" ./scripts/kafka/topiccount
[ -f "$W/big-$PKTS.pcap" ] || go run ./tools/mkbig -in testdata/captures/mixed.pcapng -out "$W/big-$PKTS.pcap" -packets "$PKTS"
topic=bench-central-$(date +%s)
cat >"$W/probe.yml" <<EOF
queue.mem.flush.timeout: 100ms
logging.level: warning
output.franz: {hosts: ["$NETBEAT_KAFKA_PLAINTEXT"], topic: "$topic", required_acks: 1}
EOF
"$W/netbeat" -c "$W/probe.yml" --strict.perms=false --path.home "$W" --path.data "$W/probe-data" \
	-I "$W/big-$PKTS.pcap" --mode packets,flows 2>"$W/probe.log"
N=$("$W/topiccount" -brokers "$NETBEAT_KAFKA_PLAINTEXT" "$topic" | awk '{print $NF}')
echo "topic $topic: $N records; machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
port=19299
nb= sink=
trap 'kill $nb $sink 2>/dev/null || true' EXIT
for r in $(seq "$ROUNDS"); do
	for bin in $BINS; do
	"$W/bulksink" -addr "127.0.0.1:$port" >"$W/sink.log" 2>&1 &
	sink=$!
	until curl -s "127.0.0.1:$port/_count" >/dev/null; do sleep 0.05; done
	cat >"$W/central.yml" <<EOF
netbeat.kafka: {enabled: true, hosts: ["$NETBEAT_KAFKA_PLAINTEXT"], topics: ["$topic"], group: "bench-$topic-$r-$(basename "$bin")"}
output.elasticsearch: {hosts: ["http://127.0.0.1:$port"], bulk_max_size: 1600, worker: 2}
setup.template.enabled: false
setup.ilm.enabled: false
logging.level: warning
EOF
	start=$(date +%s.%N)
	"$bin" -c "$W/central.yml" --strict.perms=false --path.home "$W" --path.data "$W/central-data" 2>"$W/central.log" &
	nb=$!
	while :; do
		c=$(curl -s "127.0.0.1:$port/_count" | sed 's/.*"count":\([0-9]*\).*/\1/' || true)
		[ "${c:-0}" -ge "$N" ] && break
		kill -0 $nb 2>/dev/null || { echo "central exited; see $W/central.log"; exit 1; }
		sleep 0.05
	done
	end=$(date +%s.%N)
	read -r ut st < <(awk '{print $14, $15}' /proc/$nb/stat)
	rss=$(awk '/VmHWM/ {print $2}' /proc/$nb/status)
	kill $nb; wait $nb 2>/dev/null || true
	kill $sink; wait $sink 2>/dev/null || true
	tck=$(getconf CLK_TCK)
	awk -v n="$N" -v s="$start" -v e="$end" -v u="$ut" -v t="$st" -v k="$tck" -v r="$r" -v b="$(basename "$bin")" -v rss="$rss" \
		'BEGIN { d = e - s; cpu = (u + t) / k; printf "round %d %s: %d records in %.2f s = %.0f records/s, CPU %.2f s = %.1f us/record, peak RSS %d MB (includes start-up and group join)\n", r, b, n, d, n / d, cpu, cpu * 1e6 / n, rss / 1024 }'
	done
done
"$W/topiccount" -brokers "$NETBEAT_KAFKA_PLAINTEXT" -delete "$topic" >/dev/null
