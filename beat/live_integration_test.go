//go:build integration

package beat_test

// Live capture on a veth pair between two throw-away network namespaces: real
// ping, ping -6 and curl traffic, captured by netbeat running in namespace A.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netbeat/netbeat/internal/nbtest"
)

// netnsPair is two namespaces joined by a veth pair: A (netbeat, HTTP server)
// holds 10.199.X.1 and fd99:X::1, B (clients) 10.199.X.2 and fd99:X::2.
type netnsPair struct {
	a, b       string // namespace names
	devA       string // veth end in A, where netbeat captures
	v4A, v4B   string
	v6A, v6B   string
	httpPort   int
	ping, curl string
}

func (n *netnsPair) url() string { return fmt.Sprintf("http://%s:%d/hello.txt", n.v4A, n.httpPort) }

// run runs a command inside namespace ns and fails the test on error.
func run(t *testing.T, ns string, args ...string) string {
	t.Helper()
	if ns != "" {
		args = append([]string{"ip", "netns", "exec", ns}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startProc starts a long-running command inside ns; t.Cleanup kills it if the
// test did not stop it. Output goes to buf; the channel closes when it exits.
func startProc(t *testing.T, ns string, buf *nbtest.SyncBuffer, args ...string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...) // ip execs the command: same PID
	cmd.Stdout, cmd.Stderr = buf, buf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %v: %v", args, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return cmd, done
}

// newNetnsPair creates the namespaces, the veth pair and addresses, and an
// HTTP server in A; t.Cleanup deletes the namespaces (and with them the veth).
func newNetnsPair(t *testing.T) *netnsPair {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("TestLiveAFPacket needs root (network namespaces, AF_PACKET): run the integration tests as root")
	}
	requireTool(t, "ip")
	pid := os.Getpid()
	x := pid%200 + 20
	n := &netnsPair{
		a: fmt.Sprintf("nbA-%d", pid), b: fmt.Sprintf("nbB-%d", pid), devA: fmt.Sprintf("nbva%d", pid),
		v4A: fmt.Sprintf("10.199.%d.1", x), v4B: fmt.Sprintf("10.199.%d.2", x),
		v6A: fmt.Sprintf("fd99:%d::1", x), v6B: fmt.Sprintf("fd99:%d::2", x),
		httpPort: 8080, ping: requireTool(t, "ping"), curl: requireTool(t, "curl"),
	}
	devB := fmt.Sprintf("nbvb%d", pid)
	python := requireTool(t, "python3")
	run(t, "", "ip", "netns", "add", n.a)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", n.a).Run() })
	run(t, "", "ip", "netns", "add", n.b)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", n.b).Run() })
	// Create the veth inside A so it never exists in the test's own namespace.
	run(t, n.a, "ip", "link", "add", n.devA, "type", "veth", "peer", "name", devB, "netns", n.b)
	for _, c := range [][]string{
		{n.a, "ip", "addr", "add", n.v4A + "/24", "dev", n.devA},
		{n.a, "ip", "addr", "add", n.v6A + "/64", "dev", n.devA, "nodad"},
		{n.b, "ip", "addr", "add", n.v4B + "/24", "dev", devB},
		{n.b, "ip", "addr", "add", n.v6B + "/64", "dev", devB, "nodad"},
		{n.a, "ip", "link", "set", "lo", "up"},
		{n.b, "ip", "link", "set", "lo", "up"},
		{n.a, "ip", "link", "set", n.devA, "up"},
		{n.b, "ip", "link", "set", devB, "up"},
	} {
		run(t, c[0], c[1:]...)
	}

	www := t.TempDir()
	writeFile(t, filepath.Join(www, "hello.txt"), "hello from namespace A\n")
	var srvLog nbtest.SyncBuffer
	startProc(t, n.a, &srvLog, python, "-m", "http.server", strconv.Itoa(n.httpPort), "--bind", n.v4A, "--directory", www)
	// Wait for the link and the server (before any capture starts).
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := exec.Command("ip", "netns", "exec", n.b, n.curl, "-sf", "-m", "1", "-o", "/dev/null", n.url()).Run()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("http.server in %s not reachable from %s: %v\nserver log:\n%s", n.a, n.b, err, srvLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return n
}

// liveRun is the outcome of one capture session.
type liveRun struct {
	pkts, flows []event
	stderr      string
}

// capture starts netbeat in namespace A on the veth with the given capture
// type and filter, runs the traffic from B, waits for the FIN flows to end,
// stops netbeat with SIGTERM and returns what it wrote.
func (n *netnsPair) capture(t *testing.T, typ, filter string) liveRun {
	t.Helper()
	dir := t.TempDir()
	iface := fmt.Sprintf("{device: %s, type: %s", n.devA, typ)
	if filter != "" {
		iface += ", bpf_filter: " + strconv.Quote(filter)
	}
	cfg := fileOutputConfig(t, dir, fmt.Sprintf(`netbeat:
  interfaces: [%s}]
  mode: [packets, flows]
  flows: {timeout: 20s, close_timeout: 300ms, period: -1s}
`, iface))
	var logs nbtest.SyncBuffer
	nb, exited := startProc(t, n.a, &logs, append([]string{netbeatBinary(t), "-e", "-c", cfg}, homeArgs(dir)...)...)

	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "netbeat start running") {
		if time.Now().After(deadline) || strings.Contains(logs.String(), "Exiting:") {
			t.Fatalf("netbeat did not start capturing:\n%s", tail(logs.String(), 20))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // Run opens the capture after the "start running" line

	run(t, n.b, n.ping, "-c", "3", "-i", "0.2", "-W", "2", n.v4A)
	run(t, n.b, n.ping, "-6", "-c", "2", "-i", "0.2", "-W", "2", n.v6A)
	if body := run(t, n.b, n.curl, "-sSf", "-m", "5", n.url()); !strings.Contains(body, "hello from namespace A") {
		t.Fatalf("curl got %q", body)
	}
	// The flow table ticks every second: after close_timeout and a tick the
	// HTTP flow has ended with fin; everything else ends with capture_end.
	time.Sleep(1500 * time.Millisecond)

	if err := nb.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Fatalf("netbeat did not exit within 15 s of SIGTERM:\n%s", tail(logs.String(), 20))
	}
	if code := nb.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("netbeat exited %d after SIGTERM:\n%s", code, tail(logs.String(), 20))
	}
	pkts, flows := split(readOutput(t, dir))
	return liveRun{pkts: pkts, flows: flows, stderr: logs.String()}
}

// checkSummary asserts the final capture summary reports kernel drops and
// that netbeat published one packet event per frame it received.
func checkSummary(t *testing.T, r liveRun, dev string) {
	t.Helper()
	m := regexp.MustCompile(`capture \\"` + regexp.QuoteMeta(dev) + `\\" finished: (\d+) packets.*?kernel dropped (\d+), interface dropped (\d+)`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no final summary with \"kernel dropped\" for %s in the log:\n%s", dev, tail(r.stderr, 20))
	}
	if got, _ := strconv.Atoi(m[1]); got != len(r.pkts) {
		t.Errorf("summary says %s packets received, %d packet events published", m[1], len(r.pkts))
	}
	t.Logf("summary: %s packets, kernel dropped %s, interface dropped %s", m[1], m[2], m[3])
}

