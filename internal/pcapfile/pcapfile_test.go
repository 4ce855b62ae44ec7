package pcapfile

import (
	"os"
	"path/filepath"
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
