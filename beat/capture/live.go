package capture

import "time"

// LiveOptions configure a live capture. Zero values take the defaults below.
type LiveOptions struct {
	Device       string        // interface name; "any" captures all (Linux)
	Snaplen      int           // bytes kept per frame (default 65535)
	BufferSizeMB int           // kernel ring / libpcap buffer (default 30)
	Filter       string        // BPF expression (default: none)
	Promiscuous  bool          // put the interface in promiscuous mode (pcap)
	PollTimeout  time.Duration // how often a blocked read checks for Close (default 200ms)
}

func (o LiveOptions) withDefaults() LiveOptions {
	if o.Snaplen <= 0 {
		o.Snaplen = 65535
	}
	if o.BufferSizeMB <= 0 {
		o.BufferSizeMB = 30
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 200 * time.Millisecond
	}
	return o
}
