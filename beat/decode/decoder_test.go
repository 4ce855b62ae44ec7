//go:build !integration

package decode

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ci(data []byte, origLen int) gopacket.CaptureInfo {
	if origLen == 0 {
		origLen = len(data)
	}
	return gopacket.CaptureInfo{Timestamp: time.Unix(1700000000, 0), CaptureLength: len(data), Length: origLen}
}

// Frames taken from testdata/captures (real traffic); each is commented with
// tshark's one-line summary.
var frames = []struct {
	name, summary string
	link          uint32
	hex           string
	origLen       int
	stack         string
	check         func(t *testing.T, p *Packet)
}{
	{"tcp-syn", "TCP 127.0.0.1 → 127.0.0.1 53940 → 8080 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=1536349563 TSecr=0 WS=1024",
		LinkTypeEthernet, "00000000000000000000000008004500003c55df40004006e6da7f0000017f000001d2b41f906e3f038a00000000a002ffd7fe3000000204ffd70402080a5b92d57b000000000103030a", 0,
		"eth:ip:tcp", func(t *testing.T, p *Packet) {
			if !p.TCP.SYN || p.TCP.ACK || p.TCP.SrcPort != 53940 || p.TCP.DstPort != 8080 || p.TCP.Window != 65495 || p.TCP.Seq != 0x6e3f038a {
				t.Errorf("tcp ports %d→%d win %d seq %x", p.TCP.SrcPort, p.TCP.DstPort, p.TCP.Window, p.TCP.Seq)
			}
		}},
	{"dns-query", "DNS 127.0.0.1 → 127.0.0.1 Standard query 0xfe42 A example.test OPT",
		LinkTypeEthernet, "000000000000000000000000080045000051d87900004011a4207f0000017f0000018af80035003dfe50fe4201200001000000000001076578616d706c650474657374000001000100002904d000000000000c000a0008f5bf2450fe5fd723", 0,
		"eth:ip:udp", func(t *testing.T, p *Packet) {
			if p.UDP.DstPort != 53 || len(p.Payload) != 53 {
				t.Errorf("udp dst %d payload %d", p.UDP.DstPort, len(p.Payload))
			}
		}},
	{"icmp-echo", "ICMP 127.0.0.1 → 127.0.0.1 Echo (ping) request id=0x471d, seq=1/256, ttl=64",
		LinkTypeEthernet, "00000000000000000000000008004500005422c74000400119e07f0000017f00000108002b36471d00018583046b000000003aea020000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637", 0,
		"eth:ip:icmp", func(t *testing.T, p *Packet) {
			if p.ICMPv4.TypeCode.Type() != 8 || p.ICMPv4.Id != 0x471d || p.IPv4.TTL != 64 {
				t.Errorf("icmp %v id %x ttl %d", p.ICMPv4.TypeCode, p.ICMPv4.Id, p.IPv4.TTL)
			}
		}},
	{"vlan", "ICMP 10.77.100.1 → 10.77.100.2 Echo (ping) request id=0x4880, seq=1/256, ttl=64 (802.1Q id 100)",
		LinkTypeEthernet, "027700000101027700000100810000640800450000545ca74000400101650a4d64010a4d6402080008c8488000018883046b000000004ff50b0000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637", 0,
		"eth:vlan:ip:icmp", func(t *testing.T, p *Packet) {
			if p.NVLAN != 1 || p.VLANs[0].VLANIdentifier != 100 {
				t.Errorf("vlans %d %v", p.NVLAN, p.VLANs[0].VLANIdentifier)
			}
		}},
	{"qinq", "ICMP 10.77.200.1 → 10.77.200.2 Echo (ping) request id=0x4a0c (802.1ad id 200, 802.1Q id 300)",
		LinkTypeEthernet, "02770000010102770000010088a800c88100012c080045000054e5e840004001b0220a4dc8010a4dc80208002b214a0c00018b83046b000000002c10080000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637", 0,
		"eth:vlan:vlan:ip:icmp", func(t *testing.T, p *Packet) {
			if p.NVLAN != 2 || p.VLANs[0].VLANIdentifier != 200 || p.VLANs[1].VLANIdentifier != 300 {
				t.Errorf("vlans %d %v %v", p.NVLAN, p.VLANs[0].VLANIdentifier, p.VLANs[1].VLANIdentifier)
			}
		}},
	{"arp", "ARP 02:77:00:00:00:0a → Broadcast Who has 10.77.1.2? Tell 10.77.1.1",
		LinkTypeEthernet, "ffffffffffff02770000000a0806000108000604000102770000000a0a4d01010000000000000a4d0102", 0,
		"eth:arp", func(t *testing.T, p *Packet) {
			if p.ARP.Operation != 1 {
				t.Errorf("arp op %d", p.ARP.Operation)
			}
		}},
	{"ipv4-later-fragment", "IPv4 10.77.2.1 → 10.77.2.2 Fragmented IP protocol (proto=ICMP 1, off=1480, ID=a8dd) (cut to 64 bytes)",
		LinkTypeEthernet, "02770000000b02770000000a0800450005dca8dd20b9400192ee0a4d02010a4d0202c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd", 1514,
		"eth:ip", func(t *testing.T, p *Packet) {
			if !p.Has(HasFragment) || p.FragOffset != 185 || !p.FragMore || p.Has(HasICMPv4) {
				t.Errorf("fragment flags %x off %d more %v", p.Flags, p.FragOffset, p.FragMore)
			}
		}},
	{"ipv6-later-fragment", "IPv6 fd77:2::1 → fd77:2::2 IPv6 fragment (off=1448 more=y ident=0x6daa0fde nxt=58) (cut to 70 bytes)",
		LinkTypeEthernet, "02770000000b02770000000a86dd60099df905b02c40fd770002000000000000000000000001fd7700020000000000000000000000023a0005a96daa0fdea0a1a2a3a4a5a6a7", 1510,
		"eth:ipv6", func(t *testing.T, p *Packet) {
			if !p.Has(HasFragment) || p.FragOffset != 181 || !p.FragMore || p.FragID != 0x6daa0fde {
				t.Errorf("fragment off %d more %v id %x", p.FragOffset, p.FragMore, p.FragID)
			}
			if proto, _ := p.IPProtocol(); proto != 58 {
				t.Errorf("ip protocol %d, want 58", proto)
			}
		}},
	{"sll", "TCP 127.0.0.1 → 127.0.0.1 37950 → 8080 [SYN] (Linux cooked v1)",
		LinkTypeLinuxSLL, "000003040006000000000000000008004500003c158a4000400627307f0000017f000001943e1f902c341bad00000000a002ffd7fe3000000204ffd70402080af251b46a000000000103030a", 0,
		"sll:ip:tcp", nil},
	{"sll2", "TCP 127.0.0.1 → 127.0.0.1 37958 → 8080 [SYN] (Linux cooked v2)",
		LinkTypeLinuxSLL2, "08000000000000010304000600000000000000004500003c28254000400614957f0000017f00000194461f909dba490a00000000a002ffd7fe3000000204ffd70402080a27f46ddf000000000103030a", 0,
		"sll:ip:tcp", func(t *testing.T, p *Packet) {
			if p.SLL2.InterfaceIndex != 1 {
				t.Errorf("ifindex %d", p.SLL2.InterfaceIndex)
			}
		}},
	{"null", "TCP 127.0.0.1 → 127.0.0.1 53940 → 8080 [SYN] (BSD loopback)",
		LinkTypeNull, "020000004500003c55df40004006e6da7f0000017f000001d2b41f906e3f038a00000000a002ffd7fe3000000204ffd70402080a5b92d57b000000000103030a", 0,
		"null:ip:tcp", nil},
	{"raw-ip", "TCP 127.0.0.1 → 127.0.0.1 53940 → 8080 [SYN] (raw IP, the null frame without its 4-byte header)",
		LinkTypeRaw, "4500003c55df40004006e6da7f0000017f000001d2b41f906e3f038a00000000a002ffd7fe3000000204ffd70402080a5b92d57b000000000103030a", 0,
		"ip:tcp", nil},
	{"icmp-port-unreachable", "ICMP 127.0.0.1 → 127.0.0.1 Destination unreachable (Port unreachable)",
		LinkTypeEthernet, "000000000000000000000000080045c0006d2f3b000040014c937f0000017f000001030369bd0000000045000051a39e00004011d8fb7f0000017f000001d82f9c3f003dfe5099bb01200001000000000001076578616d706c650474657374000001000100002904d000000000000c000a000856ed14717743f694", 0,
		"eth:ip:icmp", func(t *testing.T, p *Packet) {
			if p.ICMPv4.TypeCode.Type() != 3 || p.ICMPv4.TypeCode.Code() != 3 {
				t.Errorf("icmp %v", p.ICMPv4.TypeCode)
			}
		}},
}

