package pcapfile

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

func TestCreateWriteClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.pcap")
	w, err := Create(path, 128, layers.LinkTypeEthernet, true)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1700000000, 123456789)
	data := []byte{1, 2, 3, 4}
	if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: 4, Length: 4}, data); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("final file exists before Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("temporary file left: %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got, ci, err := r.ReadPacketData()
	if err != nil || string(got) != string(data) || !ci.Timestamp.Equal(ts) || r.LinkType() != layers.LinkTypeEthernet {
		t.Fatalf("read back %v %+v %v, link type %v", got, ci, err, r.LinkType())
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.pcap")
	w, err := Create(path, 128, layers.LinkTypeEthernet, false)
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	for _, p := range []string{path, path + ".tmp"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s exists after Abort: %v", p, err)
		}
	}
}

// Open reads both formats of the bundled captures and refuses other files.
func TestOpen(t *testing.T) {
	for name, want := range map[string]int{"mixed.pcapng": 118, "http4.pcap": -1} {
		r, f, err := Open(filepath.Join("..", "..", "testdata", "captures", name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n := 0
		for {
			if _, _, err := r.ZeroCopyReadPacketData(); err != nil {
				break
			}
			n++
		}
		f.Close()
		if n == 0 || want > 0 && n != want || r.LinkType() != layers.LinkTypeEthernet {
			t.Errorf("%s: %d packets (want %d), link type %v", name, n, want, r.LinkType())
		}
	}
	if _, _, err := Open("pcapfile.go"); err == nil || !strings.Contains(err.Error(), "pcapfile.go") {
		t.Errorf("a Go file opened as a capture: %v", err)
	}
}

// TestRecordOffsets: the offsets of a real capture's records are where
// pcapgo reads them, one per packet.
func TestRecordOffsets(t *testing.T) {
	b, err := os.ReadFile("../../testdata/captures/http4.pcap")
	if err != nil {
		t.Fatal(err)
	}
	recs := RecordOffsets(b, binary.LittleEndian)
	if len(recs) != 24 || recs[0] != 24 {
		t.Fatalf("%d records, first at %v; want 24 records from offset 24", len(recs), recs)
	}
	last := recs[len(recs)-1]
	if end := last + 16 + int(binary.LittleEndian.Uint32(b[last+8:])); end != len(b) {
		t.Fatalf("last record ends at %d, file at %d", end, len(b))
	}
}
