//go:build integration

package consume

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// probeToKafka runs netbeat as a probe: the capture's packet and flow events
// to topic with output.franz, every event with its @metadata._id.
func probeToKafka(t *testing.T, capture, topic string) {
	t.Helper()
	cfg := fmt.Sprintf("queue.mem.flush.timeout: 100ms\nlogging.level: warning\noutput.franz:\n  hosts: [%q]\n  topic: %q\n  required_acks: -1\n",
		kafkaHost(t), topic)
	startNetbeat(t, "probe", cfg, "-I", capture, "--mode", "packets,flows").wait(t, "probe", 3*time.Minute)
}

// centralConfig is netbeat.central.yml's shape for the tests: netbeat.kafka
// in, output.elasticsearch out (through the compatibility proxy).
func centralConfig(t *testing.T, topic, group, esURL string, httpPort int, extra string) string {
	return fmt.Sprintf(`netbeat.kafka:
  enabled: true
  hosts: [%q]
  topics: [%q]
  group: %q
  commit_interval: 200ms
  max_inflight: 4096
output.elasticsearch:
  hosts: [%q]
  allow_older_versions: true
  bulk_max_size: 500
  backoff.init: 200ms
  backoff.max: 2s
setup.template.enabled: false
setup.ilm.enabled: false
queue.mem: {events: 4096, flush.min_events: 512, flush.timeout: 50ms}
http: {enabled: true, host: 127.0.0.1, port: %d}
logging.level: info
%s`, kafkaHost(t), topic, group, esURL, httpPort, extra)
}

