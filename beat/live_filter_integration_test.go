//go:build integration

package beat_test

// Live capture start-up: no frame may reach netbeat before its BPF filter is
// attached (issue #19), and AF_PACKET on a loopback device counts each frame
// once, as tcpdump does (issue #16 item 2).

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netbeat/netbeat/internal/nbtest"
)

// netbeatProc is a netbeat started by startLive.
type netbeatProc struct {
	dir    string
	cmd    *exec.Cmd
	exited <-chan struct{}
	logs   *nbtest.SyncBuffer
}

// startLive runs netbeat in namespace ns with the given netbeat section
// and file output, and returns once its capture has been open for a while:
// Run opens the sources after the "start running" line.
func startLive(t *testing.T, ns, section string) *netbeatProc {
	t.Helper()
	p := &netbeatProc{dir: t.TempDir(), logs: &nbtest.SyncBuffer{}}
	cfg := fileOutputConfig(t, p.dir, section)
	p.cmd, p.exited = startProc(t, ns, p.logs, append([]string{netbeatBinary(t), "-e", "-c", cfg}, homeArgs(p.dir)...)...)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.logs.String(), "netbeat start running") {
		if time.Now().After(deadline) || strings.Contains(p.logs.String(), "Exiting:") {
			t.Fatalf("netbeat did not start capturing:\n%s", tail(p.logs.String(), 20))
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	return p
}

// stop sends SIGTERM, waits for a clean exit and returns what was published.
func (p *netbeatProc) stop(t *testing.T) liveRun {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		t.Fatalf("netbeat did not exit within 15 s of SIGTERM:\n%s", tail(p.logs.String(), 20))
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("netbeat exited %d after SIGTERM:\n%s", code, tail(p.logs.String(), 20))
	}
	pkts, flows := split(readOutput(t, p.dir))
	return liveRun{pkts: pkts, flows: flows, stderr: p.logs.String()}
}

var drainedRE = regexp.MustCompile(`filter drained (\d+)`)

// TestLiveFilterAtStartup: steady ICMP traffic crosses the veth through the
// whole start-up of netbeat, whose bpf_filter ("udp port 9") matches none of
// it. Over 20 starts per capture type, the only events are those of the one
// UDP datagram to port 9 sent once the capture is open (proof that it was):
// one packet event and its flow record. Before the fix, AF_PACKET let through
// whatever crossed the interface between bind and attaching the filter.
func TestLiveFilterAtStartup(t *testing.T) {
	netbeatBinary(t) // build before creating namespaces
	n := newNetnsPair(t)
	python := requireTool(t, "python3")
	var pingLog nbtest.SyncBuffer
	// 500 echo requests/s and their replies, until the test ends.
	_, pingDone := startProc(t, n.b, &pingLog, n.ping, "-q", "-i", "0.002", n.v4A)
	time.Sleep(200 * time.Millisecond)

	const starts = 20
	for _, typ := range []string{"af_packet", "pcap"} {
		t.Run(typ, func(t *testing.T) {
			var drained int
			for i := 1; i <= starts; i++ {
				select {
				case <-pingDone:
					t.Fatalf("the background ping stopped:\n%s", pingLog.String())
				default:
				}
				p := startLive(t, n.a, fmt.Sprintf(`netbeat:
  interfaces: [{device: %s, type: %s, bpf_filter: "udp port 9"}]
  mode: [packets, flows]
  flows: {timeout: 20s, period: -1s}
`, n.devA, typ))
				run(t, n.b, python, "-c", fmt.Sprintf(`import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"marker", (%q, 9))`, n.v4A))
				time.Sleep(300 * time.Millisecond)
				r := p.stop(t)
				var other []string
				marker := 0
				for _, e := range r.pkts {
					if e.str("network.transport") == "udp" && e.num("destination.port") == 9 && e.str("source.ip") == n.v4B {
						marker++
						continue
					}
					other = append(other, fmt.Sprintf("frame %d %s %s -> %s at %v", e.num("frame.number"), e.str("frame.protocols"), e.str("source.ip"), e.str("destination.ip"), e.get("@timestamp")))
				}
				if len(other) > 0 {
					t.Errorf("start %d/%d: %d packet events the filter excludes got through:\n%s", i, starts, len(other), strings.Join(other, "\n"))
				}
				if marker != 1 || len(r.flows) != 1 || r.flows[0].num("destination.port") != 9 {
					t.Errorf("start %d/%d: want exactly the marker datagram (1 packet event, 1 flow record); got %d marker events, %d packet events, %d flow records",
						i, starts, marker, len(r.pkts), len(r.flows))
				}
				if m := drainedRE.FindStringSubmatch(r.stderr); m == nil {
					t.Errorf("start %d/%d: no \"filter drained\" in the final summary:\n%s", i, starts, tail(r.stderr, 10))
				} else {
					d, _ := strconv.Atoi(m[1])
					drained += d
				}
				if t.Failed() {
					t.FailNow()
				}
			}
			t.Logf("%d starts with steady traffic: only the marker published each time; filter_drained summed %d", starts, drained)
		})
	}
}

