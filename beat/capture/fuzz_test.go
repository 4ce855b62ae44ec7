//go:build !integration

package capture

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFileSource opens arbitrary bytes as a capture file: it must end with
// io.EOF or an error (wrapping ErrCorruptFile when the file was recognised),
// never panic or loop.
// Run: go test ./beat/capture -run '^$' -fuzz FuzzFileSource -fuzztime 5m
func FuzzFileSource(f *testing.F) {
	for _, c := range []string{"http4.pcap", "http6.pcapng", "truncated.pcap", "corrupt.pcap", "truncated.pcapng"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "captures", c))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.pcap")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := OpenFile(path)
		if err != nil {
			if !errors.Is(err, ErrCorruptFile) {
				t.Fatalf("open error does not wrap ErrCorruptFile: %v", err)
			}
			return
		}
		defer s.Close()
		for i := 0; i <= len(data); i++ { // every record takes >= 16 bytes
			d, _, err := s.ReadPacket()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if !errors.Is(err, ErrCorruptFile) {
					t.Fatalf("read error does not wrap ErrCorruptFile: %v", err)
				}
				return
			}
			if len(d) > len(data) {
				t.Fatalf("frame of %d bytes from a %d-byte file", len(d), len(data))
			}
		}
		t.Fatalf("more records than bytes: reader loops")
	})
}
