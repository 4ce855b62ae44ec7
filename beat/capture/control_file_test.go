//go:build !integration && (cgo || windows)

package capture

import (
	"errors"
	"testing"
	"time"

	"github.com/google/gopacket"
)

// TestFileSourceControl: a filter set mid-file applies from the next frame;
// a pause stops reading without skipping a frame; Close ends a pause.
func TestFileSourceControl(t *testing.T) {
	type frame struct {
		ci   gopacket.CaptureInfo
		data []byte
	}
	src, err := OpenFile(captures("mixed.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	var all []frame
	for {
		d, ci, err := src.ReadPacket()
		if err != nil {
			break
		}
		all = append(all, frame{ci, append([]byte(nil), d...)})
	}
	src.Close()
	tcp, err := CompileFilter(src.LinkType(), 262144, "tcp")
	if err != nil {
		t.Fatal(err)
	}
	const before = 10
	want := before
	for _, f := range all[before:] {
		if tcp.Matches(f.ci, f.data) {
			want++
		}
	}
	if want == before || want == len(all) {
		t.Fatalf("mixed.pcapng: %d of %d frames after the first %d are tcp; the test needs some of both", want-before, len(all)-before, before)
	}

	s, err := OpenFile(captures("mixed.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < before; i++ {
		if _, _, err := s.ReadPacket(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetFilter("tcp and"); err == nil || s.Filter() != "" {
		t.Fatalf("invalid filter: %v, filter now %q", err, s.Filter())
	}
	if err := s.SetFilter("tcp"); err != nil || s.Filter() != "tcp" {
		t.Fatalf("SetFilter(tcp): %v, %q", err, s.Filter())
	}

	// Paused, the reader waits; resumed, it reads the next frame.
	if err := s.Pause(); err != nil || !s.Paused() {
		t.Fatalf("Pause: %v, paused %v", err, s.Paused())
	}
	got := make(chan error, 1)
	go func() { _, _, err := s.ReadPacket(); got <- err }()
	select {
	case err := <-got:
		t.Fatalf("ReadPacket returned while paused: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := s.Resume(); err != nil || s.Paused() {
		t.Fatalf("Resume: %v, paused %v", err, s.Paused())
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("ReadPacket after Resume: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadPacket still blocked after Resume")
	}
	n := before + 1
	for {
		_, _, err := s.ReadPacket()
		if err != nil {
			break
		}
		n++
	}
	if n != want {
		t.Fatalf("read %d frames: %d unfiltered, then %d tcp ones; want %d", n, before, n-before, want)
	}
	if st := s.Stats(); st.Filtered != uint64(len(all)-want) {
		t.Fatalf("filtered %d, want %d", st.Filtered, len(all)-want)
	}

	// Close ends a pause: the reader gets ErrClosed.
	c, err := OpenFile(captures("mixed.pcapng"), WithFilterExpr("udp"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Filter() != "udp" {
		t.Fatalf("WithFilterExpr: %q", c.Filter())
	}
	_ = c.Pause()
	go func() { _, _, err := c.ReadPacket(); got <- err }()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	select {
	case err := <-got:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("ReadPacket of a paused source after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the pause")
	}
}

// TestFilePacingSkipsPauses: a paced replay does not rush to catch up the
// time it spent paused.
func TestFilePacingSkipsPauses(t *testing.T) {
	s, err := OpenFile(captures("icmp.pcap"), WithSpeed(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.ReadPacket(); err != nil {
		t.Fatal(err)
	}
	_ = s.Pause()
	time.Sleep(1200 * time.Millisecond) // longer than the whole capture (0.82 s)
	_ = s.Resume()
	start := time.Now()
	n, _ := readAll(t, s)
	if d := time.Since(start); n != 11 || d < 500*time.Millisecond {
		t.Fatalf("after a pause the remaining %d frames took %v; paced at speed 1 they span about 0.8 s", n, d)
	}
}
