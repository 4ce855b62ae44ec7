//go:build !integration

package beat

import (
	"errors"
	"io"
	"os"
	"testing"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/beat/flows"
)

// benchCapture is NETBEAT_BENCH_PCAP (e.g. the 1M-packet capture made by
// tools/mkbig) or the bundled mixed.pcapng.
func benchCapture() string {
	if p := os.Getenv("NETBEAT_BENCH_PCAP"); p != "" {
		return p
	}
	return "../testdata/captures/mixed.pcapng"
}

type discard struct{ n int }

// Publish counts the event; a bundle is released at once, as its
// acknowledgement would release it.
func (d *discard) Publish(e libbeat.Event) {
	d.n++
	if b, ok := event.BundleOf(&e); ok {
		b.Release()
	}
}
func (d *discard) Close() error { return nil }

// benchPipeline runs read → decode → events/flows exactly as a worker does,
// publishing into a sink that drops events (the libbeat pipeline and outputs
// are measured by the whole-program runs in BENCHMARKS.md).
func benchPipeline(b *testing.B, mode string) {
	path := benchCapture()
	var packets uint64
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		src, err := capture.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		dec, err := decode.New(src.LinkType())
		if err != nil {
			b.Fatal(err)
		}
		sink := &discard{}
		var table *flows.Table
		var fb *flowBundler
		switch mode {
		case "flows":
			table = flows.NewTable(flows.Config{}, func(f *flows.Flow) { sink.Publish(event.Flow(f)) })
		case "flow bundles":
			nb := &Netbeat{cfg: defaultConfig()}
			nb.cfg.Packets.MaxInflight = 1 << 30 // nothing acknowledges here
			fb = newFlowBundler(nb, sink, 64)
			table = flows.NewTable(flows.Config{}, fb.add)
		}
		opts := &event.PacketOptions{}
		var n uint64
		for {
			data, ci, err := src.ReadPacket()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
			p := dec.Decode(data, ci)
			if table != nil {
				table.Update(p)
			} else {
				sink.Publish(event.Packet(p, n, opts))
			}
		}
		if table != nil {
			table.Flush(flows.EndCaptureEnd)
		}
		if fb != nil {
			table.Do(fb.finish)
			fb.wait()
		}
		src.Close()
		packets += n
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkPipelinePackets: file → decode → ECS packet event, per capture.
func BenchmarkPipelinePackets(b *testing.B) { benchPipeline(b, "packets") }

// BenchmarkPipelineFlows: file → decode → flow table → flow records, per capture.
func BenchmarkPipelineFlows(b *testing.B) { benchPipeline(b, "flows") }

// BenchmarkPipelineFlowBundles: the same with the records bundled and
// encoded on the flow bundler's goroutine (beat/flowbundle.go).
func BenchmarkPipelineFlowBundles(b *testing.B) { benchPipeline(b, "flow bundles") }

// BenchmarkReadOnly: file → frames, the floor under both modes.
func BenchmarkReadOnly(b *testing.B) {
	var packets uint64
	for i := 0; i < b.N; i++ {
		src, err := capture.OpenFile(benchCapture())
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, _, err := src.ReadPacket()
			if err != nil {
				break
			}
			packets++
		}
		src.Close()
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}
