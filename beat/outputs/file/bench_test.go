//go:build !integration

package file

import (
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/netbeat/netbeat/internal/eventtest"
)

// benchWrite publishes evs (docs documents) in batches of batch events to
// output typ, b.N documents in all, into one large file: the write path
// from batch to file, per document.
func benchWrite(b *testing.B, typ string, evs []beat.Event, docs, batch int) {
	c := openOutput(b, typ, b.TempDir(), map[string]any{"rotate_every_kb": 1 << 30}, newCounts())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += docs {
		publish(b, c, evs, batch)
	}
}

// BenchmarkBundles: netbeat's file output, bundles of 64 packet documents,
// 25 bundles a batch (1600 documents, the memory queue's flush.min_events).
func BenchmarkBundles(b *testing.B) {
	bundles, docs := eventtest.BundleEvents(b, "mixed.pcapng", 64)
	benchWrite(b, TypeName, bundles, docs, 25)
}

// BenchmarkEvents: netbeat's file output, single packet events, 1600 a batch.
func BenchmarkEvents(b *testing.B) {
	bundles, docs := eventtest.BundleEvents(b, "mixed.pcapng", 64)
	benchWrite(b, TypeName, docEvents(bundles), docs, 1600)
}

// BenchmarkLibbeatEvents: libbeat's file output, single packet events (what
// output.file did before), for comparison.
func BenchmarkLibbeatEvents(b *testing.B) {
	bundles, docs := eventtest.BundleEvents(b, "mixed.pcapng", 64)
	benchWrite(b, "file", docEvents(bundles), docs, 1600)
}
