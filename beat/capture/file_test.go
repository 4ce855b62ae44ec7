//go:build !integration

package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netbeat/netbeat/beat/decode"
	"github.com/netbeat/netbeat/internal/pcapfile"
)

func captures(name string) string { return filepath.Join("..", "..", "testdata", "captures", name) }

func readAll(t *testing.T, s Source) (n int, err error) {
	t.Helper()
	for {
		_, _, err := s.ReadPacket()
		if err != nil {
			return n, err
		}
		n++
	}
}

func TestReadsPcapAndPcapng(t *testing.T) {
	for _, c := range []struct {
		file, format string
		link         uint32
		packets      int
	}{
		{"http4.pcap", "pcap", 1, 24},
		{"http6.pcapng", "pcapng", 1, 24},
		{"sll.pcap", "pcap", 113, 16},
		{"sll2.pcap", "pcap", 276, 16},
		{"null.pcap", "pcap", 0, 20},
		{"mixed.pcapng", "pcapng", 1, 118},
	} {
		s, err := OpenFile(captures(c.file))
		if err != nil {
			t.Fatal(err)
		}
		if s.Format() != c.format || s.LinkType() != c.link {
			t.Errorf("%s: format %s link %d, want %s %d", c.file, s.Format(), s.LinkType(), c.format, c.link)
		}
		n, err := readAll(t, s)
		if !errors.Is(err, io.EOF) || n != c.packets {
			t.Errorf("%s: read %d packets then %v, want %d then EOF", c.file, n, err, c.packets)
		}
		if st := s.Stats(); st.Received != uint64(c.packets) {
			t.Errorf("%s: stats %+v", c.file, st)
		}
		s.Close()
		if _, _, err := s.ReadPacket(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s: read after close: %v", c.file, err)
		}
	}
}

// Damaged files: the packets before the damage are returned, then an error
// naming the file, the packet number and the byte offset.
func TestDamagedFiles(t *testing.T) {
	for _, c := range []struct {
		file     string
		good     int
		contains []string
	}{
		{"truncated.pcap", 5, []string{"truncated.pcap", "packet 6", "byte offset", "unexpected EOF"}},
		{"corrupt.pcap", 3, []string{"corrupt.pcap", "packet 4", "byte offset", "exceeds"}},
		{"truncated.pcapng", 7, []string{"truncated.pcapng", "packet 8", "byte offset"}},
	} {
		s, err := OpenFile(captures(c.file))
		if err != nil {
			t.Fatal(err)
		}
		n, err := readAll(t, s)
		s.Close()
		if n != c.good {
			t.Errorf("%s: %d packets before the error, want %d", c.file, n, c.good)
		}
		if !errors.Is(err, ErrCorruptFile) {
			t.Fatalf("%s: error %v does not wrap ErrCorruptFile", c.file, err)
		}
		for _, want := range c.contains {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %q", c.file, err, want)
			}
		}
	}
}

func TestNotACapture(t *testing.T) {
	_, err := OpenFile(captures("notapcap.pcap"))
	if !errors.Is(err, ErrCorruptFile) || !strings.Contains(err.Error(), "neither pcap nor pcapng") {
		t.Fatalf("err = %v", err)
	}
	_, err = OpenFile(captures("does-not-exist.pcap"))
	if err == nil || !strings.Contains(err.Error(), "does-not-exist.pcap") {
		t.Fatalf("missing file: err = %v", err)
	}
}

func TestDirectoryIsNamedAsSuch(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenFile(dir)
	if !errors.Is(err, ErrIsDirectory) || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want it to say %s is a directory", err, dir)
	}
	if strings.Contains(err.Error(), "bytes in file") {
		t.Errorf("err = %v still reports a file size", err)
	}
}

// damaged writes http4.pcap (24 records of 74, 74, 66, 153, … bytes) with
// edit applied to its bytes and the record offsets, and returns the path.
func damaged(t *testing.T, edit func(b []byte, recs []int)) string {
	t.Helper()
	b, err := os.ReadFile(captures("http4.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	edit(b, pcapfile.RecordOffsets(b, binary.LittleEndian))
	p := filepath.Join(t.TempDir(), "damaged.pcap")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// recordErrors reads s to its end and returns, per frame, whether it carries
// a decode.RecordError, and the final error.
func recordErrors(t *testing.T, s Source) (marked []bool, err error) {
	t.Helper()
	for {
		_, ci, err := s.ReadPacket()
		if err != nil {
			return marked, err
		}
		m := false
		for _, a := range ci.AncillaryData {
			_, ok := a.(decode.RecordError)
			m = m || ok
		}
		marked = append(marked, m)
	}
}

// TestInconsistentRecordsAreReadOn: like libpcap and tshark, a record whose
// captured length exceeds the file's snaplen is read whole and the file read
// on (the frame is marked, so the decoder counts it malformed); a snaplen of 0
// in the file header is accepted.
func TestInconsistentRecordsAreReadOn(t *testing.T) {
	for name, c := range map[string]struct {
		edit   func(b []byte, recs []int)
		marked []int // frame indexes carrying a RecordError
	}{
		"caplen beyond snaplen": {func(b []byte, _ []int) { binary.LittleEndian.PutUint32(b[16:], 74) }, []int{3, 5, 7, 15, 17, 19}},
		"snaplen 0":             {func(b []byte, _ []int) { binary.LittleEndian.PutUint32(b[16:], 0) }, nil},
		// The decoder, not the reader, flags caplen > original length (pcapng too).
		"caplen beyond original length": {func(b []byte, r []int) { binary.LittleEndian.PutUint32(b[r[3]+12:], 40) }, nil},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := OpenFile(damaged(t, c.edit))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			marked, err := recordErrors(t, s)
			if err != io.EOF || len(marked) != 24 {
				t.Fatalf("read %d frames, then %v; want all 24 and io.EOF", len(marked), err)
			}
			var got []int
			for i, m := range marked {
				if m {
					got = append(got, i)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.marked) {
				t.Errorf("frames marked %v, want %v", got, c.marked)
			}
		})
	}
}

func TestGzipPcap(t *testing.T) {
	b, err := os.ReadFile(captures("http4.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b)
	w.Close()
	p := filepath.Join(t.TempDir(), "http4.pcap.gz")
	if err := os.WriteFile(p, z.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := readAll(t, s); n != 24 || err != io.EOF || s.LinkType() != 1 {
		t.Errorf("gzip pcap: %d frames, %v, link type %d; want 24, EOF, 1", n, err, s.LinkType())
	}
}
