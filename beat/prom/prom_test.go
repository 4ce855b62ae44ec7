package prom

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/monitoring"
)

func testRegistries() []*monitoring.Registry {
	stats := monitoring.NewRegistry()
	nb := stats.NewRegistry("netbeat")
	monitoring.NewFunc(nb, "capture", func(_ monitoring.Mode, v monitoring.Visitor) {
		v.OnRegistryStart()
		defer v.OnRegistryFinished()
		monitoring.ReportInt(v, "packets", 118)
		monitoring.ReportInt(v, "kernel_dropped", 0)
		monitoring.ReportInt(v, "flows.ended.fin", 3)
	}, monitoring.Report)
	out := stats.NewRegistry("libbeat").NewRegistry("output")
	monitoring.NewString(out, "type").Set(`file"x`)
	monitoring.NewUint(out, "events.acked").Set(133)
	monitoring.NewBool(stats, "up").Set(true)
	def := monitoring.NewRegistry()
	k := def.NewRegistry("netbeat").NewRegistry("kafka")
	monitoring.NewUint(k, "events.acked").Set(7)
	monitoring.NewFloat(k, "ratio").Set(0.5)
	dup := def.NewRegistry("libbeat").NewRegistry("output")
	monitoring.NewUint(dup, "events.acked").Set(999) // shadowed by stats
	return []*monitoring.Registry{stats, def, nil}
}

func TestWrite(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, testRegistries()...); err != nil {
		t.Fatal(err)
	}
	want := `# TYPE netbeat_capture_flows_ended_fin untyped
netbeat_capture_flows_ended_fin 3
# TYPE netbeat_capture_kernel_dropped untyped
netbeat_capture_kernel_dropped 0
# TYPE netbeat_capture_packets untyped
netbeat_capture_packets 118
# TYPE netbeat_kafka_events_acked untyped
netbeat_kafka_events_acked 7
# TYPE netbeat_kafka_ratio untyped
netbeat_kafka_ratio 0.5
# TYPE netbeat_libbeat_output_events_acked untyped
netbeat_libbeat_output_events_acked 133
# TYPE netbeat_libbeat_output_type_info untyped
netbeat_libbeat_output_type_info{value="file\"x"} 1
# TYPE netbeat_up untyped
netbeat_up 1
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"netbeat.capture.packets":     "netbeat_capture_packets",
		"beat.memstats.rss":           "netbeat_beat_memstats_rss",
		"system.load.1":               "netbeat_system_load_1",
		"netbeat.plugins.geoip-v2.ok": "netbeat_plugins_geoip_v2_ok",
		"9lives":                      "netbeat__lives",
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestServer(t *testing.T) {
	regs := testRegistries()
	s, err := Listen(Config{Enabled: true, Host: "127.0.0.1", Port: 0}, Handler(func() []*monitoring.Registry { return regs }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get("http://" + s.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentType {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(string(body), "netbeat_capture_packets 118\n") {
		t.Errorf("scrape lacks netbeat_capture_packets:\n%s", body)
	}
	if err := (Config{Port: 70000}).Validate(); err == nil {
		t.Error("port 70000 accepted")
	}
}
