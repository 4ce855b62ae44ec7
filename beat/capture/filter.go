package capture

import "github.com/google/gopacket"

// Filter decides whether a frame matches a BPF expression.
type Filter interface {
	Matches(ci gopacket.CaptureInfo, data []byte) bool
}
