//go:build linux && cgo && !integration

package capture

import "testing"

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