// checkFullTraffic asserts the ping, ping -6 and HTTP traffic arrived as packet
// events and flow records.
func (n *netnsPair) checkFullTraffic(t *testing.T, r liveRun) {
	t.Helper()
	checkFrameNumbers(t, r.pkts)
	count := func(pred func(e event) bool) int {
		c := 0
		for _, e := range r.pkts {
			if pred(e) {
				c++
			}
		}
		return c
	}
	between := func(e event, src, dst string) bool {
		return e.str("source.ip") == src && e.str("destination.ip") == dst
	}
	icmp := func(e event, typ int64) bool {
		return e.str("frame.protocols") == "eth:ip:icmp" && e.num("icmp.type") == typ
	}
	if c := count(func(e event) bool { return icmp(e, 8) && between(e, n.v4B, n.v4A) }); c != 3 {
		t.Errorf("%d ICMP echo requests %s -> %s, want 3", c, n.v4B, n.v4A)
	}
	if c := count(func(e event) bool { return icmp(e, 0) && between(e, n.v4A, n.v4B) }); c != 3 {
		t.Errorf("%d ICMP echo replies %s -> %s, want 3", c, n.v4A, n.v4B)
	}
	if c := count(func(e event) bool { return e.num("icmpv6.type") == 128 && between(e, n.v6B, n.v6A) }); c != 2 {
		t.Errorf("%d ICMPv6 echo requests %s -> %s, want 2", c, n.v6B, n.v6A)
	}
	if c := count(func(e event) bool { return e.num("icmpv6.type") == 129 && between(e, n.v6A, n.v6B) }); c != 2 {
		t.Errorf("%d ICMPv6 echo replies %s -> %s, want 2", c, n.v6A, n.v6B)
	}
	port := int64(n.httpPort)
	toSrv := func(e event) bool {
		return e.str("network.transport") == "tcp" && between(e, n.v4B, n.v4A) && e.num("destination.port") == port
	}
	fromSrv := func(e event) bool {
		return e.str("network.transport") == "tcp" && between(e, n.v4A, n.v4B) && e.num("source.port") == port
	}
	if c := count(func(e event) bool { return toSrv(e) && e.has("tcp.flags_str", "SYN") }); c != 1 {
		t.Errorf("%d SYN packets to port %d, want 1", c, port)
	}
	if c := count(func(e event) bool {
		return fromSrv(e) && e.has("tcp.flags_str", "SYN") && e.has("tcp.flags_str", "ACK")
	}); c != 1 {
		t.Errorf("%d SYN-ACK packets from port %d, want 1", c, port)
	}
	if count(func(e event) bool { return toSrv(e) && e.has("tcp.flags_str", "FIN") }) != 1 ||
		count(func(e event) bool { return fromSrv(e) && e.has("tcp.flags_str", "FIN") }) != 1 {
		t.Errorf("want one FIN in each direction of the HTTP connection")
	}
	for _, e := range r.pkts {
		if e.str("observer.ingress.interface.name") != n.devA {
			t.Fatalf("packet event observer.ingress.interface.name = %q, want %s", e.str("observer.ingress.interface.name"), n.devA)
		}
	}

	var httpFlow, icmpFlow, icmp6Flow event
	for _, f := range r.flows {
		if f.get("flow.final") != true {
			t.Errorf("flow record not final after SIGTERM: %v", f.get("flow"))
		}
		switch {
		case f.str("network.transport") == "tcp" && f.num("destination.port") == port:
			if httpFlow != nil {
				t.Errorf("two flow records for the single HTTP connection")
			}
			httpFlow = f
		case f.str("network.transport") == "icmp" && f.str("source.ip") == n.v4B:
			icmpFlow = f
		case f.str("network.transport") == "ipv6-icmp" && f.str("source.ip") == n.v6B && f.str("destination.ip") == n.v6A && f.num("flow.icmp.type") == 128:
			icmp6Flow = f
		}
	}
	if httpFlow == nil {
		t.Fatalf("no flow record for the HTTP connection among %d flow records", len(r.flows))
	}
	if httpFlow.str("flow.end_reason") != "fin" || httpFlow.str("source.ip") != n.v4B || httpFlow.str("destination.ip") != n.v4A ||
		httpFlow.num("source.packets") < 4 || httpFlow.num("destination.packets") < 3 || !httpFlow.has("flow.tcp_flags", "FIN") || !httpFlow.has("flow.tcp_flags", "SYN") {
		t.Errorf("HTTP flow: want end_reason fin, %s -> %s, SYN and FIN, packets both ways; got flow %v source %v destination %v",
			n.v4B, n.v4A, httpFlow.get("flow"), httpFlow.get("source"), httpFlow.get("destination"))
	}
	if got := httpFlow.num("source.packets") + httpFlow.num("destination.packets"); got != int64(count(func(e event) bool { return toSrv(e) || fromSrv(e) })) {
		t.Errorf("HTTP flow counts %d packets, %d TCP packet events", got, count(func(e event) bool { return toSrv(e) || fromSrv(e) }))
	}
	for _, c := range []struct {
		name string
		f    event
		want int64
	}{{"ICMP", icmpFlow, 3}, {"ICMPv6 echo", icmp6Flow, 2}} {
		if c.f == nil {
			t.Errorf("no %s flow record among %d flow records", c.name, len(r.flows))
			continue
		}
		// The flows idle timeout (20 s) outlasts the run: SIGTERM ends them.
		if c.f.str("flow.end_reason") != "capture_end" || c.f.num("source.packets") != c.want || c.f.num("destination.packets") != c.want {
			t.Errorf("%s flow: want capture_end and %d packets each way; got flow %v source %v destination %v",
				c.name, c.want, c.f.get("flow"), c.f.get("source"), c.f.get("destination"))
		}
	}
}

