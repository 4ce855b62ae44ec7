#!/usr/bin/env bash
# Event-cost benchmark (issue #12): an old and a new netbeat binary run
# alternately, round by round, on the same capture and outputs, so that load
# from other work on this shared machine hits both alike. Every run is
# printed (nothing is averaged away) and appended to $WORK/results-<stamp>.tsv.
#
# Rows, per binary and round:
#   packets -> discard | file | franz (every record read back and checked
#              by scripts/kafka/topiccount -read, then the topic deleted)
#   packets -> franz with a processor that reads packet fields (drop_fields:
#              the map path)
#   flows   -> franz
# Columns: wall s, netbeat CPU s (user+sys), CPU µs per event, events/s
# (events / wall), peak RSS MB, and for franz rows the broker's CPU seconds
# over the run (utime+stime of the broker JVM, /proc/PID/stat).
#
# Usage: scripts/compare/eventcost.sh
#   env: OLD_REF=d2079e2 (git ref of the old binary, built in a temporary
#        worktree) or OLD_BIN=path; NEW_BIN=path (default: go build of the
#        working tree); ROUNDS=2; PCAP=.cache/bench/benchmix2m.pcap (made if
#        missing, as compare.sh makes it); ONLY="regex of row names";
#        KAFKA=0 skips the franz rows; COMPRESSION=none|gzip|snappy|lz4|zstd
#        (output.franz.compression of the franz rows, default lz4, the
#        output's default);
#        WORK=/tmp/netbeat-eventcost
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/benchlib.sh
root=$PWD
work=${WORK:-/tmp/netbeat-eventcost}
rounds=${ROUNDS:-2}
only=${ONLY:-.}
pcap=${PCAP:-.cache/bench/benchmix2m.pcap}
mkdir -p "$work" .cache/bench
stamp=$(date -u +%Y%m%d-%H%M%S)
tsv=$work/results-$stamp.tsv

[ -s "$pcap" ] || go run ./tools/mkbig -in testdata/bench/benchmix.pcap -out "$pcap" -packets 2000000
pcap=$(realpath "$pcap")
packets=$(capinfos -c -M "$pcap" 2>/dev/null | awk '/Number of packets/ {print $NF}')

new=${NEW_BIN:-}
if [ -z "$new" ]; then
	go build -o "$work/netbeat-new" .
	new=$work/netbeat-new
fi
old=${OLD_BIN:-}
if [ -z "$old" ]; then
	ref=${OLD_REF:-d2079e2}
	rm -rf "$work/old-src"
	git worktree add -f --detach "$work/old-src" "$ref" >/dev/null
	(cd "$work/old-src" && go build -o "$work/netbeat-old" .)
	git worktree remove --force "$work/old-src"
	old=$work/netbeat-old
fi

cat >"$work/netbeat.yml" <<YML
netbeat:
  stats.period: 0
$(bench_common warning)
YML

broker=""
if [ "${KAFKA:-1}" = 1 ]; then
	# A broker started here runs with the full JIT, as in production
	# (scripts/kafka.sh defaults to C1 only, for the tests' start-up time).
	bash scripts/kafka.sh status >/dev/null 2>&1 || KAFKA_JIT=${KAFKA_JIT:--XX:+UseParallelGC} bash scripts/kafka.sh start >&2
	# shellcheck disable=SC1091
	source .cache/kafka/run/env
	broker=$NETBEAT_KAFKA_PLAINTEXT
	go build -o "$work/topiccount" ./scripts/kafka/topiccount
fi
brokercpu() { # utime+stime of the broker JVM in seconds
	local pid
	# The pid file of the broker scripts/kafka.sh started: other brokers
	# (another worktree's, or a 3-node cluster) may run beside it.
	pid=$(cat .cache/kafka/run/broker.pid 2>/dev/null) && [ -r "/proc/$pid/stat" ] || { echo 0; return; }
	awk '{printf "%.2f", ($14+$15)/100}' "/proc/$pid/stat"
}

