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

// FlagNames lists the names of the TCP flag bits set in v (FIN=0x001 … NS=0x100).
func FlagNames(v uint16) []string {
	out := make([]string, 0, 4)
	for i, n := range flagNames {
		if v&(1<<i) != 0 {
			out = append(out, n)
		}
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
	if o.cache == nil {
		o.cache = newPacketCache()
	}
	d := &Doc{}
	writePacketDoc(d, p, number, o)
	return d
}

func writePacketDoc(d *Doc, p *decode.Packet, number uint64, o *PacketOptions) {
	if o.cache == nil {
		o.cache = newPacketCache()
	}
	var w docWriter
	w.begin(d, o.arena.get())
	writePacket(&w, p, number, o)
	w.finish()
	o.arena.keep(d.Body)
}

// Packet builds the event of one packet as an event whose Fields are the
// Doc's members (the fast path: no maps are built, outputs copy or replay
// the encoded bytes). Field selection (PacketOptions.Fields) needs maps and
// returns the decoded form, as PacketMap does.
func Packet(p *decode.Packet, number uint64, o *PacketOptions) beat.Event {
	if len(o.Fields) > 0 {
		return PacketMap(p, number, o)
	}
	return beat.Event{Timestamp: p.Timestamp, Fields: PacketDoc(p, number, o).Fields(extraFields)}
}

// packetNet holds what several members of a packet event share.
type packetNet struct {
	sip, dip   string
	smac, dmac string // ECS forms
	sport      uint16
	dport      uint16
	hasPorts   bool
	netType    string
	iana       string
	transport  string
}

func writePacket(w *docWriter, p *decode.Packet, number uint64, o *PacketOptions) {
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

	w.top("event")
	w.b = append(w.b, packetEventMember...)
	w.comma = true
	w.endTop()
	writeFrame(w, p, number, o)
	writeNetwork(w, p, &n, o)
	writeLink(w, c, p, &n)
	writeIP(w, p, &n)
	writeTransport(w, p)
	writeEndpoint(w, "source", n.smac, n.sip, n.sport, n.hasPorts)
	writeEndpoint(w, "destination", n.dmac, n.dip, n.dport, n.hasPorts)
}

func writeFrame(w *docWriter, p *decode.Packet, number uint64, o *PacketOptions) {
	w.openTop("frame")
	w.uint("number", number)
	w.uint("len", uint64(p.Length))            //nolint:gosec // lengths are non-negative
	w.uint("cap_len", uint64(p.CaptureLength)) //nolint:gosec // lengths are non-negative
	w.str("protocols", o.cache.protocols(p))
	if p.Truncated {
		w.bool("truncated", true)
	}
	if p.Err != nil {
		w.str("error", p.ErrLayer+": "+p.Err.Error())
	}
	if p.Flags&decode.HasFragment != 0 {
		w.bool("fragment", true)
	}
	if o.PayloadMaxBytes > 0 && len(p.Payload) > 0 {
		k := min(len(p.Payload), o.PayloadMaxBytes)
		w.key("payload")
		w.b = append(w.b, '"')
		w.b = hex.AppendEncode(w.b, p.Payload[:k])
		w.b = append(w.b, '"')
		w.comma = true
		w.uint("payload_len", uint64(len(p.Payload)))
	}
	w.closeTop()
}

func writeNetwork(w *docWriter, p *decode.Packet, n *packetNet, o *PacketOptions) {
	w.openTop("network")
	w.uint("bytes", uint64(p.Length)) //nolint:gosec // non-negative
	w.uint("packets", 1)
	if p.NVLAN > 0 {
		w.open("vlan")
		w.str("id", vlanIDs[p.VLANs[0].VLANIdentifier&0xfff])
		w.close()
		if p.NVLAN > 1 {
			w.open("inner")
			w.open("vlan")
			w.str("id", vlanIDs[p.VLANs[1].VLANIdentifier&0xfff])
			w.close()
			w.close()
		}
	}
	if n.netType != "" {
		w.str("type", n.netType)
	}
	if n.iana != "" {
		w.str("iana_number", n.iana)
	}
	if n.transport != "" {
		w.str("transport", n.transport)
	}
	if t, ok := flows.TupleOf(p); ok {
		w.str("community_id", o.cache.communityID(t, o.CommunityIDSeed))
	}
	w.closeTop()
}

func writeLink(c *docWriter, cache *packetCache, p *decode.Packet, n *packetNet) {
	switch {
	case p.Flags&decode.HasEth != 0:
		s, se := cache.mac(p.Eth.SrcMAC)
		d, de := cache.mac(p.Eth.DstMAC)
		c.openTop("eth")
		c.str("src", s)
		c.str("dst", d)
		c.str("type", hex4(uint16(p.Eth.EthernetType)))
		c.closeTop()
		n.smac, n.dmac = se, de
	case p.Flags&decode.HasSLL != 0:
		c.openTop("sll")
		c.uint("pkttype", uint64(p.SLL.PacketType))
		c.str("etype", hex4(uint16(p.SLL.EthernetType)))
		c.str("src_eth", p.SLL.Addr.String())
		c.closeTop()
	case p.Flags&decode.HasSLL2 != 0:
		c.openTop("sll")
		c.uint("pkttype", uint64(p.SLL2.PacketType))
		c.str("etype", hex4(uint16(p.SLL2.EthernetType)))
		c.int("ifindex", int64(p.SLL2.InterfaceIndex))
		c.str("src_eth", p.SLL2.Addr.String())
		c.closeTop()
	case p.Flags&decode.HasLoopback != 0:
		c.openTop("null")
		c.uint("family", uint64(uint32(p.Loopback.Family)))
		c.closeTop()
	}
	if p.NVLAN > 0 {
		c.openTop("vlan")
		c.key("id")
		c.b = append(c.b, '[')
		for i := 0; i < p.NVLAN; i++ {
			if i > 0 {
				c.b = append(c.b, ',')
			}
			c.b = strconv.AppendUint(c.b, uint64(p.VLANs[i].VLANIdentifier), 10)
		}
		c.b = append(c.b, ']')
		c.comma = true
		c.uint("priority", uint64(p.VLANs[0].Priority))
		c.closeTop()
	}
}

func writeIP(w *docWriter, p *decode.Packet, n *packetNet) {
	switch {
	case p.Flags&decode.HasIPv4 != 0:
		ip := &p.IPv4
		w.openTop("ip")
		w.uint("version", 4)
		w.str("src", n.sip)
		w.str("dst", n.dip)
		w.uint("proto", uint64(ip.Protocol))
		w.uint("ttl", uint64(ip.TTL))
		w.uint("id", uint64(ip.Id))
		w.uint("len", uint64(ip.Length))
		w.uint("hdr_len", uint64(ip.IHL)*4)
		w.uint("dsfield", uint64(ip.TOS))
		w.open("flags")
		w.bool("df", ip.Flags&2 != 0)
		w.bool("mf", ip.Flags&1 != 0)
		w.close()
		w.uint("frag_offset", uint64(ip.FragOffset)*8)
		w.closeTop()
	case p.Flags&decode.HasIPv6 != 0:
		ip := &p.IPv6
		w.openTop("ipv6")
		w.str("src", n.sip)
		w.str("dst", n.dip)
		w.uint("nxt", uint64(ip.NextHeader))
		w.uint("hlim", uint64(ip.HopLimit))
		w.uint("plen", uint64(ip.Length))
		w.uint("flow", uint64(ip.FlowLabel))
		w.uint("tclass", uint64(ip.TrafficClass))
		if p.Flags&decode.HasFragment != 0 {
			w.open("frag")
			w.uint("offset", uint64(p.FragOffset)*8)
			w.bool("more", p.FragMore)
			w.uint("id", uint64(p.FragID))
			w.close()
		}
		w.closeTop()
	case p.Flags&decode.HasARP != 0:
		a := &p.ARP
		w.openTop("arp")
		w.uint("opcode", uint64(a.Operation))
		w.open("src")
		w.str("hw_mac", net.HardwareAddr(a.SourceHwAddress).String())
		if len(a.SourceProtAddress) == 4 {
			w.str("proto_ipv4", net.IP(a.SourceProtAddress).String())
		}
		w.close()
		w.open("dst")
		w.str("hw_mac", net.HardwareAddr(a.DstHwAddress).String())
		if len(a.SourceProtAddress) == 4 {
			w.str("proto_ipv4", net.IP(a.DstProtAddress).String())
		}
		w.close()
		w.closeTop()
	}
}

func writeTransport(w *docWriter, p *decode.Packet) {
	switch {
	case p.Flags&decode.HasTCP != 0:
		t := &p.TCP
		fl := tcpFlagBits(t.FIN, t.SYN, t.RST, t.PSH, t.ACK, t.URG, t.ECE, t.CWR, t.NS)
		w.openTop("tcp")
		w.uint("srcport", uint64(t.SrcPort))
		w.uint("dstport", uint64(t.DstPort))
		w.uint("seq_raw", uint64(t.Seq))
		w.uint("ack_raw", uint64(t.Ack))
		w.uint("window_size_value", uint64(t.Window))
		w.uint("hdr_len", uint64(t.DataOffset)*4)
		w.uint("len", uint64(len(t.Payload)))
		w.uint("flags", uint64(fl))
		w.key("flags_str")
		w.b = appendFlagNames(w.b, fl)
		w.comma = true
		w.closeTop()
	case p.Flags&decode.HasUDP != 0:
		u := &p.UDP
		w.openTop("udp")
		w.uint("srcport", uint64(u.SrcPort))
		w.uint("dstport", uint64(u.DstPort))
		w.uint("length", uint64(u.Length))
		w.closeTop()
	case p.Flags&decode.HasICMPv4 != 0:
		w.openTop("icmp")
		w.uint("type", uint64(p.ICMPv4.TypeCode.Type()))
		w.uint("code", uint64(p.ICMPv4.TypeCode.Code()))
		w.closeTop()
	case p.Flags&decode.HasICMPv6 != 0:
		w.openTop("icmpv6")
		w.uint("type", uint64(p.ICMPv6.TypeCode.Type()))
		w.uint("code", uint64(p.ICMPv6.TypeCode.Code()))
		w.closeTop()
	}
}

// writeEndpoint writes source or destination, when any of its fields is known.
func writeEndpoint(w *docWriter, k, mac, ip string, port uint16, hasPort bool) {
	if mac == "" && ip == "" && !hasPort {
		return
	}
	w.openTop(k)
	if mac != "" {
		w.str("mac", mac)
	}
	if ip != "" {
		w.str("ip", ip)
	}
	if hasPort {
		w.uint("port", uint64(port))
	}
	w.closeTop()
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
	return append(b, ']')
}

// vlanIDs are the network.vlan.id strings of the 4096 VLAN ids.
var vlanIDs [4096]string

func init() {
	for i := range vlanIDs {
		vlanIDs[i] = strconv.Itoa(i)
	}
}
