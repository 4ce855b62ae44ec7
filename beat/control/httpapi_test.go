package control

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/logp/logptest"
)

// TestHTTPAPI: no token and a wrong token get 401, the right one works;
// every request leaves an audit line.
func TestHTTPAPI(t *testing.T) {
	p := &fakeProbe{}
	audit, logs := logptest.NewTestingLoggerWithObserver(t, "control.audit")
	s := &Server{Probe: p, Status: func() *Heartbeat { return &Heartbeat{Kind: KindHeartbeat, Probe: "p1"} },
		Token: []byte("0123456789abcdef0123"), Audit: audit}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	do := func(method, path, token, body string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewBufferString(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	for _, tok := range []string{"", "wrong-token-wrong-token", "0123456789abcdef012"} {
		if r, _ := do("POST", "/v1/actions", tok, `{"action":"pause"}`); r.StatusCode != 401 || r.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("token %q: %d", tok, r.StatusCode)
		}
	}
	if len(p.applied) != 0 {
		t.Fatalf("unauthorized requests applied %v", p.applied)
	}
	if r, m := do("GET", "/v1/status", "0123456789abcdef0123", ""); r.StatusCode != 200 || m["probe"] != "p1" {
		t.Fatalf("status: %d %v", r.StatusCode, m)
	}
	if r, m := do("POST", "/v1/actions", "0123456789abcdef0123", `{"action":"pause","args":{"source":"eth0"}}`); r.StatusCode != 200 || m["status"] != Applied {
		t.Fatalf("pause: %d %v", r.StatusCode, m)
	}
	if r, _ := do("POST", "/v1/actions", "0123456789abcdef0123", `{"args":{}}`); r.StatusCode != 400 {
		t.Fatalf("no action: %d", r.StatusCode)
	}
	p.fail = errString("no such source")
	if r, m := do("POST", "/v1/actions", "0123456789abcdef0123", `{"action":"pause"}`); r.StatusCode != 422 || m["status"] != Failed {
		t.Fatalf("failing action: %d %v", r.StatusCode, m)
	}
	// Each audit line is written once its response is sent.
	lines := logs.FilterMessage("control API request").All()
	for deadline := time.Now().Add(5 * time.Second); len(lines) < 7 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		lines = logs.FilterMessage("control API request").All()
	}
	if len(lines) != 7 {
		t.Fatalf("%d audit lines for 7 requests", len(lines))
	}
	if got := lines[0].ContextMap()["outcome"]; got != "unauthorized" {
		t.Fatalf("first audit line outcome %v", got)
	}
	if got := lines[4].ContextMap()["outcome"]; got != "pause applied" {
		t.Fatalf("pause audit line outcome %v", got)
	}
}

func TestHTTPToken(t *testing.T) {
	dir := t.TempDir()
	c := HTTPConfig{Enabled: true, TokenFile: filepath.Join(dir, "tok")}
	_ = os.WriteFile(c.TokenFile, []byte("short\n"), 0o600)
	if _, err := c.ReadToken(); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Fatalf("short token: %v", err)
	}
	if err := (&HTTPConfig{Enabled: true}).Check(); err == nil {
		t.Fatal("no token_file accepted")
	}
}
