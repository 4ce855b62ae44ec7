//go:build integration

package control_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/netbeat/netbeat/beat/control"
	"github.com/netbeat/netbeat/internal/nbtest"
)

// fleet is three probes capturing ping traffic on their own veth, one
// operator key, and a controller client.
type fleet struct {
	broker, cmdTopic, statusTopic, keyFile string
	keyID                                  string
	key                                    ed25519.PrivateKey
	probes                                 []*probe
	sites                                  []site
	cl                                     *control.Client
	httpAddr, token                        string // probe-1's control API
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	bin := nbtest.Binary(t) // build before the namespaces exist
	f := &fleet{broker: kafkaEnv(t, "PLAINTEXT")}
	uniq := time.Now().UnixNano()
	f.cmdTopic, f.statusTopic = fmt.Sprintf("it-ctl-cmd-%d", uniq), fmt.Sprintf("it-ctl-status-%d", uniq)
	createTopics(t, f.broker, f.cmdTopic, f.statusTopic)

	kdir := t.TempDir()
	f.keyFile = filepath.Join(kdir, "alice.key")
	out, err := exec.Command(bin, "ctl", "keygen", "--id", "alice", "--out", f.keyFile).Output() // stdout: the public key line
	if err != nil {
		t.Fatalf("ctl keygen: %v", err)
	}
	pub := strings.TrimSpace(string(out))
	id, priv, err := control.LoadPrivateKey(f.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	f.keyID, f.key = id, priv
	tags := [][]string{{"site-a", "edge"}, {"site-a"}, {"site-b"}}
	for i := range 3 {
		s := newSite(t, i+1)
		f.sites = append(f.sites, s)
		// steady ping from the peer namespace: echo requests in, replies out
		var pingLog nbtest.SyncBuffer
		startCmd(t, s.ns, &pingLog, "ping", "-q", "-i", "0.05", s.host)
		p := &probe{owner: t, id: fmt.Sprintf("probe-%d", i+1), dir: t.TempDir()}
		p.cfg = filepath.Join(p.dir, "netbeat.yml")
		tagsJSON, _ := json.Marshal(tags[i])
		httpSection := ""
		if i == 0 { // the local control API on probe-1
			f.httpAddr = freeAddr(t)
			f.token = "it-token-0123456789abcdef"
			tokFile := filepath.Join(kdir, "control.token")
			writeFile(t, tokFile, f.token+"\n")
			_, port, _ := net.SplitHostPort(f.httpAddr)
			httpSection = fmt.Sprintf("\n    http: {enabled: true, host: 127.0.0.1, port: %s, token_file: %q}", port, tokFile)
		}
		writeFile(t, p.cfg, fmt.Sprintf(`netbeat:
  interfaces: [{device: %s, bpf_filter: "icmp"}]
  mode: [packets]
  probe: {id: %s, name: site-%d, tags: %s}
  control:
    enabled: true
    heartbeat: 1s
    command_topic: %s
    status_topic: %s
    kafka.hosts: [%q]
    keys:
      %s%s
queue.mem.flush.timeout: 100ms
output.file: {path: %q, filename: events}
`, s.dev, p.id, i+1, tagsJSON, f.cmdTopic, f.statusTopic, f.broker, pub, httpSection, filepath.Join(p.dir, "out")))
		p.start(t)
		f.probes = append(f.probes, p)
	}
	f.cl, err = control.NewClient(connOpts(f.broker), f.cmdTopic, f.statusTopic)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.cl.Close)
	return f
}

// ctl runs `netbeat ctl send` and returns its JSON results and exit code.
func (f *fleet) ctl(t *testing.T, args ...string) ([]control.Result, int, string) {
	t.Helper()
	full := append([]string{"ctl", "--kafka", f.broker, "--command-topic", f.cmdTopic, "--status-topic", f.statusTopic,
		"send", "--key", f.keyFile, "--json", "--timeout", "20s"}, args...)
	cmd := exec.Command(nbtest.Binary(t), full...)
	var stdout, stderr nbtest.SyncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rs []control.Result
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r control.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("ctl printed %q: %v", line, err)
		}
		rs = append(rs, r)
	}
	return rs, code, stderr.String()
}

