// Package flows aggregates packets into bidirectional flow records.
//
// A Table is safe for concurrent use: the capture goroutine calls Update for
// every packet, and a ticker may call Advance. The emit callback runs with the
// table locked and must not call back into the Table. The flow it gets is
// valid only during the call: the table reuses the entry afterwards.
package flows

import (
	"bytes"
	"time"

	"github.com/netbeat/netbeat/beat/decode"
)

// End reasons of a final flow record.
const (
	EndFIN        = "fin"          // both sides sent FIN
	EndRST        = "rst"          // a side reset the connection
	EndIdle       = "idle_timeout" // no packet for flows.timeout
	EndCaptureEnd = "capture_end"  // the capture file ended or netbeat stopped
	EndEvicted    = "evicted"      // the table was full (flows.max_flows)
)

// TCP flag bits as in the TCP header (FIN=0x01 ... CWR=0x80).
const (
	FlagFIN uint8 = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
	FlagECE
	FlagCWR
)

// Flow is one bidirectional conversation. Index 0 of the per-direction
// counters is source→destination, where the source is the initiator.
type Flow struct {
	// key first: a lookup compares it, and the counters an update changes
	// follow it in the same cache lines.
	key Key

	Packets  [2]uint64
	Bytes    [2]uint64
	Last     time.Time
	TCPFlags uint8 // union of flags seen, both directions
	Final    bool

	dirty     bool // packets since the last report
	fin       [2]bool
	closing   bool
	id        uint32 // number in the table's store
	slot      uint32 // slot in the table's index
	prev, nxt *Flow

	Tuple       Tuple // oriented: Src is the initiator
	Start       time.Time
	VLANs       []uint16
	CommunityID string
	EndReason   string // set on the final record
	closeAt     time.Time
}

// Duration is Last - Start.
func (f *Flow) Duration() time.Duration { return f.Last.Sub(f.Start) }

// Key identifies a flow regardless of direction: the two endpoints in
// order (address, then port), the protocol and the VLAN ids. It holds no
// pointers, so the table's map hashes and compares it as plain memory and
// the garbage collector does not scan it.
type Key struct {
	A, B   [16]byte // IPv4 addresses in their IPv4-mapped form, V6 false
	VLAN   uint32   // outer<<16 | inner
	PA, PB uint16
	Proto  uint8
	V6     bool
}

func keyOf(t Tuple, p *decode.Packet) (k Key) {
	k.Proto = t.Proto
	k.V6 = t.Src.Is6()
	for i := 0; i < p.NVLAN; i++ {
		k.VLAN = k.VLAN<<16 | uint32(p.VLANs[i].VLANIdentifier)
	}
	a, b := t.Src.As16(), t.Dst.As16()
	if c := bytes.Compare(a[:], b[:]); c < 0 || c == 0 && t.SPort < t.DPort {
		k.A, k.PA, k.B, k.PB = a, t.SPort, b, t.DPort
		return k
	}
	k.A, k.PA, k.B, k.PB = b, t.DPort, a, t.SPort
	return k
}
