package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/google/gopacket"

	"github.com/netbeat/netbeat/beat/decode"
)

// maxRecord is the largest captured length a pcap record may claim and still
// be believed: libpcap's and Wireshark's maximum snapshot length for the link
// types netbeat decodes. A larger value means the record header is damaged
// and the framing of the rest of the file is lost.
const maxRecord = 262144

// pcapReader reads classic pcap files (optionally gzip-compressed) the way
// libpcap and tshark do, where gopacket's pcapgo stops: a snaplen of 0 in
// the file header means the maximum, and a record whose captured length
// exceeds the file's snaplen (or its original length, which the decoder
// checks) is read whole and marked with decode.RecordError, so the file is
// read on. Only a captured length beyond maxRecord stops the file.
type pcapReader struct {
	r        io.Reader
	order    binary.ByteOrder
	nanos    bool
	snaplen  uint32 // from the header, 0 kept as written
	linkType uint32 // the full 32-bit value, FCS bits masked off
	hdr      [16]byte
	buf      []byte
	ancil    [1]any
}

// pcap magic numbers, as read little-endian.
const (
	magicMicros     = 0xa1b2c3d4
	magicNanos      = 0xa1b23c4d
	magicMicrosSwap = 0xd4c3b2a1
	magicNanosSwap  = 0x4d3cb2a1
)

// newPcapReader reads the file header from br (a gzip stream is unpacked).
func newPcapReader(br *bufio.Reader) (*pcapReader, error) {
	r := &pcapReader{r: br}
	if m, err := br.Peek(2); err == nil && m[0] == 0x1f && m[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		r.r = gz
	}
	var h [24]byte
	if _, err := io.ReadFull(r.r, h[:]); err != nil {
		return nil, fmt.Errorf("reading the 24-byte file header failed: %w", err)
	}
	switch m := binary.LittleEndian.Uint32(h[:4]); m {
	case magicMicros, magicNanos:
		r.order = binary.LittleEndian
	case magicMicrosSwap, magicNanosSwap:
		r.order = binary.BigEndian
	default:
		return nil, fmt.Errorf("unknown magic %08x", m)
	}
	r.nanos = r.order.Uint32(h[:4]) == magicNanos
	if v := r.order.Uint16(h[4:6]); v != 2 {
		return nil, fmt.Errorf("unknown major version %d", v)
	}
	r.snaplen = r.order.Uint32(h[16:20])
	r.linkType = r.order.Uint32(h[20:24]) & 0x0fffffff // upper bits carry FCS info
	return r, nil
}

// effectiveSnaplen is the snaplen records are held to: libpcap treats 0 (and
// anything beyond the maximum) as the maximum.
func (r *pcapReader) effectiveSnaplen() uint32 {
	if r.snaplen == 0 || r.snaplen > maxRecord {
		return maxRecord
	}
	return r.snaplen
}

// ZeroCopyReadPacketData returns the next record's bytes (valid until the
// next call), io.EOF at a clean end, io.ErrUnexpectedEOF in a cut record.
func (r *pcapReader) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	var ci gopacket.CaptureInfo
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		return nil, ci, err
	}
	sec, frac := r.order.Uint32(r.hdr[0:4]), r.order.Uint32(r.hdr[4:8])
	incl, orig := r.order.Uint32(r.hdr[8:12]), r.order.Uint32(r.hdr[12:16])
	if r.nanos {
		ci.Timestamp = time.Unix(int64(sec), int64(frac)).UTC()
	} else {
		ci.Timestamp = time.Unix(int64(sec), int64(frac)*1000).UTC()
	}
	if incl > maxRecord {
		return nil, ci, fmt.Errorf("captured length %d exceeds the maximum of %d: the record header is damaged", incl, maxRecord)
	}
	ci.CaptureLength, ci.Length = int(incl), int(orig)
	if cap(r.buf) < int(incl) {
		r.buf = make([]byte, max(int(incl), 65536))
	}
	data := r.buf[:incl]
	if _, err := io.ReadFull(r.r, data); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, ci, err
	}
	if incl > r.effectiveSnaplen() {
		r.ancil[0] = decode.RecordError(fmt.Sprintf("captured length %d exceeds the file's snaplen %d", incl, r.snaplen))
		ci.AncillaryData = r.ancil[:]
	}
	return data, ci, nil
}
