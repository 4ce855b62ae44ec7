//go:build integration

package consume

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/netbeat/netbeat/internal/nbtest"
)

// kafkaHost is the PLAINTEXT address of the test broker (scripts/kafka.sh).
func kafkaHost(t *testing.T) string { t.Helper(); return nbtest.KafkaEnv(t, "PLAINTEXT") }

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// openSearch returns the URL of a real OpenSearch node
// (scripts/opensearch/opensearch.sh: OpenSearch 2.19.6 from Maven Central):
// $NETBEAT_OPENSEARCH when scripts/test.sh started one, else one started
// for this test process (and stopped at its end).
func openSearch(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("NETBEAT_OPENSEARCH"); u != "" {
		return u
	}
	osOnce.Do(func() {
		root := nbtest.RepoRoot(t)
		port := freePort(t)
		for port > 65000 { // the transport port is port+100
			port = freePort(t)
		}
		dir := filepath.Join(root, ".cache/opensearch")
		cmd := exec.Command("bash", "scripts/opensearch/opensearch.sh", "start")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "OS_PORT="+strconv.Itoa(port), "OS_HOME="+filepath.Join(dir, "home-"+strconv.Itoa(port)))
		out, err := cmd.CombinedOutput()
		if err != nil {
			osErr = fmt.Errorf("opensearch.sh start: %w\n%s", err, out)
			return
		}
		osURL, osStop = "http://127.0.0.1:"+strconv.Itoa(port), func() {
			c := exec.Command("bash", "scripts/opensearch/opensearch.sh", "stop")
			c.Dir = root
			c.Env = append(os.Environ(), "OS_PORT="+strconv.Itoa(port), "OS_HOME="+filepath.Join(dir, "home-"+strconv.Itoa(port)))
			_ = c.Run()
		}
	})
	if osErr != nil {
		t.Fatal(osErr)
	}
	return osURL
}

var (
	osOnce sync.Once
	osURL  string
	osErr  error
	osStop = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	osStop()
	for _, d := range capDirs {
		_ = os.RemoveAll(d)
	}
	nbtest.Cleanup()
	os.Exit(code)
}

// bulkCounter is the compatibility proxy in front of OpenSearch (the two
// answers scripts/opensearch/compat-proxy.py gives libbeat: GET /_license,
// and version 7.10.2 on GET / so that libbeat writes no _type) that also
// counts the _bulk create actions per _id: what the outputs sent,
// redeliveries included.
type bulkCounter struct {
	mu      sync.Mutex
	actions map[string]int
	srv     *http.Server
	url     string
}

func newBulkCounter(t *testing.T, upstream string) *bulkCounter {
	t.Helper()
	up, _ := url.Parse(upstream)
	bc := &bulkCounter{actions: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(up)
	direct := rp.Director
	rp.Director = func(r *http.Request) {
		direct(r)
		r.Header.Del("Accept-Encoding") // plain answers, for ModifyResponse
	}
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method != http.MethodGet || r.Request.URL.Path != "/" || r.StatusCode != 200 {
			return nil
		}
		var j map[string]interface{}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &j); err != nil {
			return err
		}
		j["version"].(map[string]interface{})["number"] = "7.10.2"
		body, _ = json.Marshal(j)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bc.url = "http://" + l.Addr().String()
	bc.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/_license":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"license":{"status":"active","uid":"fake","type":"basic","issue_date":"2024-01-01T00:00:00.000Z","issue_date_in_millis":1704067200000,"max_nodes":1000,"issued_to":"netbeat-test","issuer":"elasticsearch","start_date_in_millis":-1}}`)
			return
		case strings.HasSuffix(r.URL.Path, "/_bulk"):
			body, _ := io.ReadAll(r.Body)
			bc.count(bulkBody(r, body))
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = bc.srv.Serve(l) }()
	t.Cleanup(func() { _ = bc.srv.Close() })
	return bc
}

// count records the ids of the create actions of a _bulk body.
func (bc *bulkCounter) count(body []byte) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	for _, id := range bulkIDs(body) {
		bc.actions[id]++
	}
}

// bulkBody is a _bulk request body, gunzipped if need be (libbeat
// compresses with compression_level 1 by default).
func bulkBody(r *http.Request, body []byte) []byte {
	if r.Header.Get("Content-Encoding") != "gzip" {
		return body
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(zr)
	return out
}

// bulkIDs returns the _id of each create or index action of a _bulk body.
func bulkIDs(body []byte) []string {
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	action := true
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		if action {
			var a map[string]struct {
				ID string `json:"_id"`
			}
			_ = json.Unmarshal(sc.Bytes(), &a)
			for _, v := range a {
				ids = append(ids, v.ID)
			}
		}
		action = !action
	}
	return ids
}

func (bc *bulkCounter) snapshot() map[string]int {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	out := make(map[string]int, len(bc.actions))
	for k, v := range bc.actions {
		out[k] = v
	}
	return out
}

// proc is one netbeat process; its output goes to a file.
type proc struct {
	cmd  *exec.Cmd
	log  string
	done chan error
}

