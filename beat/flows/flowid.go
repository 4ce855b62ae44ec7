package flows

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"net/netip"

	"github.com/netbeat/netbeat/beat/decode"
)

// Tuple is a packet's endpoints as seen on the wire (source first). For
// ICMP the ports carry type and code as the Community ID spec maps them.
type Tuple struct {
	Src, Dst     netip.Addr
	SPort, DPort uint16
	Proto        uint8
	OneWay       bool // ICMP message without a reply type
	NoPorts      bool // transport header absent (non-first fragment, other protocol)
}

// TupleOf extracts the tuple of an IP packet; false for non-IP frames.
func TupleOf(p *decode.Packet) (Tuple, bool) {
	var t Tuple
	switch {
	case p.Flags&decode.HasIPv4 != 0:
		t.Src, _ = netip.AddrFromSlice(p.IPv4.SrcIP.To4())
		t.Dst, _ = netip.AddrFromSlice(p.IPv4.DstIP.To4())
	case p.Flags&decode.HasIPv6 != 0:
		t.Src, _ = netip.AddrFromSlice(p.IPv6.SrcIP)
		t.Dst, _ = netip.AddrFromSlice(p.IPv6.DstIP)
	default:
		return t, false
	}
	proto, _ := p.IPProtocol()
	t.Proto = uint8(proto)
	t.NoPorts = true
	switch {
	case p.Flags&decode.HasTCP != 0:
		t.SPort, t.DPort, t.NoPorts = uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort), false
	case p.Flags&decode.HasUDP != 0:
		t.SPort, t.DPort, t.NoPorts = uint16(p.UDP.SrcPort), uint16(p.UDP.DstPort), false
	case p.Flags&decode.HasICMPv4 != 0:
		ty, code := p.ICMPv4.TypeCode.Type(), p.ICMPv4.TypeCode.Code()
		t.SPort, t.DPort, t.OneWay = icmpPorts(icmp4Pairs, ty, code)
		t.NoPorts = false
	case p.Flags&decode.HasICMPv6 != 0:
		ty, code := p.ICMPv6.TypeCode.Type(), p.ICMPv6.TypeCode.Code()
		t.SPort, t.DPort, t.OneWay = icmpPorts(icmp6Pairs, ty, code)
		t.NoPorts = false
	}
	return t, true
}

// Request/response ICMP types, both ways (Community ID spec).
var icmp4Pairs = map[uint8]uint8{8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17}

var icmp6Pairs = map[uint8]uint8{128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130, 139: 140, 140: 139, 144: 145, 145: 144}

func icmpPorts(pairs map[uint8]uint8, ty, code uint8) (uint16, uint16, bool) {
	if other, ok := pairs[ty]; ok {
		return uint16(ty), uint16(other), false
	}
	return uint16(ty), uint16(code), true
}

// less orders endpoints: address first, then port.
func less(a netip.Addr, ap uint16, b netip.Addr, bp uint16) bool {
	if c := bytes.Compare(a.AsSlice(), b.AsSlice()); c != 0 {
		return c < 0
	}
	return ap < bp
}

// CommunityID returns the Community ID v1 hash of the tuple with the given
// seed, e.g. "1:LQU9qZlK+B5F3KDmev6m5PMibrg=".
func (t Tuple) CommunityID(seed uint16) string {
	src, dst, sp, dp := t.Src, t.Dst, t.SPort, t.DPort
	if !t.OneWay && !less(src, sp, dst, dp) || t.OneWay && bytes.Compare(src.AsSlice(), dst.AsSlice()) > 0 {
		src, dst, sp, dp = dst, src, dp, sp
	}
	var buf [2 + 16 + 16 + 2 + 4]byte
	b := buf[:0]
	b = binary.BigEndian.AppendUint16(b, seed)
	b = append(b, src.AsSlice()...)
	b = append(b, dst.AsSlice()...)
	b = append(b, t.Proto, 0)
	switch t.Proto {
	case 6, 17, 1, 58, 132:
		if t.NoPorts { // e.g. a non-first fragment: hash addresses and protocol only
			break
		}
		b = binary.BigEndian.AppendUint16(b, sp)
		b = binary.BigEndian.AppendUint16(b, dp)
	}
	sum := sha1.Sum(b)
	var id [2 + 28]byte // "1:" and the base64 of 20 bytes: one allocation, the string
	id[0], id[1] = '1', ':'
	base64.StdEncoding.Encode(id[2:], sum[:])
	return string(id[:])
}
