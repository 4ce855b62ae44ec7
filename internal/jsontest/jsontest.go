// Package jsontest compares JSON documents in tests whatever their key
// order: netbeat's encoders and libbeat's write keys in different orders.
package jsontest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Canonical re-encodes a JSON document with sorted keys and numbers kept
// verbatim (no float rounding of 64-bit values).
func Canonical(t testing.TB, doc []byte) string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v interface{}
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
