//go:build !linux || !cgo

package capture

// OpenAFPacket is only available on Linux builds made with cgo.
func OpenAFPacket(o LiveOptions) (Source, error) {
	return nil, errorf("af_packet capture on %q: %w: AF_PACKET needs Linux and a cgo build; use type: pcap", o.Device, ErrNotSupported)
}
