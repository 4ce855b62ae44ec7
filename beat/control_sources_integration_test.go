//go:build integration

package beat_test

// Remote control of libpcap and capture-file sources (issue #14): set_filter,
// pause and resume through the local HTTP API of a netbeat capturing live
// traffic with `type: pcap` in a network namespace and replaying a file.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netbeat/netbeat/internal/nbtest"
)

func TestControlPcapAndFileSources(t *testing.T) {
	netbeatBinary(t)
	n := newNetnsPair(t)
	python := requireTool(t, "python3")
	dir := t.TempDir()
	token := "pcap-and-file-token-0123456789"
	tokFile := writeFile(t, filepath.Join(dir, "token"), token+"\n")
	port := 15000 + os.Getpid()%1000
	file := capturePath(t, "icmp.pcap") // 12 frames over 0.82 s, 127.0.0.1 and ::1
	var pingLog nbtest.SyncBuffer
	_, pingDone := startProc(t, n.b, &pingLog, n.ping, "-q", "-i", "0.01", n.v4A)
	p := startLive(t, n.a, fmt.Sprintf(`netbeat:
  interfaces: [{device: %s, type: pcap}]
  files: [{path: %q, speed: 0.1}]
  mode: [packets]
  control.http: {enabled: true, host: 127.0.0.1, port: %d, token_file: %q}
`, n.devA, file, port, tokFile))

	api := func(action string, args map[string]string) (int, map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"action": action, "args": args})
		out := run(t, n.a, n.curl, "-s", "-m", "10", "-w", "\n%{http_code}", "-H", "Authorization: Bearer "+token,
			fmt.Sprintf("http://127.0.0.1:%d/v1/actions", port), "-d", string(body))
		i := strings.LastIndex(out, "\n")
		var code int
		fmt.Sscan(out[i+1:], &code)
		var m map[string]any
		_ = json.Unmarshal([]byte(out[:i]), &m)
		return code, m
	}
	status := func() map[string]map[string]any {
		t.Helper()
		out := run(t, n.a, n.curl, "-s", "-m", "10", "-H", "Authorization: Bearer "+token, fmt.Sprintf("http://127.0.0.1:%d/v1/status", port))
		var h struct {
			Sources []map[string]any `json:"sources"`
		}
		if err := json.Unmarshal([]byte(out), &h); err != nil {
			t.Fatalf("status: %v: %s", err, out)
		}
		m := map[string]map[string]any{}
		for _, s := range h.Sources {
			m[s["name"].(string)] = s
		}
		return m
	}
	send := func(port, count int) {
		t.Helper()
		run(t, n.b, python, "-c", fmt.Sprintf(`import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(%d): s.sendto(b"marker", (%q, %d))`, count, n.v4A, port))
	}
	mustApply := func(action string, args map[string]string) {
		t.Helper()
		if code, m := api(action, args); code != 200 || m["status"] != "applied" {
			t.Fatalf("%s %v: HTTP %d %v", action, args, code, m)
		}
	}

	// The file is paused at once (its replay lasts 8 s) and stays paused
	// while the live source is changed.
	mustApply("pause", map[string]string{"source": file})
	time.Sleep(300 * time.Millisecond)
	mustApply("set_filter", map[string]string{"source": n.devA, "filter": "udp portrange 9001-9003"})
	filterSet := time.Now()
	if code, m := api("set_filter", map[string]string{"source": n.devA, "filter": "udp and"}); code != 422 || m["status"] != "failed" {
		t.Fatalf("invalid filter: HTTP %d %v", code, m)
	}
	send(9001, 100) // captured before the pause: all must be published
	mustApply("pause", map[string]string{"source": n.devA})
	st := status()
	if s := st[n.devA]; s["type"] != "pcap" || s["state"] != "paused" || s["bpf_filter"] != "udp portrange 9001-9003" {
		t.Fatalf("status of %s: %v", n.devA, s)
	}
	if s := st[file]; s["type"] != "file" || s["state"] != "paused" {
		t.Fatalf("status of %s: %v", file, s)
	}
	filePackets := st[file]["packets"].(float64)
	send(9002, 50) // paused: none published
	time.Sleep(1500 * time.Millisecond)
	send(9002, 50) // by now the kernel rejects everything
	if got := status()[file]["packets"].(float64); got != filePackets {
		t.Fatalf("the paused file went on reading: %v frames, then %v", filePackets, got)
	}
	mustApply("resume", map[string]string{"source": n.devA})
	mustApply("resume", map[string]string{"source": file})
	send(9003, 100)
	for deadline := time.Now().Add(30 * time.Second); status()[file]["packets"].(float64) < 12; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the file was not read to its end after resume: %v", status()[file])
		}
	}
	time.Sleep(500 * time.Millisecond)
	select {
	case <-pingDone:
		t.Fatalf("the background ping stopped:\n%s", pingLog.String())
	default:
	}
	r := p.stop(t)

	ports := map[int64]int{}
	fileEvents, lateOther := 0, 0
	for _, e := range r.pkts {
		src := e.str("source.ip")
		if src == "127.0.0.1" || src == "::1" {
			fileEvents++
			continue
		}
		if e.str("network.transport") == "udp" && src == n.v4B {
			ports[e.num("destination.port")]++
			continue
		}
		if ts, err := time.Parse(time.RFC3339Nano, e.str("@timestamp")); err == nil && ts.After(filterSet) {
			lateOther++
		}
	}
	if ports[9001] != 100 || ports[9002] != 0 || ports[9003] != 100 {
		t.Errorf("UDP events by port: before the pause %d (want 100), paused %d (want 0), after resume %d (want 100)", ports[9001], ports[9002], ports[9003])
	}
	if lateOther != 0 {
		t.Errorf("%d live events outside the new filter were captured after set_filter returned", lateOther)
	}
	if fileEvents != 12 {
		t.Errorf("%d events from the paused and resumed file, want its 12 frames", fileEvents)
	}
	t.Logf("pcap: %d/%d/%d UDP events by phase; file: %d events; %d packet events in all", ports[9001], ports[9002], ports[9003], fileEvents, len(r.pkts))
}
