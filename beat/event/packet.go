// Package event builds ECS events from decoded packets and flow records.
//
// Builders are not safe for concurrent use; the capture goroutine owns one.
package event

import (
	"encoding/hex"
	"net"
	"strconv"
	"strings"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/google/gopacket/layers"

	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/flows"
)

// PacketOptions shape per-packet events.
type PacketOptions struct {
	// Fields keeps only these fields (dotted prefixes, e.g. "source", "tcp.flags");
	// empty keeps all. @timestamp is always kept.
	Fields []string
	// PayloadMaxBytes > 0 stores at most that many payload bytes as hex in
	// frame.payload. Default 0: no payload is ever stored.
	PayloadMaxBytes int
	// CommunityIDSeed seeds network.community_id (default 0).
	CommunityIDSeed uint16
	// IDPrefix, when set, gives every event the id IDPrefix+number
	// (@metadata._id, docid.go): PacketIDPrefix(NewIDSource()).
	IDPrefix string

	cache *packetCache // per-goroutine string caches: do not share PacketOptions between goroutines
	arena arena        // per-goroutine buffer the Doc bodies are cut from
}

// Shared read-only values of every packet event.
var (
	categoryNetwork = []string{"network"}
	typeConnProto   = []string{"connection", "protocol"}
)

func selectFields(f mapstr.M, keep []string) mapstr.M {
	out := mapstr.M{}
	for _, k := range keep {
		if v, err := f.GetValue(k); err == nil {
			_, _ = out.Put(k, v)
		}
	}
	return out
}

// ECSMAC formats a MAC address as ECS wants it: upper case, dash separated.
func ECSMAC(hw net.HardwareAddr) string {
	return strings.ToUpper(strings.ReplaceAll(hw.String(), ":", "-"))
}

var ianaNumbers [256]string

func init() {
	for i := range ianaNumbers {
		ianaNumbers[i] = strconv.Itoa(i)
	}
}

func ianaNumber(p uint8) string { return ianaNumbers[p] }

// Transport returns the ECS network.transport name for an IANA protocol number.
func Transport(proto uint8) string {
	switch proto {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1:
		return "icmp"
	case 58:
		return "ipv6-icmp"
	case 132:
		return "sctp"
	case 47:
		return "gre"
	}
	return ianaNumbers[proto]
}

// TCPFlags returns the 12 flag bits of a TCP header as tshark's tcp.flags
// does: FIN=0x001 … CWR=0x080, NS (tshark: AE)=0x100 and the three reserved
// bits 0xe00, which gopacket does not keep.
func TCPFlags(t *layers.TCP) uint16 {
	fl := tcpFlagBits(t.FIN, t.SYN, t.RST, t.PSH, t.ACK, t.URG, t.ECE, t.CWR, t.NS)
	if len(t.Contents) > 12 {
		fl |= uint16(t.Contents[12]&0x0e) << 8
	}
	return fl
}

func tcpFlagBits(bits ...bool) uint16 {
	var v uint16
	for i, b := range bits {
		if b {
			v |= 1 << i
		}
	}
	return v
}

var flagNames = []string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"}

// tcpReserved are the three reserved bits of tcp.flags.
const tcpReserved = 0xe00

