// Command mkbig writes a large classic pcap for the Kafka output benchmark
// (scripts/kafka/bench.sh) by repeating a small capture: copy i is shifted in
// time to follow copy i-1, the last copy keeping the input's own times (so
// every packet lies in the past: Kafka 4 rejects record timestamps more than
// 1 h in the future by default, log.message.timestamp.after.max.ms), and every TCP/UDP port >= 10000 (the client side
// of the test captures) is rotated by i*7919 within 10000..65535, so each
// copy opens new flows. L4 checksums are adjusted incrementally (RFC 1624),
// so they stay exactly as valid as in the input (loopback captures carry
// partial, offloaded checksums). Server ports (< 10000), ICMP and IP
// fragments after the first are copied unchanged.
//
//	go run ./tools/mkbig -in testdata/captures/mixed.pcapng -out .cache/bench/big.pcap -packets 1000000
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/netbeat/netbeat/internal/pcapfile"
)

type packet struct {
	ci   gopacket.CaptureInfo
	data []byte
}

func main() {
	in := flag.String("in", "testdata/captures/mixed.pcapng", "input capture (pcap or pcapng, Ethernet)")
	out := flag.String("out", ".cache/bench/big.pcap", "output pcap")
	n := flag.Int("packets", 1000000, "minimum number of packets to write")
	flag.Parse()
	if err := run(*in, *out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "mkbig:", err)
		os.Exit(1)
	}
}

func run(in, out string, n int) error {
	pkts, err := readAll(in)
	if err != nil {
		return err
	}
	if len(pkts) == 0 {
		return errors.New(in + ": no packets")
	}
	span := pkts[len(pkts)-1].ci.Timestamp.Sub(pkts[0].ci.Timestamp) + 100*time.Millisecond
	w, err := pcapfile.Create(out, 262144, layers.LinkTypeEthernet, true)
	if err != nil {
		return err
	}
	copies := (n + len(pkts) - 1) / len(pkts)
	if err := writeCopies(w, pkts, copies, span); err != nil {
		w.Abort()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Printf("mkbig: %s: %d packets (%d copies of %s), %s of capture time\n",
		out, copies*len(pkts), copies, in, time.Duration(copies)*span)
	return nil
}

// writeCopies writes pkts copies times, each copy with its own client ports
// and shifted by span, the last copy ending at the input's own time.
func writeCopies(w *pcapfile.Writer, pkts []packet, copies int, span time.Duration) error {
	buf := make([]byte, 65536)
	for i := 0; i < copies; i++ {
		for _, p := range pkts {
			b := buf[:len(p.data)]
			copy(b, p.data)
			rotatePorts(b, uint16(i*7919%55536)) //nolint:gosec // < 55536
			ci := p.ci
			ci.Timestamp = ci.Timestamp.Add(time.Duration(i-copies+1) * span)
			if err := w.WritePacket(ci, b); err != nil {
				return err
			}
		}
	}
	return nil
}

func readAll(path string) ([]packet, error) {
	src, f, err := pcapfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pkts []packet
	for {
		data, ci, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return pkts, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		pkts = append(pkts, packet{ci: ci, data: append([]byte(nil), data...)})
	}
}

// rotatePorts maps every TCP/UDP port p >= 10000 of an Ethernet frame to
// 10000 + (p-10000+off) mod 55536 and fixes the L4 checksum.
func rotatePorts(b []byte, off uint16) {
	if len(b) < 14 {
		return
	}
	et, l3 := binary.BigEndian.Uint16(b[12:]), 14
	if et == 0x8100 && len(b) >= 18 {
		et, l3 = binary.BigEndian.Uint16(b[16:]), 18
	}
	var proto byte
	var l4 int
	switch et {
	case 0x0800:
		if len(b) < l3+20 || binary.BigEndian.Uint16(b[l3+6:])&0x1fff != 0 {
			return // not the first fragment
		}
		proto, l4 = b[l3+9], l3+int(b[l3]&0x0f)*4
	case 0x86dd:
		if len(b) < l3+40 {
			return
		}
		proto, l4 = b[l3+6], l3+40
	default:
		return
	}
	csum := -1
	switch proto {
	case 6:
		csum = l4 + 16
	case 17:
		csum = l4 + 6
	default:
		return
	}
	if len(b) < csum+2 {
		return
	}
	for _, at := range []int{l4, l4 + 2} {
		p := binary.BigEndian.Uint16(b[at:])
		if p < 10000 {
			continue
		}
		np := uint16(10000 + (uint32(p)-10000+uint32(off))%55536) //nolint:gosec // < 65536
		binary.BigEndian.PutUint16(b[at:], np)
		hc := binary.BigEndian.Uint16(b[csum:])
		if proto == 17 && hc == 0 && et == 0x0800 {
			continue // IPv4 UDP without checksum
		}
		binary.BigEndian.PutUint16(b[csum:], fixChecksum(hc, p, np))
	}
}

// fixChecksum is RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
func fixChecksum(hc, old, repl uint16) uint16 {
	s := uint32(^hc) + uint32(^old) + uint32(repl)
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
