//go:build integration

package beat_test

// Whole-binary tests: the demo config, damaged captures, bad configs, the
// libbeat subcommands and output.file, each run as a real netbeat process.

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDemoConfig runs the README's demo: the repo's own netbeat.yml (it
// replays testdata/captures/mixed.pcapng) from the repo root, console output.
func TestDemoConfig(t *testing.T) {
	root := repoRoot(t)
	home := t.TempDir()
	res := runNetbeat(t, root, append([]string{"-e", "-c", filepath.Join(root, "netbeat.yml")}, homeArgs(home)...)...)
	if res.code != 0 {
		t.Fatalf("demo exited %d, want 0\nstderr:\n%s", res.code, tail(res.stderr, 30))
	}
	events := parseNDJSON(t, "stdout", res.stdout)
	pkts, flows := split(events)
	want := len(tsvRows(t, capturePath(t, "mixed.pcapng"))) // 118 today
	if len(pkts) != want || want != 118 {
		t.Fatalf("demo published %d packet events, want %d (mixed.pcapng.tshark.tsv rows; README says 118)", len(pkts), want)
	}
	checkFrameNumbers(t, pkts)
	if len(flows) == 0 {
		t.Fatal("demo published no flow events")
	}
	var flowPackets int64
	for _, f := range flows {
		if f.str("flow.end_reason") == "" || f.get("flow.final") != true {
			t.Errorf("flow record without end_reason/final at the end of a file: %v", f.get("flow"))
		}
		flowPackets += f.num("network.packets")
	}
	for _, p := range pkts {
		if p.str("capture.file") != "testdata/captures/mixed.pcapng" {
			t.Fatalf("packet event capture.file = %q", p.str("capture.file"))
		}
	}
	t.Logf("demo: %d packet events, %d flow records covering %d packets", len(pkts), len(flows), flowPackets)
}

// damage walks a little-endian pcap or pcapng file with no library: it returns
// how many whole packets precede the first damaged record and that record's offset.
func damage(t *testing.T, path string) (good int, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(b) == 0x0A0D0D0A { // pcapng: type, total length, ..., total length
		for off = 0; off+12 <= int64(len(b)); {
			typ, l := binary.LittleEndian.Uint32(b[off:]), int64(binary.LittleEndian.Uint32(b[off+4:]))
			if l < 12 || off+l > int64(len(b)) {
				return good, off
			}
			if typ == 6 || typ == 3 || typ == 2 { // enhanced, simple, obsolete packet blocks
				good++
			}
			off += l
		}
		return good, off
	}
	for off = 24; off+16 <= int64(len(b)); { // pcap: 24-byte header, 16-byte record headers
		incl := int64(binary.LittleEndian.Uint32(b[off+8:]))
		if incl > 262144 || off+16+incl > int64(len(b)) {
			return good, off
		}
		good++
		off += 16 + incl
	}
	return good, off
}

// tsharkCount is how many packets tshark reads from a (damaged) capture.
func tsharkCount(t *testing.T, path string) int {
	t.Helper()
	out, _ := exec.Command(requireTool(t, "tshark"), "-r", path, "-T", "fields", "-e", "frame.number").Output() // exits non-zero on damage
	n := 0
	for _, l := range strings.Fields(string(out)) {
		if _, err := strconv.Atoi(l); err == nil {
			n++
		}
	}
	return n
}

func TestDamagedCaptures(t *testing.T) {
	cases := []struct {
		file        string
		wantPackets int    // what tshark reads before the damage
		wantPacket  string // the packet the error names
	}{
		{"truncated.pcap", 5, "packet 6"},
		{"corrupt.pcap", 3, "packet 4"},
		{"truncated.pcapng", 7, "packet 8"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := capturePath(t, tc.file)
			if n := tsharkCount(t, path); n != tc.wantPackets {
				t.Fatalf("tshark reads %d packets from %s, the test expects %d: was the capture regenerated?", n, tc.file, tc.wantPackets)
			}
			good, off := damage(t, path)
			if good != tc.wantPackets {
				t.Fatalf("record walk finds %d whole packets in %s, tshark %d", good, tc.file, tc.wantPackets)
			}
			dir := t.TempDir()
			cfg := fileOutputConfig(t, dir, "netbeat:\n  mode: [flows]\n")
			res := runNetbeat(t, dir, append([]string{"-e", "-c", cfg, "-I", path, "--mode", "packets"}, homeArgs(dir)...)...)
			if res.code == 0 {
				t.Fatalf("netbeat exited 0 on damaged %s\nstderr:\n%s", tc.file, tail(res.stderr, 20))
			}
			for _, want := range []string{tc.file, "byte offset " + strconv.FormatInt(off, 10), tc.wantPacket} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q\n%s", want, tail(res.stderr, 10))
				}
			}
			pkts, flows := split(readOutput(t, dir))
			if len(pkts) != tc.wantPackets || len(flows) != 0 {
				t.Fatalf("published %d packet / %d flow events before the damage, want %d / 0", len(pkts), len(flows), tc.wantPackets)
			}
			checkFrameNumbers(t, pkts)
		})
	}
	t.Run("notapcap.pcap", func(t *testing.T) {
		path := capturePath(t, "notapcap.pcap")
		dir := t.TempDir()
		cfg := fileOutputConfig(t, dir, "netbeat:\n  mode: [packets]\n")
		res := runNetbeat(t, dir, append([]string{"-e", "-c", cfg, "-I", path}, homeArgs(dir)...)...)
		if res.code == 0 {
			t.Fatalf("netbeat exited 0 on a text file\nstderr:\n%s", tail(res.stderr, 20))
		}
		if !strings.Contains(res.stderr, "notapcap.pcap") || !regexp.MustCompile(`neither pcap nor pcapng|not a capture`).MatchString(res.stderr) {
			t.Fatalf("stderr does not say notapcap.pcap is not a capture:\n%s", tail(res.stderr, 10))
		}
		if evs := readOutput(t, dir); len(evs) != 0 {
			t.Fatalf("published %d events from a text file", len(evs))
		}
	})
}

