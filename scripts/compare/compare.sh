#!/usr/bin/env bash
# Side-by-side capture benchmark (issue #7; what `mage bench:compare` would
# call): netbeat vs packetbeat vs tshark on the same pcap, on this machine.
#
# Builds netbeat from the working tree and packetbeat from the libbeat module
# version in the Go module cache (in a throw-away copy of the beats module, so
# packetbeat's own go.mod replaces apply, e.g. elastic/gopacket; nothing of it
# is committed), then runs each variant RUNS times (SLOW_RUNS for tshark -T ek)
# under `/usr/bin/time -f '%e %U %S %M'`, one at a time, and prints wall
# time, packets/s, CPU seconds and peak RSS as min/median/max, then the ratios
# for the issue #7 targets. Raw rows: $WORK/results-<stamp>.tsv.
#
# Usage: scripts/compare/compare.sh
#   env: RUNS=3 SLOW_RUNS=1 PCAP=.cache/bench/benchmix2m.pcap (made if missing) WORK=/tmp/netbeat-compare
#        PB_SHUTDOWN=3s (packetbeat.shutdown_timeout; with 0 packetbeat drops the
#        last flow records at exit) ONLY="regex of variant names"
#        KAFKA=1 adds the Kafka rows: netbeat (output.franz) and packetbeat
#        (libbeat's sarama output.kafka) to the real broker of scripts/kafka.sh
#        (started if not running), one new topic per run, records counted back
#        with scripts/kafka/topiccount. For packetbeat → Kafka, eff s is the
#        wall time minus PB_SHUTDOWN (its fixed exit sleep).
#
# "eff s" is the time the work took: wall time for everything except
# packetbeat, whose wall time contains fixed sleeps at exit (shutdown_timeout
# and flow-worker ticks); for packetbeat with output.file it is the time from
# start to the last write of the output file (mtime), i.e. when the last event
# was out. packets/s = capture packets / eff s.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/benchlib.sh
root=$PWD
runs=${RUNS:-3}
slow_runs=${SLOW_RUNS:-1}
pcap=${PCAP:-.cache/bench/benchmix2m.pcap}
work=${WORK:-/tmp/netbeat-compare}
pb_shutdown=${PB_SHUTDOWN:-3s}
only=${ONLY:-.}
beats_ver=v7.0.0-alpha2.0.20251031181001-be9871f5dab9
beats_src=$(go env GOMODCACHE)/github.com/elastic/beats/v7@$beats_ver
mkdir -p "$work"
stamp=$(date -u +%Y%m%d-%H%M%S)
tsv=$work/results-$stamp.tsv

