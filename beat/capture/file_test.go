//go:build !integration

package capture

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
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
