// Package decode turns captured frames into Packets with gopacket's
// allocation-free DecodingLayer API.
//
// A Decoder is not safe for concurrent use: run one per capture goroutine.
// Decoding never fails as a whole: unknown or malformed layers stop the walk
// down the stack, are counted in Stats and recorded in Packet.Err.
package decode

import (
	"encoding/binary"
	"fmt"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Link types netbeat decodes (LINKTYPE_* values of pcap/pcapng). They are
// uint32 because gopacket's layers.LinkType is a uint8 and cannot hold
// LINKTYPE_LINUX_SLL2 (276).
const (
	LinkTypeNull      uint32 = 0
	LinkTypeEthernet  uint32 = 1
	LinkTypeRawOld    uint32 = 12 // DLT_RAW on some BSDs
	LinkTypeRaw       uint32 = 101
	LinkTypeLoop      uint32 = 108
	LinkTypeLinuxSLL  uint32 = 113
	LinkTypeIPv4      uint32 = 228
	LinkTypeIPv6      uint32 = 229
	LinkTypeLinuxSLL2 uint32 = 276
)

// LinkTypeName returns a short name for a link type, as in pcap's linktype list.
func LinkTypeName(lt uint32) string {
	switch lt {
	case LinkTypeNull:
		return "NULL"
	case LinkTypeEthernet:
		return "EN10MB"
	case LinkTypeRaw, LinkTypeRawOld:
		return "RAW"
	case LinkTypeLoop:
		return "LOOP"
	case LinkTypeLinuxSLL:
		return "LINUX_SLL"
	case LinkTypeIPv4:
		return "IPV4"
	case LinkTypeIPv6:
		return "IPV6"
	case LinkTypeLinuxSLL2:
		return "LINUX_SLL2"
	}
	return fmt.Sprintf("LINKTYPE_%d", lt)
}

// Decoder decodes frames of one link type. Create it with New.
type Decoder struct {
	linkType  uint32
	pkt       Packet
	Stats     Stats
	truncated bool
}

// New returns a Decoder for frames of the given link type. It returns
// ErrUnsupportedLinkType when netbeat cannot decode that link type.
func New(lt uint32) (*Decoder, error) {
	switch lt {
	case LinkTypeEthernet, LinkTypeLinuxSLL, LinkTypeLinuxSLL2, LinkTypeNull, LinkTypeLoop,
		LinkTypeRaw, LinkTypeRawOld, LinkTypeIPv4, LinkTypeIPv6:
		return &Decoder{linkType: lt}, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnsupportedLinkType, LinkTypeName(lt))
}

// LinkType returns the link type the Decoder was made for.
func (d *Decoder) LinkType() uint32 { return d.linkType }

// SetTruncated implements gopacket.DecodeFeedback.
func (d *Decoder) SetTruncated() { d.truncated = true }

// Decode decodes one frame. The returned Packet is reused by the next call.
func (d *Decoder) Decode(data []byte, ci gopacket.CaptureInfo) *Packet {
	p := &d.pkt
	p.reset(data, ci, d.linkType)
	d.truncated = false
	d.Stats.Packets++
	d.Stats.Bytes += uint64(p.Length)
	if p.CaptureLength < p.Length {
		p.Truncated = true
	}

	var next gopacket.LayerType
	switch d.linkType {
	case LinkTypeEthernet:
		next = layers.LayerTypeEthernet
	case LinkTypeLinuxSLL:
		next = layers.LayerTypeLinuxSLL
	case LinkTypeLinuxSLL2:
		next = LayerTypeLinuxSLL2
	case LinkTypeNull, LinkTypeLoop:
		next = layers.LayerTypeLoopback
	default: // raw IP
		next = rawIPType(data)
	}
	d.safeWalk(p, next, data)
	if p.Err == nil {
		d.checkRecord(p, ci)
	}
	if d.truncated {
		p.Truncated = true
	}
	if p.Truncated {
		d.Stats.Truncated++
	}
	if p.Err != nil {
		d.Stats.Malformed++
	}
	return p
}

// RecordError, in a frame's CaptureInfo.AncillaryData, says the capture
// record holding the frame was inconsistent although its framing was intact
// (for example a captured length beyond the file's snaplen): the frame is
// decoded and counted as malformed, with this text as its error.
type RecordError string

func (e RecordError) Error() string { return string(e) }

// checkRecord marks a frame whose capture record is inconsistent as
// malformed in the "frame" layer, as tshark does: a captured length beyond
// the original length ("Frame length is less than captured length"), or a
// RecordError from the capture source.
func (d *Decoder) checkRecord(p *Packet, ci gopacket.CaptureInfo) {
	if ci.Length > 0 && ci.CaptureLength > ci.Length {
		p.Err, p.ErrLayer = fmt.Errorf("captured length %d exceeds the frame length %d", ci.CaptureLength, ci.Length), "frame"
		return
	}
	for _, a := range ci.AncillaryData {
		if e, ok := a.(RecordError); ok {
			p.Err, p.ErrLayer = e, "frame"
			return
		}
	}
}

func rawIPType(data []byte) gopacket.LayerType {
	if len(data) == 0 {
		return gopacket.LayerTypeZero
	}
	switch data[0] >> 4 {
	case 4:
		return layers.LayerTypeIPv4
	case 6:
		return layers.LayerTypeIPv6
	}
	return gopacket.LayerTypeZero
}

// safeWalk turns a panic inside a gopacket layer decoder into a malformed
// packet: a hostile frame must never stop the capture.
func (d *Decoder) safeWalk(p *Packet, next gopacket.LayerType, data []byte) {
	defer func() {
		if r := recover(); r != nil {
			p.Err = fmt.Errorf("decoder panic: %v", r)
			p.ErrLayer = "unknown"
			d.Stats.Panics++
		}
	}()
	d.walk(p, next, data)
}

// walk decodes layers until the stack ends, a layer is unknown or one fails.
func (d *Decoder) walk(p *Packet, next gopacket.LayerType, data []byte) {
	for {
		var err error
		switch next {
		case layers.LayerTypeEthernet:
			if err = p.Eth.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasEth
				p.push("eth")
				next, data = p.Eth.NextLayerType(), p.Eth.Payload
			}
		case layers.LayerTypeLinuxSLL:
			// gopacket v1.1.19 slices past the buffer when the address length
			// field exceeds 8 (found by FuzzDecode). The header is 16 bytes
			// whatever the field says, so decode on, as tshark does, with no
			// address.
			if len(data) >= 16 && binary.BigEndian.Uint16(data[4:6]) > 8 {
				decodeSLLBogusAddrLen(&p.SLL, data)
				p.Flags |= HasSLL
				p.push("sll")
				next, data = p.SLL.NextLayerType(), p.SLL.Payload
			} else if err = p.SLL.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasSLL
				p.push("sll")
				next, data = p.SLL.NextLayerType(), p.SLL.Payload
			}
		case LayerTypeLinuxSLL2:
			if err = p.SLL2.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasSLL2
				p.push("sll")
				next, data = p.SLL2.NextLayerType(), p.SLL2.Payload
			}
		case layers.LayerTypeLoopback:
			if err = p.Loopback.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasLoopback
				p.push("null")
				next, data = p.Loopback.NextLayerType(), p.Loopback.Payload
			}
		case layers.LayerTypeDot1Q:
			if p.NVLAN >= MaxVLANs {
				d.Stats.Unsupported++
				return
			}
			v := &p.VLANs[p.NVLAN]
			if err = v.DecodeFromBytes(data, d); err == nil {
				p.NVLAN++
				p.Flags |= HasVLAN
				p.push("vlan")
				next, data = v.NextLayerType(), v.Payload
			}
		case layers.LayerTypeARP:
			// gopacket v1.1.19 trusts the address lengths and sums them in a
			// uint8, which overflows (both found by FuzzDecode).
			if n := arpLen(data); n > 255 {
				err = fmt.Errorf("ARP address sizes %d+%d are not plausible", data[4], data[5])
			} else if len(data) < n {
				d.truncated = true
				err = fmt.Errorf("ARP needs %d bytes, have %d", n, len(data))
			} else if err = p.ARP.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasARP
				p.push("arp")
				return
			}
		case layers.LayerTypeIPv4:
			if err = p.IPv4.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasIPv4
				p.push("ip")
				next, data = d.afterIPv4(p)
			}
		case layers.LayerTypeIPv6:
			was := d.truncated
			if err = p.IPv6.DecodeFromBytes(data, d); err == nil && p.IPv6.HopByHop != nil {
				// gopacket v1.1.19 compares the payload length with the bytes
				// after the hop-by-hop header and flags every HBH packet
				// (e.g. MLDv2 reports) as truncated: judge it ourselves.
				d.truncated = was || 40+int(p.IPv6.Length) > len(data)
			}
			if err == nil {
				p.Flags |= HasIPv6
				p.push("ipv6")
				next, data, err = d.afterIPv6(p)
			}
		case layers.LayerTypeTCP:
			was := d.truncated
			if err = p.TCP.DecodeFromBytes(data, d); err == nil || tcpOptionsOnly(data) {
				p.Flags |= HasTCP
				p.push("tcp")
				p.Payload = p.TCP.Payload
				if err != nil {
					// The fixed header and data offset are sound: keep ports
					// and flags, and flag only the options. (gopacket also
					// calls an option overrunning the header truncation.)
					d.truncated = was
					p.Err, p.ErrLayer = fmt.Errorf("options malformed: %w", err), "TCP"
				}
				return
			}
		case layers.LayerTypeUDP:
			if err = p.UDP.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasUDP
				p.push("udp")
				p.Payload = p.UDP.Payload
				return
			}
		case layers.LayerTypeICMPv4:
			if err = p.ICMPv4.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasICMPv4
				p.push("icmp")
				p.Payload = p.ICMPv4.Payload
				return
			}
		case layers.LayerTypeICMPv6:
			if err = p.ICMPv6.DecodeFromBytes(data, d); err == nil {
				p.Flags |= HasICMPv6
				p.push("icmpv6")
				p.Payload = p.ICMPv6.Payload
				return
			}
		case gopacket.LayerTypeZero, gopacket.LayerTypePayload:
			if len(data) > 0 { // bytes of a protocol netbeat does not decode (e.g. GRE, MPLS, an unknown EtherType)
				d.Stats.Unsupported++
				p.Payload = data
			}
			return
		default:
			d.Stats.Unsupported++
			p.Payload = data
			return
		}
		if err != nil {
			p.Err = err
			p.ErrLayer = next.String()
			return
		}
		if len(data) == 0 {
			return
		}
	}
}

