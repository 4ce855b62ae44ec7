package main

import (
	"fmt"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeCapture writes n Ethernet/IPv4 TCP and UDP packets between public
// and private addresses, spread over two days, and returns how many
// distinct flows (5-tuples, either direction) they make. With addrs > 0 the
// public 81.x addresses come from a pool of addrs random ones (repeating,
// as in real captures); with 0 each is drawn at random from 81.0.0.0/8.
func writeCapture(path string, n, addrs int) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return 0, err
	}
	r := rand.New(rand.NewSource(1))
	ts := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ports := []int{53, 80, 443, 8080, 22, 123}
	buf := gopacket.NewSerializeBuffer()
	flows := map[string]bool{}
	pool := make([]net.IP, addrs)
	pr := rand.New(rand.NewSource(2))
	for i := range pool {
		pool[i] = net.IPv4(81, byte(pr.Intn(256)), byte(pr.Intn(256)), byte(pr.Intn(256)))
	}
	for i := 0; i < n; i++ {
		ip := &layers.IPv4{Version: 4, TTL: 64, SrcIP: net.IPv4(81, byte(r.Intn(256)), byte(r.Intn(256)), byte(r.Intn(256))),
			DstIP: net.IPv4(10, 0, 0, byte(r.Intn(256)))}
		if addrs > 0 {
			ip.SrcIP = pool[pr.Intn(addrs)]
		}
		if i%2 == 0 {
			ip.SrcIP, ip.DstIP = ip.DstIP, ip.SrcIP
		}
		if i%10 == 0 {
			ip.DstIP = net.IPv4(203, 0, 113, byte(r.Intn(256)))
		}
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
		payload := gopacket.Payload(make([]byte, 64+r.Intn(400)))
		sp, dp := 1024+r.Intn(60000), ports[r.Intn(len(ports))]
		a, b := fmt.Sprintf("%s:%d", ip.SrcIP, sp), fmt.Sprintf("%s:%d", ip.DstIP, dp)
		if a > b {
			a, b = b, a
		}
		flows[fmt.Sprint(i%3 == 0, a, b)] = true
		var l4 gopacket.SerializableLayer
		if i%3 == 0 {
			ip.Protocol = layers.IPProtocolUDP
			u := &layers.UDP{SrcPort: layers.UDPPort(sp), DstPort: layers.UDPPort(dp)}
			u.SetNetworkLayerForChecksum(ip)
			l4 = u
		} else {
			ip.Protocol = layers.IPProtocolTCP
			t := &layers.TCP{SrcPort: layers.TCPPort(sp), DstPort: layers.TCPPort(dp), Seq: uint32(i), ACK: true, PSH: true, Window: 512}
			t.SetNetworkLayerForChecksum(ip)
			l4 = t
		}
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, l4, payload); err != nil {
			return 0, err
		}
		ts = ts.Add(time.Duration(r.Intn(1000)) * time.Millisecond)
		data := buf.Bytes()
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(data)}, data); err != nil {
			return 0, err
		}
	}
	return len(flows), nil
}

// writeData writes the MMDBs and the block list the plugins use.
func writeData(dir string) error {
	city, _ := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 28, IncludeReservedNetworks: true})
	asn, _ := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", RecordSize: 28, IncludeReservedNetworks: true})
	for i := 0; i < 256; i++ {
		_, n, _ := net.ParseCIDR(fmt.Sprintf("81.%d.0.0/16", i))
		rec := mmdbtype.Map{
			"city":     mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(fmt.Sprintf("City %d", i))}},
			"country":  mmdbtype.Map{"iso_code": mmdbtype.String("FR"), "names": mmdbtype.Map{"en": mmdbtype.String("France")}},
			"location": mmdbtype.Map{"latitude": mmdbtype.Float64(48.85), "longitude": mmdbtype.Float64(2.35)},
		}
		if err := city.Insert(n, rec); err != nil {
			return err
		}
		if err := asn.Insert(n, mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(3215 + uint32(i)),
			"autonomous_system_organization": mmdbtype.String("AS org")}); err != nil {
			return err
		}
	}
	for name, t := range map[string]*mmdbwriter.Tree{"city.mmdb": city, "asn.mmdb": asn} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if _, err := t.WriteTo(f); err != nil {
			return err
		}
		f.Close()
	}
	var b strings.Builder
	b.WriteString("# bench block list\n203.0.113.0/25\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "81.%d.%d.%d\nbad%d.example\n", i%256, i%200, i%100, i)
	}
	return os.WriteFile(filepath.Join(dir, "block.txt"), []byte(b.String()), 0o644)
}
