#!/usr/bin/env bash
# Whole-program capture benchmark (BENCHMARKS.md): builds netbeat, makes a
# >= 1M-packet capture from the bundled real traffic (tools/mkbig: copies
# shifted in time with rotated client ports, so every copy opens new flows),
# then runs `netbeat -I` in packet mode and flow mode to the discard and file
# outputs RUNS times each (default 3) and prints wall time, packets/s, CPU
# seconds and peak RSS as min/median/max. Also runs the Go benchmarks of the
# data path on the same capture. Usage: scripts/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/benchlib.sh
runs=${1:-3}
work=$PWD/.cache/bench
mkdir -p "$work"
big=$work/big.pcap
[ -s "$big" ] || go run ./tools/mkbig -in testdata/captures/mixed.pcapng -out "$big" -packets 1000000
packets=$(capinfos -c -M "$big" 2>/dev/null | awk '/Number of packets/ {print $NF}')
go build -o "$work/netbeat" .
printf 'netbeat:\n  stats.period: 0\n%s\n' "$(bench_common warning)" >"$work/bench.yml"
echo "# $(date -u +%FT%TZ) $(machine)"
echo "# capture: $big, $packets packets; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-8s %10s %12s %10s %10s\n' mode output wall_s packets/s cpu_s rss_MB
for mode in packets flows; do
	for out in discard file; do
		rows=()
		for _ in $(seq "$runs"); do
			rm -rf "$work/out" "$work/data"
			args=(-E output.discard.enabled=true)
			[ "$out" = file ] && args=(-E output.file.path="$work/out" -E output.file.filename=events -E output.file.rotate_every_kb=10000000)
			/usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
				"$work/netbeat" -c "$work/bench.yml" --path.home "$work" --path.data "$work/data" -e \
				-I "$big" --mode "$mode" "${args[@]}" 2>/dev/null
			read -r wall user sys rss <"$work/time.txt"
			rows+=("$wall $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}') $rss")
		done
		printf '%s\n' "${rows[@]}" | sort -n | awk -v m="$mode" -v o="$out" -v n="$packets" '
			{ w[NR]=$1; c[NR]=$2; r[NR]=$3 }
			END { mid=int((NR+1)/2);
				printf "%-8s %-8s %4.2f/%4.2f/%4.2f %6.0f/%6.0f/%6.0f %5.2f %6.0f\n", m, o, w[1], w[mid], w[NR], n/w[NR], n/w[mid], n/w[1], c[mid], r[mid]/1024 }'
	done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# Go benchmarks of the data path (in-process, no libbeat pipeline):"
NETBEAT_BENCH_PCAP="$big" go test -run '^$' -bench 'Pipeline|ReadOnly' -benchtime 3x ./beat/ | grep -E '^Benchmark'
