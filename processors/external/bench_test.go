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
func benchStage(b *testing.B, encoded, inProcess bool) {
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
		for _, e := range process(batch) {
			_ = toBeat(e)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*512), "ns/event")
}

func BenchmarkStageEncodedInProcess(b *testing.B) { benchStage(b, true, true) }
func BenchmarkStageMapsInProcess(b *testing.B)    { benchStage(b, false, true) }
func BenchmarkStageEncodedGRPC(b *testing.B)      { benchStage(b, true, false) }
func BenchmarkStageMapsGRPC(b *testing.B)         { benchStage(b, false, false) }