// osDo sends a request to OpenSearch and decodes the JSON answer.
func osDo(t *testing.T, base, method, path, body string) map[string]interface{} {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode >= 300 {
		t.Fatalf("%s %s: %s: %s", method, path, r.Status, b)
	}
	var m map[string]interface{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
	return m
}

// osCount refreshes the index and returns its _count.
func osCount(t *testing.T, base, index string) int {
	t.Helper()
	osDo(t, base, "POST", "/"+index+"*/_refresh?allow_no_indices=true", "")
	c, _ := osDo(t, base, "GET", "/"+index+"*/_count?allow_no_indices=true", "")["count"].(float64)
	return int(c)
}

// osFindIDs searches the index by _id (ids queries of 1000) and returns
// how many documents each id matched.
func osFindIDs(t *testing.T, base, index string, ids []string) map[string]int {
	t.Helper()
	found := map[string]int{}
	for i := 0; i < len(ids); i += 1000 {
		chunk := ids[i:min(i+1000, len(ids))]
		q, _ := json.Marshal(map[string]interface{}{"size": 2 * len(chunk), "_source": false,
			"query": map[string]interface{}{"ids": map[string]interface{}{"values": chunk}}})
		res := osDo(t, base, "POST", "/"+index+"/_search", string(q))
		hits, _ := lookup(res, "hits.hits")
		for _, h := range hits.([]interface{}) {
			found[h.(map[string]interface{})["_id"].(string)]++
		}
	}
	return found
}

// TestCentralKill9 is probe → Kafka → two central instances in one group
// → OpenSearch (real, from Maven Central, behind the compatibility proxy).
// One central instance is killed with -9 mid-stream; its partitions move to
// the other, which reads their uncommitted records again. OpenSearch then
// holds every event of the topic exactly once by _id (_count and _search
// by _id), and every redelivery _bulk saw was refused as a duplicate.
func TestCentralKill9(t *testing.T) {
	es := openSearch(t)
	proxy := newBulkCounter(t, es)
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafkaHost(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	suffix := fmt.Sprint(time.Now().UnixNano())
	topic, group, index := "central-k9-"+suffix, "central-k9-"+suffix, "central-k9-"+suffix
	createTopic(t, cl, topic, 4)
	idx := fmt.Sprintf("output.elasticsearch.index: %q\nsetup.template.name: central\nsetup.template.pattern: \"central-*\"\n", index)
	ports := []int{freePort(t), freePort(t)}
	a := startNetbeat(t, "central-a", centralConfig(t, topic, group, proxy.url, ports[0], idx))
	b := startNetbeat(t, "central-b", centralConfig(t, topic, group, proxy.url, ports[1], idx))
	waitAssigned(t, ports[0], ports[1])

	big := bigCapture(t, 20000)
	probeToKafka(t, big, topic)
	want := topicIDs(t, cl, topic)
	t.Logf("the probe wrote %d events", len(want))

	// kill a mid-stream
	deadline := time.Now().Add(3 * time.Minute)
	for osCount(t, proxy.url, index) < len(want)/4 {
		a.alive(t, "central a")
		b.alive(t, "central b")
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d documents indexed after 3 minutes", osCount(t, proxy.url, index), len(want))
		}
		time.Sleep(200 * time.Millisecond)
	}
	atKill := osCount(t, proxy.url, index)
	a.kill9(t)
	t.Logf("killed central a with %d of %d documents indexed", atKill, len(want))
	if atKill >= len(want) {
		t.Fatalf("every document was indexed before the kill: not mid-stream")
	}

	deadline = time.Now().Add(4 * time.Minute)
	for {
		n := osCount(t, proxy.url, index)
		if n == len(want) && committedSum(t, cl, group, topic) == int64(len(want)) {
			break
		}
		if n > len(want) {
			t.Fatalf("%d documents for %d events: duplicates", n, len(want))
		}
		b.alive(t, "central b")
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d documents, %d of %d offsets committed after the kill", n, len(want), committedSum(t, cl, group, topic), len(want))
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // nothing more arrives
	if n := osCount(t, proxy.url, index); n != len(want) {
		t.Fatalf("%d documents, want %d", n, len(want))
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	found := osFindIDs(t, proxy.url, index, ids)
	for _, id := range ids {
		if found[id] != 1 {
			t.Fatalf("_search by _id %s: %d documents", id, found[id])
		}
	}
	// a stored document is the probe's event: its fields, not only its id
	src := osDo(t, proxy.url, "GET", "/"+index+"/_doc/"+ids[0], "")["_source"].(map[string]interface{})
	for _, k := range []string{"@timestamp", "event.dataset", "network.transport", "agent.type", "capture.file"} {
		if _, ok := lookup(src, k); !ok {
			t.Fatalf("document %s lacks %s: %v", ids[0], k, src)
		}
	}
	sent := proxy.snapshot()
	redelivered, actions := 0, 0
	for id, n := range sent {
		if !want[id] {
			t.Fatalf("_bulk got id %q, which is not in the topic", id)
		}
		actions += n
		redelivered += n - 1
	}
	if len(sent) != len(want) {
		t.Fatalf("_bulk saw %d of the %d ids", len(sent), len(want))
	}
	st, err := stats(ports[1])
	if err != nil {
		t.Fatal(err)
	}
	dup, _ := lookup(st, "libbeat.output.events.duplicates")
	reb, _ := lookup(st, "netbeat.consume.rebalances")
	t.Logf("rebalance table: sent %d, indexed %d, _bulk actions %d (redeliveries %d; central b counted %v duplicates), final documents %d, central b assignments %v",
		len(want), len(want), actions, redelivered, dup, osCount(t, proxy.url, index), reb)
	if d, _ := dup.(float64); int(d) != redelivered {
		t.Fatalf("_bulk saw %d redeliveries, central b counted %v duplicates (409): a redelivery was indexed or lost", redelivered, dup)
	}
	if r, _ := reb.(float64); r < 2 {
		t.Fatalf("central b was assigned partitions %v times: the kill caused no rebalance", reb)
	}
	b.stop(t, 30*time.Second)
}

// waitAssigned waits until both instances have partitions.
func waitAssigned(t *testing.T, ports ...int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for _, p := range ports {
		for {
			st, err := stats(p)
			if err == nil {
				if n, _ := lookup(st, "netbeat.consume.rebalances"); n != nil && n.(float64) >= 1 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("central instance on port %d got no partitions in 90s (stats: %v)", p, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// fakeES is a test Elasticsearch: GET /, /_license and _bulk (the
// documented API: create actions answered 201, or 409 for an _id already
// stored), which can be switched off (503 for every request).
type fakeES struct {
	mu     sync.Mutex
	docs   map[string]bool
	bulks  int
	down   bool
	srv    *httptest.Server
	dupes  int
	during int // _bulk requests refused while down
}

func newFakeES(t *testing.T) *fakeES {
	f := &fakeES{docs: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		down := f.down
		if down && strings.HasSuffix(r.URL.Path, "/_bulk") {
			f.during++
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		if down {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error":"down for the test"}`)
			return
		}
		switch {
		case r.URL.Path == "/":
			_, _ = io.WriteString(w, `{"name":"fake","cluster_name":"fake","version":{"number":"8.17.0","build_flavor":"default"},"tagline":"You Know, for Search"}`)
		case r.URL.Path == "/_license":
			_, _ = io.WriteString(w, `{"license":{"status":"active","uid":"fake","type":"basic"}}`)
		case strings.HasSuffix(r.URL.Path, "/_bulk"):
			body, _ := io.ReadAll(r.Body)
			ids := bulkIDs(bulkBody(r, body))
			var items []string
			f.mu.Lock()
			f.bulks++
			for _, id := range ids {
				if f.docs[id] {
					f.dupes++
					items = append(items, `{"create":{"_id":"`+id+`","status":409,"error":{"type":"version_conflict_engine_exception"}}}`)
					continue
				}
				f.docs[id] = true
				items = append(items, `{"create":{"_id":"`+id+`","status":201}}`)
			}
			f.mu.Unlock()
			_, _ = io.WriteString(w, `{"took":1,"errors":false,"items":[`+strings.Join(items, ",")+`]}`)
		default:
			_, _ = io.WriteString(w, `{}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeES) set(down bool) { f.mu.Lock(); f.down = down; f.mu.Unlock() }

func (f *fakeES) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.docs) }

// TestCentralOutage: Elasticsearch (a test _bulk server) is down for 30 s
// while a central instance consumes. Offsets stop being committed within
// a commit interval and a bulk round, the records in flight stay within
// netbeat.kafka.max_inflight (consumption waits: memory stays bounded), and
// once the server is back everything is indexed and committed: nothing is
// lost.
func TestCentralOutage(t *testing.T) {
	es := newFakeES(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafkaHost(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	suffix := fmt.Sprint(time.Now().UnixNano())
	topic, group := "central-out-"+suffix, "central-out-"+suffix
	createTopic(t, cl, topic, 2)
	probeToKafka(t, bigCapture(t, 20000), topic)
	want := topicIDs(t, cl, topic)
	// bad records among the events: not JSON, wrong shape, oversized
	bad := []*kgo.Record{{Topic: topic, Value: []byte("not json")}, {Topic: topic, Value: []byte(`[1,2]`)},
		{Topic: topic, Value: []byte(`{"@timestamp":"2026-12-01T00:00:00Z","x":"` + strings.Repeat("a", 100<<10) + `"}`)}}
	if err := cl.ProduceSync(context.Background(), bad...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	records := int64(len(want) + len(bad))
	port := freePort(t)
	c := startNetbeat(t, "central", centralConfig(t, topic, group, es.srv.URL, port, ""),
		"-E", "output.elasticsearch.bulk_max_size=100", "-E", "queue.mem.events=512", "-E", "queue.mem.flush.min_events=128",
		"-E", "netbeat.kafka.max_inflight=1000", "-E", "netbeat.kafka.max_record_bytes=64KiB", "-E", "netbeat.kafka.dead_letter_topic="+topic+"-dlq")
	deadline := time.Now().Add(2 * time.Minute)
	for es.count() < len(want)/10 {
		c.alive(t, "central")
		if time.Now().After(deadline) {
			st, _ := stats(port)
			out, _ := lookup(st, "libbeat.output")
			cons, _ := lookup(st, "netbeat.consume")
			pipe, _ := lookup(st, "libbeat.pipeline")
			t.Fatalf("only %d of %d documents indexed after 2 minutes; output %v; consume %v; pipeline %v", es.count(), len(want), out, cons, pipe)
		}
		time.Sleep(20 * time.Millisecond)
	}
	es.set(true)
	downAt := es.count()
	time.Sleep(5 * time.Second) // the commit of what was acknowledged before
	frozen := committedSum(t, cl, group, topic)
	maxInflight, maxRSS := 0.0, 0
	for end := time.Now().Add(25 * time.Second); time.Now().Before(end); time.Sleep(time.Second) {
		if s := committedSum(t, cl, group, topic); s != frozen {
			t.Fatalf("offsets committed while Elasticsearch is down: %d, then %d", frozen, s)
		}
		st, err := stats(port)
		if err != nil {
			t.Fatal(err)
		}
		inf, _ := lookup(st, "netbeat.consume.inflight")
		maxInflight = max(maxInflight, inf.(float64))
		maxRSS = max(maxRSS, rssKB(c.cmd.Process.Pid))
	}
	if maxInflight > 1000 {
		t.Fatalf("%v records in flight during the outage; netbeat.kafka.max_inflight is 1000", maxInflight)
	}
	if frozen >= records {
		t.Fatalf("every offset was committed before the outage: not mid-stream")
	}
	es.set(false)
	deadline = time.Now().Add(3 * time.Minute)
	for es.count() < len(want) || committedSum(t, cl, group, topic) < records {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d documents, %d of %d offsets committed, 3 minutes after the outage", es.count(), len(want), committedSum(t, cl, group, topic), records)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// the bad records: in the dead-letter topic with their reasons, counted, and they stalled nothing
	dl := deadLetters(t, topic+"-dlq", len(bad))
	reasons := map[string]int{}
	for i, h := range dl {
		reasons[h["netbeat.error"]]++
		if h["netbeat.topic"] != topic || h["netbeat.partition"] == "" || h["netbeat.offset"] == "" || h["netbeat.error.message"] == "" {
			t.Fatalf("dead letter %d: headers %v", i, h)
		}
	}
	if reasons["not_json"] != 1 || reasons["wrong_shape"] != 1 || reasons["oversized"] != 1 {
		t.Fatalf("dead letters by reason %v, want one not_json, wrong_shape and oversized", reasons)
	}
	st, err := stats(port)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"not_json", "wrong_shape", "oversized"} {
		if n, _ := lookup(st, "netbeat.consume.bad."+k); n != 1.0 {
			t.Fatalf("netbeat.consume.bad.%s = %v, want 1", k, n)
		}
	}
	metrics := httpGet(t, "http://127.0.0.1:"+strconv.Itoa(port)+"/metrics")
	if !strings.Contains(metrics, "netbeat_consume_partitions_"+strings.ReplaceAll(topic, "-", "_")+"_0_lag 0") {
		t.Fatalf("/metrics lacks the lag of partition 0 of %s (0 once everything is committed):\n%s", topic, grepLines(metrics, "consume"))
	}
	es.mu.Lock()
	for id := range es.docs {
		if !want[id] {
			t.Fatalf("indexed id %q is not in the topic", id)
		}
	}
	t.Logf("outage table: sent %d, indexed before the outage %d, committed offsets during it %d, _bulk requests refused while down %d, "+
		"max records in flight %v (max_inflight 1000), max RSS %d kB, duplicates answered 409 %d, final documents %d",
		len(want), downAt, frozen, es.during, maxInflight, maxRSS, es.dupes, len(es.docs))
	es.mu.Unlock()
	c.stop(t, 30*time.Second)
}

// deadLetters reads the n records of the dead-letter topic and returns
// their headers.
func deadLetters(t *testing.T, topic string, n int) []map[string]string {
	t.Helper()
	rd, err := kgo.NewClient(kgo.SeedBrokers(kafkaHost(t)), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []map[string]string
	for len(out) < n && ctx.Err() == nil {
		rd.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			h := map[string]string{}
			for _, x := range r.Headers {
				h[x.Key] = string(x.Value)
			}
			out = append(out, h)
		})
	}
	if len(out) != n {
		t.Fatalf("%d dead letters in %s, want %d", len(out), topic, n)
	}
	return out
}

func httpGet(t *testing.T, u string) string {
	t.Helper()
	r, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
