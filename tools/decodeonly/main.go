// Command decodeonly is the ceiling rows of the side-by-side benchmark
// (scripts/compare/compare.sh, issue #7): it reads a pcap or pcapng file with
// gopacket's pcapgo reader (zero-copy) and, unless -raw, decodes every frame
// with gopacket's DecodingLayerParser (Ethernet, 802.1Q, IPv4, IPv6, TCP,
// UDP, ICMPv4/v6, ARP), doing nothing with the result but counting layers.
// No events, no pipeline, no output: what any gopacket-based tool pays at
// least per packet.
//
//	go run ./tools/decodeonly [-raw] FILE
package main

import (
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

func main() {
	raw := flag.Bool("raw", false, "only read the packets, do not decode")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: decodeonly [-raw] FILE")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *raw); err != nil {
		fmt.Fprintln(os.Stderr, "decodeonly:", err)
		os.Exit(1)
	}
}

func run(name string, raw bool) error {
	start := time.Now()
	r, f, err := pcapfile.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	var (
		eth    layers.Ethernet
		dot1q  layers.Dot1Q
		ip4    layers.IPv4
		ip6    layers.IPv6
		tcp    layers.TCP
		udp    layers.UDP
		icmp4  layers.ICMPv4
		icmp6  layers.ICMPv6
		arp    layers.ARP
		pl     gopacket.Payload
		parser = gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &dot1q, &ip4, &ip6, &tcp, &udp, &icmp4, &icmp6, &arp, &pl)
		found  = make([]gopacket.LayerType, 0, 10)
	)
	parser.IgnoreUnsupported = true
	var packets, bytes, layerCount, errs uint64
	for {
		data, ci, err := r.ZeroCopyReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: after %d packets: %w", name, packets, err)
		}
		packets++
		bytes += uint64(ci.Length)
		if raw {
			continue
		}
		if err := parser.DecodeLayers(data, &found); err != nil {
			errs++
		}
		layerCount += uint64(len(found))
	}
	el := time.Since(start)
	fmt.Printf("%d packets, %d bytes, %d layers, %d decode errors in %v: %.0f packets/s\n",
		packets, bytes, layerCount, errs, el.Round(time.Millisecond), float64(packets)/el.Seconds())
	return nil
}
