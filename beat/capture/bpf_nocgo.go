//go:build !cgo && !windows

package capture

// CompileFilter needs libpcap: this build was made with CGO_ENABLED=0.
func CompileFilter(linkType uint32, snaplen int, expr string) (Filter, error) {
	return nil, errorf("BPF filter %q: %w: filters need libpcap; build netbeat with CGO_ENABLED=1 and libpcap-dev", expr, ErrNotSupported)
}
