//go:build !integration && !cgo && !windows

package capture

import (
	"errors"
	"strings"
	"testing"
)

// TestFileSetFilterWithoutCgo: a build without libpcap cannot compile a
// filter; set_filter fails with the reason and changes nothing, while
// pause and resume work.
func TestFileSetFilterWithoutCgo(t *testing.T) {
	s, err := OpenFile(captures("icmp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.SetFilter("icmp")
	if !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "CGO_ENABLED=1") || s.Filter() != "" {
		t.Fatalf("SetFilter without cgo: %v (filter %q)", err, s.Filter())
	}
	if err := s.Pause(); err != nil || !s.Paused() {
		t.Fatal("Pause", err)
	}
	if err := s.Resume(); err != nil || s.Paused() {
		t.Fatal("Resume", err)
	}
	if n, _ := readAll(t, s); n != 12 {
		t.Fatalf("read %d frames after a failed SetFilter, want all 12", n)
	}
}
