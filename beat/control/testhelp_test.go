package control

import (
	"os"
	"strings"

	"github.com/elastic/elastic-agent-libs/logp"

	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

type testKey struct {
	id   string
	priv ed25519.PrivateKey
	cfg  KeyConfig
}

func newTestKey(t testing.TB, id string) testKey {
	t.Helper()
	f, kc, err := GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{id: id, priv: f.PrivateKey, cfg: kc}
}

// signed is a valid command for probe p1 from key k, issued at testNow.
func signed(k testKey, id string, mod func(*Command)) *Command {
	c := &Command{ID: id, IssuedAt: testNow.Format(time.RFC3339Nano), ExpiresAt: testNow.Add(time.Minute).Format(time.RFC3339Nano),
		Target: Target{Probe: "p1"}, Action: "pause", Args: map[string]string{"source": "eth0"}}
	if mod != nil {
		mod(c)
	}
	c.Sign(k.id, k.priv)
	return c
}

func encode(t testing.TB, c *Command) []byte {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeProbe records applied actions.
type fakeProbe struct {
	applied []string
	hash    string
	fail    error
}

func (p *fakeProbe) Apply(action string, args map[string]string) (string, error) {
	if p.fail != nil {
		return "", p.fail
	}
	p.applied = append(p.applied, action)
	p.hash = action
	return "did " + action, nil
}

func (p *fakeProbe) State() Heartbeat { return Heartbeat{ConfigHash: "h-" + p.hash} }

func testLogger() *logp.Logger { return logp.NewLogger("control") }

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
