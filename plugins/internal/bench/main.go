// Command bench measures netbeat's throughput and CPU per event with no
// plugin, each built-in plugin and the chain of all four, out-of-process
// and in process, on a generated capture, and prints a Markdown table
// (BENCHMARKS.md). -mode packets (default) makes one event per packet;
// -mode flows one flow record per flow (interim reports off, so every flow
// of the capture is one record; the generator counts them).
//
//	go build -o /tmp/netbeat . && go run ./plugins/internal/bench -netbeat /tmp/netbeat [-mode flows]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	nb := flag.String("netbeat", "", "netbeat binary")
	packets := flag.Int("packets", 300000, "packets in the generated capture")
	runs := flag.Int("runs", 3, "runs per scenario (best is kept)")
	only := flag.String("only", "", "comma-separated scenario names")
	mode := flag.String("mode", "packets", "packets or flows")
	addrs := flag.Int("addrs", 0, "public addresses: a pool of this many (0: every one drawn at random from 81.0.0.0/8)")
	cacheSize := flag.Int("cache", -1, "netbeat.plugins.cache_size (-1: netbeat's default; 0: off; 1: nearly every key misses)")
	flag.Parse()
	if *nb == "" {
		log.Fatal("bench: -netbeat is required")
	}
	la := loadavg()
	dir, err := os.MkdirTemp("", "netbeat-bench-")
	if err != nil {
		log.Fatal(err)
	}
	if os.Getenv("BENCH_KEEP") == "" {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintln(os.Stderr, "data in", dir)
	}
	big, small := filepath.Join(dir, "big.pcap"), filepath.Join(dir, "small.pcap")
	if *mode != "packets" && *mode != "flows" {
		log.Fatalf("bench: -mode %q: want packets or flows", *mode)
	}
	nflows, err := writeCapture(big, *packets, *addrs)
	must(err)
	_, err = writeCapture(small, 1, *addrs)
	must(err)
	events := *packets
	if *mode == "flows" {
		events = nflows
	}
	must(writeData(dir))
	fmt.Printf("| scenario | mode | events/s (wall) | %% of no plugin | overhead µs/event (wall) | CPU µs/event (netbeat + plugins) | CPU overhead µs/event |\n|---|---|---:|---:|---:|---:|---:|\n")
	var base, baseCPU float64
	for _, sc := range scenarios(dir) {
		if *only != "" && !strings.Contains(","+*only+",", ","+sc.name+",") && sc.name != "none" {
			continue
		}
		for _, inproc := range sc.modes() {
			cfg := filepath.Join(dir, fmt.Sprintf("%s-%s-%v.yml", sc.name, *mode, inproc))
			must(os.WriteFile(cfg, []byte(sc.config(*mode, inproc, *cacheSize)), 0o600))
			startup, startCPU := best(*runs, func() (time.Duration, time.Duration) { return run(*nb, cfg, small, dir, *mode) })
			total, totalCPU := best(*runs, func() (time.Duration, time.Duration) { return run(*nb, cfg, big, dir, *mode) })
			eps := float64(events) / (total - startup).Seconds()
			cpu := 1e6 * (totalCPU - startCPU).Seconds() / float64(events)
			mode := "out-of-process"
			switch {
			case sc.name == "none":
				mode, base, baseCPU = "-", eps, cpu
			case len(sc.plugins) == 0:
				mode = "-"
			case inproc:
				mode = "in-process"
			}
			fmt.Printf("| %s | %s | %.0f | %.0f%% | %.2f | %.2f | %.2f |\n", sc.name, mode, eps, 100*eps/base, 1e6*(1/eps-1/base), cpu, cpu-baseCPU)
		}
	}
	fmt.Printf("\n%s mode: %d packets, %d events, public addresses %s, cache_size %s, best of %d runs, startup (1-packet run) subtracted; load average at start: %s; %s/%s, %d CPUs, %s\n",
		*mode, *packets, events, map[bool]string{true: fmt.Sprintf("a pool of %d", *addrs), false: "random"}[*addrs > 0],
		map[bool]string{true: "default", false: fmt.Sprint(*cacheSize)}[*cacheSize < 0], *runs, la, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format(time.RFC3339))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// best returns the shortest wall time of n runs and the smallest CPU time.
func best(n int, f func() (time.Duration, time.Duration)) (time.Duration, time.Duration) {
	var b, c time.Duration
	for i := 0; i < n; i++ {
		d, cpu := f()
		if i == 0 || d < b {
			b = d
		}
		if i == 0 || cpu < c {
			c = cpu
		}
	}
	return b, c
}

// run returns netbeat's wall time and CPU time (user+system, including the
// plugin processes it waited for).
func run(nb, cfg, capture, dir, mode string) (time.Duration, time.Duration) {
	start := time.Now()
	cmd := exec.Command(nb, "-c", cfg, "--path.home", dir, "--path.data", filepath.Join(dir, "data"), "--path.logs", dir,
		"-I", capture, "--mode", mode)
	if out, err := cmd.CombinedOutput(); err != nil {
		log.Fatalf("bench: netbeat %s failed: %v\n%s", cfg, err, out)
	}
	return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
