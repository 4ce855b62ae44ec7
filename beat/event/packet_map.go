package event

import (
	"encoding/hex"
	"net"
	"strconv"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/flows"
)

// Packet builds the event of one packet; number is its frame number (1-based).
// PacketMap builds the event of one packet with plain maps, for libbeat
// processors and plugins that read and change fields: the same fields and
// values as Packet's encoded document (TestDocMatchesMap and
// FuzzDocMatchesMap compare the two on every bundled capture and on
// arbitrary frames).
func PacketMap(p *decode.Packet, number uint64, o *PacketOptions) beat.Event {
	if o.cache == nil {
		o.cache = newPacketCache()
	}
	c := o.cache
	frame := mapstr.M{
		"number":    number,
		"len":       p.Length,
		"cap_len":   p.CaptureLength,
		"protocols": c.protocols(p),
	}
	if p.Truncated {
		frame["truncated"] = true
	}
	if p.Err != nil {
		frame["error"] = p.ErrLayer + ": " + p.Err.Error()
	}
	network := make(mapstr.M, 8)
	network["bytes"], network["packets"] = p.Length, 1
	f := make(mapstr.M, 12)
	f["event"] = mapstr.M{"kind": "event", "category": categoryNetwork, "type": typeConnProto, "dataset": "netbeat.packets"}
	f["frame"] = frame
	f["network"] = network
	src, dst := make(mapstr.M, 4), make(mapstr.M, 4)
	mapLink(c, p, f, src, dst, network)
	mapNetwork(c, p, f, src, dst, network)
	mapTransport(p, f, src, dst, network)
	if t, ok := flows.TupleOf(p); ok {
		network["community_id"] = c.communityID(t, o.CommunityIDSeed)
	}
	if len(src) > 0 {
		f["source"] = src
	}
	if len(dst) > 0 {
		f["destination"] = dst
	}
	if o.PayloadMaxBytes > 0 && len(p.Payload) > 0 {
		n := len(p.Payload)
		if n > o.PayloadMaxBytes {
			n = o.PayloadMaxBytes
		}
		frame["payload"] = hex.EncodeToString(p.Payload[:n])
		frame["payload_len"] = len(p.Payload)
	}
	if len(o.Fields) > 0 {
		f = selectFields(f, o.Fields)
	}
	ev := beat.Event{Timestamp: p.Timestamp, Fields: f}
	if o.IDPrefix != "" {
		ev = withID(ev, DocID{prefix: o.IDPrefix, seq: number})
	}
	return ev
}

func mapLink(c *packetCache, p *decode.Packet, f, src, dst, network mapstr.M) {
	switch {
	case p.Flags&decode.HasEth != 0:
		s, se := c.mac(p.Eth.SrcMAC)
		d, de := c.mac(p.Eth.DstMAC)
		f["eth"] = mapstr.M{"src": s, "dst": d, "type": hex4(uint16(p.Eth.EthernetType))}
		src["mac"], dst["mac"] = se, de
	case p.Flags&decode.HasSLL != 0:
		f["sll"] = mapstr.M{"pkttype": uint16(p.SLL.PacketType), "etype": hex4(uint16(p.SLL.EthernetType)), "src_eth": p.SLL.Addr.String()}
	case p.Flags&decode.HasSLL2 != 0:
		f["sll"] = mapstr.M{"pkttype": uint16(p.SLL2.PacketType), "etype": hex4(uint16(p.SLL2.EthernetType)), "ifindex": p.SLL2.InterfaceIndex, "src_eth": p.SLL2.Addr.String()}
	case p.Flags&decode.HasLoopback != 0:
		f["null"] = mapstr.M{"family": uint32(p.Loopback.Family)}
	}
	if p.NVLAN > 0 {
		ids := make([]uint16, p.NVLAN)
		for i := 0; i < p.NVLAN; i++ {
			ids[i] = p.VLANs[i].VLANIdentifier
		}
		f["vlan"] = mapstr.M{"id": ids, "priority": p.VLANs[0].Priority}
		network["vlan"] = mapstr.M{"id": strconv.Itoa(int(ids[0]))}
		if p.NVLAN > 1 {
			network["inner"] = mapstr.M{"vlan": mapstr.M{"id": strconv.Itoa(int(ids[1]))}}
		}
	}
}

