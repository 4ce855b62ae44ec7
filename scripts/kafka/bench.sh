#!/usr/bin/env bash
# scripts/kafka/bench.sh - events/s and CPU of netbeat's franz-go output
# (output.franz) vs libbeat's sarama output (output.kafka) against the same
# broker (scripts/kafka.sh), the same capture and the same settings.
#
#   bash scripts/kafka/bench.sh            # 3 rounds; results in .cache/bench/
#
# Each round runs, interleaved so that machine load hits every variant alike:
#   for mode in packets flows: for output in discard franz kafka:
#     /usr/bin/time -v netbeat -I BIG --mode MODE   (exits when all events are acked)
# output.discard is the no-output baseline. franz and kafka write to their own
# topic per run with identical settings (acks=1, compression none, key
# network.community_id, bulk_max_size 2048, BENCH_WORKER workers). After each run the
# records in the topic are counted (scripts/kafka/topiccount) and must equal
# the acked events, so the wall time is the end-to-end capture->broker time.
#
# Environment knobs:
#   BENCH_RUNS      rounds (default 3)
#   BENCH_PACKETS   packets in the generated capture (default 1000000)
#   BENCH_MODES     default "packets flows"
#   BENCH_OUTPUTS   default "discard franz kafka"
#   BENCH_WORKER    output worker count for franz and kafka (default 1)
#   BENCH_PCAP      capture to use (default .cache/bench/big.pcap, made by mkbig)
#   NETBEAT_BIN     netbeat binary (default: go build into .cache/bench/netbeat)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$REPO/.cache/bench"
RUNS="${BENCH_RUNS:-3}"
PACKETS="${BENCH_PACKETS:-1000000}"
MODES="${BENCH_MODES:-packets flows}"
OUTPUTS="${BENCH_OUTPUTS:-discard franz kafka}"
PCAP="${BENCH_PCAP:-$OUT/big.pcap}"
WORKER="${BENCH_WORKER:-1}"
BIN="${NETBEAT_BIN:-$OUT/netbeat}"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$OUT/results-$STAMP.tsv"

log() { echo "bench.sh: $*" >&2; }
die() { echo "bench.sh: ERROR: $*" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || die "/usr/bin/time not found (apt-get install time)"

mkdir -p "$OUT"
cd "$REPO"
if [[ -z "${NETBEAT_BIN:-}" ]]; then
  log "go build -o $BIN ."
  go build -o "$BIN" .
fi
if [[ ! -s "$PCAP" ]]; then
  go run ./tools/mkbig -in testdata/captures/mixed.pcapng -out "$PCAP" -packets "$PACKETS"
fi
go build -o "$OUT/topiccount" ./scripts/kafka/topiccount
bash scripts/kafka.sh status || bash scripts/kafka.sh start
# shellcheck disable=SC1090,SC1091
source "$REPO/.cache/kafka/run/env"
BROKER="$NETBEAT_KAFKA_PLAINTEXT"
BPID="$(cat "$REPO/.cache/kafka/run/broker.pid")"

# cpu_ticks PID prints utime+stime of PID in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TCK="$(getconf CLK_TCK)"

# config OUTPUT TOPIC prints a netbeat config for the run.
config() {
  cat <<YML
queue.mem:
  events: 65536
  flush.min_events: 2048
  flush.timeout: 1s
logging.level: info
YML
  case "$1" in
    discard) echo "output.discard: {}" ;;
    franz|kafka) cat <<YML
output.$1:
  hosts: ["$BROKER"]
  topic: "$2"
  key: "%{[network.community_id]}"
  required_acks: 1
  compression: none
  bulk_max_size: 2048
  worker: $WORKER
YML
    ;;
  esac
}

{
  echo "# netbeat Kafka output benchmark $STAMP"
  echo "# host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
  echo "# worker: $WORKER; capture: $PCAP ($(stat -c %s "$PCAP") bytes); broker $BROKER pid $BPID Kafka ${NETBEAT_KAFKA_VERSION:-?}"
  printf 'round\tmode\toutput\tevents\tin_topic\telapsed_s\tuser_s\tsys_s\tmax_rss_kb\tevents_per_s\tbroker_cpu_s\tload_before\tload_after\ttopic\n'
} > "$RESULTS"

