//go:build !integration

package kafka

import (
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common/fmtstr"
	"github.com/elastic/beats/v7/libbeat/outputs/codec"
	lbjson "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/beats/v7/libbeat/outputs/outest"
	"github.com/elastic/beats/v7/libbeat/publisher"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/beat/outputs/jsonenc"
	"github.com/netbeat/netbeat/internal/eventtest"
	"github.com/netbeat/netbeat/internal/jsontest"
)

// TestViewDecodesReferencedMembers: the key, topic and hash partitioner see
// plain values in encoded packet events, the same as in map events.
func TestViewDecodesReferencedMembers(t *testing.T) {
	fc := &franzConfig{Topic: "nb-%{[network.transport]}"}
	key, err := fmtstr.CompileEvent("%{[network.community_id]}-%{[source.port]}")
	if err != nil {
		t.Fatal(err)
	}
	fc.Key = key
	v, err := newViewer(fc, &partitioner{mode: "hash", partitionSettings: partitionSettings{Hash: []string{"destination.ip"}}})
	if err != nil {
		t.Fatal(err)
	}
	evs := eventtest.CaptureEvents(t, "http4.pcap")
	enc := evs[0]
	if _, ok := enc.Fields["network"].(*event.Member); !ok {
		t.Fatalf("packet event is not encoded: %T", enc.Fields["network"])
	}
	vw := v.view(&enc)
	got, err := key.Run(vw)
	if err != nil || len(got) < 10 {
		t.Fatalf("key on the view: %q, %v", got, err)
	}
	plain := beat.Event{Timestamp: enc.Timestamp, Fields: mapstr.M{}}
	for k, x := range enc.Fields {
		if m, ok := x.(*event.Member); ok {
			plain.Fields[k] = m.Value()
		} else {
			plain.Fields[k] = x
		}
	}
	want, _ := key.Run(&plain)
	if got != want {
		t.Fatalf("key %q on the view, %q on the map event", got, want)
	}
	if ip, err := vw.GetValue("destination.ip"); err != nil || ip == "" {
		t.Fatalf("destination.ip on the view: %v %v", ip, err)
	}
	if _, ok := enc.Fields["network"].(*event.Member); !ok {
		t.Fatal("view changed the event")
	}
}

// TestEarlyEncodedEventsDeliver: events encoded as they enter the queue
// (EncodeEntry, the memory queue's path) reach Kafka with the same value, key
// and topic as events encoded by Publish (the disk queue's path), and the
// queue is told their size in bytes.
func TestEarlyEncodedEventsDeliver(t *testing.T) {
	kc := newCluster(t, "early")
	c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{"topic": "early"}))
	connect(t, c)
	evs := eventtest.CaptureEvents(t, "http4.pcap")
	enc := c.encoderFactory(func() (codec.Codec, error) { return lbjson.New("9.0.0", lbjson.Config{}), nil })()
	b := outest.NewBatch(evs...)
	for i, e := range b.Events() {
		entry, size := enc.EncodeEntry(e)
		pe := entry.(publisher.Event)
		r, ok := pe.EncodedEvent.(*encodedRecord)
		if !ok || r.err != nil || len(pe.Content.Fields) != 0 {
			t.Fatalf("event %d: not encoded early: %#v", i, pe.EncodedEvent)
		}
		if size < len(r.value) {
			t.Fatalf("event %d: size %d < %d value bytes", i, size, len(r.value))
		}
		b.Events()[i] = pe
	}
	if err := publishBatch(c, b); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if sig := lastSignal(t, b); sig.Tag != outest.BatchACK {
		t.Fatalf("signal = %v, want ACK", sig.Tag)
	}
	late, err := publish(c, evs...)
	if err != nil || lastSignal(t, late).Tag != outest.BatchACK {
		t.Fatalf("late-encoded publish: %v", err)
	}
	recs := consume(t, 2*len(evs), 10*time.Second, consumerOpts(kc), "early")
	if len(recs) != 2*len(evs) {
		t.Fatalf("read %d records, want %d", len(recs), 2*len(evs))
	}
	byKey := map[string][]string{}
	for _, r := range recs {
		if len(r.Key) == 0 {
			t.Fatalf("record without key: %s", r.Value)
		}
		byKey[string(r.Key)] = append(byKey[string(r.Key)], jsontest.Canonical(t, r.Value))
	}
	for k, docs := range byKey {
		seen := map[string]int{}
		for _, d := range docs {
			seen[d]++
		}
		for d, n := range seen {
			if n%2 != 0 {
				t.Fatalf("key %s: document sent %d times, want it once per path: %s", k, n, d)
			}
		}
	}
}

// TestShortcuts: a constant topic and an identity key are recognized; a
// key with text around the field, or a topic with a field, is not.
func TestShortcuts(t *testing.T) {
	kc := newCluster(t)
	for _, c := range []struct {
		topic, key        string
		constTopic, field string
	}{
		{"netbeat", "%{[network.community_id]}", "netbeat", "network.community_id"},
		{"nb-%{[network.transport]}", "cid-%{[network.community_id]}", "", ""},
		{"netbeat", "%{[source.ip]}", "netbeat", "source.ip"},
	} {
		cl, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{"topic": c.topic, "key": c.key}))
		if cl.enc.constTopic != c.constTopic || cl.enc.keyField != c.field {
			t.Errorf("topic %q key %q: constTopic %q keyField %q, want %q %q", c.topic, c.key,
				cl.enc.constTopic, cl.enc.keyField, c.constTopic, c.field)
		}
		// Whatever the shortcuts, the key and topic match the general path.
		for _, ev := range eventtest.CaptureEvents(t, "http4.pcap")[:5] {
			r := cl.enc.encode(&ev)
			plain := beat.Event{Timestamp: ev.Timestamp, Fields: mapstr.M{}}
			for k, x := range ev.Fields {
				if m, ok := x.(*event.Member); ok {
					x = m.Value()
				}
				plain.Fields[k] = x
			}
			wantKey, _ := cl.enc.key.Run(&plain)
			wantTopic, _ := cl.enc.topic.Select(&plain)
			if r.err != nil || string(r.key) != wantKey || r.topic != wantTopic {
				t.Errorf("topic %q key %q: record %q/%q (%v), want %q/%q", c.topic, c.key, r.topic, r.key, r.err, wantTopic, wantKey)
			}
		}
	}
}

