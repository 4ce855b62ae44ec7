//go:build integration

package kafka_test

// Fault tests of output.franz against the 3-node KRaft cluster of
// scripts/kafka-cluster.sh (topics: 3 partitions, replication factor 3,
// min.insync.replicas=2; netbeat: required_acks -1, so franz-go's idempotent
// producer). In each, netbeat replays a capture of faultPackets packets made
// by tools/mkbig (every packet event carries its unique frame.number), a
// fault hits the cluster or netbeat mid-stream, and the test reads the topic
// back and counts every record by frame.number. Each prints a FAULT-ROW line
// for the fault table in BENCHMARKS.md:
//
//	bash scripts/kafka-cluster.sh start
//	go test -tags integration -run TestCluster -v ./beat/outputs/kafka/ | grep FAULT-ROW
//	bash scripts/kafka-cluster.sh stop
//
// The tests fail (never skip) when the cluster env is missing.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// faultRun is one netbeat replaying the big capture into a fresh topic.
type faultRun struct {
	topic string
	n     int // packets in the capture: frame numbers 1..n
	r     *nbRun
	p     *probe
}

// startFaultRun starts netbeat -I on the big capture; pace > 0 replays it at
// the recorded pace sped up to last about pace (--speed), 0 as fast as
// possible.
func startFaultRun(t *testing.T, name string, pace time.Duration, extra ...string) *faultRun {
	t.Helper()
	return startFaultRunAfter(t, nil, name, pace, extra...)
}

// startFaultRunAfter runs setup once the cluster is up, before the topic is
// created; cleanups setup registers run before the cluster is resumed.
func startFaultRunAfter(t *testing.T, setup func(), name string, pace time.Duration, extra ...string) *faultRun {
	t.Helper()
	clusterUp(t)
	if setup != nil {
		setup()
	}
	path, n := bigCapture(t)
	topic := uniqueTopic(name)
	createClusterTopic(t, topic)
	args := []string{"-I", path, "--mode", "packets"}
	if pace > 0 {
		args = append(args, "--speed", fmt.Sprintf("%.3f", pcapSpan(t, path).Seconds()/pace.Seconds()))
	}
	r := startNetbeat(t, 10*time.Minute, clusterConfig(t, topic, extra...), args...)
	return &faultRun{topic: topic, n: n, r: r, p: startProbe(t, topic, r.cmd.Process.Pid)}
}

// finish waits for netbeat (exit 0), reads the topic back, prints the fault
// row and asserts exactly once: every frame number 1..n once.
func (f *faultRun) finish(t *testing.T, fault string, recovery time.Duration) {
	t.Helper()
	if code := f.r.wait(t); code != 0 {
		t.Errorf("netbeat exited %d:\n%s", code, tail(f.r.out.String(), 30))
	}
	f.check(t, fault, recovery)
}

// check reads the topic back after netbeat exited and asserts exactly once.
func (f *faultRun) check(t *testing.T, fault string, recovery time.Duration) {
	t.Helper()
	f.p.close()
	tl := readBackCluster(t, f.topic, f.n, 3*time.Minute, 5*time.Second)
	faultRow(t, fault, f.n, tl, recovery)
	checkExactlyOnce(t, tl, f.n)
}

func checkExactlyOnce(t *testing.T, tl tally, n int) {
	t.Helper()
	lost := 0
	for id := 1; id <= n; id++ {
		if tl.seen[id] == 0 {
			lost++
		}
	}
	if lost != 0 || tl.dups != 0 || tl.distinct != n {
		t.Errorf("read back %d records, %d distinct frame numbers (max %d): %d of 1..%d lost, %d duplicated; want each exactly once",
			tl.total, tl.distinct, tl.maxFrame, lost, n, tl.dups)
	}
}

// warnings returns netbeat's log lines at warn or error level that mention
// any of words.
func warnings(out string, words ...string) []string {
	var hits []string
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, `"log.level":"warn"`) && !strings.Contains(line, `"log.level":"error"`) {
			continue
		}
		for _, w := range words {
			if strings.Contains(line, w) {
				hits = append(hits, line)
				break
			}
		}
	}
	return hits
}