for round in $(seq 1 "$RUNS"); do
  for mode in $MODES; do
    for output in $OUTPUTS; do
      topic="bench-$STAMP-$mode-$output-$round"
      home="$OUT/run-$mode-$output"
      rm -rf "$home"; mkdir -p "$home"
      config "$output" "$topic" > "$home/netbeat.yml"
      chmod 600 "$home/netbeat.yml"
      load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
      b0="$(cpu_ticks "$BPID")"
      log "round $round: $mode -> $output (load $load_before)"
      /usr/bin/time -v -o "$home/time.txt" "$BIN" -e -c "$home/netbeat.yml" \
        --path.home "$home" --path.data "$home/data" -I "$PCAP" --mode "$mode" > "$home/netbeat.log" 2>&1 ||
        { tail -n 20 "$home/netbeat.log" >&2; die "netbeat failed ($mode, $output); log: $home/netbeat.log"; }
      b1="$(cpu_ticks "$BPID")"
      load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
      events="$(grep '"Total metrics"' "$home/netbeat.log" | python3 -c \
        'import json,sys; print(json.loads(sys.stdin.readline())["monitoring"]["metrics"]["libbeat"]["output"]["events"]["acked"])')"
      in_topic="-"
      if [[ "$output" != discard ]]; then
        in_topic="$("$OUT/topiccount" -brokers "$BROKER" -delete "$topic" | awk '{print $2}')"
        [[ "$in_topic" == "$events" ]] || log "WARNING: $topic holds $in_topic records, $events acked"
      fi
      python3 - "$home/time.txt" "$round" "$mode" "$output" "$events" "$in_topic" \
          "$(( b1 - b0 ))" "$TCK" "$load_before" "$load_after" "$topic" >> "$RESULTS" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
round_, mode, output, events, in_topic, bticks, tck, lb, la, topic = sys.argv[2:]
def field(name):
    return re.search(re.escape(name) + r": (.*)", t).group(1).strip()
parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
elapsed = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
user, sys_ = float(field("User time (seconds)")), float(field("System time (seconds)"))
rss = field("Maximum resident set size (kbytes)")
print("\t".join([round_, mode, output, events, in_topic, f"{elapsed:.2f}", f"{user:.2f}", f"{sys_:.2f}", rss,
                 f"{int(events) / elapsed:.0f}", f"{int(bticks) / int(tck):.2f}", lb, la, topic]))
PY
      tail -n1 "$RESULTS" >&2
    done
  done
done

log "raw results: $RESULTS"
python3 - "$RESULTS" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader((l for l in open(sys.argv[1]) if not l.startswith("#")), delimiter="\t")]
def mmm(vals, fmt):
    vals = sorted(vals)
    return "/".join(fmt.format(v) for v in (vals[0], statistics.median(vals), vals[-1]))
print("| mode | output | events | events/s min/med/max | wall s min/med/max | netbeat CPU s (user+sys) min/med/max "
      "| CPU µs/event (median) | broker CPU s median | max RSS MiB median | runs |")
print("|---|---|---|---|---|---|---|---|---|---|")
seen = []
for r in rows:
    if (r["mode"], r["output"]) not in seen:
        seen.append((r["mode"], r["output"]))
for mode, out in seen:
    rs = [r for r in rows if r["mode"] == mode and r["output"] == out]
    cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in rs]
    ev = int(rs[0]["events"])
    print(f"| {mode} | {out} | {ev} | {mmm([float(r['events_per_s']) for r in rs], '{:.0f}')} "
          f"| {mmm([float(r['elapsed_s']) for r in rs], '{:.1f}')} | {mmm(cpu, '{:.1f}')} "
          f"| {statistics.median(cpu) / ev * 1e6:.1f} | {statistics.median(float(r['broker_cpu_s']) for r in rs):.1f} "
          f"| {statistics.median(int(r['max_rss_kb']) for r in rs) / 1024:.0f} | {len(rs)} |")
PY