// TestBundlesDeliverEveryDocument: a bundle event becomes one record per
// document, with the document's own timestamp and key, and the same value
// libbeat's codec gives the document as an event of its own; early and late
// encoding agree, and the configured-key path agrees with the shortcut.
func TestBundlesDeliverEveryDocument(t *testing.T) {
	kc := newCluster(t, "bundles", "bundles-slow")
	lb := lbjson.New("9.0.0", lbjson.Config{})
	for _, topic := range []string{"bundles", "bundles-slow"} {
		settings := map[string]any{"topic": topic}
		if topic == "bundles-slow" {
			settings["key"] = "cid:%{[network.community_id]}" // no shortcut: every document as an event
		}
		c, _ := newTestClient(t, nil, settingsFor(kc, settings))
		connect(t, c)
		bundles, docs := eventtest.BundleEvents(t, "mixed.pcapng", 7)
		want := map[string]string{} // canonical document -> key
		for i := range bundles {
			b, _ := event.BundleOf(&bundles[i])
			for d := range b.Docs {
				ev := b.DocEvent(&bundles[i], d)
				v, err := lb.Encode("netbeat", ev)
				if err != nil {
					t.Fatal(err)
				}
				k, _ := c.enc.key.Run(c.enc.viewer.view(ev))
				want[jsontest.Canonical(t, v)] = k
			}
		}
		enc := c.encoderFactory(func() (codec.Codec, error) { return lbjson.New("9.0.0", lbjson.Config{}), nil })()
		batch := outest.NewBatch(bundles...)
		for i, e := range batch.Events() {
			if i%2 == 0 { // half early-encoded, half encoded by Publish
				entry, _ := enc.EncodeEntry(e)
				batch.Events()[i] = entry.(publisher.Event)
			}
		}
		if err := publishBatch(c, batch); err != nil {
			t.Fatalf("%s: Publish: %v", topic, err)
		}
		if sig := lastSignal(t, batch); sig.Tag != outest.BatchACK {
			t.Fatalf("%s: signal = %v, want ACK", topic, sig.Tag)
		}
		recs := consume(t, docs, 10*time.Second, consumerOpts(kc), topic)
		if len(recs) != docs || len(want) != docs {
			t.Fatalf("%s: %d records, %d distinct documents, want %d", topic, len(recs), len(want), docs)
		}
		for _, r := range recs {
			doc := jsontest.Canonical(t, r.Value)
			k, ok := want[doc]
			if !ok {
				t.Fatalf("%s: record is not one of the documents: %s", topic, r.Value)
			}
			if string(r.Key) != k {
				t.Fatalf("%s: key %q, want %q", topic, r.Key, k)
			}
			delete(want, doc)
		}
	}
}

// TestBundleRetryResendsOnlyUnsent: a bundle whose documents were partly
// delivered resends only the others.
func TestBundleRetryResendsOnlyUnsent(t *testing.T) {
	kc := newCluster(t, "retry")
	c, _ := newTestClient(t, nil, settingsFor(kc, map[string]any{"topic": "retry"}))
	connect(t, c)
	bundles, docs := eventtest.BundleEvents(t, "http4.pcap", 64)
	if len(bundles) != 1 {
		t.Fatalf("%d bundles", len(bundles))
	}
	batch := outest.NewBatch(bundles...)
	eb := c.encoded(&batch.Events()[0]).(*encodedBundle)
	for d := 0; d < docs/2; d++ {
		eb.sent[d] = true // delivered by an earlier attempt
	}
	if err := publishBatch(c, batch); err != nil {
		t.Fatal(err)
	}
	recs := consume(t, docs, 3*time.Second, consumerOpts(kc), "retry")
	if len(recs) != docs-docs/2 {
		t.Fatalf("%d records sent, want the %d unsent documents", len(recs), docs-docs/2)
	}
}

// BenchmarkEncodeBundle encodes bundles of 64 packet documents into records
// (output.franz's early encoding), per document.
func BenchmarkEncodeBundle(b *testing.B) {
	bundles, docs := eventtest.BundleEvents(b, "mixed.pcapng", 64)
	enc := &recordEncoder{fast: jsonenc.New("9.0.0"), index: "netbeat", constTopic: "netbeat",
		keyField: "network.community_id", part: &partitioner{mode: "hash"}, viewer: &viewer{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += docs {
		for j := range bundles {
			b2, _ := event.BundleOf(&bundles[j])
			enc.encodeBundle(&bundles[j], b2)
		}
	}
}

// BenchmarkEncodeEvent encodes single packet events (no bundles), per event.
func BenchmarkEncodeEvent(b *testing.B) {
	evs := eventtest.CaptureEvents(b, "mixed.pcapng")
	enc := &recordEncoder{fast: jsonenc.New("9.0.0"), index: "netbeat", constTopic: "netbeat",
		keyField: "network.community_id", part: &partitioner{mode: "hash"}, viewer: &viewer{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		enc.encode(&evs[i%len(evs)])
	}
}
