//go:build linux && cgo

package capture

import (
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/gopacket"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// AFPacketSource captures from a Linux interface through a TPACKET_V3
// memory-mapped ring.
type AFPacketSource struct {
	name     string
	sock     *tpSocket
	ring     tpRing
	poll     int // poll timeout in ms
	vlan     []byte
	closed   atomic.Bool
	received atomic.Uint64
	drained  uint64        // frames discarded before the user's filter was attached (set at open)
	ctl      filterControl // runtime filter changes and pause (control_linux.go)
}

// tpSocket owns the socket and its ring mapping. Stats (any goroutine) and
// the reader's release share it under mu, so counters are never read from a
// closed (or reused) descriptor.
type tpSocket struct {
	mu      sync.Mutex
	fd      int
	mem     []byte
	dropped uint64 // ring drops, summed: PACKET_STATISTICS resets on read
}

// rejectAll is "ret #0": the filter that accepts no frame.
var rejectAll = []bpf.RawInstruction{{Op: 0x06, K: 0}}

// OpenAFPacket opens a live capture on device ("any" for all interfaces).
//
// The socket is created with protocol 0, so it receives nothing until bind.
// When a filter is configured, a reject-all filter is attached before bind,
// the ring is drained (frames found there are counted as FilterDrained, not
// delivered), and only then is the user's filter attached: no frame reaches
// netbeat without having passed the user's filter. This is libpcap's
// sequence (pcap-linux.c, set_kernel_filter).
func OpenAFPacket(o LiveOptions) (Source, error) {
	o = o.withDefaults()
	var user []bpf.RawInstruction
	if o.Filter != "" {
		var err error
		if user, err = compileRaw(1, o.Snaplen, o.Filter); err != nil {
			return nil, err
		}
	}
	ifindex := 0
	if o.Device != "" && o.Device != "any" {
		iface, err := net.InterfaceByName(o.Device)
		if err != nil {
			return nil, errorf("opening AF_PACKET socket on %q failed: %w (check the interface exists: `netbeat devices`)", o.Device, err)
		}
		ifindex = iface.Index
	}
	frame := pageAlign(o.Snaplen + 128)
	block := ringBlock(frame)
	nblocks := o.BufferSizeMB * 1024 * 1024 / block
	if nblocks < 2 {
		nblocks = 2
	}

	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, errorf("opening AF_PACKET socket on %q failed: %w: netbeat needs CAP_NET_RAW (run as root or `setcap cap_net_raw,cap_net_admin=eip netbeat`)", o.Device, err)
		}
		return nil, errorf("opening AF_PACKET socket on %q failed: %w", o.Device, err)
	}
	sock := &tpSocket{fd: fd}
	fail := func(doing string, err error) (Source, error) {
		sock.close()
		return nil, errorf("%s on %q failed: %w", doing, o.Device, err)
	}
	if user != nil {
		if err := attachFilter(fd, rejectAll); err != nil {
			return fail("attaching the reject-all BPF filter", err)
		}
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return fail("selecting TPACKET_V3", err)
	}
	req := unix.TpacketReq3{
		Block_size: uint32(block), Block_nr: uint32(nblocks),
		Frame_size: uint32(frame), Frame_nr: uint32(block / frame * nblocks),
		Retire_blk_tov: 10, // ms; see ringBlock
	}
	if err := unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return fail("setting up the TPACKET_V3 ring", err)
	}
	if sock.mem, err = unix.Mmap(fd, 0, block*nblocks, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return fail("mapping the TPACKET_V3 ring", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifindex}); err != nil {
		return fail("binding the AF_PACKET socket", err)
	}
	s := &AFPacketSource{
		name: o.Device, sock: sock, poll: int(o.PollTimeout / time.Millisecond),
		ctl:  filterControl{expr: o.Filter, snaplen: o.Snaplen},
		ring: tpRing{buf: sock.mem, blockSize: block, nblocks: nblocks},
	}
	if user != nil {
		s.drained = s.ring.drain()
		if err := attachFilter(fd, user); err != nil {
			return fail("attaching BPF filter "+quote(o.Filter), err)
		}
	}
	// Start the drop counter from zero, as libpcap does at activation.
	_, _ = unix.GetsockoptTpacketStatsV3(fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	// A source closed without a reader to release it still frees the ring.
	runtime.AddCleanup(s, (*tpSocket).close, sock)
	return s, nil
}

