//go:build !integration

package control

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"go.uber.org/zap/zaptest/observer"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a leaf certificate for cn (a server for 127.0.0.1 when
// server is true, else a client) and returns its PEM certificate and key.
func (ca *testCA) issue(t *testing.T, cn string, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn, Organization: []string{"netbeat test"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mtlsServer serves the API with the server certificate of serverCA and
// client certificates verified against clientCA, optionally with a token.
func mtlsServer(t *testing.T, serverCA, clientCA *testCA, token []byte) (*Server, *fakeProbe, *observer.ObservedLogs) {
	t.Helper()
	dir := t.TempDir()
	sc, sk := serverCA.issue(t, "probe-1", true)
	c := HTTPConfig{Enabled: true, Host: "127.0.0.1", Port: 0, SSL: HTTPSSLConfig{
		Certificate: writeFile(t, dir, "server.crt", sc), Key: writeFile(t, dir, "server.key", sk),
		CertificateAuthorities: []string{writeFile(t, dir, "clients-ca.crt", clientCA.pem)}}}
	if token == nil {
		if err := c.Check(); err != nil {
			t.Fatalf("mTLS without a token is a valid configuration: %v", err)
		}
	}
	tc, err := c.SSL.ServerTLS()
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeProbe{}
	audit, logs := logptest.NewTestingLoggerWithObserver(t, "control.audit")
	s := &Server{Probe: p, Status: func() *Heartbeat { return &Heartbeat{Kind: KindHeartbeat, Probe: "p1"} },
		Token: token, TLS: tc, Audit: audit}
	if err := s.Listen(c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p, logs
}

// client trusts serverCA and presents the given certificate (none if nil).
func client(t *testing.T, serverCA *testCA, certPEM, keyPEM []byte) *http.Client {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(serverCA.pem)
	tc := &tls.Config{RootCAs: roots}
	if certPEM != nil {
		kp, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		// Always presented, like curl --cert does (Go's client would
		// otherwise hold back a certificate the server's CA list does not name).
		tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &kp, nil }
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Second}
}

// auditLines waits until n audit lines were written (each is written once
// its response is sent) and returns them.
func auditLines(t *testing.T, logs *observer.ObservedLogs, n int) []observer.LoggedEntry {
	t.Helper()
	lines := logs.FilterMessage("control API request").All()
	for deadline := time.Now().Add(5 * time.Second); len(lines) < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		lines = logs.FilterMessage("control API request").All()
	}
	if len(lines) != n {
		t.Fatalf("%d audit lines, want %d: %v", len(lines), n, lines)
	}
	return lines
}

// TestHTTPMutualTLS: with ssl.certificate_authorities, a request without a
// client certificate gets 401, a certificate from another CA fails the
// handshake, one from the configured CA works; every attempt leaves an
// audit line, which names the client certificate.
func TestHTTPMutualTLS(t *testing.T) {
	serverCA, clientCA, otherCA := newCA(t, "server CA"), newCA(t, "operators CA"), newCA(t, "someone else's CA")
	s, p, logs := mtlsServer(t, serverCA, clientCA, nil)
	url := "https://" + s.Addr()

	// No client certificate: the handshake succeeds, the API refuses.
	resp, err := client(t, serverCA, nil, nil).Post(url+"/v1/actions", "application/json", strings.NewReader(`{"action":"pause"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no client certificate: %d, want 401", resp.StatusCode)
	}
	l := auditLines(t, logs, 1)[0].ContextMap()
	if l["outcome"] != "unauthorized" || l["reason"] != "no client certificate" || l["client"] != "" {
		t.Fatalf("audit line for no certificate: %v", l)
	}

	// A client certificate from another CA: the handshake fails.
	oc, ok := otherCA.issue(t, "mallory", false)
	_, err = client(t, serverCA, oc, ok).Post(url+"/v1/actions", "application/json", strings.NewReader(`{"action":"pause"}`))
	if err == nil {
		t.Fatal("a certificate from another CA was accepted")
	}
	l = auditLines(t, logs, 2)[1].ContextMap()
	if o, _ := l["outcome"].(string); !strings.HasPrefix(o, "tls handshake failed") {
		t.Fatalf("audit line for the wrong CA: %v", l)
	}
	if len(p.applied) != 0 {
		t.Fatalf("unauthorized requests applied %v", p.applied)
	}

	// A certificate from the configured CA works, and the audit line names it.
	gc, gk := clientCA.issue(t, "alice", false)
	good := client(t, serverCA, gc, gk)
	resp, err = good.Post(url+"/v1/actions", "application/json", strings.NewReader(`{"action":"pause","args":{"source":"eth0"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	_ = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if resp.StatusCode != 200 || res.Status != Applied || len(p.applied) != 1 {
		t.Fatalf("good certificate: %d %+v, applied %v", resp.StatusCode, res, p.applied)
	}
	l = auditLines(t, logs, 3)[2].ContextMap()
	if c, _ := l["client"].(string); l["outcome"] != "pause applied" || !strings.Contains(c, "CN=alice") || !strings.Contains(c, "sha256:") {
		t.Fatalf("audit line for alice: %v", l)
	}

	// Plain HTTP to the TLS port: refused, and audited.
	if resp, err := http.Get("http://" + s.Addr() + "/v1/status"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP was served")
		}
	}
}

// TestHTTPMutualTLSAndToken: with both configured, both are required.
func TestHTTPMutualTLSAndToken(t *testing.T) {
	serverCA, clientCA := newCA(t, "server CA"), newCA(t, "operators CA")
	token := []byte("0123456789abcdef0123")
	s, p, logs := mtlsServer(t, serverCA, clientCA, token)
	gc, gk := clientCA.issue(t, "alice", false)
	c := client(t, serverCA, gc, gk)
	get := func(tok string) int {
		req, _ := http.NewRequest("GET", "https://"+s.Addr()+"/v1/status", nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(""); code != 401 {
		t.Fatalf("certificate without the token: %d", code)
	}
	if code := get(string(token)); code != 200 {
		t.Fatalf("certificate and token: %d", code)
	}
	lines := auditLines(t, logs, 2)
	if r := lines[0].ContextMap()["reason"]; r != "no valid bearer token" {
		t.Fatalf("first audit line: %v", lines[0].ContextMap())
	}
	if len(p.applied) != 0 {
		t.Fatal("status applied an action")
	}
}

// TestHTTPSSLConfig: clear errors for incomplete or unreadable settings.
func TestHTTPSSLConfig(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "ca")
	cases := []struct {
		name string
		c    HTTPConfig
		want string
	}{
		{"neither token nor mTLS", HTTPConfig{Enabled: true}, "needs a bearer token or mTLS"},
		{"CA without certificate", HTTPConfig{Enabled: true, SSL: HTTPSSLConfig{CertificateAuthorities: []string{"ca.crt"}}}, "needs both certificate and key"},
		{"TLS without CA or token", HTTPConfig{Enabled: true, SSL: HTTPSSLConfig{Certificate: "a", Key: "b"}}, "needs a bearer token or mTLS"},
	}
	for _, tc := range cases {
		if err := tc.c.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	sc, sk := ca.issue(t, "probe", true)
	ok := HTTPSSLConfig{Certificate: writeFile(t, dir, "s.crt", sc), Key: writeFile(t, dir, "s.key", sk)}
	bad := ok
	bad.CertificateAuthorities = []string{writeFile(t, dir, "notpem", []byte("hello"))}
	if _, err := bad.ServerTLS(); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Errorf("CA file without PEM: %v", err)
	}
	missing := ok
	missing.Key = filepath.Join(dir, "nope.key")
	if _, err := missing.ServerTLS(); err == nil || !strings.Contains(err.Error(), "loading certificate") {
		t.Errorf("missing key: %v", err)
	}
	if tc, err := ok.ServerTLS(); err != nil || tc.ClientCAs != nil {
		t.Errorf("TLS without client CAs: %v %v", tc, err)
	}
}
