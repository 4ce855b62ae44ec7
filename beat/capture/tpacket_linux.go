//go:build linux

package capture

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Offsets in a TPACKET_V3 ring (linux/if_packet.h, checked with offsetof on
// x86-64; the structs have no architecture-dependent fields). A block starts
// with struct tpacket_block_desc; each frame in it with struct tpacket3_hdr,
// followed at TPACKET_ALIGN(sizeof(tpacket3_hdr)) by a struct sockaddr_ll.
const (
	blkStatusOff   = 8  // tpacket_block_desc.hdr.bh1.block_status
	blkNumPktsOff  = 12 // .num_pkts
	blkFirstPktOff = 16 // .offset_to_first_pkt

	frmNextOff    = 0  // tpacket3_hdr.tp_next_offset
	frmSecOff     = 4  // .tp_sec
	frmNsecOff    = 8  // .tp_nsec
	frmSnaplenOff = 12 // .tp_snaplen
	frmLenOff     = 16 // .tp_len
	frmStatusOff  = 20 // .tp_status
	frmMacOff     = 24 // .tp_mac
	frmVLANTCIOff = 32 // .hv1.tp_vlan_tci
	frmVLANTPID   = 36 // .hv1.tp_vlan_tpid
	frmHdrLen     = 48 // TPACKET_ALIGN(sizeof(struct tpacket3_hdr))

	sllIfindexOff = frmHdrLen + 4  // sockaddr_ll.sll_ifindex
	sllHatypeOff  = frmHdrLen + 8  // .sll_hatype
	sllPkttypeOff = frmHdrLen + 10 // .sll_pkttype
	sllLen        = 20
)

// tpFrame is one frame of a retired block. data points into the ring and is
// valid until the block is released.
type tpFrame struct {
	data    []byte
	sec     uint32
	nsec    uint32
	length  int // tp_len: the frame's length on the wire
	status  uint32
	vlanTCI uint16
	vlanTP  uint16
	ifindex int
	hatype  uint16
	pkttype uint8
}

// loopbackCopy reports whether the frame is the outgoing copy of a loopback
// frame. The kernel hands every frame sent on a loopback device to packet
// sockets twice, once as PACKET_OUTGOING and once as PACKET_HOST; libpcap
// (pcap-linux.c, linux_check_direction) drops the outgoing one, and so do we.
func (f *tpFrame) loopbackCopy() bool {
	return f.pkttype == unix.PACKET_OUTGOING && f.hatype == unix.ARPHRD_LOOPBACK
}

// tpRing walks the blocks of a TPACKET_V3 ring in the order the kernel fills
// them. It is used by one goroutine. Block ownership is handed over through
// block_status: the kernel sets TP_STATUS_USER when it retires a block, and
// the reader gives the block back by storing TP_STATUS_KERNEL (0).
type tpRing struct {
	buf       []byte
	blockSize int
	nblocks   int
	cur       int // index of the block being read or awaited
	open      bool
	left      int // frames of the open block not yet returned
	off       int // offset of the next frame in the open block
}

func (r *tpRing) block(i int) []byte {
	return r.buf[i*r.blockSize : (i+1)*r.blockSize]
}

func (r *tpRing) status(i int) *uint32 {
	return (*uint32)(unsafe.Pointer(&r.block(i)[blkStatusOff]))
}

// next returns the next frame, or ok=false when the kernel has not retired
// the next block yet (poll the socket, then call again). A frame whose header
// points outside its block ends the block: the rest of it cannot be trusted.
func (r *tpRing) next() (f tpFrame, ok bool) {
	for {
		if !r.open {
			if atomic.LoadUint32(r.status(r.cur))&unix.TP_STATUS_USER == 0 {
				return f, false
			}
			b := r.block(r.cur)
			r.open = true
			r.left = int(binary.NativeEndian.Uint32(b[blkNumPktsOff:]))
			r.off = int(binary.NativeEndian.Uint32(b[blkFirstPktOff:]))
		}
		if r.left > 0 {
			if f, ok = r.frame(r.block(r.cur)); ok {
				return f, true
			}
		}
		r.release()
	}
}

// frame parses the frame at r.off and moves r.off to the next one.
func (r *tpRing) frame(b []byte) (f tpFrame, ok bool) {
	off := r.off
	if off < 0 || off+frmHdrLen+sllLen > len(b) {
		return f, false
	}
	h := b[off:]
	ne := binary.NativeEndian
	mac := int(ne.Uint16(h[frmMacOff:]))
	snap := int(ne.Uint32(h[frmSnaplenOff:]))
	if mac < frmHdrLen+sllLen || off+mac+snap > len(b) {
		return f, false
	}
	f = tpFrame{
		data:    h[mac : mac+snap : mac+snap],
		sec:     ne.Uint32(h[frmSecOff:]),
		nsec:    ne.Uint32(h[frmNsecOff:]),
		length:  int(ne.Uint32(h[frmLenOff:])),
		status:  ne.Uint32(h[frmStatusOff:]),
		vlanTCI: ne.Uint16(h[frmVLANTCIOff:]),
		vlanTP:  ne.Uint16(h[frmVLANTPID:]),
		ifindex: int(int32(ne.Uint32(h[sllIfindexOff:]))),
		hatype:  ne.Uint16(h[sllHatypeOff:]),
		pkttype: h[sllPkttypeOff],
	}
	r.left--
	if next := int(ne.Uint32(h[frmNextOff:])); next != 0 {
		r.off += next
	} else {
		r.left = 0
	}
	return f, true
}

// release hands the open (or current) block back to the kernel and moves on.
func (r *tpRing) release() {
	atomic.StoreUint32(r.status(r.cur), unix.TP_STATUS_KERNEL)
	r.open, r.left, r.off = false, 0, 0
	r.cur = (r.cur + 1) % r.nblocks
}

// drain releases every block the kernel has retired, without waiting for
// more, and returns the number of frames they held. It runs while the
// reject-all filter is attached, so nothing new can arrive: whatever it finds
// got into the ring before the user's filter could judge it.
func (r *tpRing) drain() uint64 {
	var n uint64
	for r.open || atomic.LoadUint32(r.status(r.cur))&unix.TP_STATUS_USER != 0 {
		if !r.open {
			n += uint64(binary.NativeEndian.Uint32(r.block(r.cur)[blkNumPktsOff:]))
		} else {
			n += uint64(r.left)
		}
		r.release()
	}
	return n
}
