package event

import (
	"net"
	"net/netip"
	"strings"

	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/beat/flows"
)

// cacheLimit bounds each cache; a full cache is dropped and refilled.
const cacheLimit = 4096

// packetCache keeps strings that repeat from packet to packet (addresses,
// protocol stacks, Community IDs) so a busy link does not re-format them for
// every event. One per PacketOptions, so one per capture goroutine.
type packetCache struct {
	protos map[uint64]string
	ips    map[netip.Addr]string
	macs   map[[6]byte][2]string // aa:bb:.., AA-BB-..
	cids   map[flows.Tuple]string
}

func newPacketCache() *packetCache {
	return &packetCache{protos: map[uint64]string{}, ips: map[netip.Addr]string{},
		macs: map[[6]byte][2]string{}, cids: map[flows.Tuple]string{}}
}

func (c *packetCache) protocols(p *decode.Packet) string {
	k := uint64(p.Flags)<<8 | uint64(p.NVLAN)<<4 | uint64(p.LinkType&0xf)<<40 | uint64(len(p.Protocols()))<<48
	if s, ok := c.protos[k]; ok {
		return s
	}
	s := strings.Join(p.Protocols(), ":")
	if len(c.protos) >= cacheLimit {
		clear(c.protos)
	}
	c.protos[k] = s
	return s
}

func (c *packetCache) ip(b net.IP) string {
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return b.String()
	}
	a = a.Unmap()
	if s, ok := c.ips[a]; ok {
		return s
	}
	s := a.String()
	if len(c.ips) >= cacheLimit {
		clear(c.ips)
	}
	c.ips[a] = s
	return s
}

const hexDigits = "0123456789abcdef"
const hexUpper = "0123456789ABCDEF"

// mac returns the tshark (aa:bb:…) and ECS (AA-BB-…) forms of a MAC.
func (c *packetCache) mac(hw net.HardwareAddr) (string, string) {
	if len(hw) != 6 {
		return hw.String(), ECSMAC(hw)
	}
	var k [6]byte
	copy(k[:], hw)
	if s, ok := c.macs[k]; ok {
		return s[0], s[1]
	}
	var a, e [17]byte
	for i, b := range k {
		a[i*3], a[i*3+1] = hexDigits[b>>4], hexDigits[b&0xf]
		e[i*3], e[i*3+1] = hexUpper[b>>4], hexUpper[b&0xf]
		if i < 5 {
			a[i*3+2], e[i*3+2] = ':', '-'
		}
	}
	s := [2]string{string(a[:]), string(e[:])}
	if len(c.macs) >= cacheLimit {
		clear(c.macs)
	}
	c.macs[k] = s
	return s[0], s[1]
}

func (c *packetCache) communityID(t flows.Tuple, seed uint16) string {
	if s, ok := c.cids[t]; ok {
		return s
	}
	s := t.CommunityID(seed)
	if len(c.cids) >= cacheLimit {
		clear(c.cids)
	}
	c.cids[t] = s
	return s
}

// hex4 formats a 16-bit value as tshark does for EtherTypes: 0x0800.
func hex4(v uint16) string {
	switch v {
	case 0x0800:
		return "0x0800"
	case 0x86dd:
		return "0x86dd"
	case 0x0806:
		return "0x0806"
	case 0x8100:
		return "0x8100"
	case 0x88a8:
		return "0x88a8"
	}
	b := [6]byte{'0', 'x', hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf]}
	return string(b[:])
}