command -v tshark >/dev/null && command -v capinfos >/dev/null || bash scripts/deps.sh # installs tshark
# The default capture: testdata/bench/benchmix.pcap (real HTTP, TLS 1.2/1.3,
# DNS over UDP and TCP, ICMP; scripts/compare/make-benchmix.sh) multiplied
# by tools/mkbig to >= 2,000,000 packets, each copy with its own client ports.
[ -s "$pcap" ] || go run ./tools/mkbig -in testdata/bench/benchmix.pcap -out "$pcap" -packets 2000000
pcap=$(realpath "$pcap")
packets=$(capinfos -c -M "$pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')

# --- builds -------------------------------------------------------------
go build -o "$work/netbeat" .
go build -o "$work/decodeonly" ./tools/decodeonly
if [ ! -x "$work/packetbeat" ]; then
	rm -rf "$work/beats-src"
	cp -r "$beats_src" "$work/beats-src"
	chmod -R u+w "$work/beats-src"
	(cd "$work/beats-src" && GONOSUMDB=github.com/elastic GOFLAGS=-mod=mod go build -o "$work/packetbeat" ./packetbeat)
	rm -rf "$work/beats-src"
fi

# --- configs ------------------------------------------------------------
queue=$(bench_common warning)
cat >"$work/netbeat.yml" <<YML
netbeat:
  stats.period: 0
$queue
YML
cat >"$work/pb-flows.yml" <<YML
packetbeat.interfaces.device: any
packetbeat.flows:
  timeout: 30s
  period: 10s
packetbeat.protocols: []
$queue
YML
cat >"$work/pb-protocols.yml" <<YML
packetbeat.interfaces.device: any
packetbeat.flows:
  timeout: 30s
  period: 10s
packetbeat.protocols:
- type: dns
  ports: [53]
- type: http
  ports: [80, 8080, 8000, 5000, 8002]
- type: tls
  ports: [443, 993, 995, 5223, 8443, 8883, 9243]
$queue
YML

fileout() { printf '%s ' -E output.file.path="$work/out" -E output.file.filename=events -E output.file.rotate_every_kb=10000000 -E output.file.number_of_files=1024; }
tshark_fields=(-T fields -e frame.number -e frame.time_epoch -e eth.src -e eth.dst -e ip.src -e ip.dst
	-e ipv6.src -e ipv6.dst -e ip.proto -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e frame.len)

# measure NAME N_RUNS CMD... : appends one TSV row per run:
# name run wall cpu rss_kb events eff load_before load_after
measure() {
	local name=$1 n=$2; shift 2
	[[ $name =~ $only ]] || return 0
	local i
	for i in $(seq "$n"); do
		rm -rf "$work/out" "$work/data"
		local lb start wall user sys rss events eff last
		lb=$(cut -d' ' -f1 /proc/loadavg)
		start=$(date +%s.%N)
		export TOPIC="cmp-$stamp-${name// /-}-$i"
		/usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >"$work/stdout.txt" 2>"$work/stderr.txt" ||
			{ echo "FAILED: $name" >&2; tail -5 "$work/stderr.txt" >&2; }
		read -r wall user sys rss <"$work/time.txt"
		events=-
		eff=$wall
		if [ -d "$work/out" ]; then
			events=$(cat "$work/out"/* | wc -l)
			last=$(find "$work/out" -type f -printf '%T@\n' | sort -n | tail -1)
			case $name in packetbeat*) eff=$(awk -v a="$start" -v b="$last" 'BEGIN{printf "%.2f", b-a}') ;; esac
		fi
		case $name in
		*kafka) events=$("$work/topiccount" -brokers "$broker" -delete "$TOPIC" | awk '{print $2}') ;;&
		packetbeat*kafka) eff=$(awk -v w="$wall" -v s="${pb_shutdown%s}" 'BEGIN{printf "%.2f", w-s}') ;;
		"tshark ek") events=$(($(wc -l <"$work/stdout.txt") / 2)) ;; # an index line + a document line per packet
		tshark*) events=$(wc -l <"$work/stdout.txt") ;;
		esac
		printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$i" "$wall" \
			"$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$rss" "$events" "$eff" "$lb" \
			"$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$tsv" >&2
	done
}

nb() { "$work/netbeat" -c "$work/netbeat.yml" --path.home "$work" --path.data "$work/data" -e -I "$pcap" "$@"; }
pb() { local cfg=$1; shift; "$work/packetbeat" -c "$work/$cfg" --path.home "$work" --path.data "$work/data" -e \
	-I "$pcap" -t -E packetbeat.shutdown_timeout="$pb_shutdown" "$@"; }

echo "# $(date -u +%FT%TZ) $(machine); $(go version | cut -d' ' -f3)"
echo "# capture: $pcap, $packets packets; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# raw rows: $tsv"

if [ "${KAFKA:-0}" = 1 ]; then
	go build -o "$work/topiccount" ./scripts/kafka/topiccount
	bash scripts/kafka.sh status >/dev/null 2>&1 || bash scripts/kafka.sh start >&2
	# shellcheck disable=SC1091
	source .cache/kafka/run/env
	broker=$NETBEAT_KAFKA_PLAINTEXT
fi
# kafka_out OUTPUT TOPIC: -E flags for output.franz (netbeat) or output.kafka
# (sarama, packetbeat), same settings as scripts/kafka/bench.sh.
kafka_out() {
	printf '%s ' -E "output.$1.hosts=[\"$broker\"]" -E "output.$1.topic=$2" -E "output.$1.required_acks=1" \
		-E "output.$1.compression=none" -E "output.$1.bulk_max_size=2048"
	[ "$1" = franz ] && printf '%s ' -E 'output.franz.key=%{[network.community_id]}'
	return 0
}

measure "raw capinfos" "$runs" capinfos "$pcap"
measure "raw go read" "$runs" "$work/decodeonly" -raw "$pcap"
measure "gopacket decode-only" "$runs" "$work/decodeonly" "$pcap"
measure "netbeat packets discard" "$runs" bash -c "$(declare -f nb); work=$work pcap=$pcap; nb --mode packets -E output.discard.enabled=true"
measure "netbeat packets file" "$runs" bash -c "$(declare -f nb fileout); work=$work pcap=$pcap; nb --mode packets \$(fileout)"
measure "netbeat flows discard" "$runs" bash -c "$(declare -f nb); work=$work pcap=$pcap; nb --mode flows -E output.discard.enabled=true"
measure "netbeat flows file" "$runs" bash -c "$(declare -f nb fileout); work=$work pcap=$pcap; nb --mode flows \$(fileout)"
measure "packetbeat flows-only discard" "$runs" bash -c "$(declare -f pb); work=$work pcap=$pcap pb_shutdown=$pb_shutdown; pb pb-flows.yml -E output.discard.enabled=true"
measure "packetbeat flows-only file" "$runs" bash -c "$(declare -f pb fileout); work=$work pcap=$pcap pb_shutdown=$pb_shutdown; pb pb-flows.yml \$(fileout)"
measure "packetbeat protocols file" "$runs" bash -c "$(declare -f pb fileout); work=$work pcap=$pcap pb_shutdown=$pb_shutdown; pb pb-protocols.yml \$(fileout)"
if [ "${KAFKA:-0}" = 1 ]; then
	for m in packets flows; do
		measure "netbeat $m kafka" "$runs" bash -c "$(declare -f nb kafka_out); work=$work pcap=$pcap broker=$broker; nb --mode $m \$(kafka_out franz \$TOPIC)"
	done
	measure "packetbeat flows-only kafka" "$runs" bash -c "$(declare -f pb kafka_out); work=$work pcap=$pcap broker=$broker pb_shutdown=$pb_shutdown; pb pb-flows.yml \$(kafka_out kafka \$TOPIC)"
	measure "packetbeat protocols kafka" "$runs" bash -c "$(declare -f pb kafka_out); work=$work pcap=$pcap broker=$broker pb_shutdown=$pb_shutdown; pb pb-protocols.yml \$(kafka_out kafka \$TOPIC)"
fi
measure "tshark fields" "$runs" tshark -r "$pcap" "${tshark_fields[@]}"
measure "tshark ek" "$slow_runs" tshark -r "$pcap" -T ek
rm -rf "$work/out" "$work/data"

echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
awk -F'\t' -v n="$packets" '
	function med(a, k,   t, i, j) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((k + 1) / 2)] }
	function mn(a, k,   i, m) { m = a[1]; for (i = 2; i <= k; i++) if (a[i] < m) m = a[i]; return m }
	function mx(a, k,   i, m) { m = a[1]; for (i = 2; i <= k; i++) if (a[i] > m) m = a[i]; return m }
	{ if (!($1 in cnt)) order[++no] = $1; k = ++cnt[$1]; W[$1, k] = $3; C[$1, k] = $4; R[$1, k] = $5; if (!(($1, $6) in seen)) { seen[$1, $6] = 1; E[$1] = (E[$1] == "" ? "" : E[$1] " / ") $6 }; F[$1, k] = $7 }
	END {
		printf "| variant | runs | wall s min/med/max | eff s min/med/max | packets/s max/med/min (eff) | CPU s med | peak RSS MB med | events |\n|---|---|---|---|---|---|---|---|\n"
		for (o = 1; o <= no; o++) {
			v = order[o]; k = cnt[v]
			for (i = 1; i <= k; i++) { w[i] = W[v, i]; f[i] = F[v, i]; c[i] = C[v, i]; r[i] = R[v, i] }
			fmn = mn(f, k); fmx = mx(f, k); fmd = med(f, k)
			printf "| %s | %d | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.0f / %.0f / %.0f | %.2f | %.0f | %s |\n", v, k,
				mn(w, k), med(w, k), mx(w, k), fmn, fmd, fmx, n / fmn, n / fmd, n / fmx, med(c, k), med(r, k) / 1024, E[v]
			PPS[v] = n / fmd; CPU[v] = med(c, k)
		}
		print ""
		print "Ratios (median eff packets/s; CPU = median CPU s of the other / netbeat):"
		split("netbeat packets discard|tshark ek|3;netbeat packets file|tshark ek|3;netbeat flows discard|packetbeat flows-only discard|info: packetbeat eff = wall incl. exit sleeps;netbeat flows file|packetbeat flows-only file|2;netbeat packets file|packetbeat protocols file|info: different work (packet events vs flows + dns/http/tls transactions);netbeat flows kafka|packetbeat flows-only kafka|2;netbeat packets kafka|tshark ek|3;netbeat packets discard|gopacket decode-only|info: share of the gopacket decode ceiling", pairs, ";")
		for (p = 1; p <= 8; p++) {
			split(pairs[p], x, "|")
			if (!(x[1] in PPS) || !(x[2] in PPS)) continue
			q = PPS[x[1]] / PPS[x[2]]
			printf "  %-24s vs %-30s: %5.2fx packets/s, %5.2fx less CPU%s\n", x[1], x[2], q, CPU[x[2]] / CPU[x[1]],
				(x[3] ~ /^[0-9]+$/ ? sprintf("  (target >= %dx: %s)", x[3], q >= x[3] ? "MET" : "NOT MET") : "  (" x[3] ")")
		}
	}' "$tsv" | tee "$work/summary-$stamp.md"
