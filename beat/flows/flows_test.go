//go:build !integration

package flows

import (
	"encoding/hex"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/decode"
)

// TestCommunityIDVectors checks the spec's published examples (the
// community-id-spec baseline, also quoted in Zeek's and Suricata's docs).
func TestCommunityIDVectors(t *testing.T) {
	a := netip.MustParseAddr
	for _, c := range []struct {
		t    Tuple
		seed uint16
		want string
	}{
		{Tuple{Src: a("128.232.110.120"), Dst: a("66.35.250.204"), SPort: 34855, DPort: 80, Proto: 6}, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{Tuple{Src: a("66.35.250.204"), Dst: a("128.232.110.120"), SPort: 80, DPort: 34855, Proto: 6}, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{Tuple{Src: a("128.232.110.120"), Dst: a("66.35.250.204"), SPort: 34855, DPort: 80, Proto: 6}, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	} {
		if got := c.t.CommunityID(c.seed); got != c.want {
			t.Errorf("%v seed %d: %s, want %s", c.t, c.seed, got, c.want)
		}
	}
}

// packets are frames from testdata/captures/http4.pcap (one TCP connection:
// 127.0.0.1:53940 → 127.0.0.1:8080), built here from hex headers.
type pkt struct {
	hex string
	at  time.Duration
}

func mustDecodeHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeAll(t *testing.T, frames []pkt) []*decode.Packet {
	t.Helper()
	base := time.Unix(1700000000, 0)
	var out []*decode.Packet
	for _, f := range frames {
		b, err := hex.DecodeString(f.hex)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := decode.New(decode.LinkTypeEthernet)
		p := d.Decode(b, gopacket.CaptureInfo{Timestamp: base.Add(f.at), CaptureLength: len(b), Length: len(b)})
		out = append(out, p)
	}
	return out
}

// tcp builds an Ethernet/IPv4/TCP frame 127.0.0.1:sport → 127.0.0.1:dport with flags.
func tcp(sport, dport uint16, flags byte) string {
	h := "000000000000000000000000" + "0800" +
		"45000028000040004006" + "0000" + "7f000001" + "7f000001" +
		hex.EncodeToString([]byte{byte(sport >> 8), byte(sport), byte(dport >> 8), byte(dport)}) +
		"00000001" + "00000000" + "50" + hex.EncodeToString([]byte{flags}) + "ffff" + "0000" + "0000"
	return h
}

const (
	syn    = 0x02
	synack = 0x12
	ack    = 0x10
	finack = 0x11
	rst    = 0x04
)

func run(t *testing.T, cfg Config, frames []pkt) (*Table, []Flow) {
	var got []Flow
	tb := NewTable(cfg, func(f *Flow) { got = append(got, *f) })
	for _, p := range decodeAll(t, frames) {
		tb.Update(p)
	}
	return tb, got
}

func TestTCPFinEndsFlowAfterLinger(t *testing.T) {
	tb, got := run(t, Config{Period: -1}, []pkt{
		{tcp(40000, 80, syn), 0}, {tcp(80, 40000, synack), time.Millisecond}, {tcp(40000, 80, ack), 2 * time.Millisecond},
		{tcp(40000, 80, finack), 3 * time.Millisecond}, {tcp(80, 40000, finack), 4 * time.Millisecond},
		{tcp(40000, 80, ack), 5 * time.Millisecond}, // trailing ACK still belongs to the flow
		{tcp(50000, 53, syn), 3 * time.Second},      // another flow moves the clock past close_timeout
	})
	if len(got) != 1 {
		t.Fatalf("%d records before flush, want 1: %+v", len(got), got)
	}
	f := got[0]
	if !f.Final || f.EndReason != EndFIN || f.Packets != [2]uint64{4, 2} || f.Tuple.SPort != 40000 || f.Tuple.DPort != 80 {
		t.Errorf("record %+v", f)
	}
	if f.TCPFlags != FlagSYN|FlagACK|FlagFIN {
		t.Errorf("flags %08b", f.TCPFlags)
	}
	if f.Duration() != 5*time.Millisecond {
		t.Errorf("duration %v", f.Duration())
	}
	tb.Flush(EndCaptureEnd)
	st := tb.Stats()
	if st.Ended[EndFIN] != 1 || st.Ended[EndCaptureEnd] != 1 || st.Active != 0 || st.Created != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestRSTAndIdleAndOrientation(t *testing.T) {
	_, got := run(t, Config{Period: -1, IdleTimeout: time.Second}, []pkt{
		{tcp(80, 40001, synack), 0}, // first packet seen is the SYN-ACK: the client is still the source
		{tcp(40001, 80, rst), time.Millisecond},
		{tcp(40002, 81, syn), 10 * time.Millisecond},
		{tcp(40003, 82, syn), 5 * time.Second}, // clock: the RST flow and the idle flow end
	})
	if len(got) != 2 {
		t.Fatalf("%d records, want 2: %+v", len(got), got)
	}
	if got[0].EndReason != EndRST || got[0].Tuple.SPort != 40001 || got[0].Packets != [2]uint64{1, 1} {
		t.Errorf("rst record %+v", got[0])
	}
	if got[1].EndReason != EndIdle || got[1].Tuple.DPort != 81 {
		t.Errorf("idle record %+v", got[1])
	}
}

func TestEvictionAndPeriodicReports(t *testing.T) {
	var frames []pkt
	for i := 0; i < 5; i++ {
		frames = append(frames, pkt{tcp(41000+uint16(i), 80, syn), time.Duration(i) * 100 * time.Millisecond})
	}
	frames = append(frames, pkt{tcp(41004, 80, ack), 1500 * time.Millisecond})
	tb, got := run(t, Config{MaxFlows: 3, Period: time.Second, IdleTimeout: time.Hour}, frames)
	var evicted, interim int
	for _, f := range got {
		switch {
		case f.Final && f.EndReason == EndEvicted:
			evicted++
		case !f.Final:
			interim++
		}
	}
	if evicted != 2 || tb.Stats().Evicted != 2 || tb.Stats().Active != 3 {
		t.Errorf("evicted %d (stats %+v), want 2 with 3 active", evicted, tb.Stats())
	}
	if interim != 3 {
		t.Errorf("%d interim reports at the 1 s period, want 3 (one per active flow)", interim)
	}
	if got[0].Tuple.SPort != 41000 || got[1].Tuple.SPort != 41001 {
		t.Errorf("eviction is not least-recently-seen first: %d, %d", got[0].Tuple.SPort, got[1].Tuple.SPort)
	}
}

func TestAdvanceEndsIdleFlowsWithoutPackets(t *testing.T) {
	tb, got := run(t, Config{Period: -1, IdleTimeout: time.Second}, []pkt{{tcp(42000, 80, syn), 0}})
	tb.Advance(time.Unix(1700000000, 0).Add(500 * time.Millisecond))
	if len(got) != 0 {
		t.Fatalf("flow ended early")
	}
	var ended []Flow
	tb.emit = func(f *Flow) { ended = append(ended, *f) }
	tb.Advance(time.Unix(1700000002, 0))
	if len(ended) != 1 || ended[0].EndReason != EndIdle {
		t.Fatalf("records %+v", ended)
	}
}