func TestDecodeFrames(t *testing.T) {
	for _, f := range frames {
		t.Run(f.name, func(t *testing.T) {
			d, err := New(f.link)
			if err != nil {
				t.Fatal(err)
			}
			data := mustHex(t, f.hex)
			p := d.Decode(data, ci(data, f.origLen))
			if got := strings.Join(p.Protocols(), ":"); got != f.stack {
				t.Errorf("%s: stack %q, want %q", f.summary, got, f.stack)
			}
			if p.Err != nil {
				t.Errorf("%s: unexpected error in %s: %v", f.summary, p.ErrLayer, p.Err)
			}
			if f.check != nil {
				f.check(t, p)
			}
			if d.Stats.Packets != 1 || d.Stats.Malformed != 0 {
				t.Errorf("stats %+v", d.Stats)
			}
		})
	}
}

func TestMalformedAndTruncated(t *testing.T) {
	syn := "00000000000000000000000008004500003c55df40004006e6da7f0000017f000001d2b41f906e3f038a00000000a002ffd7fe3000000204ffd70402080a5b92d57b000000000103030a"
	cases := []struct {
		name      string
		hex       string
		stack     string
		malformed bool
		truncated bool
	}{
		{"empty frame", "", "", true, true},
		{"ethernet cut in the header", syn[:20], "", true, true},
		{"tcp header cut (snaplen 40)", syn[:80], "eth:ip", true, true},
		{"ipv4 IHL < 5", strings.Replace(syn, "4500003c", "4300003c", 1), "eth", true, false},
		{"unknown ethertype 0x88b5 (local experimental)", strings.Replace(syn, "0800", "88b5", 1), "eth", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, _ := New(LinkTypeEthernet)
			data := mustHex(t, c.hex)
			p := d.Decode(data, ci(data, 74))
			if got := strings.Join(p.Protocols(), ":"); got != c.stack {
				t.Errorf("stack %q, want %q", got, c.stack)
			}
			if (p.Err != nil) != c.malformed || (d.Stats.Malformed == 1) != c.malformed {
				t.Errorf("malformed: err=%v stats=%+v, want %v", p.Err, d.Stats, c.malformed)
			}
			if p.Truncated != c.truncated {
				t.Errorf("truncated %v, want %v", p.Truncated, c.truncated)
			}
		})
	}
	d, _ := New(LinkTypeEthernet)
	data := mustHex(t, strings.Replace(syn, "0800", "88b5", 1))
	d.Decode(data, ci(data, 0))
	if d.Stats.Unsupported != 1 {
		t.Errorf("unknown ethertype not counted as unsupported: %+v", d.Stats)
	}
}

