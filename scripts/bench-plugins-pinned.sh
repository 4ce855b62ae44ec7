#!/usr/bin/env bash
# bench-plugins-pinned.sh NETBEAT DIR [ROUNDS] — the plugin benchmark's
# no-plugin, group4 out-of-process and group4 in-process runs with netbeat
# pinned to CPU 0 and its plugin processes moved to CPU 1 as soon as they
# start, so that the plugin has a CPU of its own (BENCHMARKS.md, issue #4).
# DIR is a data directory kept by the plugin benchmark:
#   BENCH_KEEP=1 go run ./plugins/internal/bench -netbeat NETBEAT -only group4 -runs 1
# Prints the wall time of each whole run (start-up included).
set -euo pipefail
nb=$(realpath "$1"); dir=$2; rounds=${3:-3}
cd "$dir"
for f in none-false.yml group4-false.yml group4-true.yml big.pcap; do
	[[ -e $f ]] || { echo "bench-plugins-pinned: $dir/$f missing: run the plugin benchmark with BENCH_KEEP=1 first" >&2; exit 2; }
done
run() {
	local start end pid c
	start=$(date +%s.%N)
	taskset -c 0 "$nb" -c "$1" --path.home . --path.data data --path.logs . -I big.pcap --mode packets >/dev/null 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		for c in $(pgrep -P "$pid" || true); do taskset -pc 1 "$c" >/dev/null 2>&1 || true; done
		sleep 0.01
	done
	wait "$pid" || { echo "bench-plugins-pinned: netbeat failed with $1" >&2; exit 1; }
	end=$(date +%s.%N)
	printf '%s\t%.2f s\n' "$1" "$(echo "$end - $start" | bc)"
}
for ((i = 1; i <= rounds; i++)); do
	for cfg in none-false.yml group4-false.yml group4-true.yml; do run "$cfg"; done
done