// FlagNames lists the names of the TCP flag bits set in v (FIN=0x001 …
// NS=0x100), then RES once when any reserved bit (0xe00) is set, as tshark's
// "(SYN, Reserved)".
func FlagNames(v uint16) []string {
	out := make([]string, 0, 4)
	for i, n := range flagNames {
		if v&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	if v&tcpReserved != 0 {
		out = append(out, "RES")
	}
	return out
}

// packetEventMember is the constant event object of every packet event.
var packetEventMember = []byte(`{"kind":"event","category":["network"],"type":["connection","protocol"],"dataset":"netbeat.packets"}`)

// extraFields is how many top-level keys libbeat adds to an event (agent,
// ecs, host, capture or observer, tags): the Fields map is sized for them.
const extraFields = 5

// PacketDoc encodes the event fields of one packet into a new Doc; number is
// its frame number (1-based). The Doc's body is cut from the options' arena,
// so building an event costs two small allocations in steady state.
func PacketDoc(p *decode.Packet, number uint64, o *PacketOptions) *Doc {
	d := &Doc{}
	writePacketDoc(d, p, number, o)
	return d
}

func writePacketDoc(d *Doc, p *decode.Packet, number uint64, o *PacketOptions) {
	writePacketDocIn(&o.arena, d, p, number, o)
}

// writePacketDocIn is writePacketDoc with the body cut from a.
func writePacketDocIn(a *arena, d *Doc, p *decode.Packet, number uint64, o *PacketOptions) {
	if o.cache == nil {
		o.cache = newPacketCache()
	}
	a.finish(d, writePacket(a.start(), &d.spans, p, number, o))
	if o.IDPrefix != "" {
		d.id = DocID{prefix: o.IDPrefix, seq: number}
	}
}

// Packet builds the event of one packet as an event whose Fields are the
// Doc's members (the fast path: no maps are built, outputs copy or replay
// the encoded bytes). Field selection (PacketOptions.Fields) needs maps and
// returns the decoded form, as PacketMap does.
func Packet(p *decode.Packet, number uint64, o *PacketOptions) beat.Event {
	if len(o.Fields) > 0 {
		return PacketMap(p, number, o)
	}
	d := PacketDoc(p, number, o)
	return withID(beat.Event{Timestamp: p.Timestamp, Fields: d.Fields(extraFields)}, d.id)
}

// packetNet holds what several members of a packet event share.
type packetNet struct {
	sip, dip   string
	smac, dmac net.HardwareAddr
	sport      uint16
	dport      uint16
	hasPorts   bool
	netType    string
	iana       string
	transport  string
}

// The writers below append to a local slice and return it (no stores through
// pointers, so no GC write barriers per field). Keys are pre-quoted; the
// first key of each object has no comma.

// writePacket appends the members of a packet document to b and records
// their spans in sp.
func writePacket(b []byte, sp *spans, p *decode.Packet, number uint64, o *PacketOptions) []byte {
	c := o.cache
	var n packetNet
	if proto, ok := p.IPProtocol(); ok {
		n.transport = Transport(uint8(proto))
	}
	switch {
	case p.Flags&decode.HasIPv4 != 0:
		n.sip, n.dip, n.netType = c.ip(p.IPv4.SrcIP), c.ip(p.IPv4.DstIP), "ipv4"
		n.iana = ianaNumber(uint8(p.IPv4.Protocol))
	case p.Flags&decode.HasIPv6 != 0:
		proto, _ := p.IPProtocol()
		n.sip, n.dip, n.netType = c.ip(p.IPv6.SrcIP), c.ip(p.IPv6.DstIP), "ipv6"
		n.iana = ianaNumber(uint8(proto))
	case p.Flags&decode.HasARP != 0:
		n.netType = "arp"
	}
	switch {
	case p.Flags&decode.HasTCP != 0:
		n.sport, n.dport, n.hasPorts = uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort), true
	case p.Flags&decode.HasUDP != 0:
		n.sport, n.dport, n.hasPorts = uint16(p.UDP.SrcPort), uint16(p.UDP.DstPort), true
	}
	if p.Flags&decode.HasEth != 0 {
		n.smac, n.dmac = p.Eth.SrcMAC, p.Eth.DstMAC
	}
	b = sp.member(b, mEvent)
	b = append(b, packetEventMember...)
	sp.end(b)
	b = sp.member(b, mFrame)
	b = appendFrame(b, p, number, o)
	sp.end(b)
	b = sp.member(b, mNetwork)
	b = appendNetwork(b, sp, p, &n, o)
	sp.end(b)
	b = appendLink(b, sp, p)
	b = appendIP(b, sp, p, &n)
	b = appendTransport(b, sp, p)
	b = appendEndpoint(b, sp, mSource, n.smac, n.sip, n.sport, n.hasPorts)
	return appendEndpoint(b, sp, mDestination, n.dmac, n.dip, n.dport, n.hasPorts)
}

