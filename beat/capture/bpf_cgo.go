//go:build cgo || windows

package capture

import (
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcap"
	"golang.org/x/net/bpf"
)

// CompileFilter compiles a BPF expression (tcpdump syntax) for frames of the
// given link type, as libpcap would for a live capture.
func CompileFilter(linkType uint32, snaplen int, expr string) (Filter, error) {
	if linkType > 255 {
		return nil, errorf("BPF filter %q: link type %d cannot be compiled by gopacket (it stores link types in 8 bits); filter the capture with tcpdump -r first", expr, linkType)
	}
	b, err := pcap.NewBPF(layers.LinkType(linkType), snaplen, expr)
	if err != nil {
		return nil, errorf("BPF filter %q is invalid: %w", expr, err)
	}
	return b, nil
}

// compileRaw compiles expr to kernel BPF instructions (AF_PACKET sockets).
func compileRaw(linkType uint32, snaplen int, expr string) ([]bpf.RawInstruction, error) {
	ins, err := pcap.CompileBPFFilter(layers.LinkType(linkType), snaplen, expr)
	if err != nil {
		return nil, errorf("BPF filter %q is invalid: %w", expr, err)
	}
	raw := make([]bpf.RawInstruction, len(ins))
	for i, in := range ins {
		raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return raw, nil
}
