#!/usr/bin/env python3
"""Per-stage CPU budget of a netbeat CPU profile (issue #12).

Reads `go tool pprof -traces BINARY PROFILE` and assigns every sample to the
first stage (in the order below) one of whose functions is on its stack, then
prints CPU seconds and microseconds per event for each stage.

Usage: go tool pprof -traces BIN PROF | scripts/compare/stages.py EVENTS [LABEL]
"""
import re
import sys

# (stage, regex on function names); the first stage that matches a frame of
# the stack gets the sample. Encoding is checked before the queue because the
# memory queue calls output.franz's encoder, the processors before the
# pipeline client that runs them, and the queue before the flow table,
# which publishes records from inside its lock when they are not bundled.
STAGES = [
    ("capture (read)", r"beat/capture\.|pcapgo\.|pcapfile\."),
    ("decode", r"beat/decode\.\(\*Decoder\)\.Decode"),
    ("event build", r"beat/event\.|beat\.\(\*bundler\)\.add|beat\.\(\*flowBundler\)\.add"),
    ("processors", r"processing\.\(\*group\)\.Run|libbeat/processors"),
    ("encode (JSON)", r"outputs/kafka\.\(\*recordEncoder\)|outputs/kafka\.\(\*fastEncoder\)|outputs/codec|go-structform|outputs/kafka\.\(\*client\)\.makeRecord"),
    ("queue + pipeline", r"publisher/queue|publisher/pipeline|beat\.newAsyncSink|beat\.\(\*asyncSink\)|beat\.\(\*bundler\)|outputs\.\(\*backoffClient\)"),
    ("flow table", r"beat/flows\."),
    ("produce (franz-go)", r"franz-go|outputs/kafka\.\(\*client\)"),
    ("output (file)", r"outputs/fileout|file\.\(\*Rotator\)"),
    ("GC", r"runtime\.gcBgMarkWorker|runtime\.bgsweep|runtime\.bgscavenge|runtime\.gcAssist|runtime\.markroot"),
]


def main():
    events = float(sys.argv[1])
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    compiled = [(n, re.compile(r)) for n, r in STAGES]
    totals = {n: 0.0 for n, _ in STAGES}
    totals["other (runtime, syscalls, timers)"] = 0.0
    sample, stack = None, []

    def flush():
        if sample is None:
            return
        for name, rx in compiled:
            if any(rx.search(f) for f in stack):
                totals[name] += sample
                return
        totals["other (runtime, syscalls, timers)"] += sample

    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.startswith("-----------+"):
            flush()
            sample, stack = None, []
            continue
        m = re.match(r"\s*([0-9.]+)(ms|s|us|ns|µs)\s+(\S.*)$", line)
        if m:
            flush()
            v = float(m.group(1)) * {"s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}[m.group(2)]
            sample, stack = v, [m.group(3)]
        elif sample is not None and line.strip():
            stack.append(line.strip())
    flush()
    total = sum(totals.values())
    print(f"| stage | CPU s {label} | µs/event {label} |")
    print("|---|---|---|")
    for name, v in totals.items():
        print(f"| {name} | {v:.2f} | {v * 1e6 / events:.2f} |")
    print(f"| **total** | **{total:.2f}** | **{total * 1e6 / events:.2f}** |")


if __name__ == "__main__":
    main()
