//go:build integration

package beat_test

// The local control API with mutual TLS, end to end: certificates made with
// openssl as an operator would, netbeat configured with
// netbeat.control.http.ssl and no token, curl with and without a client
// certificate, and the audit lines in netbeat's log.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netbeat/netbeat/internal/nbtest"
)

func TestControlAPIMutualTLS(t *testing.T) {
	openssl, curl := requireTool(t, "openssl"), requireTool(t, "curl")
	dir := t.TempDir()
	sh := func(args ...string) {
		t.Helper()
		cmd := exec.Command(openssl, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// Two CAs: the operators' (trusted by the probe) and another one.
	for _, ca := range []string{"operators-ca", "other-ca"} {
		sh("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
			"-keyout", ca+".key", "-out", ca+".crt", "-subj", "/CN="+ca)
	}
	leaf := func(name, ca, ext string) {
		sh("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name+".key", "-out", name+".csr", "-subj", "/O=ops/CN="+name)
		writeFile(t, filepath.Join(dir, name+".ext"), ext)
		sh("x509", "-req", "-in", name+".csr", "-CA", ca+".crt", "-CAkey", ca+".key", "-CAcreateserial", "-days", "1", "-out", name+".crt", "-extfile", name+".ext")
	}
	leaf("server", "operators-ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
	leaf("alice", "operators-ca", "extendedKeyUsage=clientAuth\n")
	leaf("mallory", "other-ca", "extendedKeyUsage=clientAuth\n")

	port := 16000 + os.Getpid()%1000
	cfg := fileOutputConfig(t, dir, fmt.Sprintf(`netbeat:
  files: [{path: %q, speed: 0.01}]
  mode: [packets]
  control.http:
    enabled: true
    host: 127.0.0.1
    port: %d
    ssl: {certificate: %q, key: %q, certificate_authorities: [%q]}
`, capturePath(t, "icmp.pcap"), port, filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"), filepath.Join(dir, "operators-ca.crt")))
	var logs nbtest.SyncBuffer
	cmd := exec.Command(netbeatBinary(t), append([]string{"-e", "-c", cfg}, homeArgs(dir)...)...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(logs.String(), "control API on https://"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the control API did not start:\n%s", tail(logs.String(), 20))
		}
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/v1/status", port)
	get := func(cert string) (string, error) {
		args := []string{"-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", filepath.Join(dir, "operators-ca.crt")}
		if cert != "" {
			args = append(args, "--cert", filepath.Join(dir, cert+".crt"), "--key", filepath.Join(dir, cert+".key"))
		}
		out, err := exec.Command(curl, append(args, url)...).Output()
		return string(out), err
	}
	if code, err := get(""); err != nil || code != "401" {
		t.Fatalf("no client certificate: HTTP %q, %v; want 401", code, err)
	}
	if code, err := get("mallory"); err == nil && code != "000" {
		t.Fatalf("a certificate from another CA: HTTP %q; want a failed handshake", code)
	}
	if code, err := get("alice"); err != nil || code != "200" {
		t.Fatalf("alice's certificate: HTTP %q, %v; want 200", code, err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		l := logs.String()
		if strings.Contains(l, `"reason":"no client certificate"`) && strings.Contains(l, "tls handshake failed") &&
			strings.Contains(l, `"client":"cert:CN=alice,O=ops sha256:`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the audit log misses a request:\n%s", tail(logs.String(), 20))
		}
	}
}
