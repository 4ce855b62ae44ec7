package decode

import "errors"

// ErrUnsupportedLinkType is returned by New when a capture's link type is not
// one netbeat decodes (Ethernet, Linux SLL/SLL2, BSD loopback, raw IP).
var ErrUnsupportedLinkType = errors.New("decode: unsupported link type")

// Stats counts what a Decoder saw. Fields only grow.
type Stats struct {
	Packets     uint64 // frames decoded
	Bytes       uint64 // original bytes of those frames
	Malformed   uint64 // frames with a layer that failed to decode
	Truncated   uint64 // frames shorter than their headers claim (snaplen)
	Unsupported uint64 // frames whose stack stopped at a layer netbeat does not decode
	Fragments   uint64 // IPv4/IPv6 fragments
	Panics      uint64 // frames on which a layer decoder panicked (counted as malformed too)
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Packets += o.Packets
	s.Bytes += o.Bytes
	s.Malformed += o.Malformed
	s.Truncated += o.Truncated
	s.Unsupported += o.Unsupported
	s.Fragments += o.Fragments
	s.Panics += o.Panics
}