// startNetbeat writes cfg into a temp home and starts netbeat with args.
func startNetbeat(t *testing.T, name, cfg string, args ...string) *proc {
	t.Helper()
	home := t.TempDir()
	cfgPath := filepath.Join(home, "netbeat.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &proc{log: filepath.Join(home, "netbeat.log"), done: make(chan error, 1)}
	f, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	full := append([]string{"-e", "-c", cfgPath, "--path.home", home, "--path.data", filepath.Join(home, "data")}, args...)
	p.cmd = exec.Command(nbtest.Binary(t), full...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.cmd.Dir = nbtest.RepoRoot(t)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting netbeat (%s): %v", name, err)
	}
	go func() { p.done <- p.cmd.Wait(); f.Close() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		p.done <- nil
		if t.Failed() {
			b, _ := os.ReadFile(p.log)
			t.Logf("netbeat %s log (tail):\n%s", name, tailLines(string(b), 30))
		}
	})
	return p
}

// wait waits for the process to exit and fails the test if it did not
// exit 0 within limit.
func (p *proc) wait(t *testing.T, name string, limit time.Duration) {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			b, _ := os.ReadFile(p.log)
			t.Fatalf("netbeat %s: %v\n%s", name, err, tailLines(string(b), 30))
		}
	case <-time.After(limit):
		t.Fatalf("netbeat %s did not exit within %v", name, limit)
	}
}

// alive fails the test if the process has exited.
func (p *proc) alive(t *testing.T, name string) {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		b, _ := os.ReadFile(p.log)
		t.Fatalf("netbeat %s exited: %v\n%s", name, err, tailLines(string(b), 15))
	default:
	}
}

// kill9 kills the process with SIGKILL.
func (p *proc) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-p.done
	p.done <- err
}

// stop sends SIGTERM and waits.
func (p *proc) stop(t *testing.T, limit time.Duration) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(limit):
		t.Fatalf("netbeat did not stop within %v of SIGTERM", limit)
	}
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stats reads libbeat's /stats of a netbeat started with http.port.
func stats(port int) (map[string]interface{}, error) {
	r, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/stats")
	if err != nil {
		return nil, err
	}
	defer r.Body.Close()
	var m map[string]interface{}
	return m, json.NewDecoder(r.Body).Decode(&m)
}

// lookup reads a dotted path of a decoded JSON object.
func lookup(m map[string]interface{}, path string) (interface{}, bool) {
	var v interface{} = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]interface{})
		if !ok {
			return nil, false
		}
		if v, ok = o[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// createTopic creates topic with parts partitions on the test broker.
func createTopic(t *testing.T, cl *kgo.Client, topic string, parts int32) {
	t.Helper()
	adm := kadm.NewClient(cl)
	resp, err := adm.CreateTopics(context.Background(), parts, 1, nil, topic)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatalf("creating topic %s: %v", topic, err)
	}
}

// topicIDs reads every record of topic and returns the @metadata._id of
// each (failing on a record without one).
func topicIDs(t *testing.T, cl *kgo.Client, topic string) map[string]bool {
	t.Helper()
	adm := kadm.NewClient(cl)
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	rd, err := kgo.NewClient(kgo.SeedBrokers(kafkaHost(t)), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	ids := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var n int64
	for n < total && ctx.Err() == nil {
		rd.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			n++
			var d struct {
				Meta struct {
					ID string `json:"_id"`
				} `json:"@metadata"`
			}
			if err := json.Unmarshal(r.Value, &d); err != nil || d.Meta.ID == "" {
				t.Fatalf("record %s/%d@%d has no @metadata._id: %.200s", r.Topic, r.Partition, r.Offset, r.Value)
			}
			ids[d.Meta.ID] = true
		})
	}
	if n != total {
		t.Fatalf("read %d of the %d records of %s", n, total, topic)
	}
	if len(ids) != int(total) {
		t.Fatalf("%d records but %d distinct ids in %s", total, len(ids), topic)
	}
	return ids
}

// committedSum is the sum of the group's committed offsets on topic.
func committedSum(t *testing.T, cl *kgo.Client, group, topic string) int64 {
	t.Helper()
	offs, err := kadm.NewClient(cl).FetchOffsets(context.Background(), group)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic && o.At > 0 {
			sum += o.At
		}
	})
	return sum
}

// rssKB is the resident memory of a process (kB).
func rssKB(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return -1
}

// bigCapture returns a capture of n packets (tools/mkbig over the bundled
// mixed.pcapng: each copy opens new flows), written once per test process
// and size.
func bigCapture(t *testing.T, n int) string {
	t.Helper()
	capMu.Lock()
	defer capMu.Unlock()
	if p := captures[n]; p != "" {
		return p
	}
	dir, err := os.MkdirTemp("", "netbeat-central-")
	if err != nil {
		t.Fatal(err)
	}
	capDirs = append(capDirs, dir)
	out := filepath.Join(dir, "big.pcap")
	cmd := exec.Command("go", "run", "./tools/mkbig", "-in", "testdata/captures/mixed.pcapng", "-out", out, "-packets", strconv.Itoa(n))
	cmd.Dir = nbtest.RepoRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mkbig: %v\n%s", err, b)
	}
	captures[n] = out
	return out
}

var (
	capMu    sync.Mutex
	captures = map[int]string{}
	capDirs  []string
)
