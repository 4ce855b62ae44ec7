// Package pcapfile reads and writes capture files for the benchmark tools
// (tools/mkbig, tools/mkflows, tools/decodeonly) with gopacket's pcapgo
// alone. Open reads pcap or pcapng; Create writes atomically: into
// <path>.tmp, renamed to path by Close once every packet is on disk, so an
// interrupted run never leaves a short capture under the final name (the
// scripts reuse existing files).
package pcapfile

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// Writer is a pcap writer on a buffered temporary file.
type Writer struct {
	*pcapgo.Writer
	f    *os.File
	bw   *bufio.Writer
	path string
}

// Create creates path's directory and <path>.tmp and writes the file
// header; nanos selects nanosecond timestamps.
func Create(path string, snaplen uint32, lt layers.LinkType, nanos bool) (*Writer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, bw: bufio.NewWriterSize(f, 1<<20), path: path}
	if nanos {
		w.Writer = pcapgo.NewWriterNanos(w.bw)
	} else {
		w.Writer = pcapgo.NewWriter(w.bw)
	}
	if err := w.WriteFileHeader(snaplen, lt); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

// Close flushes and closes the temporary file and renames it to the final
// path.
func (w *Writer) Close() error {
	if err := w.bw.Flush(); err != nil {
		w.Abort()
		return err
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.f.Name())
		return err
	}
	return os.Rename(w.f.Name(), w.path)
}

// Abort closes and removes the temporary file (after a failed write).
func (w *Writer) Abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// Reader is what both pcapgo readers (pcap and pcapng) provide.
type Reader interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	LinkType() layers.LinkType
}

// Open opens a pcap or pcapng file (told apart by its magic number) behind
// a 1 MiB read buffer; the caller closes the returned file.
func Open(name string) (Reader, *os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(f, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a capture file: %w", name, err)
	}
	var r Reader
	if string(magic) == "\x0a\x0d\x0d\x0a" {
		r, err = pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
	} else {
		r, err = pcapgo.NewReader(br)
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, f, nil
}

// RecordOffsets returns the offsets of the record headers of a classic pcap
// file's bytes b (24-byte file header, then 16-byte record headers whose
// included length, at offset 8, is read with bo), for tests and tools that
// edit captures in place. A record cut short by the end of b is listed.
func RecordOffsets(b []byte, bo binary.ByteOrder) []int {
	var recs []int
	for off := 24; off+16 <= len(b); off += 16 + int(bo.Uint32(b[off+8:])) {
		recs = append(recs, off)
	}
	return recs
}
