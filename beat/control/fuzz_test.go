package control

import (
	"crypto/ed25519"
	"testing"
)

// FuzzDecodeCommand: any record, decoded and handled, never panics and is
// never applied unless it carries a valid signature of a trusted key (the
// fuzzer cannot forge one, so nothing may ever be applied except the seeds
// signed here).
func FuzzDecodeCommand(f *testing.F) {
	k := newTestKey(f, "alice")
	valid := encode(f, signed(k, "seed-valid", nil))
	f.Add(valid)
	f.Add([]byte(`{"id":"x","issued_at":"2026-12-01T12:00:00Z","expires_at":"2026-12-01T12:01:00Z","target":{"all":true},"action":"pause","key_id":"alice","signature":"AAAA"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"args":{"a":"\ud800"},"signature":""}`))
	p := &fakeProbe{}
	l := newLoop(f, k, f.TempDir(), p)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCommand(data)
		if err == nil && c == nil {
			t.Fatal("nil command without error")
		}
		before := len(p.applied)
		r := l.Handle(data, 0)
		if r.Status == Applied && string(data) != string(valid) {
			// Only a record whose decoded form the key signed can pass.
			c, _ := DecodeCommand(data)
			if c == nil || !verifies(k, c) {
				t.Fatalf("applied an unsigned command: %q", data)
			}
		}
		if r.Status != Applied && len(p.applied) != before {
			t.Fatalf("%s result but the probe applied it", r.Status)
		}
	})
}

func verifies(k testKey, c *Command) bool {
	return len(c.Signature) == 64 && ed25519.Verify(k.priv.Public().(ed25519.PublicKey), c.Canonical(), c.Signature)
}
