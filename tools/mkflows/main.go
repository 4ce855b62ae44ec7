// Command mkflows writes a classic pcap holding N concurrent synthetic TCP
// flows, for the flow-table memory test (scripts/compare/memflows.sh,
// issue #7): every flow opens with a SYN, then each flow gets a SYN-ACK
// from the server, then (with -close) a RST from the client. The SYNs of
// all flows come before any SYN-ACK, so at the middle of the file all N
// flows are open at once; all packets of the file lie within -span (default
// 20 s, under netbeat's default 30 s idle timeout), so no flow expires
// before the table holds all of them.
//
// Client i is 10.a.b.c (i+1 as a 24-bit number) port 1024+i%60000, the
// server 192.0.2.1:443; every 5-tuple is distinct up to 16.7M flows.
// Checksums are computed (gopacket's SerializeOptions), so tshark reads the
// file as valid TCP.
//
//	go run ./tools/mkflows -flows 1000000 -out .cache/bench/flows1m.pcap
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/netbeat/netbeat/internal/pcapfile"
)

func main() {
	n := flag.Int("flows", 100000, "number of concurrent flows (1..16777214)")
	out := flag.String("out", ".cache/bench/flows.pcap", "output pcap")
	span := flag.Duration("span", 20*time.Second, "capture time the whole file covers")
	closeFlows := flag.Bool("close", false, "end every flow with a client RST after all SYN-ACKs")
	flag.Parse()
	if *n < 1 || *n > 1<<24-2 {
		fmt.Fprintln(os.Stderr, "mkflows: -flows must be in 1..16777214")
		os.Exit(2)
	}
	if err := run(*n, *out, *span, *closeFlows); err != nil {
		fmt.Fprintln(os.Stderr, "mkflows:", err)
		os.Exit(1)
	}
}

func run(n int, out string, span time.Duration, closeFlows bool) error {
	w, err := pcapfile.Create(out, 128, layers.LinkTypeEthernet, false)
	if err != nil {
		return err
	}
	total, err := writeFlows(w, n, span, closeFlows)
	if err != nil {
		w.Abort()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Printf("mkflows: %s: %d flows, %d packets, %v of capture time\n", out, n, total, span)
	return nil
}

// writeFlows writes the packets of n flows and returns how many it wrote.
func writeFlows(w *pcapfile.Writer, n int, span time.Duration, closeFlows bool) (int, error) {
	phases := 2
	if closeFlows {
		phases = 3
	}
	total := phases * n
	step := span / time.Duration(total)
	ts := time.Now().Add(-time.Hour).Truncate(time.Second) // in the past, as real captures are
	server := net.IP{192, 0, 2, 1}
	cmac := net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	smac := net.HardwareAddr{0x02, 0, 0, 0, 0, 2}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	for phase := 0; phase < phases; phase++ {
		for i := 0; i < n; i++ {
			c := uint32(i + 1)
			client := net.IP{10, byte(c >> 16), byte(c >> 8), byte(c)}
			cport := layers.TCPPort(1024 + i%60000)
			eth := &layers.Ethernet{SrcMAC: cmac, DstMAC: smac, EthernetType: layers.EthernetTypeIPv4}
			ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: client, DstIP: server, Id: uint16(i)}
			tcp := &layers.TCP{SrcPort: cport, DstPort: 443, Seq: c, Window: 64240}
			switch phase {
			case 0:
				tcp.SYN = true
			case 1:
				eth.SrcMAC, eth.DstMAC = smac, cmac
				ip.SrcIP, ip.DstIP = server, client
				tcp.SrcPort, tcp.DstPort = 443, cport
				tcp.SYN, tcp.ACK, tcp.Seq, tcp.Ack = true, true, c*7, c+1
			case 2:
				tcp.RST, tcp.Seq = true, c+1
			}
			if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
				return 0, err
			}
			if err := gopacket.SerializeLayers(buf, opts, eth, ip, tcp); err != nil {
				return 0, err
			}
			data := buf.Bytes()
			if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(data)}, data); err != nil {
				return 0, err
			}
			ts = ts.Add(step)
		}
	}
	return total, nil
}
