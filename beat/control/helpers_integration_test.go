//go:build integration

package control_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/netbeat/netbeat/internal/nbtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	nbtest.Cleanup()
	os.Exit(code)
}

// kafkaEnv is NETBEAT_KAFKA_<name> of the single test broker (nbtest.KafkaEnv).
func kafkaEnv(t *testing.T, name string) string { t.Helper(); return nbtest.KafkaEnv(t, name) }

// createTopics makes one-partition topics.
func createTopics(t *testing.T, broker string, topics ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := kadm.NewClient(cl).CreateTopics(ctx, 1, 1, nil, topics...)
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		t.Fatalf("creating topics %v: %v", topics, err)
	}
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startCmd starts args (in namespace ns unless ""); t.Cleanup kills it.
func startCmd(t *testing.T, ns string, buf *nbtest.SyncBuffer, args ...string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	if ns != "" {
		args = append([]string{"ip", "netns", "exec", ns}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
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

// site is one probe's network: a veth pair whose end dev (address host)
// stays in the test's namespace, where the probe captures, and whose peer
// is in namespace ns (address peer), where ping runs. The probe stays in
// the test's namespace so it reaches the loopback Kafka broker.
type site struct {
	ns, dev, host, peer string
}

func newSite(t *testing.T, i int) site {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the remote control integration tests need root (network namespaces, AF_PACKET)")
	}
	pid := os.Getpid()
	s := site{ns: fmt.Sprintf("nbc%d-%d", i, pid), dev: fmt.Sprintf("nbc%d.%d", i, pid%10000),
		host: fmt.Sprintf("10.197.%d.1", i), peer: fmt.Sprintf("10.197.%d.2", i)}
	run(t, "ip", "netns", "add", s.ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", s.ns).Run() })
	run(t, "ip", "link", "add", s.dev, "type", "veth", "peer", "name", "nbpeer", "netns", s.ns)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", s.dev).Run() })
	run(t, "ip", "addr", "add", s.host+"/24", "dev", s.dev)
	run(t, "ip", "link", "set", s.dev, "up")
	run(t, "ip", "netns", "exec", s.ns, "ip", "addr", "add", s.peer+"/24", "dev", "nbpeer")
	run(t, "ip", "netns", "exec", s.ns, "ip", "link", "set", "nbpeer", "up")
	run(t, "ip", "netns", "exec", s.ns, "ip", "link", "set", "lo", "up")
	run(t, "ip", "netns", "exec", s.ns, "ping", "-c", "1", "-w", "10", s.host)
	return s
}

// event is one decoded output line.
type event map[string]any

func (e event) get(path string) any {
	var cur any = map[string]any(e)
	if v, ok := e[path]; ok {
		return v
	}
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok := m[p]; ok {
			cur = v
			continue
		}
		return nil
	}
	return cur
}

func (e event) num(path string) int64 {
	f, _ := e.get(path).(float64)
	return int64(f)
}

func (e event) time(t *testing.T) time.Time {
	s, _ := e.get("@timestamp").(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("event without @timestamp: %v", e)
	}
	return ts
}

// readEvents reads every event the probe's file output wrote so far.
func readEvents(t *testing.T, dir string) []event {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "out", "events*.ndjson"))
	var out []event
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			var e event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				continue // a line being written
			}
			out = append(out, e)
		}
	}
	return out
}

// probe is a netbeat process with remote control on.
type probe struct {
	// owner is the test the probe belongs to: its process is killed when
	// that test ends, not when the subtest that restarted it does.
	owner        *testing.T
	id, dir, cfg string
	logs         *nbtest.SyncBuffer
	cmd          *exec.Cmd
	exited       <-chan struct{}
}

func homeArgs(home string) []string {
	return []string{"--path.home", home, "--path.data", filepath.Join(home, "data"), "--path.logs", filepath.Join(home, "logs"), "--strict.perms=false"}
}

func (p *probe) start(t *testing.T) {
	t.Helper()
	p.logs = &nbtest.SyncBuffer{}
	p.cmd, p.exited = startCmd(p.owner, "", p.logs, append([]string{nbtest.Binary(t), "-e", "-c", p.cfg}, homeArgs(p.dir)...)...)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.logs.String(), "control: reading ") {
		if time.Now().After(deadline) || strings.Contains(p.logs.String(), "Exiting:") {
			t.Fatalf("probe %s did not start reading commands:\n%s", p.id, tail(p.logs.String(), 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *probe) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("probe %s did not exit within 20 s of SIGTERM:\n%s", p.id, tail(p.logs.String(), 20))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
