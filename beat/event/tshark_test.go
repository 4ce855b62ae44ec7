//go:build !integration

package event

import (
	"path/filepath"
	"testing"
)

// TestPacketModeMatchesTshark compares netbeat's packet events with the
// committed tshark field exports (testdata/captures/*.tshark.tsv, made by
// tshark-fields.sh). The integration test re-runs tshark itself.
func TestPacketModeMatchesTshark(t *testing.T) {
	for _, c := range oracleCaptures(t) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			compareCapture(t, c, readTSVFile(t, c+".tshark.tsv"))
		})
	}
}
