package external

import (
	"io"
	"testing"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"

	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/plugins/group"
	"github.com/netbeat/netbeat/plugins/host"
	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/sdktest"
)

// benchStage runs batches of 512 packet events (built each time, encoded or
// as maps) through the four built-ins as one group, in process or through
// the real gRPC transport (plugin side in the same process), and reports
// the CPU time per event of both sides together.
func benchStage(b *testing.B, encoded, inProcess bool) { benchStageOut(b, encoded, inProcess, 0) }

// benchCache is the answer cache size of the in-process benchmarks
// (host.DefaultConfig's; 0 turns the keyed path off).
var benchCache = host.DefaultConfig().CacheSize

// benchStageOut is benchStage that also publishes each result as the stage
// does (in bundles of bundle documents when bundle > 1) into a sink that
// drops them.
func benchStageOut(b *testing.B, encoded, inProcess bool, bundle int) {
	cfg := builtins(&testing.T{})
	var frames [][]byte
	src := &publicFrames{}
	for {
		data, _, err := src.ReadPacket()
		if err == io.EOF {
			break
		}
		frames = append(frames, append([]byte(nil), data...))
	}
	var process func([]*sdk.Event) []*sdk.Event
	if inProcess {
		hc := host.DefaultConfig()
		hc.Chain = []host.PluginConfig{{Name: "group", InProcess: true, Config: cfg}}
		hc.CacheSize = benchCache
		h, err := newHost(hc)
		if err != nil {
			b.Fatal(err)
		}
		defer h.Close()
		process = h.Process
	} else {
		harness := sdktest.New(b, &group.Group{}, cfg)
		process = func(batch []*sdk.Event) []*sdk.Event {
			out, err := harness.Process(batch...)
			if err != nil {
				b.Fatal(err)
			}
			return out
		}
	}
	dec, _ := decode.New(decode.LinkTypeEthernet)
	po := &event.PacketOptions{}
	_, ci, _ := (&publicFrames{}).ReadPacket()
	st := &Stage{sink: discardSink{}, opts: StageOptions{Bundle: bundle}}
	evs := make([]libbeat.Event, 512)
	batch := make([]*sdk.Event, 512)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range evs {
			p := dec.Decode(frames[j%len(frames)], ci)
			if encoded {
				evs[j] = event.Packet(p, uint64(j), po)
			} else {
				evs[j] = event.PacketMap(p, uint64(j), po)
			}
			batch[j] = toSDK(&evs[j])
		}
		out := process(batch)
		if bundle == 0 {
			for _, e := range out {
				_ = toBeat(e)
			}
		} else {
			st.publish(out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*512), "ns/event")
}

func BenchmarkStageEncodedInProcess(b *testing.B) { benchStage(b, true, true) }

// The same without the answer cache: the built-ins' Process on every event.
func BenchmarkStageEncodedInProcessUncached(b *testing.B) {
	defer func(n int) { benchCache = n }(benchCache)
	benchCache = 0
	benchStage(b, true, true)
}
func BenchmarkStageMapsInProcess(b *testing.B) { benchStage(b, false, true) }
func BenchmarkStageEncodedGRPC(b *testing.B)   { benchStage(b, true, false) }
func BenchmarkStageMapsGRPC(b *testing.B)      { benchStage(b, false, false) }

type discardSink struct{}

func (discardSink) Publish(libbeat.Event) {}
func (discardSink) Close() error          { return nil }

// The stage's output, one event per pipeline event or in bundles of 64.
func BenchmarkStageOutEncodedGRPC(b *testing.B)        { benchStageOut(b, true, false, 1) }
func BenchmarkStageOutEncodedGRPCBundled(b *testing.B) { benchStageOut(b, true, false, 64) }
func BenchmarkStageOutEncodedInProcessBundled(b *testing.B) {
	benchStageOut(b, true, true, 64)
}
