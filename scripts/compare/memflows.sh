#!/usr/bin/env bash
# Flow-table memory test (issue #7): 100k and 1M concurrent synthetic TCP
# flows (tools/mkflows: all SYNs, then all SYN-ACKs, then all RSTs, within
# 20 s of capture time), read by netbeat in flow mode
#   a) with the default table bound (netbeat.flows.max_flows: 100000), and
#   b) with a bound above the flow count (max_flows: 1100000),
# to the file output. Reports wall time, peak RSS (/usr/bin/time %M), the
# final records by end reason counted in the output, and the table's own
# counters from netbeat's "capture finished" log line. Every flow must leave
# exactly one final record, evicted or not; the script fails otherwise.
#
# With OUTPUT=discard (the issue #12 rate target) the records are not
# written anywhere: the final records by reason come from the table's log
# line, and records/s is final+interim records over wall time.
#
# Usage: scripts/compare/memflows.sh
#   env: FLOWS="100000 1000000" MAX="100000 1100000" OUTPUT=file|discard
#        BIN=path (default: go build of the working tree) WORK=/tmp/netbeat-memflows
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/benchlib.sh
work=${WORK:-/tmp/netbeat-memflows}
counts=${FLOWS:-100000 1000000}
maxes=${MAX:-100000 1100000}
output=${OUTPUT:-file}
mkdir -p "$work" .cache/bench
bin=${BIN:-}
if [ -z "$bin" ]; then
	go build -o "$work/netbeat" .
	bin=$work/netbeat
fi
out_args=(-E output.file.path="$work/out" -E output.file.filename=events
	-E output.file.rotate_every_kb=10000000 -E output.file.number_of_files=1024)
[ "$output" = discard ] && out_args=(-E output.discard.enabled=true)
printf 'netbeat:\n  stats.period: 0\n%s\n' "$(bench_common info)" >"$work/netbeat.yml"
echo "# $(date -u +%FT%TZ) $(machine); $(go version | cut -d' ' -f3); $bin; output $output"
printf '| flows | max_flows | wall s | CPU s | peak RSS MB | records/s | final records | evicted | rst | capture_end | interim | table counters (log) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n'
fail=0
for n in $counts; do
	pcap=.cache/bench/flows$n.pcap
	[ -s "$pcap" ] || go run ./tools/mkflows -flows "$n" -close -out "$pcap" >&2
	for max in $maxes; do
		rm -rf "$work/out" "$work/data"
		/usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$bin" -c "$work/netbeat.yml" \
			--path.home "$work" --path.data "$work/data" -e -I "$pcap" --mode flows \
			-E netbeat.flows.max_flows="$max" "${out_args[@]}" 2>"$work/log.txt" >/dev/null
		read -r wall user sys rss <"$work/time.txt"
		if [ "$output" = discard ]; then
			# from the log: "... N interim reports, final records by reason map[rst:N ...]"
			read -r finals evicted rst capend interim < <(python3 -c '
import re, sys
log = open(sys.argv[1]).read()
m = re.search(r"(\d+) interim reports, final records by reason map\[([^\]]*)\]", log)
r = dict((k, int(v)) for k, v in (kv.split(":") for kv in m.group(2).split())) if m else {}
print(sum(r.values()), r.get("evicted", 0), r.get("rst", 0), r.get("capture_end", 0), m.group(1) if m else 0)' "$work/log.txt")
		else
		# one JSON object per line: count final records by reason, and interim ones
		read -r finals evicted rst capend interim < <(cat "$work/out"/* | python3 -c '
import json, sys
c = {"final": 0, "evicted": 0, "rst": 0, "capture_end": 0, "interim": 0}
for line in sys.stdin:
    f = json.loads(line).get("flow", {})
    if f.get("final"):
        c["final"] += 1
        c[f.get("end_reason", "?")] = c.get(f.get("end_reason", "?"), 0) + 1
    else:
        c["interim"] += 1
print(c["final"], c["evicted"], c["rst"], c["capture_end"], c["interim"])')
		fi
		created=$(grep -o 'flow table: [0-9]* flows created' "$work/log.txt" | grep -o '[0-9][0-9]*' | head -1)
		tevicted=$(grep -o 'created, [0-9]* evicted' "$work/log.txt" | grep -o '[0-9][0-9]*' | head -1)
		printf '| %s | %s | %s | %.2f | %d | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$max" "$wall" \
			"$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" $((rss / 1024)) \
			"$(awk -v f="$finals" -v i="$interim" -v w="$wall" 'BEGIN{printf "%.0f", (f+i)/w}')" "$finals" "$evicted" "$rst" "$capend" "$interim" "$created created, $tevicted evicted"
		# every flow record the table created ends exactly once; without eviction
		# that is one record per synthetic flow
		if [ "$finals" != "${created:-x}" ] || [ "$evicted" != "${tevicted:-x}" ] ||
			{ [ "$max" -ge "$n" ] && { [ "$finals" != "$n" ] || [ "$evicted" != 0 ]; }; }; then
			echo "FAIL: $n flows, max_flows $max: $finals final records ($evicted evicted), table created $created, evicted $tevicted" >&2
			fail=1
		fi
	done
done
rm -rf "$work/out" "$work/data"
exit $fail
