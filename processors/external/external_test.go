package external

import (
	"sync"
	"testing"
	"time"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/mapstr"

	_ "github.com/netbeat/netbeat/plugins/comment"
	"github.com/netbeat/netbeat/plugins/host"
)

type memSink struct {
	mu     sync.Mutex
	events []libbeat.Event
	closed bool
}

func (s *memSink) Publish(e libbeat.Event) {
	s.mu.Lock()
	s.events = append(s.events, e)
	s.mu.Unlock()
}
func (s *memSink) Close() error { s.closed = true; return nil }

var rules = map[string]any{"rules": []any{map[string]any{"match": map[string]any{"ports": []any{53}}, "tags": []any{"dns"},
	"add_fields": map[string]any{"labels.service": "dns"}}}}

func packet(port int) libbeat.Event {
	return libbeat.Event{Timestamp: time.Unix(1700000000, 0), Private: port,
		Fields: mapstr.M{"source": mapstr.M{"ip": "10.0.0.1", "port": 40000}, "destination": mapstr.M{"ip": "10.0.0.2", "port": port}}}
}

// TestStage runs the data-path stage with the comment logic in process
// (the out-of-process path is covered by plugins/integration).
func TestStage(t *testing.T) {
	cfg := host.DefaultConfig()
	cfg.BatchSize, cfg.Linger = 4, time.Millisecond
	cfg.Chain = []host.PluginConfig{{Name: "comment", InProcess: true, Config: rules}}
	h, err := newHost(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	sink := &memSink{}
	st := NewStage(h, sink, StageOptions{})
	for i := 0; i < 10; i++ {
		st.Publish(packet(50 + i%5))
	}
	if err := st.Close(); err != nil || !sink.closed {
		t.Fatalf("close: %v %v", err, sink.closed)
	}
	if len(sink.events) != 10 {
		t.Fatalf("%d events, want 10", len(sink.events))
	}
	for i, e := range sink.events {
		dns := e.Private.(int) == 53
		tags, _ := e.Fields.GetValue("tags")
		svc, _ := e.Fields.GetValue("labels.service") // through mapstr.M: nested maps stay traversable
		if (tags != nil) != dns || (svc == "dns") != dns {
			t.Errorf("event %d (port %v): tags %v labels.service %v", i, e.Private, tags, svc)
		}
		if ip, _ := e.Fields.GetValue("source.ip"); ip != "10.0.0.1" {
			t.Errorf("event %d lost source.ip: %v", i, e.Fields)
		}
	}
}

func TestProcessor(t *testing.T) {
	c := conf.MustNewConfigFrom(map[string]any{"name": "comment", "in_process": true, "config": rules})
	p, err := New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.(*processor).Close()
	ev := packet(53)
	out, err := p.Run(&ev)
	if err != nil {
		t.Fatal(err)
	}
	if tags, _ := out.Fields.GetValue("tags"); tags == nil || out.Private != 53 {
		t.Errorf("processor output %v", out)
	}
	if p.String() != "plugin=comment" {
		t.Errorf("String() = %s", p.String())
	}
}
