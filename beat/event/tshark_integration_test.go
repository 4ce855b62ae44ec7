//go:build integration

package event

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPacketModeMatchesLiveTshark re-runs tshark (testdata/captures/
// tshark-fields.sh) on every bundled capture and compares netbeat's packet
// events with its output field by field; it also fails when the committed
// .tshark.tsv used by the unit test no longer matches what tshark says.
func TestPacketModeMatchesLiveTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Fatal("tshark is not installed: run scripts/deps.sh (the integration tests use it as the oracle)")
	}
	script, _ := filepath.Abs(filepath.Join(capturesDir, "tshark-fields.sh"))
	for _, c := range oracleCaptures(t) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			var out, errb bytes.Buffer
			cmd := exec.Command("bash", script, c)
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("tshark failed: %v: %s", err, errb.String())
			}
			committed, err := os.ReadFile(c + ".tshark.tsv")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(committed, out.Bytes()) {
				t.Errorf("%s.tshark.tsv differs from this tshark's output: regenerate it with tshark-fields.sh", filepath.Base(c))
			}
			compareCapture(t, c, readTSV(t, &out))
		})
	}
}
