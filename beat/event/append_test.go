//go:build !integration

package event

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/common"
	conf "github.com/elastic/elastic-agent-libs/config"
)

// TestAppendUint: the in-place formatter agrees with strconv at every
// power-of-ten boundary and on random values of every width.
func TestAppendUint(t *testing.T) {
	vals := []uint64{0, math.MaxUint64, math.MaxUint32, math.MaxUint16}
	for p := uint64(1); p <= 1e19; p *= 10 {
		vals = append(vals, p-1, p, p+1)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		vals = append(vals, r.Uint64()>>(r.Uint64()%64))
	}
	for _, v := range vals {
		prefix := []byte("x:")
		if got, want := string(appendUint(prefix, v)), "x:"+strconv.FormatUint(v, 10); got != want {
			t.Fatalf("appendUint(%d) = %q, want %q", v, got, want)
		}
	}
}

// TestAppendMAC: both forms of 6-byte addresses, and other lengths as
// net.HardwareAddr and ECSMAC format them.
func TestAppendMAC(t *testing.T) {
	for _, hw := range []net.HardwareAddr{
		{0x00, 0x1b, 0x21, 0xaa, 0xbf, 0xff},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0, 0, 0, 0, 0, 0},
		{0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0x10, 0x20}, // EUI-64
	} {
		if got, want := string(appendMAC(nil, `"k":`, hw, false)), `"k":"`+hw.String()+`"`; got != want {
			t.Errorf("tshark form of %v = %s, want %s", hw, got, want)
		}
		want := `"k":"` + strings.ToUpper(strings.ReplaceAll(hw.String(), ":", "-")) + `"`
		if got := string(appendMAC(nil, `"k":`, hw, true)); got != want {
			t.Errorf("ECS form of %v = %s, want %s", hw, got, want)
		}
	}
}

// TestFlowTime: the flow writer's timestamps (TimeWriter) are libbeat's
// common.Time JSON, for times in the same second one after another (the
// cached date), across second, day and year boundaries, in other zones, for
// years the fast path leaves to libbeat's formatter, and with the other
// timestamp precisions a configuration can set.
func TestFlowTime(t *testing.T) {
	base := time.Date(2026, 12, 31, 23, 59, 58, 0, time.UTC)
	var ts []time.Time
	for ns := int64(0); ns < 3e9; ns += 999_999 {
		ts = append(ts, base.Add(time.Duration(ns)))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		ts = append(ts, time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)))
	}
	ts = append(ts, time.Time{}, time.Date(999, 12, 31, 23, 59, 59, 999e6, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 1e6, time.UTC), base.In(time.FixedZone("x", -7*3600)))
	check := func(precision string) {
		o := &FlowOptions{}
		for _, x := range ts {
			want, err := json.Marshal(common.Time(x))
			if err != nil {
				t.Fatal(err)
			}
			if got := o.time(nil, x); string(got) != string(want) {
				t.Fatalf("%s precision: time(%v) = %s, want %s", precision, x, got, want)
			}
		}
	}
	check("default")
	// timestamp.precision changes libbeat's format: the writer follows it
	for _, p := range []string{"microsecond", "nanosecond"} {
		if err := common.SetTimestampPrecision(conf.MustNewConfigFrom(map[string]any{"precision": p})); err != nil {
			t.Fatal(err)
		}
		check(p)
	}
	if err := common.SetTimestampPrecision(nil); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAppendTime: the timestamps of a capture, a millisecond apart.
func BenchmarkAppendTime(b *testing.B) {
	var w TimeWriter
	base := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf, _ = w.AppendTime(buf[:0], base.Add(time.Duration(i)*time.Millisecond))
		i++
	}
}

var sinkUint []byte

// BenchmarkAppendUint: the numbers of a TCP packet document.
func BenchmarkAppendUint(b *testing.B) {
	vals := []uint64{1, 60, 443, 1514, 51234, 64, 65535, 3141592653, 2718281828, 7, 12345}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, v := range vals {
			buf = appendUint(buf, v)
		}
	}
	sinkUint = buf
}