func attachFilter(fd int, prog []bpf.RawInstruction) error {
	ins := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		ins[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &unix.SockFprog{Len: uint16(len(ins)), Filter: &ins[0]})
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func quote(s string) string { return `"` + s + `"` }

// ringBlock sizes a TPACKET_V3 block: about 1 MiB, a multiple of the frame
// size (gopacket requires it). The kernel retires a block when it is full or
// after the 10 ms block timeout, so the ring absorbs a stall of the reader
// of at least nblocks × 10 ms: with blocks of frame×128 (8.5 MiB at the
// default snaplen, Packetbeat's sizing) a 30 MiB buffer was 3 blocks, 30 ms,
// and dropped packets at 50,000 packets/s (issue #7 live-rate test).
func ringBlock(frame int) int {
	const target = 1 << 20
	if frame >= target {
		return frame
	}
	return target / frame * frame
}

func pageAlign(n int) int {
	const page = 4096
	return (n + page - 1) / page * page
}

// Name returns the device.
func (s *AFPacketSource) Name() string { return s.name }

// LinkType is Ethernet: AF_PACKET raw sockets deliver link-layer frames.
func (s *AFPacketSource) LinkType() uint32 { return 1 }

// ReadPacket blocks until a frame arrives or the source is closed. The
// outgoing copy of a loopback frame is skipped (see tpFrame.loopbackCopy).
func (s *AFPacketSource) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	for {
		if s.closed.Load() {
			s.sock.close()
			return nil, gopacket.CaptureInfo{}, ErrClosed
		}
		f, ok := s.ring.next()
		if !ok {
			if s.ctl.drainClose.Load() { // CloseDrained: the ring is empty
				s.closed.Store(true)
				continue
			}
			if err := s.wait(); err != nil {
				return nil, gopacket.CaptureInfo{}, errorf("reading from AF_PACKET socket on %q failed: %w", s.name, err)
			}
			continue
		}
		if f.loopbackCopy() {
			continue
		}
		s.received.Add(1)
		data, length := f.data, f.length
		if f.status&unix.TP_STATUS_VLAN_VALID != 0 && len(data) >= 12 {
			data, length = s.withVLAN(&f), length+4
		}
		return data, gopacket.CaptureInfo{
			Timestamp: time.Unix(int64(f.sec), int64(f.nsec)), CaptureLength: len(data),
			Length: length, InterfaceIndex: f.ifindex,
		}, nil
	}
}

// withVLAN puts back the 802.1Q tag the kernel stripped into tp_vlan_tci.
func (s *AFPacketSource) withVLAN(f *tpFrame) []byte {
	tpid := uint16(0x8100)
	if f.status&unix.TP_STATUS_VLAN_TPID_VALID != 0 && f.vlanTP != 0 {
		tpid = f.vlanTP
	}
	b := append(s.vlan[:0], f.data[:12]...)
	b = append(b, byte(tpid>>8), byte(tpid), byte(f.vlanTCI>>8), byte(f.vlanTCI))
	b = append(b, f.data[12:]...)
	s.vlan = b
	return b
}

// wait polls the socket until the kernel retires a block or the poll
// timeout passes (so Close is noticed).
func (s *AFPacketSource) wait() error {
	pfd := []unix.PollFd{{Fd: int32(s.sock.fd), Events: unix.POLLIN | unix.POLLERR}}
	_, err := unix.Poll(pfd, s.poll)
	if err != nil && err != unix.EINTR {
		return err
	}
	if pfd[0].Revents&unix.POLLERR != 0 {
		if e, gerr := unix.GetsockoptInt(s.sock.fd, unix.SOL_SOCKET, unix.SO_ERROR); gerr == nil && e != 0 {
			return unix.Errno(e)
		}
	}
	return nil
}

// Stats returns kernel counters: frames received and dropped by the ring,
// and frames drained before the filter was attached.
func (s *AFPacketSource) Stats() Stats {
	return Stats{Received: s.received.Load(), Dropped: s.sock.drops(), FilterDrained: s.drained}
}

func (t *tpSocket) drops() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.readDrops()
	return t.dropped
}

func (t *tpSocket) readDrops() {
	if t.fd < 0 {
		return
	}
	if st, err := unix.GetsockoptTpacketStatsV3(t.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS); err == nil {
		t.dropped += uint64(st.Drops)
	}
}

// close keeps the last drop count for the final summary, then unmaps the
// ring and closes the socket. It may be called more than once.
func (t *tpSocket) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fd < 0 {
		return
	}
	t.readDrops()
	if t.mem != nil {
		_ = unix.Munmap(t.mem)
		t.mem = nil
	}
	_ = unix.Close(t.fd)
	t.fd = -1
}

// Close stops the capture; the reading goroutine releases the ring.
func (s *AFPacketSource) Close() error {
	s.closed.Store(true)
	return nil
}
