package event

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/gopacket"

	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/netbeat/netbeat/beat/capture"
	"github.com/netbeat/netbeat/beat/decode"
)

const capturesDir = "../../testdata/captures"

// oracleCaptures are the undamaged captures that have a tshark TSV.
func oracleCaptures(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(capturesDir, "*.tshark.tsv"))
	if err != nil || len(m) < 10 {
		t.Fatalf("expected >= 10 tshark oracle files in %s, found %d (%v)", capturesDir, len(m), err)
	}
	for i := range m {
		m[i] = strings.TrimSuffix(m[i], ".tshark.tsv")
	}
	return m
}

// packetEvents runs a capture through netbeat's packet mode.
func packetEvents(t testing.TB, path string) []mapstr.M {
	t.Helper()
	var out []mapstr.M
	opts := &PacketOptions{}
	forEachFrame(t, path, func(dec *decode.Decoder, data []byte, ci gopacket.CaptureInfo, n uint64) {
		out = append(out, PacketMap(dec.Decode(data, ci), n, opts).Fields)
	})
	return out
}

// forEachFrame calls fn with every frame of a capture (data is valid until
// fn returns), its frame number and a decoder for the capture's link type.
func forEachFrame(t testing.TB, path string, fn func(dec *decode.Decoder, data []byte, ci gopacket.CaptureInfo, n uint64)) {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dec, err := decode.New(src.LinkType())
	if err != nil {
		t.Fatal(err)
	}
	for n := uint64(1); ; n++ {
		data, ci, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fn(dec, data, ci, n)
	}
}

// readTSV parses a tshark -T fields export with a header line.
func readTSV(t testing.TB, r io.Reader) []map[string]string {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	var rows []map[string]string
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func readTSVFile(t testing.TB, path string) []map[string]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readTSV(t, f)
}

// protocol names both tools use; tshark's stack is cut after the first
// transport (it also dissects what ICMP errors quote, netbeat does not).
var knownProtos = map[string]string{"eth": "eth", "sll": "sll", "null": "null", "vlan": "vlan", "ieee8021ad": "vlan",
	"ip": "ip", "ipv6": "ipv6", "tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmpv6", "arp": "arp"}

func tsharkStack(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ":") {
		n, ok := knownProtos[p]
		if !ok {
			continue
		}
		out = append(out, n)
		switch n {
		case "tcp", "udp", "icmp", "icmpv6", "arp":
			return out
		}
	}
	return out
}

func str(ev mapstr.M, key string) string {
	v, err := ev.GetValue(key)
	if err != nil {
		return ""
	}
	return fmt.Sprint(v)
}

// compareWithTshark returns one message per field that differs.
func compareWithTshark(ev mapstr.M, row map[string]string) []string {
	var diffs []string
	check := func(name, ours, theirs string) {
		if ours != theirs {
			diffs = append(diffs, fmt.Sprintf("%s: netbeat %q, tshark %q", name, ours, theirs))
		}
	}
	stack := tsharkStack(row["frame.protocols"])
	check("frame.protocols", str(ev, "frame.protocols"), strings.Join(stack, ":"))
	for _, k := range []string{"frame.number", "frame.len", "frame.cap_len", "eth.src", "eth.dst",
		"ip.src", "ip.dst", "ip.proto", "ip.ttl", "ipv6.src", "ipv6.dst", "ipv6.nxt",
		"tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.window_size_value",
		"icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"} {
		check(k, str(ev, k), row[k])
	}
	// UDP after an ICMP error is the quoted packet: tshark reports it, netbeat does not decode it.
	if contains(stack, "udp") {
		check("udp.srcport", str(ev, "udp.srcport"), row["udp.srcport"])
		check("udp.dstport", str(ev, "udp.dstport"), row["udp.dstport"])
	}
	if f := row["tcp.flags"]; f != "" {
		v, _ := strconv.ParseUint(strings.TrimPrefix(f, "0x"), 16, 16)
		check("tcp.flags", str(ev, "tcp.flags"), strconv.FormatUint(v, 10))
	} else {
		check("tcp.flags", str(ev, "tcp.flags"), "")
	}
	var vlans []string
	if v, err := ev.GetValue("vlan.id"); err == nil {
		for _, id := range v.([]uint16) {
			vlans = append(vlans, strconv.Itoa(int(id)))
		}
	}
	var want []string
	for _, k := range []string{"ieee8021ad.id", "vlan.id"} {
		if row[k] != "" {
			want = append(want, row[k])
		}
	}
	check("vlan ids", strings.Join(vlans, ","), strings.Join(want, ","))
	// tshark 4.0 computes no Community ID for non-first IPv6 fragments; netbeat
	// hashes their addresses and protocol, as it (and tshark) do for IPv4 ones.
	v6frag := row["ipv6.nxt"] == "44" && str(ev, "ipv6.frag.offset") != "0"
	if !(v6frag && row["communityid"] == "") {
		check("network.community_id", str(ev, "network.community_id"), row["communityid"])
	}
	return diffs
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func compareCapture(t *testing.T, path string, rows []map[string]string) {
	t.Helper()
	evs := packetEvents(t, path)
	if len(evs) != len(rows) {
		t.Fatalf("%s: netbeat made %d packet events, tshark %d rows", path, len(evs), len(rows))
	}
	bad := 0
	for i, ev := range evs {
		for _, d := range compareWithTshark(ev, rows[i]) {
			t.Errorf("%s frame %d: %s", filepath.Base(path), i+1, d)
			bad++
		}
	}
	if bad == 0 {
		t.Logf("%s: %d frames agree with tshark on every compared field", filepath.Base(path), len(evs))
	}
}
