# Sourced by the whole-program benchmark scripts (scripts/bench.sh,
# scripts/compare/compare.sh, scripts/compare/memflows.sh).

# machine prints "<n> cores, <RAM> GiB, <CPU model>" for report headers.
machine() {
	echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
}

# bench_common LEVEL prints the queue, logging and seccomp settings every
# benchmark config shares (netbeat's and packetbeat's).
bench_common() {
	cat <<YML
queue.mem:
  events: 65536
  flush.min_events: 4096
  flush.timeout: 1s
logging.level: $1
seccomp.enabled: false
YML
}