func TestUnsupportedLinkType(t *testing.T) {
	_, err := New(147) // LINKTYPE_USER0
	if !errors.Is(err, ErrUnsupportedLinkType) || !strings.Contains(err.Error(), "LINKTYPE_147") {
		t.Fatalf("err = %v", err)
	}
}

// The decoder must not allocate per packet (the Packet is reused).
func TestDecodeDoesNotAllocate(t *testing.T) {
	d, _ := New(LinkTypeEthernet)
	data := mustHex(t, frames[0].hex)
	c := ci(data, 0)
	if n := testing.AllocsPerRun(1000, func() { d.Decode(data, c) }); n != 0 {
		t.Fatalf("Decode allocates %v times per packet", n)
	}
}

// An MLDv2 report (IPv6 hop-by-hop router alert) captured whole must not be
// flagged truncated. Frame from a veth capture (tcpdump -i mv0 ip6):
// ICMPv6 :: → ff02::16 Multicast Listener Report Message v2
func TestHopByHopNotTruncated(t *testing.T) {
	hexFrame := "333300000016a2d447e5a73f86dd600000000024000100000000000000000000000000000000ff0200000000000000000000000000163a000502000001008f00c7650000000104000000ff0200000000000000000001ffe5a73f"
	d, _ := New(LinkTypeEthernet)
	data := mustHex(t, hexFrame)
	p := d.Decode(data, ci(data, 0))
	if p.Truncated || d.Stats.Truncated != 0 {
		t.Fatalf("whole HBH packet flagged truncated (stack %v, err %v)", p.Protocols(), p.Err)
	}
	if !p.Has(HasICMPv6) || p.ICMPv6.TypeCode.Type() != 143 {
		t.Fatalf("stack %v icmpv6 %v", p.Protocols(), p.ICMPv6.TypeCode)
	}
	cut := data[:len(data)-4]
	if p := d.Decode(cut, ci(cut, len(data))); !p.Truncated {
		t.Fatalf("cut HBH packet not flagged truncated")
	}
}