func TestLiveAFPacket(t *testing.T) {
	netbeatBinary(t) // build before creating namespaces
	n := newNetnsPair(t)

	t.Run("af_packet", func(t *testing.T) {
		r := n.capture(t, "af_packet", "")
		checkSummary(t, r, n.devA)
		n.checkFullTraffic(t, r)
	})

	t.Run("af_packet bpf_filter icmp", func(t *testing.T) {
		r := n.capture(t, "af_packet", "icmp")
		checkSummary(t, r, n.devA)
		if len(r.pkts) != 6 {
			t.Errorf("%d packet events through bpf_filter icmp, want 6 (3 echo requests, 3 replies)", len(r.pkts))
		}
		for _, e := range r.pkts {
			if e.str("frame.protocols") != "eth:ip:icmp" {
				t.Errorf("bpf_filter icmp let through frame %d: %s", e.num("frame.number"), e.str("frame.protocols"))
			}
		}
		for _, f := range r.flows {
			if f.str("network.transport") != "icmp" {
				t.Errorf("bpf_filter icmp produced a %s flow record", f.str("network.transport"))
			}
		}
		if len(r.flows) != 1 {
			t.Errorf("%d flow records through bpf_filter icmp, want 1 (the ping)", len(r.flows))
		}
	})

	t.Run("pcap", func(t *testing.T) {
		r := n.capture(t, "pcap", "")
		checkSummary(t, r, n.devA)
		n.checkFullTraffic(t, r)
	})
}