// send writes a signed command for one probe and waits for its result.
func (f *fleet) send(t *testing.T, target control.Target, action string, args map[string]string) *control.Result {
	t.Helper()
	c := control.NewCommand(target, action, args, time.Now(), time.Minute)
	c.Sign(f.keyID, f.key)
	data, _ := json.Marshal(c)
	return f.sendRaw(t, c.ID, data, target.Probe)
}

// sendRaw writes data as is and waits for probeID's result for command id.
func (f *fleet) sendRaw(t *testing.T, id string, data []byte, probeID string) *control.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	from, err := f.cl.StatusEnd(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cl.WriteRaw(ctx, data); err != nil {
		t.Fatal(err)
	}
	rs, missing, err := f.cl.Await(ctx, from, id, map[string]bool{probeID: true})
	if err != nil || len(missing) > 0 || len(rs) == 0 {
		t.Fatalf("no result from %s for %s (err %v)", probeID, id, err)
	}
	return rs[0]
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// icmpTypes counts the probe's ICMP events by type from time from on.
func icmpTypes(t *testing.T, p *probe, from time.Time) map[int64]int {
	t.Helper()
	n := map[int64]int{}
	for _, e := range readEvents(t, p.dir) {
		if !e.time(t).Before(from) {
			n[e.num("icmp.type")]++
		}
	}
	return n
}

// TestRemoteControl drives three live probes through the control topic.
func TestRemoteControl(t *testing.T) {
	f := newFleet(t)
	time.Sleep(2 * time.Second) // some traffic before the first change

	t.Run("set_filter by id changes only that probe", func(t *testing.T) {
		sent := time.Now()
		r := f.send(t, control.Target{Probe: "probe-1"}, "set_filter", map[string]string{"filter": "icmp[icmptype] == icmp-echo"})
		if r.Status != control.Applied || r.HashBefore == r.HashAfter {
			t.Fatalf("set_filter: %+v", r)
		}
		t.Logf("set_filter applied in %.1f ms, %s after sending", r.ApplyMS, time.Since(sent).Round(time.Millisecond))
		after := sent.Add(5 * time.Second)
		time.Sleep(time.Until(after.Add(2 * time.Second)))
		// From 5 s after sending: probe-1 sees only echo requests (type 8),
		// the others requests and replies (type 0).
		got := icmpTypes(t, f.probes[0], after)
		if got[8] < 10 || got[0] != 0 {
			t.Fatalf("probe-1 after set_filter: ICMP types %v, want only echo requests", got)
		}
		for _, p := range f.probes[1:] {
			if got := icmpTypes(t, p, after); got[8] < 10 || got[0] < 10 {
				t.Fatalf("%s was changed too: ICMP types %v", p.id, got)
			}
		}
	})

	t.Run("tag selector reaches exactly the tagged probes", func(t *testing.T) {
		rs, code, stderr := f.ctl(t, "--tag", "site-a", "status")
		if code != 0 {
			t.Fatalf("ctl send --tag site-a status exited %d:\n%s", code, stderr)
		}
		got := map[string]string{}
		for _, r := range rs {
			got[r.Probe] = r.Status
		}
		if len(got) != 2 || got["probe-1"] != control.Applied || got["probe-2"] != control.Applied {
			t.Fatalf("results %v, want applied from probe-1 and probe-2 only", got)
		}
		// A failing action makes ctl exit non-zero.
		if _, code, _ := f.ctl(t, "--probe", "probe-3", "set_filter", "filter=udp port ("); code == 0 {
			t.Fatal("ctl send of an invalid filter exited 0")
		}
	})

	t.Run("pause and resume lose nothing captured", func(t *testing.T) {
		p := f.probes[1]
		if r := f.send(t, control.Target{Probe: p.id}, "pause", nil); r.Status != control.Applied {
			t.Fatalf("pause: %+v", r)
		}
		paused := time.Now()
		time.Sleep(3 * time.Second)
		resumed := time.Now() // sent now: it applies before its result arrives
		if r := f.send(t, control.Target{Probe: p.id}, "resume", map[string]string{"source": f.sites[1].dev}); r.Status != control.Applied {
			t.Fatalf("resume: %+v", r)
		}
		time.Sleep(2 * time.Second)
		var during, afterN int
		evs := readEvents(t, p.dir)
		for _, e := range evs {
			ts := e.time(t)
			switch {
			case ts.After(paused.Add(500*time.Millisecond)) && ts.Before(resumed):
				during++
			case ts.After(resumed):
				afterN++
			}
		}
		if during != 0 || afterN < 10 {
			t.Fatalf("%d events while paused (want 0), %d after resume (want >= 10)", during, afterN)
		}
		for i, e := range evs { // every frame read was published: no gap
			if got := e.num("frame.number"); got != int64(i+1) {
				t.Fatalf("event %d has frame.number %d: events were lost", i, got)
			}
		}
	})

	t.Run("bad commands are rejected and counted", func(t *testing.T) {
		target := control.Target{Probe: "probe-3"}
		good := control.NewCommand(target, "pause", nil, time.Now(), time.Minute)
		good.Sign(f.keyID, f.key)
		tampered := *good
		tampered.Action = "resume"
		other, _, _ := control.GenerateKey("mallory")
		unknown := control.NewCommand(target, "pause", nil, time.Now(), time.Minute)
		unknown.Sign("mallory", ed25519.PrivateKey(other.PrivateKey))
		expired := control.NewCommand(target, "pause", nil, time.Now().Add(-2*time.Minute), time.Minute)
		expired.Sign(f.keyID, f.key)
		future := control.NewCommand(target, "pause", nil, time.Now().Add(10*time.Minute), time.Minute)
		future.Sign(f.keyID, f.key)
		enc := func(c *control.Command) []byte { b, _ := json.Marshal(c); return b }
		for _, tc := range []struct {
			reason string
			c      *control.Command
		}{
			{control.ReasonBadSignature, &tampered},
			{control.ReasonUnknownKey, unknown},
			{control.ReasonExpired, expired},
			{control.ReasonFuture, future},
		} {
			if r := f.sendRaw(t, tc.c.ID, enc(tc.c), "probe-3"); r.Status != control.Rejected || r.Reason != tc.reason {
				t.Fatalf("%s: got %+v", tc.reason, r)
			}
		}
		if r := f.sendRaw(t, good.ID, enc(good), "probe-3"); r.Status != control.Applied {
			t.Fatalf("good: %+v", r)
		}
		if r := f.sendRaw(t, good.ID, enc(good), "probe-3"); r.Status != control.Rejected || r.Reason != control.ReasonReplayed {
			t.Fatalf("replayed: %+v", r)
		}
		// The counters, as the next heartbeat reports them.
		time.Sleep(1500 * time.Millisecond)
		hs, err := f.cl.Probes(context.Background(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		h := hs["probe-3"]
		if h == nil {
			t.Fatal("no heartbeat from probe-3")
		}
		for _, reason := range []string{control.ReasonBadSignature, control.ReasonUnknownKey, control.ReasonExpired, control.ReasonFuture, control.ReasonReplayed} {
			if h.Rejected[reason] != 1 {
				t.Fatalf("probe-3 heartbeat counts rejected %v, want 1 of each kind", h.Rejected)
			}
		}
		if h.Sources[0].State != "paused" {
			t.Fatalf("probe-3 source state %q after pause", h.Sources[0].State)
		}
	})

	t.Run("broker down while a command is pending: applied exactly once", func(t *testing.T) {
		p := f.probes[2]
		script := kafkaEnv(t, "SCRIPT")
		// Freeze the probe, write the command, stop the broker, thaw the probe.
		run(t, "kill", "-STOP", fmt.Sprint(p.cmd.Process.Pid))
		c := control.NewCommand(control.Target{Probe: p.id}, "resume", nil, time.Now(), 5*time.Minute)
		c.Sign(f.keyID, f.key)
		data, _ := json.Marshal(c)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		from, err := f.cl.StatusEnd(ctx)
		if err == nil {
			err = f.cl.WriteRaw(ctx, data)
		}
		cancel()
		if err != nil {
			run(t, "kill", "-CONT", fmt.Sprint(p.cmd.Process.Pid))
			t.Fatal(err)
		}
		run(t, "bash", script, "stop")
		run(t, "kill", "-CONT", fmt.Sprint(p.cmd.Process.Pid))
		time.Sleep(3 * time.Second)
		run(t, "bash", script, "resume")
		ctx, cancel = context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		rs, missing, err := f.cl.Await(ctx, from, c.ID, map[string]bool{p.id: true})
		if err != nil || len(missing) > 0 || len(rs) != 1 || rs[0].Status != control.Applied {
			t.Fatalf("after the broker returned: results %+v, missing %v, err %v\n%s", rs, missing, err, tail(p.logs.String(), 20))
		}
		// A restart neither repeats it nor skips what comes next.
		p.stop(t)
		p.start(t)
		r := f.send(t, control.Target{Probe: p.id}, "status", nil)
		if r.Status != control.Applied {
			t.Fatalf("status after restart: %+v", r)
		}
		ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel2()
		again, _, _ := f.cl.Await(ctx2, from, c.ID, nil)
		if len(again) != 1 {
			t.Fatalf("command %s answered %d times, want once: %+v", c.ID, len(again), again)
		}
	})

	t.Run("set_mode flushes flows and changes the events", func(t *testing.T) {
		p := f.probes[0]
		if r := f.send(t, control.Target{Probe: p.id}, "set_mode", map[string]string{"mode": "packets,flows"}); r.Status != control.Applied || r.HashBefore == r.HashAfter {
			t.Fatalf("set_mode packets,flows: %+v", r)
		}
		time.Sleep(2 * time.Second)
		if r := f.send(t, control.Target{Probe: p.id}, "set_mode", map[string]string{"mode": "packets"}); r.Status != control.Applied {
			t.Fatalf("set_mode packets: %+v", r)
		}
		// Leaving flows mode ends the flow of the ping (capture_end).
		flows := 0
		for _, e := range readEvents(t, p.dir) {
			if e.get("event.dataset") == "netbeat.flows" {
				flows++
			}
		}
		if flows == 0 {
			t.Fatal("no flow record after set_mode packets,flows then packets")
		}
	})

	t.Run("apply: bad rejected, good survives restart, kill -9 leaves old or new", func(t *testing.T) {
		p := f.probes[1]
		dev := f.sites[1].dev
		bad := fmt.Sprintf("netbeat:\n  interfaces: [{device: %s}]\n  mode: [bogus]\n", dev)
		if r := f.send(t, control.Target{Probe: p.id}, "apply", map[string]string{"config": bad}); r.Status != control.Failed || !strings.Contains(r.Message, "bogus") {
			t.Fatalf("bad apply: %+v", r)
		}
		locked := fmt.Sprintf("netbeat:\n  probe: {id: evil}\n  interfaces: [{device: %s}]\n", dev)
		if r := f.send(t, control.Target{Probe: p.id}, "apply", map[string]string{"config": locked}); r.Status != control.Failed {
			t.Fatalf("apply changing netbeat.probe: %+v", r)
		}
		before := time.Now()
		time.Sleep(time.Second)
		if n := icmpTypes(t, p, before); n[8] < 5 {
			t.Fatalf("probe stopped capturing after a bad apply: %v", n)
		}
		replies := "icmp[icmptype] == icmp-echoreply"
		good := fmt.Sprintf("interfaces: [{device: %s, bpf_filter: %q}]\nmode: [packets]\n", dev, replies)
		if r := f.send(t, control.Target{Probe: p.id}, "apply", map[string]string{"config": good}); r.Status != control.Applied {
			t.Fatalf("good apply: %+v", r)
		}
		p.stop(t)
		p.start(t)
		restarted := time.Now()
		time.Sleep(2 * time.Second)
		if n := icmpTypes(t, p, restarted); n[0] < 10 || n[8] != 0 {
			t.Fatalf("after restart the applied filter is gone: ICMP types %v", n)
		}
		// kill -9 while an apply runs: the probe comes back with the old
		// or the new configuration, never a broken one.
		requests := "icmp[icmptype] == icmp-echo"
		next := fmt.Sprintf("interfaces: [{device: %s, bpf_filter: %q}]\nmode: [packets, flows]\n", dev, requests)
		c := control.NewCommand(control.Target{Probe: p.id}, "apply", map[string]string{"config": next}, time.Now(), time.Minute)
		c.Sign(f.keyID, f.key)
		data, _ := json.Marshal(c)
		if err := f.cl.WriteRaw(context.Background(), data); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(p.logs.String(), c.ID) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // into the reconfiguration (it drains for 50 ms)
		_ = p.cmd.Process.Kill()
		<-p.exited
		p.start(t)
		time.Sleep(2 * time.Second)
		hs, err := f.cl.Probes(context.Background(), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		h := hs[p.id]
		if h == nil || len(h.Sources) != 1 || (h.Sources[0].Filter != replies && h.Sources[0].Filter != requests) {
			t.Fatalf("after kill -9 mid-apply: heartbeat %+v", h)
		}
		t.Logf("after kill -9 mid-apply the probe runs with filter %q", h.Sources[0].Filter)
	})

	t.Run("add_interface and remove_interface; a failing one rolls back", func(t *testing.T) {
		p := f.probes[2]
		t.Cleanup(func() {
			if t.Failed() {
				_ = p.cmd.Process.Signal(syscall.SIGQUIT)
				time.Sleep(2 * time.Second)
				t.Logf("%s log:\n%s", p.id, tail(p.logs.String(), 100000))
			}
		})
		if r := f.send(t, control.Target{Probe: p.id}, "add_interface", map[string]string{"device": "nosuch0"}); r.Status != control.Failed || r.HashBefore != r.HashAfter {
			t.Fatalf("add_interface nosuch0: %+v", r)
		}
		if r := f.send(t, control.Target{Probe: p.id}, "add_interface", map[string]string{"device": "lo", "bpf_filter": "icmp"}); r.Status != control.Applied {
			t.Fatalf("add_interface lo: %+v", r)
		}
		if r := f.send(t, control.Target{Probe: p.id}, "status", nil); !strings.Contains(r.Message, `"name":"lo"`) {
			t.Fatalf("status after add_interface lo: %s", r.Message)
		}
		if r := f.send(t, control.Target{Probe: p.id}, "remove_interface", map[string]string{"device": "lo"}); r.Status != control.Applied {
			t.Fatalf("remove_interface lo: %+v", r)
		}
		if r := f.send(t, control.Target{Probe: p.id}, "remove_interface", map[string]string{"device": f.sites[2].dev}); r.Status != control.Failed {
			t.Fatalf("removing the last interface: %+v", r)
		}
	})

	t.Run("local HTTP API: 401 without or with a wrong token, works with the token", func(t *testing.T) {
		call := func(method, path, token, body string) (int, map[string]any) {
			req, _ := http.NewRequest(method, "http://"+f.httpAddr+path, strings.NewReader(body))
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var m map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&m)
			return resp.StatusCode, m
		}
		if code, _ := call("GET", "/v1/status", "", ""); code != 401 {
			t.Fatalf("no token: %d", code)
		}
		if code, _ := call("POST", "/v1/actions", "wrong-token-0123456789", `{"action":"pause"}`); code != 401 {
			t.Fatalf("wrong token: %d", code)
		}
		code, m := call("GET", "/v1/status", f.token, "")
		if code != 200 || m["probe"] != "probe-1" {
			t.Fatalf("status: %d %v", code, m)
		}
		code, m = call("POST", "/v1/actions", f.token, `{"action":"set_filter","args":{"filter":"icmp"}}`)
		if code != 200 || m["status"] != control.Applied {
			t.Fatalf("set_filter over HTTP: %d %v", code, m)
		}
		// The audit line is written once the response is sent.
		deadline := time.Now().Add(5 * time.Second)
		for {
			logs := f.probes[0].logs.String()
			if strings.Contains(logs, `"outcome":"unauthorized"`) && strings.Contains(logs, `"outcome":"set_filter applied"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the audit log misses the requests")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

}

func connOpts(broker string) []kgo.Opt { return []kgo.Opt{kgo.SeedBrokers(broker)} }

// freeAddr is a free loopback TCP address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
