package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/pcapgo"
)

// ErrCorruptFile is wrapped by the errors a file source returns when the file
// is truncated or damaged. The message names the file, packet and byte offset.
var ErrCorruptFile = errors.New("capture file is damaged or truncated")

// ErrIsDirectory is returned by OpenFile when the path names a directory.
var ErrIsDirectory = errors.New("not a capture file")

type packetReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// countingReader counts the bytes the pcap reader consumed.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// FileSource replays a pcap or pcapng file.
type FileSource struct {
	path     string
	f        *os.File
	cr       *countingReader
	br       *bufio.Reader
	ngBE     bool // pcapng section is big-endian
	rd       packetReader
	linkType uint32
	format   string
	speed    float64
	filter   Filter
	packet   uint64 // frames read so far
	lastOff  int64  // offset after the last good frame
	first    time.Time
	start    time.Time
	closed   atomic.Bool
	received atomic.Uint64
	filtered atomic.Uint64
	ctl      fileControl // pause and filter changes (control_file.go)
}

// FileOpt configures OpenFile.
type FileOpt func(*FileSource)

// WithSpeed replays at the recorded pace times factor (1 = as recorded, 2 =
// twice as fast). The default, 0, reads as fast as possible.
func WithSpeed(factor float64) FileOpt { return func(s *FileSource) { s.speed = factor } }

// WithFilter drops frames the BPF filter rejects (default: none).
func WithFilter(f Filter) FileOpt { return func(s *FileSource) { s.filter = f } }

// OpenFile opens a pcap (optionally gzip-compressed) or pcapng file.
func OpenFile(path string, opts ...FileOpt) (*FileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errorf("opening capture file failed: %w", err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, errorf("file %q is a directory: %w; name a pcap or pcapng file in it", path, ErrIsDirectory)
	}
	s := &FileSource{path: path, f: f}
	for _, o := range opts {
		o(s)
	}
	// file → countingReader → bufio (shared with pcapgo, which reuses a large
	// enough *bufio.Reader) so that consumed = counted - buffered.
	s.cr = &countingReader{r: f}
	br := bufio.NewReaderSize(s.cr, 1<<20)
	s.br = br
	magic, err := br.Peek(24)
	if err != nil && len(magic) < 4 {
		f.Close()
		return nil, errorf("file %q: reading the file header failed (%d bytes in file): %w: the file is empty or not a capture", path, len(magic), ErrCorruptFile)
	}
	switch {
	case binary.LittleEndian.Uint32(magic) == 0x0A0D0D0A:
		s.format = "pcapng"
		s.ngBE = len(magic) >= 12 && binary.BigEndian.Uint32(magic[8:12]) == 0x1A2B3C4D
		ng, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{})
		if err != nil {
			f.Close()
			return nil, errorf("file %q: reading the pcapng section header failed: %v: %w", path, err, ErrCorruptFile)
		}
		s.rd = ng
		s.linkType = uint32(ng.LinkType())
		if s.linkType == 276&0xff { // gopacket keeps link types in a uint8: 20 is LINKTYPE_LINUX_SLL2 truncated
			s.linkType = 276
		}
	default:
		s.format = "pcap"
		r, err := newPcapReader(br)
		if err != nil {
			f.Close()
			return nil, errorf("file %q is neither pcap nor pcapng (%v): %w; check the path, or convert it with `editcap -F pcap`", path, err, ErrCorruptFile)
		}
		s.linkType = r.linkType
		s.rd = r
	}
	s.lastOff = s.consumed()
	return s, nil
}

// consumed is the offset of the next byte the pcap reader will parse.
func (s *FileSource) consumed() int64 { return s.cr.n - int64(s.br.Buffered()) }

// ngTail walks the pcapng blocks after the last packet: it returns the offset
// of a block that is cut short, or -1 when the file ends on a block boundary.
// (gopacket's pcapng reader reports io.EOF for both cases.)
func (s *FileSource) ngTail(off int64) int64 {
	st, err := s.f.Stat()
	if err != nil {
		return off
	}
	size := st.Size()
	var hdr [8]byte
	for off < size {
		if n, _ := s.f.ReadAt(hdr[:], off); n < 8 {
			return off
		}
		l := int64(binary.LittleEndian.Uint32(hdr[4:8]))
		if s.ngBE {
			l = int64(binary.BigEndian.Uint32(hdr[4:8]))
		}
		if l < 12 || off+l > size {
			return off
		}
		off += l
	}
	return -1
}

// Name returns the file path.
func (s *FileSource) Name() string { return s.path }

// Format returns "pcap" or "pcapng".
func (s *FileSource) Format() string { return s.format }

// LinkType returns the file's link type.
func (s *FileSource) LinkType() uint32 { return s.linkType }

// ReadPacket returns the next frame, io.EOF at a clean end of file, or an
// error wrapping ErrCorruptFile that names the packet number and offset.
func (s *FileSource) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	for {
		s.waitResumed()
		if s.closed.Load() {
			return nil, gopacket.CaptureInfo{}, ErrClosed
		}
		data, ci, err := s.rd.ZeroCopyReadPacketData()
		if err != nil {
			if s.closed.Load() {
				return nil, ci, ErrClosed
			}
			if err == io.EOF {
				if s.format == "pcap" && s.consumed() == s.lastOff {
					return nil, ci, io.EOF
				}
				if s.format == "pcapng" {
					bad := s.ngTail(s.lastOff)
					if bad < 0 {
						return nil, ci, io.EOF
					}
					s.lastOff = bad
				}
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, ci, errorf("file %q: reading packet %d at byte offset %d failed: %v: %w (%d packets before it were read)",
				s.path, s.packet+1, s.lastOff, err, ErrCorruptFile, s.packet)
		}
		s.packet++
		s.lastOff = s.consumed()
		if f := s.currentFilter(); f != nil && !f.Matches(ci, data) {
			s.filtered.Add(1)
			continue
		}
		s.received.Add(1)
		s.pace(ci.Timestamp)
		return data, ci, nil
	}
}

// pace sleeps to reproduce the recorded inter-packet gaps divided by speed.
func (s *FileSource) pace(ts time.Time) {
	if s.speed <= 0 {
		return
	}
	if s.first.IsZero() {
		s.first, s.start = ts, time.Now()
		return
	}
	due := s.start.Add(time.Duration(float64(ts.Sub(s.first))/s.speed) + time.Duration(s.ctl.pausedNs.Load()))
	if d := time.Until(due); d > 0 {
		time.Sleep(d)
	}
}

// Stats returns frames read and filtered; files never drop.
func (s *FileSource) Stats() Stats {
	return Stats{Received: s.received.Load(), Filtered: s.filtered.Load()}
}

// Close closes the file.
func (s *FileSource) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.ctl.mu.Lock()
	s.release() // a paused reader sees the close
	s.ctl.mu.Unlock()
	return s.f.Close()
}