// Top-level member names of packet and flow documents, by index.
const (
	mEvent = iota
	mFrame
	mNetwork
	mEth
	mSLL
	mNull
	mVLAN
	mIP
	mIPv6
	mARP
	mTCP
	mUDP
	mICMP
	mICMPv6
	mSource
	mDestination
	mFlow // flow records: event, network, source, destination, flow
)

var memberNames = [...]string{"event", "frame", "network", "eth", "sll", "null", "vlan", "ip", "ipv6", "arp",
	"tcp", "udp", "icmp", "icmpv6", "source", "destination", "flow"}

// memberKeys are the quoted keys, with the separating comma after the first.
var memberKeys = func() (k [len(memberNames)]string) {
	for i, n := range memberNames {
		k[i] = `,"` + n + `":`
	}
	k[mEvent] = `"event":`
	return k
}()

// spans records where each top-level member's value starts and ends.
type spans struct {
	n     int
	name  [maxMembers]uint8
	start [maxMembers]int32
	stop  [maxMembers]int32
	cid   [2]int32 // network.community_id's string, the usual Kafka key
}

func (s *spans) member(b []byte, m int) []byte {
	b = append(b, memberKeys[m]...)
	s.name[s.n], s.start[s.n] = uint8(m), int32(len(b)) //nolint:gosec // bounded
	return b
}

func (s *spans) end(b []byte) {
	s.stop[s.n] = int32(len(b)) //nolint:gosec // bounded by the arena
	s.n++
}

func appendU(b []byte, qk string, v uint64) []byte {
	b = append(b, qk...)
	return appendUint(b, v)
}

// appendUint is strconv.AppendUint(b, v, 10) for netbeat's numbers: packet
// documents are mostly small numbers, and this is the hottest part of
// building them. The digits are written from the right into a stack buffer
// two at a time, with no count of them first.
func appendUint(b []byte, v uint64) []byte {
	if v < 10 {
		return append(b, byte('0'+v))
	}
	var d [20]byte
	i := len(d)
	for v >= 100 {
		q := v / 100
		r := (v - q*100) * 2
		i -= 2
		d[i], d[i+1] = digitPairs[r], digitPairs[r+1]
		v = q
	}
	if v >= 10 {
		i -= 2
		d[i], d[i+1] = digitPairs[v*2], digitPairs[v*2+1]
	} else {
		i--
		d[i] = byte('0' + v)
	}
	return append(b, d[i:]...)
}

const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" + "30313233343536373839" +
	"40414243444546474849" + "50515253545556575859" + "60616263646566676869" + "70717273747576777879" +
	"80818283848586878889" + "90919293949596979899"

// appendMAC appends qk and the quoted MAC address: tshark's form
// (aa:bb:cc:dd:ee:ff), or ECS's (AA-BB-CC-DD-EE-FF) when ecs is set.
func appendMAC(b []byte, qk string, hw net.HardwareAddr, ecs bool) []byte {
	b = append(b, qk...)
	if len(hw) != 6 {
		if ecs {
			return appendString(b, ECSMAC(hw))
		}
		return appendString(b, hw.String())
	}
	digits, sep := hexDigits, byte(':')
	if ecs {
		digits, sep = hexUpper, '-'
	}
	var m [19]byte
	m[0], m[18] = '"', '"'
	for i, x := range hw {
		m[1+i*3], m[2+i*3] = digits[x>>4], digits[x&0xf]
		if i < 5 {
			m[3+i*3] = sep
		}
	}
	return append(b, m[:]...)
}

