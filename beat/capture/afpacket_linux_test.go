//go:build linux && cgo && !integration

package capture

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRingBlock: blocks are page-aligned multiples of the frame size (what
// gopacket's afpacket requires) of about 1 MiB, so the default 30 MiB buffer
// is ~30 blocks, not 3 (see ringBlock).
func TestRingBlock(t *testing.T) {
	for _, snaplen := range []int{64, 1514, 9000, 65535, 262144} {
		frame := pageAlign(snaplen + 128)
		b := ringBlock(frame)
		if b%frame != 0 || b%4096 != 0 {
			t.Errorf("snaplen %d: block %d is not a multiple of frame %d and the page size", snaplen, b, frame)
		}
		if frame < 1<<20 && (b > 1<<20 || b < 1<<19) {
			t.Errorf("snaplen %d: block %d, want 512 KiB..1 MiB", snaplen, b)
		}
		if frame >= 1<<20 && b != frame {
			t.Errorf("snaplen %d: block %d, want one frame (%d)", snaplen, b, frame)
		}
		if n := 30 << 20 / b; snaplen <= 65535 && n < 28 {
			t.Errorf("snaplen %d: a 30 MiB ring has only %d blocks", snaplen, n)
		}
	}
}

// TestWithVLAN: the 802.1Q tag the kernel moved into tp_vlan_tci is put back
// after the MAC addresses, with the TPID the kernel reports or 0x8100.
func TestWithVLAN(t *testing.T) {
	frame := []byte{1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0x08, 0x00, 0x45}
	s := &AFPacketSource{}
	got := s.withVLAN(&tpFrame{data: frame, vlanTCI: 0x2064, status: unix.TP_STATUS_VLAN_VALID})
	want := []byte{1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0x81, 0x00, 0x20, 0x64, 0x08, 0x00, 0x45}
	if !bytes.Equal(got, want) {
		t.Fatalf("got % x\nwant % x", got, want)
	}
	got = s.withVLAN(&tpFrame{data: frame, vlanTCI: 5, vlanTP: 0x88a8, status: unix.TP_STATUS_VLAN_VALID | unix.TP_STATUS_VLAN_TPID_VALID})
	if !bytes.Equal(got[12:16], []byte{0x88, 0xa8, 0x00, 0x05}) {
		t.Fatalf("802.1ad tag: got % x", got[12:16])
	}
}
