//go:build !integration

package jsonenc

import (
	"math"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common"
	"github.com/elastic/beats/v7/libbeat/common/dtfmt"
	lbjson "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/internal/eventtest"
	"github.com/netbeat/netbeat/internal/jsontest"
)

// TestEncoderMatchesCodec: Encoder writes the same
// documents as libbeat's JSON codec for packet events (encoded members),
// flow events (maps with times) and events with metadata, floats and lists.
func TestEncoderMatchesCodec(t *testing.T) {
	var evs []beat.Event
	for _, c := range []string{"mixed.pcapng", "vlan.pcap", "arp.pcap", "frag.pcap", "sll2.pcap"} {
		evs = append(evs, eventtest.CaptureEvents(t, c)...)
	}
	evs = append(evs, beat.Event{
		Timestamp: time.Date(2026, 12, 1, 1, 2, 3, 456789000, time.FixedZone("x", 3600)),
		Meta:      mapstr.M{"id": "abc", "pipeline": "p"},
		Fields: mapstr.M{"f": 1.5, "g": float32(0.25), "big": uint64(math.MaxUint64), "neg": int8(-3), "nil": nil,
			"list": []interface{}{"a", 1, mapstr.M{"x": true}}, "t": common.Time(time.Unix(0, 0)),
			"tags": []string{"forwarded", "é"}, "m": map[string]interface{}{"u16": uint16(9), "i": 7}},
	})
	lb := lbjson.New("9.3.0", lbjson.Config{})
	fe := New("9.3.0")
	for i := range evs {
		want, err := lb.Encode("netbeat", &evs[i])
		if err != nil {
			t.Fatal(err)
		}
		w := jsontest.Canonical(t, want)
		got, ok := fe.Encode("netbeat", &evs[i])
		if !ok {
			t.Fatalf("event %d: fast encoder refused it", i)
		}
		if g := jsontest.Canonical(t, got); g != w {
			t.Fatalf("event %d differs\n got: %s\nwant: %s", i, g, w)
		}
	}
	if len(evs) < 150 {
		t.Fatalf("only %d events compared", len(evs))
	}
	// Unknown types and NaN are left to libbeat's codec.
	for _, v := range []interface{}{math.NaN(), struct{ A int }{1}, []uint16{1}} {
		if _, ok := fe.Encode("netbeat", &beat.Event{Fields: mapstr.M{"v": v}}); ok {
			t.Errorf("%#v: fast encoder accepted a value it cannot write", v)
		}
	}
}

// TestTimestampsMatchLibbeat: the millisecond shortcut writes what libbeat's
// formatter writes, across seconds, days, years and zones.
func TestTimestampsMatchLibbeat(t *testing.T) {
	fe := New("9.0.0")
	if !fe.tw.Millis() {
		t.Fatal("libbeat's default precision is not milliseconds any more: check millisFormat")
	}
	ref := dtfmt.MustNewFormatter(common.TimestampFormat(false))
	base := time.Date(2026, 12, 31, 23, 59, 58, 0, time.FixedZone("x", -5*3600))
	for i := 0; i < 5000; i++ {
		ts := base.Add(time.Duration(i) * 997 * time.Microsecond * 3)
		if i%100 == 0 {
			ts = time.Unix(int64(i)*86400*37, int64(i)*12345)
		}
		got, _ := fe.time(nil, ts)
		want, _ := ref.Format(ts.UTC())
		if string(got) != `"`+want+`"` {
			t.Fatalf("%v: %s, libbeat %q", ts, got, want)
		}
	}
}