// TestClusterLeaderKill: kill -9 the leader of partition 0 a fifth of the way
// through; the other two nodes hold the in-sync replicas, a new leader is
// elected and netbeat carries on: 0 lost, 0 duplicated.
func TestClusterLeaderKill(t *testing.T) {
	f := startFaultRun(t, "leaderkill", 0)
	f.p.waitRecords(t, int64(f.n/5), 3*time.Minute)
	leader := leaderOf(t, f.topic, 0)
	at := time.Now()
	clusterScript(t, "kill", fmt.Sprint(leader))
	t.Logf("killed node %d (leader of partition 0) at %d records", leader, f.p.recordsAt(at))
	deadline := time.Now().Add(2 * time.Minute)
	var recovery time.Duration = -1
	for time.Now().Before(deadline) {
		if recovery = f.p.progressAfter(at); recovery >= 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.finish(t, "kill -9 of the partition leader", recovery)
	clusterScript(t, "resume", fmt.Sprint(leader))
}

// TestClusterRollingRestart: each of the three nodes in turn is stopped
// (SIGTERM: controlled shutdown, leadership moves) and started again while
// netbeat replays; the recovery time is the longest time until every
// partition took records again after a node stopped.
func TestClusterRollingRestart(t *testing.T) {
	f := startFaultRun(t, "rolling", 70*time.Second) // the restarts take about 45 s
	f.p.waitRecords(t, int64(f.n/10), 3*time.Minute)
	var stops []time.Time
	for node := 1; node <= 3; node++ {
		stops = append(stops, time.Now())
		clusterScript(t, "restart", fmt.Sprint(node))
		t.Logf("restarted node %d (%d records in the topic)", node, f.p.records())
	}
	var worst time.Duration = -1
	for _, at := range stops {
		if d := f.p.progressAfter(at); d > worst {
			worst = d
		}
	}
	f.finish(t, "rolling restart of all three nodes", worst)
}

// TestClusterBelowMinISR: two of three nodes down leaves one replica, fewer
// than min.insync.replicas=2: Kafka refuses every acks=all write
// (NOT_ENOUGH_REPLICAS). netbeat must hold back (bounded memory, reading of
// the capture pauses), say so in its log, lose nothing and finish once the
// nodes return.
func TestClusterBelowMinISR(t *testing.T) {
	f := startFaultRun(t, "minisr", 0, "  timeout: 10s\n")
	f.p.waitRecords(t, int64(f.n/5), 3*time.Minute)
	down := time.Now()
	clusterScript(t, "kill", "2")
	clusterScript(t, "kill", "3")
	const outage = 30 * time.Second
	time.Sleep(outage)
	before, after := f.p.recordsAt(down.Add(outage/3)), f.p.records()
	rssBefore, rssDuring := f.p.maxRSS(down.Add(-5*time.Second), down), f.p.maxRSS(down, time.Now())
	select {
	case err := <-f.r.done:
		t.Fatalf("netbeat exited during the outage (%v):\n%s", err, tail(f.r.out.String(), 30))
	default:
	}
	back := time.Now()
	clusterScript(t, "resume", "2")
	clusterScript(t, "resume", "3")
	deadline := time.Now().Add(3 * time.Minute)
	var recovery time.Duration = -1
	for time.Now().Before(deadline) {
		if recovery = f.p.progressAfter(back); recovery >= 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("below min.insync for %v: topic %d -> %d records; netbeat RSS %d KiB before, at most %d KiB during",
		outage, before, after, rssBefore, rssDuring)
	if after != before {
		t.Errorf("the topic grew from %d to %d records while only one replica was in sync", before, after)
	}
	// Backpressure: the queue and pipelining bound what netbeat holds; 512
	// MiB is several times its whole working set in this replay.
	if rssDuring > 512*1024 {
		t.Errorf("netbeat RSS reached %d KiB during the outage; want it bounded (< 512 MiB)", rssDuring)
	}
	f.finish(t, "two of three nodes down (below min.insync) for 30 s", recovery)
	if w := warnings(f.r.out.String(), "waiting for Kafka"); len(w) == 0 {
		t.Errorf("netbeat logged no warning about the records Kafka refused:\n%s", tail(f.r.out.String(), 30))
	} else {
		t.Logf("first warning: %s", w[0])
	}
}

// TestClusterNetbeatKill: kill -9 of netbeat itself, which uses the disk
// queue, a fifth of the way through; a netbeat started again with the same
// queue (a live capture on lo matching nothing, so only the queue drains)
// delivers what the queue held. Delivery is at least once: records Kafka
// took whose acknowledgement the disk queue had not yet recorded are sent
// again. The frames read back must be 1..max without a gap (nothing the
// queue accepted is lost); duplicates are counted and must stay within the
// bound documented in README.md: the batches in flight (pipelining x
// bulk_max_size events; the disk queue does not bundle packets) plus those
// Kafka acknowledged just before the kill whose acknowledgement had not yet
// reached the queue's state file. Measured 0, 64 and 320 with pipelining 4
// and bulk_max_size 64; the test allows 2 x pipelining x bulk_max_size.
func TestClusterNetbeatKill(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (a live capture on lo drains the queue)")
	}
	qdir := filepath.Join(t.TempDir(), "queue")
	const pipelining, bulk = 4, 64
	disk := fmt.Sprintf("queue.disk:\n  path: %q\n  max_size: 2GB\n", qdir)
	extra := fmt.Sprintf("  pipelining: %d\n  bulk_max_size: %d\n", pipelining, bulk)
	f := startFaultRun(t, "nbkill", 0, extra, disk)
	f.p.waitRecords(t, int64(f.n/5), 3*time.Minute)
	if err := f.r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	<-f.r.done
	atKill := f.p.recordsAt(killed)

	live := clusterConfig(t, f.topic, extra, disk) +
		"netbeat:\n  interfaces:\n    - {device: lo, type: af_packet, bpf_filter: \"udp port 9\"}\n  mode: [packets]\n"
	r := startNetbeat(t, 5*time.Minute, live)
	restarted := time.Now()
	// The queue drains, then nothing more arrives: stop when the topic has
	// not grown for 10 s.
	last, since := f.p.records(), time.Now()
	for time.Since(since) < 10*time.Second && time.Since(restarted) < 3*time.Minute {
		time.Sleep(500 * time.Millisecond)
		if n := f.p.records(); n != last {
			last, since = n, time.Now()
		}
	}
	recovery := f.p.progressAfter(restarted)
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	if code := r.wait(t); code != 0 {
		t.Errorf("the draining netbeat exited %d:\n%s", code, tail(r.out.String(), 30))
	}
	f.p.close()
	tl := readBackCluster(t, f.topic, int(last), 2*time.Minute, 3*time.Second)
	sent := tl.maxFrame // the queue is FIFO: it held frames 1..max
	faultRow(t, "kill -9 of netbeat (disk queue), restart", sent, tl, recovery)
	t.Logf("topic held %d records at the kill; %d after the restart drained the queue", atKill, last)
	gaps := 0
	for id := 1; id <= tl.maxFrame; id++ {
		if tl.seen[id] == 0 {
			gaps++
		}
	}
	if gaps != 0 {
		t.Errorf("%d of frames 1..%d are missing: the disk queue lost events it had accepted", gaps, tl.maxFrame)
	}
	if int64(tl.maxFrame) <= atKill {
		t.Errorf("the restarted netbeat delivered nothing new from the queue (max frame %d, %d records at the kill)", tl.maxFrame, atKill)
	}
	if bound := 2 * pipelining * bulk; tl.dups > bound {
		t.Errorf("%d duplicates after the restart; the documented bound is 2 x pipelining x bulk_max_size = %d", tl.dups, bound)
	}
}

// TestClusterDiskFull: node 3 runs with its log directory on a 16 MB tmpfs;
// the replay (about 40 MB per replica) fills it, Kafka takes the directory
// offline and, as it is the node's only one, stops the node. The other two
// keep min.insync: 0 lost, 0 duplicated. The recovery time counts from the
// node's death.
func TestClusterDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (mount -t tmpfs)")
	}
	f := startFaultRunAfter(t, func() {
		clusterScript(t, "tmpfs", "3", "16m")
		t.Cleanup(func() { clusterScript(t, "untmpfs", "3") }) // before clusterUp's resume
	}, "diskfull", 0)
	died := make(chan time.Time, 1)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(250 * time.Millisecond):
			}
			if exec.Command("bash", filepath.Join(repoRoot(t), "scripts/kafka-cluster.sh"), "status", "3").Run() != nil {
				died <- time.Now()
				return
			}
		}
	}()
	code := f.r.wait(t)
	close(stop)
	var recovery time.Duration = -1
	select {
	case at := <-died:
		recovery = f.p.progressAfter(at)
		t.Logf("node 3 stopped at %d records in the topic", f.p.recordsAt(at))
	default:
		t.Errorf("node 3 did not stop: its 16 MB tmpfs did not fill")
	}
	if b, err := os.ReadFile(filepath.Join(clusterEnv(t, "_HOME"), "node3", "broker.log")); err == nil {
		if !strings.Contains(string(b), "No space left on device") {
			t.Errorf("node 3's log does not say its disk was full")
		}
	}
	if code != 0 {
		t.Errorf("netbeat exited %d:\n%s", code, tail(f.r.out.String(), 30))
	}
	f.check(t, "node 3's log dir fills up (16 MB tmpfs)", recovery)
}
