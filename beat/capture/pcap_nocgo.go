//go:build !cgo && !windows

package capture

// OpenPcap needs libpcap: this build was made with CGO_ENABLED=0.
func OpenPcap(o LiveOptions) (Source, error) {
	return nil, errorf("pcap capture on %q: %w: build netbeat with CGO_ENABLED=1 and libpcap-dev", o.Device, ErrNotSupported)
}
