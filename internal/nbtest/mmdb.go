package nbtest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// WriteMMDB writes an MMDB of database type typ (e.g. "GeoLite2-City")
// holding nets (CIDR → record, MaxMind's GeoLite2 schema) into a temporary
// directory and returns its path. GeoIP data cannot be downloaded here, so
// tests build their databases with maxmind/mmdbwriter.
func WriteMMDB(t testing.TB, typ string, nets map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: typ, RecordSize: 28, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, m := range nets {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, m); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), typ+".mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}