func mapNetwork(c *packetCache, p *decode.Packet, f, src, dst, network mapstr.M) {
	switch {
	case p.Flags&decode.HasIPv4 != 0:
		ip := &p.IPv4
		sip, dip := c.ip(ip.SrcIP), c.ip(ip.DstIP)
		m := mapstr.M{"version": 4, "src": sip, "dst": dip, "proto": uint8(ip.Protocol),
			"ttl": ip.TTL, "id": ip.Id, "len": ip.Length, "hdr_len": int(ip.IHL) * 4, "dsfield": ip.TOS,
			"flags": mapstr.M{"df": ip.Flags&2 != 0, "mf": ip.Flags&1 != 0}, "frag_offset": int(ip.FragOffset) * 8}
		f["ip"] = m
		src["ip"], dst["ip"] = sip, dip
		network["type"] = "ipv4"
		network["iana_number"] = ianaNumber(uint8(ip.Protocol))
	case p.Flags&decode.HasIPv6 != 0:
		ip := &p.IPv6
		proto, _ := p.IPProtocol()
		sip, dip := c.ip(ip.SrcIP), c.ip(ip.DstIP)
		m := mapstr.M{"src": sip, "dst": dip, "nxt": uint8(ip.NextHeader),
			"hlim": ip.HopLimit, "plen": ip.Length, "flow": ip.FlowLabel, "tclass": ip.TrafficClass}
		if p.Flags&decode.HasFragment != 0 {
			m["frag"] = mapstr.M{"offset": int(p.FragOffset) * 8, "more": p.FragMore, "id": p.FragID}
		}
		f["ipv6"] = m
		src["ip"], dst["ip"] = sip, dip
		network["type"] = "ipv6"
		network["iana_number"] = ianaNumber(uint8(proto))
	case p.Flags&decode.HasARP != 0:
		a := &p.ARP
		m := mapstr.M{"opcode": a.Operation, "src": mapstr.M{"hw_mac": net.HardwareAddr(a.SourceHwAddress).String()},
			"dst": mapstr.M{"hw_mac": net.HardwareAddr(a.DstHwAddress).String()}}
		if len(a.SourceProtAddress) == 4 {
			m["src"].(mapstr.M)["proto_ipv4"] = net.IP(a.SourceProtAddress).String()
			m["dst"].(mapstr.M)["proto_ipv4"] = net.IP(a.DstProtAddress).String()
		}
		f["arp"] = m
		network["type"] = "arp"
	}
	if p.Flags&decode.HasFragment != 0 {
		f["frame"].(mapstr.M)["fragment"] = true
	}
}

func mapTransport(p *decode.Packet, f, src, dst, network mapstr.M) {
	if proto, ok := p.IPProtocol(); ok {
		network["transport"] = Transport(uint8(proto))
	}
	switch {
	case p.Flags&decode.HasTCP != 0:
		t := &p.TCP
		fl := TCPFlags(t)
		f["tcp"] = mapstr.M{"srcport": uint16(t.SrcPort), "dstport": uint16(t.DstPort), "seq_raw": t.Seq, "ack_raw": t.Ack,
			"window_size_value": t.Window, "hdr_len": int(t.DataOffset) * 4, "len": len(t.Payload),
			"flags": fl, "flags_str": FlagNames(fl)}
		src["port"], dst["port"] = uint16(t.SrcPort), uint16(t.DstPort)
	case p.Flags&decode.HasUDP != 0:
		u := &p.UDP
		f["udp"] = mapstr.M{"srcport": uint16(u.SrcPort), "dstport": uint16(u.DstPort), "length": u.Length}
		src["port"], dst["port"] = uint16(u.SrcPort), uint16(u.DstPort)
	case p.Flags&decode.HasICMPv4 != 0:
		f["icmp"] = mapstr.M{"type": p.ICMPv4.TypeCode.Type(), "code": p.ICMPv4.TypeCode.Code()}
	case p.Flags&decode.HasICMPv6 != 0:
		f["icmpv6"] = mapstr.M{"type": p.ICMPv6.TypeCode.Type(), "code": p.ICMPv6.TypeCode.Code()}
	}
}