func appendA(b []byte, qk, v string) []byte {
	b = append(b, qk...)
	b = append(b, '"')
	b = append(b, v...)
	return append(b, '"')
}

func appendS(b []byte, qk, v string) []byte {
	b = append(b, qk...)
	return appendString(b, v)
}

func appendB(b []byte, qk string, v bool) []byte {
	b = append(b, qk...)
	return strconv.AppendBool(b, v)
}

func appendFrame(b []byte, p *decode.Packet, number uint64, o *PacketOptions) []byte {
	b = appendU(b, `{"number":`, number)
	b = appendU(b, `,"len":`, uint64(p.Length))            //nolint:gosec // lengths are non-negative
	b = appendU(b, `,"cap_len":`, uint64(p.CaptureLength)) //nolint:gosec // lengths are non-negative
	b = appendA(b, `,"protocols":`, o.cache.protocols(p))
	if p.Truncated {
		b = append(b, `,"truncated":true`...)
	}
	if p.Err != nil {
		b = appendS(b, `,"error":`, p.ErrLayer+": "+p.Err.Error())
	}
	if p.Flags&decode.HasFragment != 0 {
		b = append(b, `,"fragment":true`...)
	}
	if o.PayloadMaxBytes > 0 && len(p.Payload) > 0 {
		k := min(len(p.Payload), o.PayloadMaxBytes)
		b = append(b, `,"payload":"`...)
		b = hex.AppendEncode(b, p.Payload[:k])
		b = append(b, '"')
		b = appendU(b, `,"payload_len":`, uint64(len(p.Payload)))
	}
	return append(b, '}')
}

func appendNetwork(b []byte, sp *spans, p *decode.Packet, n *packetNet, o *PacketOptions) []byte {
	b = appendU(b, `{"bytes":`, uint64(p.Length)) //nolint:gosec // non-negative
	b = append(b, `,"packets":1`...)
	if p.NVLAN > 0 {
		b = appendA(b, `,"vlan":{"id":`, vlanIDs[p.VLANs[0].VLANIdentifier&0xfff])
		b = append(b, '}')
		if p.NVLAN > 1 {
			b = appendA(b, `,"inner":{"vlan":{"id":`, vlanIDs[p.VLANs[1].VLANIdentifier&0xfff])
			b = append(b, '}', '}')
		}
	}
	if n.netType != "" {
		b = appendA(b, `,"type":`, n.netType)
	}
	if n.iana != "" {
		b = appendA(b, `,"iana_number":`, n.iana)
	}
	if n.transport != "" {
		b = appendA(b, `,"transport":`, n.transport)
	}
	if t, ok := flows.TupleOf(p); ok {
		b = append(b, `,"community_id":"`...)
		sp.cid[0] = int32(len(b)) //nolint:gosec // bounded by the arena
		b = append(b, o.cache.communityID(t, o.CommunityIDSeed)...)
		sp.cid[1] = int32(len(b)) //nolint:gosec // bounded by the arena
		b = append(b, '"')
	}
	return append(b, '}')
}

