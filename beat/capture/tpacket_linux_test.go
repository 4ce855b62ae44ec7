//go:build linux && !integration

package capture

import (
	"bytes"
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// testFrame is what fakeRing writes into a block.
type testFrame struct {
	data    []byte
	pkttype uint8
	hatype  uint16
}

// fakeRing builds a TPACKET_V3 ring as the kernel lays it out: blocks[i] nil
// leaves block i owned by the kernel (status 0, as if still being filled).
func fakeRing(t *testing.T, blockSize int, blocks ...[]testFrame) *tpRing {
	t.Helper()
	ne := binary.NativeEndian
	r := &tpRing{buf: make([]byte, blockSize*len(blocks)), blockSize: blockSize, nblocks: len(blocks)}
	for i, frames := range blocks {
		if frames == nil {
			continue
		}
		b := r.block(i)
		ne.PutUint32(b[blkStatusOff:], unix.TP_STATUS_USER)
		ne.PutUint32(b[blkNumPktsOff:], uint32(len(frames)))
		const first = 48
		ne.PutUint32(b[blkFirstPktOff:], first)
		off := first
		for j, f := range frames {
			h := b[off:]
			mac := 80 // frmHdrLen + sockaddr_ll, rounded up like the kernel's tp_mac
			ne.PutUint32(h[frmSecOff:], uint32(100+j))
			ne.PutUint32(h[frmSnaplenOff:], uint32(len(f.data)))
			ne.PutUint32(h[frmLenOff:], uint32(len(f.data)))
			ne.PutUint16(h[frmMacOff:], uint16(mac))
			ne.PutUint32(h[sllIfindexOff:], 7)
			ne.PutUint16(h[sllHatypeOff:], f.hatype)
			h[sllPkttypeOff] = f.pkttype
			copy(h[mac:], f.data)
			next := (mac + len(f.data) + 15) &^ 15
			if j < len(frames)-1 {
				ne.PutUint32(h[frmNextOff:], uint32(next))
			}
			off += next
		}
		if off > blockSize {
			t.Fatalf("block %d: %d bytes of frames do not fit in %d", i, off, blockSize)
		}
	}
	return r
}

func statusOf(r *tpRing, i int) uint32 { return binary.NativeEndian.Uint32(r.block(i)[blkStatusOff:]) }

func eth(n byte) testFrame {
	return testFrame{data: bytes.Repeat([]byte{n}, 60), pkttype: unix.PACKET_HOST, hatype: unix.ARPHRD_ETHER}
}

// TestTpRingDrain: drain releases every retired block and counts its
// frames, stops at the first block the kernel still owns, and leaves the
// reader there, so the next frame read is the first one after the drain.
func TestTpRingDrain(t *testing.T) {
	r := fakeRing(t, 4096,
		[]testFrame{eth(1), eth(2), eth(3)},
		[]testFrame{eth(4)},
		nil,
		[]testFrame{eth(9)}, // retired, but after a kernel-owned block: not reached
	)
	if n := r.drain(); n != 4 {
		t.Fatalf("drained %d frames, want 4", n)
	}
	if r.cur != 2 || statusOf(r, 0) != 0 || statusOf(r, 1) != 0 {
		t.Fatalf("after drain: cur %d, status %d %d; want cur 2 and blocks 0, 1 given back", r.cur, statusOf(r, 0), statusOf(r, 1))
	}
	if _, ok := r.next(); ok {
		t.Fatal("next returned a frame from a kernel-owned block")
	}
	if n := r.drain(); n != 0 {
		t.Fatalf("second drain found %d frames, want 0", n)
	}

	// A block the reader has opened and partly read: only the unread rest counts.
	r = fakeRing(t, 4096, []testFrame{eth(1), eth(2), eth(3)}, nil)
	if f, ok := r.next(); !ok || f.data[0] != 1 {
		t.Fatalf("first frame: ok %v", ok)
	}
	if n := r.drain(); n != 2 {
		t.Fatalf("drained %d frames of a partly read block, want 2", n)
	}

	// An empty ring drains nothing.
	if n := fakeRing(t, 4096, nil, nil).drain(); n != 0 {
		t.Fatalf("empty ring drained %d", n)
	}
}

// TestTpRingNext: frames come back in order across blocks with their
// metadata, a block is given back only once the reader moves past it, and
// the ring wraps.
func TestTpRingNext(t *testing.T) {
	r := fakeRing(t, 4096, []testFrame{eth(1), eth(2)}, []testFrame{eth(3)})
	var got []byte
	for i := 0; i < 3; i++ {
		f, ok := r.next()
		if !ok {
			t.Fatalf("frame %d: not ready", i)
		}
		if len(f.data) != 60 || f.length != 60 || f.ifindex != 7 || f.sec != uint32(100+i%2) {
			t.Fatalf("frame %d: len %d length %d ifindex %d sec %d", i, len(f.data), f.length, f.ifindex, f.sec)
		}
		got = append(got, f.data[0])
		if i == 1 && statusOf(r, 0) != unix.TP_STATUS_USER {
			t.Fatal("block 0 was given back while its last frame was still in use")
		}
	}
	if !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Fatalf("frames %v, want [1 2 3]", got)
	}
	if _, ok := r.next(); ok || r.cur != 0 || statusOf(r, 1) != 0 {
		t.Fatalf("after the last frame: ok %v cur %d; want not ready, wrapped to block 0, block 1 given back", ok, r.cur)
	}
}

// TestTpRingCorruptFrame: a frame whose data would run past its block ends
// the block instead of reading outside it.
func TestTpRingCorruptFrame(t *testing.T) {
	r := fakeRing(t, 4096, []testFrame{eth(1), eth(2)}, []testFrame{eth(3)})
	binary.NativeEndian.PutUint32(r.block(0)[48+frmSnaplenOff:], 5000)
	f, ok := r.next()
	if !ok || f.data[0] != 3 {
		t.Fatalf("got ok %v; want the damaged block skipped and frame 3 returned", ok)
	}
}

// TestLoopbackCopy: only the outgoing copy on a loopback device is dropped
// (libpcap's linux_check_direction); outgoing frames on other devices and
// incoming loopback frames are kept.
func TestLoopbackCopy(t *testing.T) {
	for _, c := range []struct {
		pkttype uint8
		hatype  uint16
		drop    bool
	}{
		{unix.PACKET_OUTGOING, unix.ARPHRD_LOOPBACK, true},
		{unix.PACKET_HOST, unix.ARPHRD_LOOPBACK, false},
		{unix.PACKET_OUTGOING, unix.ARPHRD_ETHER, false},
		{unix.PACKET_HOST, unix.ARPHRD_ETHER, false},
	} {
		r := fakeRing(t, 4096, []testFrame{{data: make([]byte, 60), pkttype: c.pkttype, hatype: c.hatype}})
		f, ok := r.next()
		if !ok || f.pkttype != c.pkttype || f.hatype != c.hatype {
			t.Fatalf("pkttype %d hatype %d: parsed as %d %d (ok %v)", c.pkttype, c.hatype, f.pkttype, f.hatype, ok)
		}
		if f.loopbackCopy() != c.drop {
			t.Errorf("pkttype %d hatype %d: loopbackCopy %v, want %v", c.pkttype, c.hatype, !c.drop, c.drop)
		}
	}
}
