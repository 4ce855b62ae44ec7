//go:build !integration

package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	lbjson "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/flows"
	"github.com/netbeat/netbeat/internal/jsontest"
)

func marshal(t testing.TB, v interface{}) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return jsontest.Canonical(t, b)
}

// viaCodec encodes fields the way libbeat's file/console/kafka outputs do
// (go-structform) and returns the document without @timestamp and @metadata.
func viaCodec(t testing.TB, enc *lbjson.Encoder, fields mapstr.M) string {
	t.Helper()
	b, err := enc.Encode("netbeat", &beat.Event{Timestamp: time.Unix(1, 0), Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "@timestamp")
	delete(m, "@metadata")
	return marshal(t, m)
}

// compareDoc checks every form of the new event against the legacy map event.
func compareDoc(t testing.TB, enc *lbjson.Encoder, p *decode.Packet, n uint64, nw, old *PacketOptions, what string) {
	t.Helper()
	want := marshal(t, PacketMap(p, n, old).Fields)
	if len(nw.Fields) > 0 {
		if got := marshal(t, Packet(p, n, nw).Fields); got != want {
			t.Fatalf("%s: selected fields differ\n got: %s\nwant: %s", what, got, want)
		}
		return
	}
	d := PacketDoc(p, n, nw)
	if got := jsontest.Canonical(t, d.Body); got != want {
		t.Fatalf("%s: body differs\n got: %s\nwant: %s", what, got, want)
	}
	if got := marshal(t, d.Map()); got != want {
		t.Fatalf("%s: Map differs\n got: %s\nwant: %s", what, got, want)
	}
	if got := marshal(t, d.Fields(extraFields)); got != want {
		t.Fatalf("%s: Fields (encoding/json) differ\n got: %s\nwant: %s", what, got, want)
	}
	if got := viaCodec(t, enc, d.Fields(extraFields)); got != want {
		t.Fatalf("%s: Fields (libbeat json codec) differ\n got: %s\nwant: %s", what, got, want)
	}
	if got := marshal(t, Packet(p, n, nw).Fields); got != want {
		t.Fatalf("%s: Packet differs\n got: %s\nwant: %s", what, got, want)
	}
}

// TestDocMatchesMap: on every bundled capture, every packet's encoded
// document, its decoded map and what libbeat's codec makes of its members
// equal the map event netbeat built before (legacyPacket), for the default
// options, with payload, and with field selection.
func TestDocMatchesMap(t *testing.T) {
	paths, _ := filepath.Glob(capturesDir + "/*.pcap*")
	bench, _ := filepath.Glob("../../testdata/bench/*.pcap*")
	paths = append(paths, bench...)
	enc := lbjson.New("9.3.0", lbjson.Config{})
	checked := 0
	for _, path := range paths {
		if strings.HasSuffix(path, ".tsv") {
			continue
		}
		src, err := capture.OpenFile(path)
		if err != nil {
			continue // notapcap.pcap and friends: the capture tests cover them
		}
		dec, err := decode.New(src.LinkType())
		if err != nil {
			t.Fatal(err)
		}
		opts := [][2]*PacketOptions{
			{{}, {}},
			{{PayloadMaxBytes: 16, CommunityIDSeed: 7}, {PayloadMaxBytes: 16, CommunityIDSeed: 7}},
			{{Fields: []string{"source", "tcp.flags", "frame.payload", "network.community_id"}, PayloadMaxBytes: 4},
				{Fields: []string{"source", "tcp.flags", "frame.payload", "network.community_id"}, PayloadMaxBytes: 4}},
		}
		for n := uint64(1); ; n++ {
			data, ci, err := src.ReadPacket()
			if errors.Is(err, io.EOF) || (err != nil && n > 1) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			p := dec.Decode(data, ci)
			for i, o := range opts {
				compareDoc(t, enc, p, n, o[0], o[1], filepath.Base(path)+" frame "+itoa(n)+" options "+itoa(uint64(i)))
			}
			checked++
		}
		src.Close()
	}
	if checked < 500 {
		t.Fatalf("only %d packets compared", checked)
	}
	t.Logf("%d packets: encoded documents equal the legacy map events", checked)
}

// FuzzDocMatchesMap runs arbitrary Ethernet frames through both builders.
// Run: go test ./beat/event -run '^$' -fuzz FuzzDocMatchesMap -fuzztime 2m
func FuzzDocMatchesMap(f *testing.F) {
	for _, c := range []string{"http4.pcap", "vlan.pcap", "qinq.pcap", "frag.pcap", "rst.pcap", "arp.pcap", "dns.pcap"} {
		src, err := capture.OpenFile(capturesDir + "/" + c)
		if err != nil {
			f.Fatal(err)
		}
		for {
			data, _, err := src.ReadPacket()
			if err != nil {
				break
			}
			f.Add(append([]byte(nil), data...))
		}
		src.Close()
	}
	dec, _ := decode.New(decode.LinkTypeEthernet)
	enc := lbjson.New("9.3.0", lbjson.Config{})
	nw, old := &PacketOptions{PayloadMaxBytes: 8}, &PacketOptions{PayloadMaxBytes: 8}
	var n uint64
	f.Fuzz(func(t *testing.T, data []byte) {
		n++
		compareDoc(t, enc, dec.Decode(data, ci(data)), n, nw, old, "fuzz frame")
	})
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

// TestMemberLookup: every field of every packet document of a capture is
// found by Lookup with the value the decoded map holds.
func TestMemberLookup(t *testing.T) {
	src, err := capture.OpenFile(capturesDir + "/mixed.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dec, _ := decode.New(src.LinkType())
	o := &PacketOptions{PayloadMaxBytes: 8}
	looked := 0
	for n := uint64(1); ; n++ {
		data, ci, err := src.ReadPacket()
		if err != nil {
			break
		}
		d := PacketDoc(dec.Decode(data, ci), n, o)
		m := d.Map()
		for _, mem := range d.Members() {
			var walk func(prefix string, v interface{})
			walk = func(prefix string, v interface{}) {
				if sub, ok := v.(mapstr.M); ok {
					for k, x := range sub {
						walk(strings.TrimPrefix(prefix+"."+k, "."), x)
					}
				}
				got, ok := mem.Lookup(prefix)
				want, _ := m[mem.Key].(mapstr.M)
				var w interface{} = m[mem.Key]
				if prefix != "" {
					w, _ = want.GetValue(prefix)
				}
				if !ok || marshal(t, got) != marshal(t, w) {
					t.Fatalf("%s.%s: Lookup %v (%v), map %v", mem.Key, prefix, got, ok, w)
				}
				looked++
			}
			walk("", m[mem.Key])
		}
		if _, ok := d.Members()[0].Lookup("no.such.field"); ok {
			t.Fatal("Lookup found a missing field")
		}
	}
	if looked < 5000 {
		t.Fatalf("only %d lookups", looked)
	}
}

// TestFlowDocMatchesMap: on every bundled capture, every flow record's
// encoded document (body, members through encoding/json and through
// libbeat's codec) equals the map event Flow builds.
func TestFlowDocMatchesMap(t *testing.T) {
	paths, _ := filepath.Glob(capturesDir + "/*.pcap*")
	bench, _ := filepath.Glob("../../testdata/bench/*.pcap*")
	enc := lbjson.New("9.3.0", lbjson.Config{})
	checked := 0
	for _, path := range append(paths, bench...) {
		if strings.HasSuffix(path, ".tsv") {
			continue
		}
		src, err := capture.OpenFile(path)
		if err != nil {
			continue
		}
		dec, err := decode.New(src.LinkType())
		if err != nil {
			t.Fatal(err)
		}
		o, bo := &FlowOptions{}, &FlowOptions{}
		bundle := NewBundle(7)
		check := func(fl *flows.Flow) {
			want := marshal(t, Flow(fl).Fields)
			d := FlowDoc(fl, o)
			if got := jsontest.Canonical(t, d.Body); got != want {
				t.Fatalf("%s: flow body differs\n got: %s\nwant: %s", path, got, want)
			}
			if got := marshal(t, d.Fields(extraFields)); got != want {
				t.Fatalf("%s: flow members differ\n got: %s\nwant: %s", path, got, want)
			}
			if got := viaCodec(t, enc, FlowEncoded(fl, o).Fields); got != want {
				t.Fatalf("%s: flow via libbeat codec differs\n got: %s\nwant: %s", path, got, want)
			}
			if got, w := string(d.CommunityID()), fl.CommunityID; got != w {
				t.Fatalf("%s: CommunityID %q, want %q", path, got, w)
			}
			// the same record in a bundle (AddFlow): same body, timestamp
			// and community ID span
			if bundle.Full() {
				bundle.Release()
				bundle = NewBundle(7)
			}
			bundle.AddFlow(fl, bo)
			bd := &bundle.Docs[bundle.Len()-1]
			if !bytes.Equal(bd.Body, d.Body) || !bundle.TS[bundle.Len()-1].Equal(fl.Last) || string(bd.CommunityID()) != fl.CommunityID {
				t.Fatalf("%s: bundled flow document differs\n got: %s\nwant: %s", path, bd.Body, d.Body)
			}
			checked++
		}
		table := flows.NewTable(flows.Config{MaxFlows: 1000, IdleTimeout: 30 * time.Second, Period: 2 * time.Second}, check)
		for {
			data, ci, err := src.ReadPacket()
			if err != nil {
				break
			}
			table.Update(dec.Decode(data, ci))
		}
		table.Flush(flows.EndCaptureEnd)
		src.Close()
	}
	if checked < 50 {
		t.Fatalf("only %d flow records compared", checked)
	}
	t.Logf("%d flow records: encoded documents equal the map events", checked)
}