fileout=(-E output.file.path="$work/out" -E output.file.filename=events -E output.file.rotate_every_kb=10000000 -E output.file.number_of_files=1024)
franz() { # topic
	printf '%s\n' -E "output.franz.hosts=[\"$broker\"]" -E "output.franz.topic=$1" -E output.franz.required_acks=1 \
		-E output.franz.compression=${COMPRESSION:-lz4} -E output.franz.bulk_max_size=2048 -E 'output.franz.key=%{[network.community_id]}'
}

# run NAME BIN ROUND MODE OUTPUT [extra -E ...]
run() {
	local name=$1 bin=$2 round=$3 mode=$4 out=$5
	shift 5
	[[ $name =~ $only ]] || return 0
	rm -rf "$work/out" "$work/data"
	local topic="ec-$stamp-${name// /-}-$(basename "$bin")-$round" args=()
	case $out in
	discard) args=(-E output.discard.enabled=true) ;;
	file) args=("${fileout[@]}") ;;
	franz) mapfile -t args < <(franz "$topic") ;;
	esac
	local lb b0 b1 wall user sys rss events
	lb=$(cut -d' ' -f1 /proc/loadavg)
	b0=$(brokercpu)
	/usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$bin" -c "$work/netbeat.yml" --path.home "$work" \
		--path.data "$work/data" -e -I "$pcap" --mode "$mode" "${args[@]}" "$@" >/dev/null 2>"$work/log.txt" ||
		{ echo "FAILED: $name ($bin)" >&2; tail -5 "$work/log.txt" >&2; }
	b1=$(brokercpu)
	read -r wall user sys rss <"$work/time.txt"
	events=-
	case $out in
	file) events=$(cat "$work/out"/* | wc -l) ;;
	franz) events=$("$work/topiccount" -brokers "$broker" -read -delete "$topic" 2>>"$work/read.txt" | awk '{print $2}' || true) ;;
	discard) [ "$mode" = packets ] && events=$packets ;;
	esac
	local cpu n
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
	n=$events
	[ "$n" = - ] && n=0
	printf '%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n' "$name" "$(basename "$bin")" "$round" "$wall" "$cpu" \
		"$(awk -v c="$cpu" -v n="$n" 'BEGIN{if (n>0) printf "%.2f", c*1e6/n; else print "-"}')" \
		"$(awk -v w="$wall" -v n="$n" 'BEGIN{if (n>0) printf "%.0f", n/w; else print "-"}')" "$events" $((rss / 1024)) \
		"$(awk -v a="$b0" -v b="$b1" 'BEGIN{printf "%.2f", b-a}')" "$lb" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$tsv"
}

echo "# $(date -u +%FT%TZ) $(machine); $(go version | cut -d' ' -f3); capture $pcap ($packets packets)"
[ -n "$broker" ] && echo "# broker: $(tr '\0' ' ' </proc/"$(cat .cache/kafka/run/broker.pid)"/cmdline | grep -o -- '-X[^ ]*' | tr '\n' ' ')"
echo "# old: $old ($(${old} version 2>/dev/null | head -1)); new: $new"
printf 'row\tbinary\tround\twall s\tCPU s\tCPU µs/event\tevents/s\tevents\tpeak RSS MB\tbroker CPU s\tload before\tload after\n' | tee "$tsv"
for r in $(seq "$rounds"); do
	for bin in "$old" "$new"; do
		run "packets discard" "$bin" "$r" packets discard
		run "packets file" "$bin" "$r" packets file
		if [ -n "$broker" ]; then
			run "packets franz" "$bin" "$r" packets franz
			run "packets franz drop_fields" "$bin" "$r" packets franz -E 'processors=[{drop_fields: {fields: [frame.protocols]}}]'
			run "flows franz" "$bin" "$r" flows franz
		fi
	done
done
rm -rf "$work/out" "$work/data"
echo "# raw rows: $tsv"
