# Sourced by the whole-program benchmark scripts (scripts/bench.sh,
# scripts/compare/compare.sh, scripts/compare/memflows.sh).

# machine prints "<n> cores, <RAM> GiB, <CPU model>" for report headers.
machine() {
	echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
}

# bench_common LEVEL prints the queue, logging and seccomp settings every
# benchmark config shares (netbeat's and packetbeat's).
#
# flush.timeout (BENCH_FLUSH, default 100ms) is netbeat's own default for
# runs that only read files (beat/cmd/defaults.go). Until 2026-12-01 20:20
# UTC the benchmarks used 1s: the last partial batch of every run waited up
# to that long for the queue, and that wait is in the wall time of the rows
# measured before (set BENCH_FLUSH=1s to compare with them).
bench_common() {
	cat <<YML
queue.mem:
  events: 65536
  flush.min_events: 4096
  flush.timeout: ${BENCH_FLUSH:-100ms}
logging.level: $1
seccomp.enabled: false
YML
}