func TestBadConfig(t *testing.T) {
	t.Run("invalid mode", func(t *testing.T) {
		dir := t.TempDir()
		cfg := fileOutputConfig(t, dir, "netbeat:\n  files: [{path: "+strconv.Quote(capturePath(t, "http4.pcap"))+"}]\n  mode: [packets, bogusmode]\n")
		res := runNetbeat(t, dir, append([]string{"-e", "-c", cfg}, homeArgs(dir)...)...)
		if res.code == 0 || !strings.Contains(res.stderr, "netbeat.mode") || !strings.Contains(res.stderr, "bogusmode") {
			t.Fatalf("exit %d; want non-zero and a message naming netbeat.mode and bogusmode:\n%s", res.code, tail(res.stderr, 10))
		}
		if evs := readOutput(t, dir); len(evs) != 0 {
			t.Fatalf("published %d events with an invalid config", len(evs))
		}
	})
	t.Run("missing capture file", func(t *testing.T) {
		dir := t.TempDir()
		missing := filepath.Join(dir, "no-such-capture.pcap")
		cfg := fileOutputConfig(t, dir, "netbeat:\n  files: [{path: "+strconv.Quote(missing)+"}]\n  mode: [packets]\n")
		res := runNetbeat(t, dir, append([]string{"-e", "-c", cfg}, homeArgs(dir)...)...)
		if res.code == 0 || !strings.Contains(res.stderr, missing) {
			t.Fatalf("exit %d; want non-zero and a message naming %s:\n%s", res.code, missing, tail(res.stderr, 10))
		}
	})
}

// TestTestConfigReportsTypos: `netbeat test config` names each misspelt
// option of netbeat's own sections with a suggestion, and exits non-zero.
func TestTestConfigReportsTypos(t *testing.T) {
	capture := strconv.Quote(capturePath(t, "http4.pcap"))
	for name, c := range map[string]struct{ yml, want string }{
		"netbeat list entry": {"netbeat.files: [{path: " + capture + ", sped: 1}]\noutput.console: {}\n",
			"unknown option netbeat.files.0.sped; did you mean speed?"},
		"netbeat top level": {"netbeat.files: [{path: " + capture + "}]\nnetbeat.mdoe: [flows]\noutput.console: {}\n",
			"unknown option netbeat.mdoe; did you mean mode?"},
		"output.franz": {"netbeat.files: [{path: " + capture + "}]\noutput.franz: {hosts: [\"127.0.0.1:9\"], topic: t, compresion: gzip}\n",
			"unknown option output.franz.compresion; did you mean compression?"},
		"plugin entry": {"netbeat.files: [{path: " + capture + "}]\nnetbeat.plugins.chain: [{name: comment, confg: {}}]\noutput.console: {}\n",
			"unknown option netbeat.plugins.chain.0.confg; did you mean config?"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, filepath.Join(dir, "netbeat.yml"), c.yml)
			res := runNetbeat(t, dir, append([]string{"test", "config", "-c", cfg}, homeArgs(dir)...)...)
			if res.code == 0 || strings.Contains(res.stdout, "Config OK") || !strings.Contains(res.stderr, c.want) {
				t.Fatalf("exit %d, stdout %q; want non-zero and %q in stderr:\n%s", res.code, res.stdout, c.want, tail(res.stderr, 10))
			}
		})
	}
}

