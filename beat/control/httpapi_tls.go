package control

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/elastic/elastic-agent-libs/logp"
)

// HTTPSSLConfig is `netbeat.control.http.ssl`: TLS for the local control
// API and, with certificate_authorities, mutual TLS (client certificates).
type HTTPSSLConfig struct {
	Certificate string `config:"certificate"` // the server's certificate (PEM)
	Key         string `config:"key"`         // its private key (PEM)
	// CertificateAuthorities sign the clients' certificates. Set, every
	// request needs a client certificate that verifies against them.
	CertificateAuthorities []string `config:"certificate_authorities"`
}

// Enabled reports whether the API is served over TLS.
func (c HTTPSSLConfig) Enabled() bool {
	return c.Certificate != "" || c.Key != "" || len(c.CertificateAuthorities) > 0
}

func (c HTTPSSLConfig) check() error {
	if !c.Enabled() {
		return nil
	}
	if c.Certificate == "" || c.Key == "" {
		return fmt.Errorf("netbeat.control.http.ssl needs both certificate and key (the server's PEM certificate and private key)")
	}
	return nil
}

// ServerTLS loads the server certificate and the client CAs. It is nil
// when ssl is not configured.
func (c HTTPSSLConfig) ServerTLS() (*tls.Config, error) {
	if !c.Enabled() {
		return nil, nil
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(c.Certificate, c.Key)
	if err != nil {
		return nil, fmt.Errorf("netbeat.control.http.ssl: loading certificate %s and key %s failed: %w", c.Certificate, c.Key, err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if len(c.CertificateAuthorities) > 0 {
		pool := x509.NewCertPool()
		for _, f := range c.CertificateAuthorities {
			pem, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("netbeat.control.http.ssl.certificate_authorities: %w", err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("netbeat.control.http.ssl.certificate_authorities: %s holds no PEM certificate", f)
			}
		}
		cfg.ClientCAs = pool
		// A certificate that does not verify fails the handshake; a
		// request without one reaches auth, which answers 401 and
		// writes the audit line.
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}

// clientIdentity is the verified client certificate's subject and the
// first 16 hex digits of its SHA-256, or "" without a verified one.
func clientIdentity(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return ""
	}
	c := r.TLS.VerifiedChains[0][0]
	sum := sha256.Sum256(c.Raw)
	return fmt.Sprintf("cert:%s sha256:%s", c.Subject.String(), hex.EncodeToString(sum[:8]))
}

// handshakeLog turns net/http's "TLS handshake error" lines (a client
// certificate that does not verify, a client speaking plain HTTP) into
// audit lines.
func handshakeLog(audit *logp.Logger) *log.Logger {
	return log.New(auditWriter{audit}, "", 0)
}

type auditWriter struct{ l *logp.Logger }

func (a auditWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	if rest, ok := strings.CutPrefix(msg, "http: TLS handshake error from "); ok {
		remote, reason, _ := strings.Cut(rest, ": ")
		a.l.Infow("control API request", "remote", remote, "status", 0, "client", "", "outcome", "tls handshake failed: "+reason)
	} else {
		a.l.Warnf("control API: %s", msg)
	}
	return len(p), nil
}
