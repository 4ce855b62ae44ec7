// Package capture reads frames from capture files (pcap, pcapng) and live
// interfaces (AF_PACKET on Linux, libpcap/Npcap elsewhere).
//
// A Source is used by one goroutine: ReadPacket's data is valid only until the
// next call. Stats may be called from any goroutine.
package capture

import (
	"errors"
	"fmt"

	"github.com/google/gopacket"
)

// Source is one stream of captured frames.
type Source interface {
	// Name identifies the source in logs, metrics and events (file path or interface).
	Name() string
	// LinkType is the LINKTYPE_* value of the frames (see package decode).
	LinkType() uint32
	// ReadPacket returns the next frame. It returns io.EOF at the end of a
	// file and ErrClosed after Close. Other errors describe what broke.
	ReadPacket() (data []byte, ci gopacket.CaptureInfo, err error)
	// Stats returns the counters of the source (kernel drops for live sources).
	Stats() Stats
	// Close releases the source; a blocked ReadPacket returns ErrClosed.
	Close() error
}

// Stats are a source's counters. Live sources fill Dropped/IfDropped from
// the kernel or libpcap; files report what they read.
type Stats struct {
	Received  uint64 // frames handed to netbeat
	Dropped   uint64 // frames the kernel/libpcap dropped (buffer full)
	IfDropped uint64 // frames the interface/driver dropped
	Filtered  uint64 // frames rejected by the BPF filter in user space (files)
	// FilterDrained counts frames a live source found queued while it
	// attached its BPF filter and discarded unread, because no filter had
	// judged them (AF_PACKET; see OpenAFPacket).
	FilterDrained uint64
}

// ErrClosed is returned by ReadPacket after Close.
var ErrClosed = errors.New("capture: source closed")

// ErrNotSupported is returned when a capture type is not available in this
// build or on this OS (e.g. af_packet off Linux, or libpcap without cgo).
var ErrNotSupported = errors.New("capture: not supported in this build")

func errorf(format string, args ...any) error {
	return fmt.Errorf("capture: "+format, args...)
}