// tcpOptionsOnly reports whether a TCP header that failed to decode has a
// whole fixed header and a sound data offset, so only its options are bad.
func tcpOptionsOnly(data []byte) bool {
	if len(data) < 20 {
		return false
	}
	off := int(data[12]>>4) * 4
	return off >= 20 && off <= len(data)
}

// decodeSLLBogusAddrLen fills sll from a 16-byte Linux cooked header whose
// address length field exceeds the 8 address bytes: no address is kept.
func decodeSLLBogusAddrLen(sll *layers.LinuxSLL, data []byte) {
	sll.PacketType = layers.LinuxSLLPacketType(binary.BigEndian.Uint16(data[0:2]))
	sll.AddrType = binary.BigEndian.Uint16(data[2:4])
	sll.AddrLen = binary.BigEndian.Uint16(data[4:6])
	sll.Addr = nil
	sll.EthernetType = layers.EthernetType(binary.BigEndian.Uint16(data[14:16]))
	sll.Contents, sll.Payload = data[:16], data[16:]
}

// afterIPv4 returns the transport layer to decode, or nothing for a
// non-first fragment (its bytes carry no transport header).
func (d *Decoder) afterIPv4(p *Packet) (gopacket.LayerType, []byte) {
	ip := &p.IPv4
	if ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0 {
		p.Flags |= HasFragment
		p.FragOffset, p.FragMore, p.FragID = ip.FragOffset, ip.Flags&layers.IPv4MoreFragments != 0, uint32(ip.Id)
		d.Stats.Fragments++
		if ip.FragOffset != 0 {
			p.Payload = ip.Payload
			return gopacket.LayerTypeZero, nil
		}
	}
	return transportType(ip.Protocol), ip.Payload
}