func appendLink(b []byte, sp *spans, p *decode.Packet) []byte {
	switch {
	case p.Flags&decode.HasEth != 0:
		b = sp.member(b, mEth)
		b = appendMAC(b, `{"src":`, p.Eth.SrcMAC, false)
		b = appendMAC(b, `,"dst":`, p.Eth.DstMAC, false)
		b = appendA(b, `,"type":`, hex4(uint16(p.Eth.EthernetType)))
		b = append(b, '}')
		sp.end(b)
	case p.Flags&decode.HasSLL != 0:
		b = sp.member(b, mSLL)
		b = appendU(b, `{"pkttype":`, uint64(p.SLL.PacketType))
		b = appendA(b, `,"etype":`, hex4(uint16(p.SLL.EthernetType)))
		b = appendS(b, `,"src_eth":`, p.SLL.Addr.String())
		b = append(b, '}')
		sp.end(b)
	case p.Flags&decode.HasSLL2 != 0:
		b = sp.member(b, mSLL)
		b = appendU(b, `{"pkttype":`, uint64(p.SLL2.PacketType))
		b = appendA(b, `,"etype":`, hex4(uint16(p.SLL2.EthernetType)))
		b = append(b, `,"ifindex":`...)
		b = strconv.AppendInt(b, int64(p.SLL2.InterfaceIndex), 10)
		b = appendS(b, `,"src_eth":`, p.SLL2.Addr.String())
		b = append(b, '}')
		sp.end(b)
	case p.Flags&decode.HasLoopback != 0:
		b = sp.member(b, mNull)
		b = appendU(b, `{"family":`, uint64(uint32(p.Loopback.Family)))
		b = append(b, '}')
		sp.end(b)
	}
	if p.NVLAN > 0 {
		b = sp.member(b, mVLAN)
		b = append(b, `{"id":[`...)
		for i := 0; i < p.NVLAN; i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(p.VLANs[i].VLANIdentifier), 10)
		}
		b = appendU(b, `],"priority":`, uint64(p.VLANs[0].Priority))
		b = append(b, '}')
		sp.end(b)
	}
	return b
}

func appendIP(b []byte, sp *spans, p *decode.Packet, n *packetNet) []byte {
	switch {
	case p.Flags&decode.HasIPv4 != 0:
		ip := &p.IPv4
		b = sp.member(b, mIP)
		b = appendA(b, `{"version":4,"src":`, n.sip)
		b = appendA(b, `,"dst":`, n.dip)
		b = appendU(b, `,"proto":`, uint64(ip.Protocol))
		b = appendU(b, `,"ttl":`, uint64(ip.TTL))
		b = appendU(b, `,"id":`, uint64(ip.Id))
		b = appendU(b, `,"len":`, uint64(ip.Length))
		b = appendU(b, `,"hdr_len":`, uint64(ip.IHL)*4)
		b = appendU(b, `,"dsfield":`, uint64(ip.TOS))
		b = appendB(b, `,"flags":{"df":`, ip.Flags&2 != 0)
		b = appendB(b, `,"mf":`, ip.Flags&1 != 0)
		b = appendU(b, `},"frag_offset":`, uint64(ip.FragOffset)*8)
		b = append(b, '}')
		sp.end(b)
	case p.Flags&decode.HasIPv6 != 0:
		ip := &p.IPv6
		b = sp.member(b, mIPv6)
		b = appendA(b, `{"src":`, n.sip)
		b = appendA(b, `,"dst":`, n.dip)
		b = appendU(b, `,"nxt":`, uint64(ip.NextHeader))
		b = appendU(b, `,"hlim":`, uint64(ip.HopLimit))
		b = appendU(b, `,"plen":`, uint64(ip.Length))
		b = appendU(b, `,"flow":`, uint64(ip.FlowLabel))
		b = appendU(b, `,"tclass":`, uint64(ip.TrafficClass))
		if p.Flags&decode.HasFragment != 0 {
			b = appendU(b, `,"frag":{"offset":`, uint64(p.FragOffset)*8)
			b = appendB(b, `,"more":`, p.FragMore)
			b = appendU(b, `,"id":`, uint64(p.FragID))
			b = append(b, '}')
		}
		b = append(b, '}')
		sp.end(b)
	case p.Flags&decode.HasARP != 0:
		a := &p.ARP
		b = sp.member(b, mARP)
		b = appendU(b, `{"opcode":`, uint64(a.Operation))
		b = appendS(b, `,"src":{"hw_mac":`, net.HardwareAddr(a.SourceHwAddress).String())
		if len(a.SourceProtAddress) == 4 {
			b = appendS(b, `,"proto_ipv4":`, net.IP(a.SourceProtAddress).String())
		}
		b = appendS(b, `},"dst":{"hw_mac":`, net.HardwareAddr(a.DstHwAddress).String())
		if len(a.SourceProtAddress) == 4 {
			b = appendS(b, `,"proto_ipv4":`, net.IP(a.DstProtAddress).String())
		}
		b = append(b, '}', '}')
		sp.end(b)
	}
	return b
}

