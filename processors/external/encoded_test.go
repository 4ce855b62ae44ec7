package external

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	libbeat "github.com/elastic/beats/v7/libbeat/beat"
	lbjson "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/event"
	"github.com/netbeat/netbeat/beat/flows"
	"github.com/netbeat/netbeat/internal/jsontest"
	"github.com/netbeat/netbeat/internal/nbtest"
	_ "github.com/netbeat/netbeat/plugins/all"
	"github.com/netbeat/netbeat/plugins/group"
	"github.com/netbeat/netbeat/plugins/host"
	"github.com/netbeat/netbeat/plugins/sdk"
	"github.com/netbeat/netbeat/plugins/sdk/sdktest"
)

// writeMMDB writes a GeoLite2-schema database covering all of IPv4.
func writeMMDB(t *testing.T, typ string, rec mmdbtype.Map) string {
	return nbtest.WriteMMDB(t, typ, map[string]mmdbtype.Map{"0.0.0.0/1": rec, "128.0.0.0/1": rec})
}

// builtins is the configuration of a group of the four built-ins.
func builtins(t *testing.T) map[string]any {
	city := writeMMDB(t, "GeoLite2-City", mmdbtype.Map{
		"city":     mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("Paris")}},
		"country":  mmdbtype.Map{"iso_code": mmdbtype.String("FR")},
		"location": mmdbtype.Map{"latitude": mmdbtype.Float64(48.85), "longitude": mmdbtype.Float64(-2.35)}})
	asn := writeMMDB(t, "GeoLite2-ASN", mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(3215),
		"autonomous_system_organization": mmdbtype.String(`AS "org"`)})
	block := filepath.Join(t.TempDir(), "block.txt")
	if err := os.WriteFile(block, []byte("0.0.0.0/1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]any{"plugins": []any{
		map[string]any{"name": "comment", "config": map[string]any{"rules": []any{
			map[string]any{"match": map[string]any{"ports": []any{53, 80, 443}}, "tags": []any{"web"},
				"add_fields": map[string]any{"labels.service": "web", "event.reason": "rule"}},
			map[string]any{"match": map[string]any{"cidr": []any{"0.0.0.0/0"}}, "comment": "v4"},
			map[string]any{"match": map[string]any{"cidr": []any{"81.0.0.0/8"}, "time": map[string]any{"from": "22:00", "to": "06:00", "timezone": "Asia/Kolkata"}}, "tags": []any{"night"}},
			map[string]any{"match": map[string]any{"cidr": []any{"81.0.0.0/8"}, "time": map[string]any{"after": "2026-03-02T07:30:00Z", "weekdays": []any{"mon", "tue"}}}, "tags": []any{"later"}}}}},
		map[string]any{"name": "timebucket", "config": map[string]any{"timezone": "Europe/Paris"}},
		map[string]any{"name": "geoip", "config": map[string]any{"city_database": city, "asn_database": asn}},
		map[string]any{"name": "iprep", "config": map[string]any{"lists": []any{map[string]any{"path": block}}}},
	}}
}

// publicFrames are Ethernet frames between public and private IPv4
// addresses (the bundled captures are loopback traffic, which geoip skips).
type publicFrames struct{ n int }

func (s *publicFrames) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	if s.n >= 300 {
		return nil, gopacket.CaptureInfo{}, io.EOF
	}
	s.n++
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP,
		SrcIP: net.IPv4(81, byte(s.n), 2, byte(s.n%7)), DstIP: net.IPv4(10, 0, 0, byte(s.n%5))}
	if s.n%2 == 0 {
		ip.SrcIP, ip.DstIP = ip.DstIP, ip.SrcIP
	}
	u := &layers.UDP{SrcPort: layers.UDPPort(40000 + s.n%3), DstPort: layers.UDPPort([]int{53, 123, 443}[s.n%3])}
	_ = u.SetNetworkLayerForChecksum(ip)
	buf := gopacket.NewSerializeBuffer()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		eth, ip, u, gopacket.Payload("payload")); err != nil {
		return nil, gopacket.CaptureInfo{}, err
	}
	ts := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(s.n) * 17 * time.Minute)
	return buf.Bytes(), gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(buf.Bytes()), Length: len(buf.Bytes())}, nil
}

type packetSource interface {
	ReadPacket() ([]byte, gopacket.CaptureInfo, error)
}

