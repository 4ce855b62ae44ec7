//go:build integration

package event

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/netbeat/netbeat/internal/pcapfile"
)

// edited writes a bundled pcap with edit applied (to the bytes, given each
// record's offset) into dir and returns the path.
func edited(t *testing.T, dir, src, name string, edit func(b []byte, recs []int)) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(capturesDir, src))
	if err != nil {
		t.Fatal(err)
	}
	edit(b, pcapfile.RecordOffsets(b, binary.LittleEndian))
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDamagedCapturesMatchLiveTshark edits bundled captures the way broken
// writers and bit rot do, and compares netbeat's packet events with tshark's
// field export of the same file, field by field (all frames read, ports and
// flags kept, tcp.flags with the reserved bits), and checks which frames
// netbeat flags in frame.error.
func TestDamagedCapturesMatchLiveTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Fatal("tshark is not installed: run scripts/deps.sh (the integration tests use it as the oracle)")
	}
	script, _ := filepath.Abs(filepath.Join(capturesDir, "tshark-fields.sh"))
	const eth, ip4 = 14, 20
	dir := t.TempDir()
	for _, c := range []struct {
		name, src string
		edit      func(b []byte, r []int)
		errFrames []int // frame numbers with frame.error
	}{
		// http4.pcap: 24 records, 74/74/66/153/66/252/66/99/… bytes, SYN first.
		{"caplen-gt-len.pcap", "http4.pcap", func(b []byte, r []int) { binary.LittleEndian.PutUint32(b[r[3]+12:], 40) }, []int{4}},
		{"caplen-gt-snaplen.pcap", "http4.pcap", func(b []byte, _ []int) { binary.LittleEndian.PutUint32(b[16:], 74) }, []int{4, 6, 8, 16, 18, 20}},
		{"snaplen-0.pcap", "http4.pcap", func(b []byte, _ []int) { binary.LittleEndian.PutUint32(b[16:], 0) }, nil},
		{"tcp-option-overrun.pcap", "http4.pcap", func(b []byte, r []int) { b[r[0]+16+eth+ip4+20+1] = 0x30 }, []int{1}},
		{"tcp-reserved-bits.pcap", "http4.pcap", func(b []byte, r []int) {
			b[r[0]+16+eth+ip4+12] |= 0x0e // RRR + SYN
			b[r[1]+16+eth+ip4+12] |= 0x0f // RRR + NS/AE + SYN/ACK
		}, nil},
		{"sll-addrlen-32.pcap", "sll.pcap", func(b []byte, r []int) { binary.BigEndian.PutUint16(b[r[0]+16+4:], 32) }, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := edited(t, dir, c.src, c.name, c.edit)
			var out, errb bytes.Buffer
			cmd := exec.Command("bash", script, path)
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("tshark failed: %v: %s", err, errb.String())
			}
			compareCapture(t, path, readTSV(t, &out))
			var got []int
			for i, ev := range packetEvents(t, path) {
				if str(ev, "frame.error") != "" {
					got = append(got, i+1)
					t.Logf("frame %d: frame.error %q", i+1, str(ev, "frame.error"))
				}
			}
			if !equalInts(got, c.errFrames) {
				t.Errorf("frames with frame.error %v, want %v", got, c.errFrames)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
