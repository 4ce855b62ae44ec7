//go:build cgo || windows

package capture

import (
	"sync/atomic"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcap"
)

// PcapSource captures through libpcap (Linux, macOS) or Npcap (Windows).
type PcapSource struct {
	name     string
	h        *pcap.Handle
	lt       uint32
	closed   atomic.Bool
	received atomic.Uint64
	dropped  atomic.Uint64 // libpcap counters last read, kept after Close for the final summary
	ifDrop   atomic.Uint64
	ctl      pcapControl // pause and filter changes (control_pcap.go)
}

// OpenPcap opens a live libpcap/Npcap capture.
func OpenPcap(o LiveOptions) (Source, error) {
	o = o.withDefaults()
	if err := pcapAvailable(); err != nil {
		return nil, err
	}
	in, err := pcap.NewInactiveHandle(o.Device)
	if err != nil {
		return nil, errorf("opening pcap device %q failed: %w (list devices with `netbeat devices`)", o.Device, err)
	}
	defer in.CleanUp()
	_ = in.SetSnapLen(o.Snaplen)
	_ = in.SetPromisc(o.Promiscuous)
	_ = in.SetTimeout(o.PollTimeout)
	_ = in.SetBufferSize(o.BufferSizeMB * 1024 * 1024)
	h, err := in.Activate()
	if err != nil {
		return nil, errorf("activating pcap capture on %q failed: %w (needs CAP_NET_RAW/administrator rights)", o.Device, err)
	}
	if o.Filter != "" {
		if err := h.SetBPFFilter(o.Filter); err != nil {
			h.Close()
			return nil, errorf("BPF filter %q is invalid for %q: %w", o.Filter, o.Device, err)
		}
	}
	s := &PcapSource{name: o.Device, h: h, lt: uint32(h.LinkType())}
	s.ctl.expr = o.Filter
	return s, nil
}

// Name returns the device.
func (s *PcapSource) Name() string { return s.name }

// LinkType returns the device's link type.
func (s *PcapSource) LinkType() uint32 { return s.lt }

// ReadPacket blocks until a frame arrives or the source is closed.
func (s *PcapSource) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	for {
		if s.closed.Load() {
			s.ctl.hmu.Lock()
			s.readDrops()
			s.h.Close()
			s.ctl.hmu.Unlock()
			return nil, gopacket.CaptureInfo{}, ErrClosed
		}
		s.ctl.hmu.Lock()
		data, ci, err := s.h.ZeroCopyReadPacketData()
		s.ctl.hmu.Unlock()
		if err == nil {
			if !s.admit(ci.Timestamp) {
				continue
			}
			s.received.Add(1)
			return data, ci, nil
		}
		if err == pcap.NextErrorTimeoutExpired {
			s.idle()
			continue
		}
		return nil, ci, errorf("reading from pcap device %q failed: %w", s.name, err)
	}
}

// Stats returns libpcap's received/dropped counters.
func (s *PcapSource) Stats() Stats {
	if !s.closed.Load() {
		s.readDrops()
	}
	return Stats{Received: s.received.Load(), Dropped: s.dropped.Load(), IfDropped: s.ifDrop.Load(), Filtered: s.ctl.discarded.Load()}
}

func (s *PcapSource) readDrops() {
	if ps, err := s.h.Stats(); err == nil {
		s.dropped.Store(uint64(ps.PacketsDropped))
		s.ifDrop.Store(uint64(ps.PacketsIfDropped))
	}
}

// Close stops the capture; the reading goroutine releases the handle.
func (s *PcapSource) Close() error {
	s.closed.Store(true)
	return nil
}