// pairs returns every packet and flow event of a bundled capture (or of
// publicFrames for "") twice: encoded (beat/event documents) and as maps.
func pairs(t *testing.T, name string) (enc, maps []libbeat.Event) {
	t.Helper()
	var src packetSource = &publicFrames{}
	link := decode.LinkTypeEthernet
	if name != "" {
		f, err := capture.OpenFile("../../testdata/captures/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		src, link = f, f.LinkType()
	}
	dec, _ := decode.New(link)
	po1, po2, fo := &event.PacketOptions{}, &event.PacketOptions{}, &event.FlowOptions{}
	table := flows.NewTable(flows.Config{MaxFlows: 1000}, func(fl *flows.Flow) {
		enc, maps = append(enc, event.FlowEncoded(fl, fo)), append(maps, event.Flow(fl))
	})
	for n := uint64(1); ; n++ {
		data, ci, err := src.ReadPacket()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := dec.Decode(data, ci)
		enc, maps = append(enc, event.Packet(p, n, po1)), append(maps, event.PacketMap(p, n, po2))
		table.Update(p)
	}
	table.Flush(flows.EndCaptureEnd)
	return enc, maps
}

func docs(t *testing.T, events []*sdk.Event) []string {
	t.Helper()
	enc := lbjson.New("9.3.0", lbjson.Config{})
	out := make([]string, len(events))
	for i, e := range events {
		ev := toBeat(e)
		b, err := enc.Encode("netbeat", &ev)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = jsontest.Canonical(t, b)
	}
	return out
}

func wrap(events []libbeat.Event) []*sdk.Event {
	out := make([]*sdk.Event, len(events))
	for i := range events {
		out[i] = toSDK(&events[i])
	}
	return out
}

// TestEncodedMatchesMaps: the four built-ins, in process and through the
// real gRPC transport, give encoded events the same documents as map
// events, on packets and flows of bundled captures and of generated public
// traffic; the encoded events stay encoded (over gRPC, even the source
// member the answers extend; in process, the members no plugin changes).
func TestEncodedMatchesMaps(t *testing.T) {
	cfg := builtins(t)
	run := map[string]func([]*sdk.Event) []*sdk.Event{}
	hc := host.DefaultConfig()
	hc.Chain = []host.PluginConfig{{Name: "group", InProcess: true, Config: cfg}}
	h, err := newHost(hc)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	run["in-process"] = h.Process
	harness := sdktest.New(t, &group.Group{}, cfg)
	run["gRPC"] = func(b []*sdk.Event) []*sdk.Event {
		out, err := harness.Process(b...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for name, process := range run {
		for round := 0; round < 2; round++ { // the second round's answers refer to the dictionary
			var enc, maps []libbeat.Event // plugins change events in place: new ones each round
			for _, c := range []string{"", "mixed.pcapng", "http4.pcap", "dns.pcap", "vlan.pcap", "frag.pcap"} {
				e, m := pairs(t, c)
				enc, maps = append(enc, e...), append(maps, m...)
			}
			encOut, mapOut := process(wrap(enc)), process(wrap(maps))
			if len(encOut) != len(enc) || len(mapOut) != len(maps) {
				t.Fatalf("%s: %d and %d events out, want %d", name, len(encOut), len(mapOut), len(enc))
			}
			got, want := docs(t, encOut), docs(t, mapOut)
			geo, member := 0, 0
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: event %d differs\n encoded: %s\n    maps: %s", name, i, got[i], want[i])
				}
				if strings.Contains(got[i], `"geo":{`) && strings.Contains(got[i], `"timebucket":{`) &&
					strings.Contains(got[i], `"labels":{"service":"web"}`) {
					geo++
				}
				// Over gRPC even the objects answers add to stay encoded; in
				// process the plugins decode the members they change only.
				top := map[string]string{"gRPC": "source", "in-process": "network"}[name]
				if _, ok := encOut[i].Fields[top].(*event.Member); ok || encOut[i].Fields[top] == nil {
					member++
				}
			}
			if geo < 50 || member != len(enc) {
				t.Fatalf("%s: %d events enriched, %d encoded members, of %d", name, geo, member, len(enc))
			}
		}
	}
}

// TestStageBundles: with bundle > 1 the stage publishes the documents it
// processed in bundles (their @metadata._id kept), except events with a field that is not a member
// (a plugin added tags while global tags are configured), and every
// document is the one the unbundled stage publishes, in the same order.
func TestStageBundles(t *testing.T) {
	hc := host.DefaultConfig()
	hc.BatchSize, hc.Linger = 64, time.Millisecond
	hc.Chain = []host.PluginConfig{{Name: "group", InProcess: true, Config: builtins(t)}}
	h, err := newHost(hc)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var docs [2][]string
	var bundles, single int
	for i, size := range []int{1, 8} {
		enc, _ := pairs(t, "")
		v6, _ := pairs(t, "mixed.pcapng") // IPv6 loopback: no block-list tags
		enc = append(enc, v6...)
		for j := range enc { // netbeat.event_id: most events carry an id, which bundling keeps
			if j%3 != 0 {
				enc[j].Meta = mapstr.M{event.MetaID: "0123456789abcdef.p" + strconv.Itoa(j+1)}
			}
		}
		sink := &memSink{}
		st := NewStage(h, sink, StageOptions{Bundle: size, Tags: true}) // global tags: events with tags of their own go alone
		for _, e := range enc {
			st.Publish(e)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		var out []*sdk.Event
		for j := range sink.events {
			ev := &sink.events[j]
			b, ok := event.BundleOf(ev)
			if !ok {
				out = append(out, toSDK(ev))
				if i == 1 {
					single++
				}
				continue
			}
			bundles++
			for k := range b.Docs {
				out = append(out, toSDK(b.DocEvent(ev, k)))
			}
		}
		if len(out) != len(enc) {
			t.Fatalf("bundle %d: %d documents out, want %d", size, len(out), len(enc))
		}
		docs[i] = docs2(t, out)
	}
	if bundles == 0 || single == 0 {
		t.Fatalf("%d bundles and %d single events: want both", bundles, single)
	}
	for i := range docs[0] {
		if docs[0][i] != docs[1][i] {
			t.Fatalf("document %d differs in a bundle\n bundled: %s\n  single: %s", i, docs[1][i], docs[0][i])
		}
	}
}

// docs2 is docs without @timestamp (a bundle's documents keep their own,
// which the DocEvent view carries).
func docs2(t *testing.T, events []*sdk.Event) []string {
	return docs(t, events)
}