func TestTestConfigAndVersion(t *testing.T) {
	root := repoRoot(t)
	home := t.TempDir()
	cfg := filepath.Join(root, "netbeat.yml")

	res := runNetbeat(t, root, append([]string{"test", "config", "-c", cfg}, homeArgs(home)...)...)
	if res.code != 0 || !strings.Contains(res.stdout, "Config OK") {
		t.Errorf("test config: exit %d, stdout %q, stderr:\n%s", res.code, res.stdout, tail(res.stderr, 10))
	}

	res = runNetbeat(t, root, "version")
	if res.code != 0 || !regexp.MustCompile(`^netbeat version \d+\.\d+\.\d+`).MatchString(res.stdout) {
		t.Errorf("version: exit %d, stdout %q", res.code, res.stdout)
	}

	res = runNetbeat(t, root, append([]string{"export", "template", "--es.version", "8.17.0", "-c", cfg}, homeArgs(home)...)...)
	if res.code != 0 {
		t.Fatalf("export template: exit %d\n%s", res.code, tail(res.stderr, 10))
	}
	var tpl struct {
		IndexPatterns []string `json:"index_patterns"`
		Template      struct {
			Mappings struct {
				Properties map[string]struct {
					Properties map[string]json.RawMessage `json:"properties"`
				} `json:"properties"`
			} `json:"mappings"`
		} `json:"template"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &tpl); err != nil {
		t.Fatalf("export template printed no JSON: %v\n%.500s", err, res.stdout)
	}
	if len(tpl.IndexPatterns) == 0 || !strings.Contains(tpl.IndexPatterns[0], "netbeat") {
		t.Errorf("template index_patterns %v do not name netbeat", tpl.IndexPatterns)
	}
	if _, ok := tpl.Template.Mappings.Properties["network"].Properties["community_id"]; !ok {
		t.Errorf("template has no mapping for network.community_id")
	}

	res = runNetbeat(t, root, "devices")
	if res.code != 0 || !regexp.MustCompile(`(?m)^\d+: lo\b`).MatchString(res.stdout) {
		t.Errorf("devices: exit %d, does not list lo:\n%s", res.code, res.stdout)
	}
}

// TestFileOutputAllEvents replays http4.pcap (two curl GETs) into output.file
// and compares every packet event with the tshark oracle.
func TestFileOutputAllEvents(t *testing.T) {
	path := capturePath(t, "http4.pcap")
	rows := tsvRows(t, path)
	dir := t.TempDir()
	cfg := fileOutputConfig(t, dir, "netbeat:\n  mode: [flows]\n")
	res := runNetbeat(t, dir, append([]string{"-e", "-c", cfg, "-I", path, "--mode", "packets,flows"}, homeArgs(dir)...)...)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, tail(res.stderr, 20))
	}
	pkts, flows := split(readOutput(t, dir))
	if len(pkts) != 24 || len(rows) != 24 {
		t.Fatalf("%d packet events, tshark oracle has %d rows, want 24", len(pkts), len(rows))
	}
	checkFrameNumbers(t, pkts)
	for i, p := range pkts {
		r := rows[i]
		got := []string{p.str("frame.len"), p.str("source.ip"), p.str("destination.ip"), p.str("source.port"), p.str("destination.port"), p.str("network.community_id")}
		want := []string{r["frame.len"], r["ip.src"], r["ip.dst"], r["tcp.srcport"], r["tcp.dstport"], r["communityid"]}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("frame %d: got %v, tshark %v", i+1, got, want)
		}
		if p.str("network.transport") != "tcp" {
			t.Errorf("frame %d: network.transport %q", i+1, p.str("network.transport"))
		}
	}
	if len(flows) != 2 {
		t.Fatalf("%d flow events, want 2", len(flows))
	}
	var total int64
	for _, f := range flows {
		if f.str("flow.end_reason") != "fin" || f.get("flow.final") != true || f.num("destination.port") != 8080 {
			t.Errorf("flow %v: want a final fin flow to port 8080", f.get("flow"))
		}
		if f.num("source.packets") <= 0 || f.num("destination.packets") <= 0 {
			t.Errorf("flow lacks packets in both directions: source %d, destination %d", f.num("source.packets"), f.num("destination.packets"))
		}
		total += f.num("source.packets") + f.num("destination.packets")
	}
	if total != 24 {
		t.Errorf("flows count %d packets, the capture has 24", total)
	}
}
