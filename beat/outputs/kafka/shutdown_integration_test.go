//go:build integration

package kafka_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNetbeatShutdownUnacked: netbeat -I with no reachable broker and the
// memory queue holds its 24 events; on SIGTERM it waits for
// netbeat.shutdown_timeout, says how many events the output never
// acknowledged, and exits non-zero so a script can tell the run lost them.
func TestNetbeatShutdownUnacked(t *testing.T) {
	const grace = 4 * time.Second
	cfg := fmt.Sprintf("netbeat.shutdown_timeout: %v\nlogging.level: info\noutput.franz:\n  hosts: [\"127.0.0.1:%d\"]\n  topic: %q\n  timeout: 1s\n",
		grace, freePort(t), uniqueTopic("shutdown"))
	r := startNetbeat(t, 2*time.Minute, cfg, "-I", capture(t, "http4.pcap"), "--mode", "packets")
	time.Sleep(4 * time.Second) // the capture is read; the events wait in the queue
	select {
	case err := <-r.done:
		t.Fatalf("netbeat exited (%v) with the broker unreachable before SIGTERM:\n%s", err, tail(r.out.String(), 30))
	default:
	}
	sent := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := r.wait(t)
	took := time.Since(sent)
	out := r.out.String()
	if code != 1 {
		t.Errorf("netbeat -I stopped with unacknowledged events exited %d, want 1:\n%s", code, tail(out, 30))
	}
	if !strings.Contains(out, "stopping with 24 events not acknowledged by the output after netbeat.shutdown_timeout (4s)") ||
		!strings.Contains(out, "24 events were not acknowledged by the output when netbeat stopped") {
		t.Errorf("netbeat did not say that 24 events were not acknowledged:\n%s", tail(out, 30))
	}
	if took < grace || took > grace+10*time.Second {
		t.Errorf("netbeat took %v from SIGTERM to exit; want netbeat.shutdown_timeout (%v) and a little more", took, grace)
	}
	t.Logf("SIGTERM to exit: %v, exit code %d", took.Round(100*time.Millisecond), code)
}

// TestNetbeatShutdownDrains: SIGTERM in the middle of a paced replay with the
// broker up: the capture stops, what was published is acknowledged, and
// netbeat exits 0 as soon as that is done (well before shutdown_timeout).
func TestNetbeatShutdownDrains(t *testing.T) {
	topic := uniqueTopic("drain")
	cfg := "netbeat.shutdown_timeout: 60s\n" + franzConfig(t, topic)
	// The 24 packets of http4.pcap span 18 ms; at --speed 0.003 they take 6 s
	// and SIGTERM lands after about a third of them.
	r := startNetbeat(t, 2*time.Minute, cfg, "-I", capture(t, "http4.pcap"), "--mode", "packets", "--speed", "0.003")
	time.Sleep(2 * time.Second)
	sent := time.Now()
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	code := r.wait(t)
	took := time.Since(sent)
	if code != 0 || strings.Contains(r.out.String(), "not acknowledged") {
		t.Errorf("netbeat exited %d after SIGTERM with the broker up; want 0 and no unacknowledged events:\n%s", code, tail(r.out.String(), 30))
	}
	if took > 30*time.Second {
		t.Errorf("netbeat took %v to stop with the broker up; it should not wait for netbeat.shutdown_timeout", took)
	}
	raw := consumeTopics(t, 1, 30*time.Second, 2*time.Second, topic)
	seen := map[int]int{}
	for _, rec := range raw {
		seen[decode(t, rec).Frame.Number]++
	}
	for f, n := range seen {
		if n != 1 {
			t.Errorf("frame %d written %d times", f, n)
		}
	}
	t.Logf("SIGTERM to exit: %v; %d records read back, each once", took.Round(100*time.Millisecond), len(raw))
	if len(raw) == 0 || len(raw) >= 24 {
		t.Errorf("%d of 24 records written; want the part published before SIGTERM (some, not all)", len(raw))
	}
}