// afterIPv6 skips extension headers (hop-by-hop, routing, destination
// options, fragment) and returns the transport layer to decode.
func (d *Decoder) afterIPv6(p *Packet) (gopacket.LayerType, []byte, error) {
	proto, data := p.IPv6.NextHeader, p.IPv6.Payload
	if p.IPv6.HopByHop != nil {
		proto = p.IPv6.HopByHop.NextHeader
	}
	for i := 0; i < 8; i++ {
		switch proto {
		case layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination, layers.IPProtocolIPv6HopByHop:
			if len(data) < 8 {
				d.truncated = true
				return gopacket.LayerTypeZero, nil, fmt.Errorf("IPv6 extension header %d truncated (%d bytes)", proto, len(data))
			}
			n := (int(data[1]) + 1) * 8
			if n > len(data) {
				d.truncated = true
				return gopacket.LayerTypeZero, nil, fmt.Errorf("IPv6 extension header %d length %d exceeds %d bytes left", proto, n, len(data))
			}
			proto, data = layers.IPProtocol(data[0]), data[n:]
		case layers.IPProtocolIPv6Fragment:
			if len(data) < 8 {
				d.truncated = true
				return gopacket.LayerTypeZero, nil, fmt.Errorf("IPv6 fragment header truncated (%d bytes)", len(data))
			}
			p.Flags |= HasFragment
			off := binary.BigEndian.Uint16(data[2:4])
			p.FragOffset, p.FragMore = off>>3, off&1 == 1
			p.FragID = binary.BigEndian.Uint32(data[4:8])
			d.Stats.Fragments++
			proto, data = layers.IPProtocol(data[0]), data[8:]
			if p.FragOffset != 0 {
				p.ipv6Proto = proto
				p.Payload = data
				return gopacket.LayerTypeZero, nil, nil
			}
		default:
			p.ipv6Proto = proto
			return transportType(proto), data, nil
		}
	}
	p.ipv6Proto = proto
	return gopacket.LayerTypeZero, nil, fmt.Errorf("more than 8 IPv6 extension headers")
}

func arpLen(data []byte) int {
	if len(data) < 8 {
		return 8
	}
	return 8 + 2*(int(data[4])+int(data[5]))
}

func transportType(proto layers.IPProtocol) gopacket.LayerType {
	switch proto {
	case layers.IPProtocolTCP:
		return layers.LayerTypeTCP
	case layers.IPProtocolUDP:
		return layers.LayerTypeUDP
	case layers.IPProtocolICMPv4:
		return layers.LayerTypeICMPv4
	case layers.IPProtocolICMPv6:
		return layers.LayerTypeICMPv6
	}
	return gopacket.LayerTypePayload
}