func appendTransport(b []byte, sp *spans, p *decode.Packet) []byte {
	switch {
	case p.Flags&decode.HasTCP != 0:
		t := &p.TCP
		fl := TCPFlags(t)
		b = sp.member(b, mTCP)
		b = appendU(b, `{"srcport":`, uint64(t.SrcPort))
		b = appendU(b, `,"dstport":`, uint64(t.DstPort))
		b = appendU(b, `,"seq_raw":`, uint64(t.Seq))
		b = appendU(b, `,"ack_raw":`, uint64(t.Ack))
		b = appendU(b, `,"window_size_value":`, uint64(t.Window))
		b = appendU(b, `,"hdr_len":`, uint64(t.DataOffset)*4)
		b = appendU(b, `,"len":`, uint64(len(t.Payload)))
		b = appendU(b, `,"flags":`, uint64(fl))
		b = append(b, `,"flags_str":`...)
		b = appendFlagNames(b, fl)
		b = append(b, '}')
		sp.end(b)
	case p.Flags&decode.HasUDP != 0:
		u := &p.UDP
		b = sp.member(b, mUDP)
		b = appendU(b, `{"srcport":`, uint64(u.SrcPort))
		b = appendU(b, `,"dstport":`, uint64(u.DstPort))
		b = appendU(b, `,"length":`, uint64(u.Length))
		b = append(b, '}')
		sp.end(b)
	case p.Flags&decode.HasICMPv4 != 0:
		b = sp.member(b, mICMP)
		b = appendU(b, `{"type":`, uint64(p.ICMPv4.TypeCode.Type()))
		b = appendU(b, `,"code":`, uint64(p.ICMPv4.TypeCode.Code()))
		b = append(b, '}')
		sp.end(b)
	case p.Flags&decode.HasICMPv6 != 0:
		b = sp.member(b, mICMPv6)
		b = appendU(b, `{"type":`, uint64(p.ICMPv6.TypeCode.Type()))
		b = appendU(b, `,"code":`, uint64(p.ICMPv6.TypeCode.Code()))
		b = append(b, '}')
		sp.end(b)
	}
	return b
}

// appendEndpoint writes source or destination, when any of its fields is known.
func appendEndpoint(b []byte, sp *spans, m int, mac net.HardwareAddr, ip string, port uint16, hasPort bool) []byte {
	if len(mac) == 0 && ip == "" && !hasPort {
		return b
	}
	b = sp.member(b, m)
	sep := byte('{')
	if len(mac) > 0 {
		b = append(b, sep)
		b = appendMAC(b, `"mac":`, mac, true)
		sep = ','
	}
	if ip != "" {
		b = append(b, sep)
		b = appendA(b, `"ip":`, ip)
		sep = ','
	}
	if hasPort {
		b = append(b, sep)
		b = appendU(b, `"port":`, uint64(port))
	}
	b = append(b, '}')
	sp.end(b)
	return b
}

// appendFlagNames appends the JSON array of FlagNames(v).
func appendFlagNames(b []byte, v uint16) []byte {
	b = append(b, '[')
	first := true
	for i, n := range flagNames {
		if v&(1<<i) != 0 {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, '"')
			b = append(b, n...)
			b = append(b, '"')
		}
	}
	if v&tcpReserved != 0 {
		if !first {
			b = append(b, ',')
		}
		b = append(b, `"RES"`...)
	}
	return append(b, ']')
}

// vlanIDs are the network.vlan.id strings of the 4096 VLAN ids.
var vlanIDs [4096]string

func init() {
	for i := range vlanIDs {
		vlanIDs[i] = strconv.Itoa(i)
	}
}