// TestLiveLoopbackOnce: on a loopback device the kernel hands each frame to
// packet sockets twice (PACKET_OUTGOING, then PACKET_HOST). tcpdump keeps
// one; netbeat's af_packet and pcap sources must publish the same count.
func TestLiveLoopbackOnce(t *testing.T) {
	netbeatBinary(t)
	if os.Geteuid() != 0 {
		t.Fatal("TestLiveLoopbackOnce needs root (network namespaces, AF_PACKET): run the integration tests as root")
	}
	tcpdump := requireTool(t, "tcpdump")
	ping := requireTool(t, "ping")
	ns := fmt.Sprintf("nbL-%d", os.Getpid())
	run(t, "", "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	run(t, ns, "ip", "link", "set", "lo", "up")

	for _, typ := range []string{"af_packet", "pcap"} {
		t.Run(typ, func(t *testing.T) {
			pcapFile := t.TempDir() + "/lo.pcap"
			var tdLog nbtest.SyncBuffer
			td, tdDone := startProc(t, ns, &tdLog, tcpdump, "-i", "lo", "-n", "-U", "-w", pcapFile)
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(tdLog.String(), "listening on") {
				if time.Now().After(deadline) {
					t.Fatalf("tcpdump did not start:\n%s", tdLog.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			p := startLive(t, ns, fmt.Sprintf(`netbeat:
  interfaces: [{device: lo, type: %s}]
  mode: [packets]
`, typ))
			run(t, ns, ping, "-c", "3", "-i", "0.2", "127.0.0.1")
			run(t, ns, ping, "-6", "-c", "2", "-i", "0.2", "::1")
			// On a busy machine tcpdump may not have read the last frames yet
			// (SIGINT drops what it has not read): give it up to 10 s to hold
			// the 10 ICMP frames before stopping anything. The counts below
			// are still checked exactly.
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				out, _ := exec.Command(tcpdump, "-n", "-r", pcapFile).CombinedOutput()
				if strings.Count(string(out), "ICMP") >= 10 {
					break
				}
			}
			time.Sleep(300 * time.Millisecond)
			r := p.stop(t)
			_ = td.Process.Signal(syscall.SIGINT)
			select {
			case <-tdDone:
			case <-time.After(10 * time.Second):
				t.Fatalf("tcpdump did not exit on SIGINT:\n%s", tdLog.String())
			}
			lines := strings.Split(strings.TrimSpace(run(t, "", tcpdump, "-n", "-r", pcapFile)), "\n")
			var want []string
			for _, l := range lines {
				if strings.Contains(l, "ICMP") { // "reading from file" goes to stderr, but CombinedOutput mixes it in
					want = append(want, l)
				}
			}
			if len(want) != 10 {
				t.Fatalf("tcpdump saw %d ICMP/ICMPv6 packets on lo, want 10 (5 echo requests, 5 replies):\n%s", len(want), strings.Join(lines, "\n"))
			}
			if len(r.pkts) != len(want) {
				var got []string
				for _, e := range r.pkts {
					got = append(got, fmt.Sprintf("frame %d %s %s -> %s", e.num("frame.number"), e.str("frame.protocols"), e.str("source.ip"), e.str("destination.ip")))
				}
				t.Fatalf("netbeat (%s) published %d packet events on lo, tcpdump saw %d:\nnetbeat:\n%s\ntcpdump:\n%s",
					typ, len(r.pkts), len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			t.Logf("%s on lo: %d packet events, tcpdump %d", typ, len(r.pkts), len(want))
		})
	}
}
