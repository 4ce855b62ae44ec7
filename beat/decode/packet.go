package decode

import (
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Layer flags record which layers of a Packet hold decoded data.
const (
	HasEth uint32 = 1 << iota
	HasSLL
	HasSLL2
	HasLoopback
	HasVLAN
	HasIPv4
	HasIPv6
	HasTCP
	HasUDP
	HasICMPv4
	HasICMPv6
	HasARP
	HasFragment // IPv4 or IPv6 fragment (the transport is not decoded)
)

// MaxVLANs is how many 802.1Q/802.1ad tags a Packet keeps (QinQ = 2).
const MaxVLANs = 2

// maxStack bounds the protocol stack kept per packet.
const maxStack = 12

// Packet is one decoded frame. The Decoder owns and reuses it: its contents
// (and Payload) are valid only until the next call to Decode.
type Packet struct {
	Timestamp     time.Time
	Length        int // original length on the wire (frame.len)
	CaptureLength int // bytes captured (frame.cap_len)
	LinkType      uint32
	Iface         int // capture interface index within the source (pcapng)

	Flags uint32

	stack  [maxStack]string
	nstack int

	Eth      layers.Ethernet
	SLL      layers.LinuxSLL
	SLL2     LinuxSLL2
	Loopback layers.Loopback
	VLANs    [MaxVLANs]layers.Dot1Q
	NVLAN    int
	IPv4     layers.IPv4
	IPv6     layers.IPv6
	TCP      layers.TCP
	UDP      layers.UDP
	ICMPv4   layers.ICMPv4
	ICMPv6   layers.ICMPv6
	ARP      layers.ARP

	// FragOffset and FragMore describe an IP fragment when HasFragment is set.
	FragOffset uint16
	FragMore   bool
	FragID     uint32

	ipv6Proto layers.IPProtocol // protocol after IPv6 extension headers

	// Payload is the application payload after the transport header (may be empty).
	Payload []byte

	// Truncated is set when the capture is shorter than a layer needed (snaplen).
	Truncated bool
	// Err is the first decoding error of a malformed layer, or nil.
	Err error
	// ErrLayer names the layer that failed to decode.
	ErrLayer string
}

// Has reports whether all the given layer flags are set.
func (p *Packet) Has(f uint32) bool { return p.Flags&f == f }

// Protocols returns the decoded protocol stack in order, e.g. ["eth","ethertype","ip","tcp"],
// using tshark's protocol names.
func (p *Packet) Protocols() []string { return p.stack[:p.nstack] }

func (p *Packet) push(name string) {
	if p.nstack < maxStack {
		p.stack[p.nstack] = name
		p.nstack++
	}
}

func (p *Packet) reset(data []byte, ci gopacket.CaptureInfo, lt uint32) {
	p.Timestamp = ci.Timestamp
	p.Length = ci.Length
	p.CaptureLength = ci.CaptureLength
	if p.Length == 0 {
		p.Length = len(data)
	}
	if p.CaptureLength == 0 {
		p.CaptureLength = len(data)
	}
	p.Iface = ci.InterfaceIndex
	p.LinkType = lt
	p.Flags = 0
	p.nstack = 0
	p.NVLAN = 0
	p.Payload = nil
	p.Truncated = false
	p.Err = nil
	p.ErrLayer = ""
	p.FragOffset, p.FragMore, p.FragID = 0, false, 0
}

// Transport returns the IANA protocol number of the transport layer (6, 17, 1, 58)
// and whether the packet has one.
func (p *Packet) Transport() (layers.IPProtocol, bool) {
	switch {
	case p.Flags&HasTCP != 0:
		return layers.IPProtocolTCP, true
	case p.Flags&HasUDP != 0:
		return layers.IPProtocolUDP, true
	case p.Flags&HasICMPv4 != 0:
		return layers.IPProtocolICMPv4, true
	case p.Flags&HasICMPv6 != 0:
		return layers.IPProtocolICMPv6, true
	}
	return 0, false
}

// IPProtocol returns the protocol number carried by the IP header (after IPv6
// extension headers), or false when the packet is not IP.
func (p *Packet) IPProtocol() (layers.IPProtocol, bool) {
	switch {
	case p.Flags&HasIPv4 != 0:
		return p.IPv4.Protocol, true
	case p.Flags&HasIPv6 != 0:
		return p.ipv6Proto, true
	}
	return 0, false
}
