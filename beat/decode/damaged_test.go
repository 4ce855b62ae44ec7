//go:build !integration

package decode

import (
	"strings"
	"testing"

	"github.com/google/gopacket"
)

// Damaged and unusual frames, each compared with what tshark 4.0 shows for
// the same bytes (the captures were made by editing testdata/captures).
func TestDamagedFramesDecodeLikeTshark(t *testing.T) {
	// TCP 127.0.0.1 → 127.0.0.1 53940 → 8080 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=1536349563 TSecr=0 WS=1024
	syn := "00000000000000000000000008004500003c55df40004006e6da7f0000017f000001d2b41f906e3f038a00000000a002ffd7fe3000000204ffd70402080a5b92d57b000000000103030a"
	// TCP 127.0.0.1 → 127.0.0.1 37950 → 8080 [SYN] (Linux cooked v1)
	sll := "000003040006000000000000000008004500003c158a4000400627307f0000017f000001943e1f902c341bad00000000a002ffd7fe3000000204ffd70402080af251b46a000000000103030a"

	t.Run("tcp option length past the header", func(t *testing.T) {
		// tshark: TCP 53940 → 8080 [SYN], "option length = 48 bytes says option goes past end of options"
		d, _ := New(LinkTypeEthernet)
		data := mustHex(t, strings.Replace(syn, "0204ffd7", "0230ffd7", 1))
		p := d.Decode(data, ci(data, 0))
		if got := strings.Join(p.Protocols(), ":"); got != "eth:ip:tcp" {
			t.Errorf("stack %q, want eth:ip:tcp", got)
		}
		if p.TCP.SrcPort != 53940 || p.TCP.DstPort != 8080 || !p.TCP.SYN || p.TCP.ACK || p.TCP.DataOffset != 10 {
			t.Errorf("ports %d→%d syn %v ack %v offset %d: the fixed header was lost", p.TCP.SrcPort, p.TCP.DstPort, p.TCP.SYN, p.TCP.ACK, p.TCP.DataOffset)
		}
		if p.Err == nil || p.ErrLayer != "TCP" || !strings.Contains(p.Err.Error(), "options malformed") || d.Stats.Malformed != 1 {
			t.Errorf("err %s: %v, stats %+v; want the options flagged malformed", p.ErrLayer, p.Err, d.Stats)
		}
		if p.Truncated {
			t.Error("a damaged option is not a truncated frame")
		}
	})
	t.Run("tcp header cut in the options stays malformed", func(t *testing.T) {
		d, _ := New(LinkTypeEthernet)
		data := mustHex(t, syn[:2*(14+20+24)])
		p := d.Decode(data, ci(data, 74))
		if p.Has(HasTCP) || p.Err == nil || !p.Truncated {
			t.Errorf("tcp %v err %v truncated %v", p.Has(HasTCP), p.Err, p.Truncated)
		}
	})
	t.Run("sll address length 32", func(t *testing.T) {
		// tshark: sll:ethertype:ip:tcp, sll.halen 32, no sll.src.eth, nothing malformed
		d, _ := New(LinkTypeLinuxSLL)
		data := mustHex(t, strings.Replace(sll, "00000304000600", "00000304002000", 1))
		p := d.Decode(data, ci(data, 0))
		if got := strings.Join(p.Protocols(), ":"); got != "sll:ip:tcp" {
			t.Errorf("stack %q, want sll:ip:tcp", got)
		}
		if p.Err != nil || p.SLL.AddrLen != 32 || p.SLL.Addr != nil || p.TCP.SrcPort != 37950 {
			t.Errorf("err %v addrlen %d addr %v sport %d", p.Err, p.SLL.AddrLen, p.SLL.Addr, p.TCP.SrcPort)
		}
	})
	t.Run("captured length beyond the frame length", func(t *testing.T) {
		// tshark: frame.len 40, frame.cap_len 74, "Frame length is less than captured length", malformed
		d, _ := New(LinkTypeEthernet)
		data := mustHex(t, syn)
		p := d.Decode(data, ci(data, 40))
		if p.Err == nil || p.ErrLayer != "frame" || d.Stats.Malformed != 1 || !p.Has(HasTCP) || p.Length != 40 {
			t.Errorf("err %s: %v, stats %+v, tcp %v, length %d", p.ErrLayer, p.Err, d.Stats, p.Has(HasTCP), p.Length)
		}
	})
	t.Run("record error from the capture source", func(t *testing.T) {
		d, _ := New(LinkTypeEthernet)
		data := mustHex(t, syn)
		c := ci(data, 0)
		c.AncillaryData = []any{RecordError("captured length 74 exceeds the file's snaplen 70")}
		p := d.Decode(data, c)
		if p.Err == nil || p.ErrLayer != "frame" || !strings.Contains(p.Err.Error(), "snaplen 70") || d.Stats.Malformed != 1 || !p.Has(HasTCP) {
			t.Errorf("err %s: %v, stats %+v", p.ErrLayer, p.Err, d.Stats)
		}
		p = d.Decode(data, gopacket.CaptureInfo{CaptureLength: len(data), Length: len(data)})
		if p.Err != nil {
			t.Errorf("the next frame inherited the record error: %v", p.Err)
		}
	})
}
