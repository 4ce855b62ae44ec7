//go:build !integration

package beat

import (
	"strings"
	"testing"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
)

// TestWithConsume: netbeat.kafka.enabled makes the central Beater (the
// capture creator is not called); it refuses capture sources, unknown keys
// and an incomplete section with errors that say what to do; without it
// the capture creator runs.
func TestWithConsume(t *testing.T) {
	called := false
	create := func(*libbeat.Beat, *conf.C) (libbeat.Beater, error) { called = true; return nil, nil }
	run := func(yml string) (libbeat.Beater, error) {
		raw, err := conf.NewConfigWithYAML([]byte(yml), "test")
		if err != nil {
			t.Fatal(err)
		}
		called = false
		return WithConsume(create)(&libbeat.Beat{}, raw)
	}
	bt, err := run("kafka: {enabled: true, hosts: [\"127.0.0.1:9092\"], topics: [\"netbeat-%{+yyyy.MM.dd}\"], ssl.verification_mode: full, dead_letter_topic: dl}\n")
	if err != nil || called {
		t.Fatalf("central config: %v (capture creator called: %v)", err, called)
	}
	if _, ok := bt.(*central); !ok {
		t.Fatalf("beater %T, want *central", bt)
	}
	for yml, want := range map[string]string{
		"kafka: {enabled: true, hosts: [h:9092], topics: [t]}\nfiles: [{path: a.pcap}]\n": "captures nothing",
		"kafka: {enabled: true, hosts: [h:9092], topic: [t]}\n":                           "did you mean topics",
		"kafka: {enabled: true, hosts: [h:9092]}\n":                                       "topics and topics_regex are empty",
		"kafka: {enabled: true, topics: [t]}\n":                                           "hosts is empty",
		"kafka: {enabled: true, hosts: [h:9092], topics: [\"a-%{+yyyy\"]}\n":              "without a closing }",
		"kafka: {enabled: true, hosts: [h:9092], topics: [t], start_offset: middle}\n":    "earliest or latest",
	} {
		if _, err := run(yml); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", yml, err, want)
		}
	}
	if _, err := run("files: [{path: a.pcap}]\n"); err != nil || !called {
		t.Fatalf("without netbeat.kafka the capture creator must run: %v %v", err, called)
	}
}
