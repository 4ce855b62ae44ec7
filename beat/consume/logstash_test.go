//go:build !integration

package consume

import (
	"os"
	"regexp"
	"testing"

	"github.com/netbeat/netbeat/internal/lsconf"
)

// Settings the shipped pipeline may use, from Logstash's documentation of
// the kafka input and the elasticsearch output (a typo is then an error).
var (
	kafkaInputSettings = set("bootstrap_servers", "topics", "topics_pattern", "group_id", "client_id", "auto_offset_reset",
		"consumer_threads", "codec", "decorate_events", "enable_auto_commit", "security_protocol", "sasl_mechanism",
		"sasl_jaas_config", "ssl_truststore_location", "ssl_truststore_password", "max_poll_records", "fetch_max_bytes")
	esOutputSettings = set("hosts", "index", "document_id", "action", "manage_template", "data_stream", "user", "password",
		"api_key", "ssl_enabled", "ssl_certificate_authorities", "pipeline", "ilm_enabled")
)

func set(ks ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range ks {
		m[k] = true
	}
	return m
}

// TestLogstashPipeline: the migration pipeline parses (Logstash's config
// grammar), uses only documented settings, reads the topics netbeat.kafka's
// "netbeat-%{+yyyy.MM.dd}" reads, and writes the index and _id libbeat's
// Elasticsearch output writes (op_type create with @metadata._id). It is
// not run against a real Logstash (README.md says so).
func TestLogstashPipeline(t *testing.T) {
	text, err := os.ReadFile("logstash/netbeat-central.conf")
	if err != nil {
		t.Fatal(err)
	}
	c, err := lsconf.Parse(string(text))
	if err != nil {
		t.Fatal(err)
	}
	var in, out *lsconf.Plugin
	for i := range c.Sections {
		s := &c.Sections[i]
		for j := range s.Plugins {
			p := &s.Plugins[j]
			switch {
			case s.Kind == "input" && p.Name == "kafka":
				in = p
				check(t, p, kafkaInputSettings)
			case s.Kind == "output" && p.Name == "elasticsearch":
				out = p
				check(t, p, esOutputSettings)
			default:
				t.Errorf("line %d: unexpected %s plugin %s", p.Line, s.Kind, p.Name)
			}
		}
	}
	if in == nil || out == nil {
		t.Fatal("the pipeline needs a kafka input and an elasticsearch output")
	}
	want := map[string]string{"index": "%{[@metadata][beat]}-%{[@metadata][version]}", "document_id": "%{[@metadata][_id]}", "action": "create"}
	for k, v := range want {
		if got, _ := out.Get(k); got != v {
			t.Errorf("elasticsearch %s is %v, want %s", k, got, v)
		}
	}
	if codec, _ := in.Get("codec"); codec != "json" {
		t.Errorf("kafka codec %v: the documents are JSON", codec)
	}
	pat, _ := in.Get("topics_pattern")
	ours, _, err := TopicPattern("netbeat-%{+yyyy.MM.dd}")
	if err != nil {
		t.Fatal(err)
	}
	lre, re := regexp.MustCompile(pat.(string)), regexp.MustCompile(ours)
	for _, topic := range []string{"netbeat-2026.12.01", "netbeat-2027.01.31", "netbeat", "netbeat-2026-12-01", "netbeat-dead-letter", "xnetbeat-2026.12.01"} {
		if lre.MatchString(topic) != re.MatchString(topic) {
			t.Errorf("topic %s: Logstash's topics_pattern matches %v, netbeat.kafka %v", topic, lre.MatchString(topic), re.MatchString(topic))
		}
	}
}

func check(t *testing.T, p *lsconf.Plugin, known map[string]bool) {
	t.Helper()
	for _, s := range p.Settings {
		if !known[s.Name] {
			t.Errorf("line %d: %s has no setting %q", p.Line, p.Name, s.Name)
		}
	}
}
