package control

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/elastic-agent-libs/logp"
)

// HTTPConfig is `netbeat.control.http`: the local control API.
type HTTPConfig struct {
	Enabled   bool   `config:"enabled"`
	Host      string `config:"host"`       // default localhost
	Port      int    `config:"port"`       // default 5067
	TokenFile string `config:"token_file"` // the bearer token, one line
	// SSL serves the API over TLS; with ssl.certificate_authorities every
	// client needs a certificate they signed (mTLS). A token, mTLS or both
	// are required.
	SSL HTTPSSLConfig `config:"ssl"`
}

// DefaultHTTPConfig is off, on localhost:5067 once enabled.
func DefaultHTTPConfig() HTTPConfig { return HTTPConfig{Host: "localhost", Port: 5067} }

// minTokenLen is the shortest bearer token accepted.
const minTokenLen = 16

// Check validates an enabled http section.
func (c *HTTPConfig) Check() error {
	if !c.Enabled {
		return nil
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("netbeat.control.http.port %d is out of range 0-65535", c.Port)
	}
	if err := c.SSL.check(); err != nil {
		return err
	}
	if c.TokenFile == "" && len(c.SSL.CertificateAuthorities) == 0 {
		return fmt.Errorf("netbeat.control.http needs a bearer token or mTLS: set token_file (e.g. `openssl rand -hex 32 > /etc/netbeat/control.token; chmod 600 /etc/netbeat/control.token`) or ssl.certificate, ssl.key and ssl.certificate_authorities (the CA of the clients' certificates)")
	}
	return nil
}

// ReadToken reads the bearer token from c.TokenFile (nil when unset: the
// API then relies on mTLS alone).
func (c *HTTPConfig) ReadToken() ([]byte, error) {
	if c.TokenFile == "" {
		return nil, nil
	}
	data, err := os.ReadFile(c.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("netbeat.control.http.token_file: %w", err)
	}
	tok := []byte(strings.TrimSpace(string(data)))
	if len(tok) < minTokenLen {
		return nil, fmt.Errorf("netbeat.control.http.token_file %s holds a token of %d characters: use at least %d (e.g. `openssl rand -hex 32`)", c.TokenFile, len(tok), minTokenLen)
	}
	return tok, nil
}

// Server is the local HTTP control API: the actions of the command topic,
// on the probe itself, for a caller holding the bearer token and/or a
// client certificate signed by a configured CA. Every request is written
// to the audit log (logger "control.audit").
type Server struct {
	Probe  Probe
	Status func() *Heartbeat
	Token  []byte      // nil: no token required (mTLS only)
	TLS    *tls.Config // nil: plain HTTP; with ClientCAs: mTLS required
	Audit  *logp.Logger
	srv    *http.Server
	ln     net.Listener
}

// actionRequest is the body of POST /v1/actions.
type actionRequest struct {
	Action string            `json:"action"`
	Args   map[string]string `json:"args"`
}

// Handler serves GET /v1/status and POST /v1/actions.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Status())
	})
	mux.HandleFunc("POST /v1/actions", func(w http.ResponseWriter, r *http.Request) {
		var req actionRequest
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxCommandBytes+1))
		if err == nil && len(body) > MaxCommandBytes {
			err = fmt.Errorf("body larger than %d bytes", MaxCommandBytes)
		}
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err == nil && req.Action == "" {
			err = errors.New("action is empty")
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be {\"action\": ..., \"args\": {...}}: " + err.Error()})
			return
		}
		res := s.apply(req)
		if o, ok := r.Context().Value(auditKey{}).(*string); ok {
			*o = req.Action + " " + res.Status
		}
		code := http.StatusOK
		if res.Status == Failed {
			code = http.StatusUnprocessableEntity
		}
		writeJSON(w, code, res)
	})
	return s.auth(mux)
}

func (s *Server) apply(req actionRequest) *Result {
	start := time.Now()
	res := &Result{Kind: KindResult, CommandID: "http", Action: req.Action}
	res.HashBefore = s.Probe.State().ConfigHash
	var msg string
	var err error
	if req.Action == "status" {
		data, _ := json.Marshal(s.Status())
		msg = string(data)
	} else {
		msg, err = s.Probe.Apply(req.Action, req.Args)
	}
	res.HashAfter = s.Probe.State().ConfigHash
	res.Status, res.Message = Applied, msg
	if err != nil {
		res.Status, res.Message = Failed, err.Error()
	}
	res.Time = time.Now().UTC()
	res.ApplyMS = float64(time.Since(start).Microseconds()) / 1000
	return res
}

type auditKey struct{}

// auth checks the client certificate (mTLS) and the bearer token
// (constant time), whichever are configured, and writes the audit line
// with the client's identity.
func (s *Server) auth(next http.Handler) http.Handler {
	mtls := s.TLS != nil && s.TLS.ClientCAs != nil
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		start := time.Now()
		outcome, why := "", ""
		client := clientIdentity(r)
		defer func() {
			kv := []any{"remote", r.RemoteAddr, "client", client, "method", r.Method, "path", r.URL.Path,
				"status", rec.code, "outcome", outcome, "ms", time.Since(start).Milliseconds()}
			if why != "" {
				kv = append(kv, "reason", why)
			}
			s.Audit.Infow("control API request", kv...)
		}()
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case mtls && client == "":
			why = "no client certificate"
		case s.Token != nil && (!ok || subtle.ConstantTimeCompare([]byte(tok), s.Token) != 1):
			why = "no valid bearer token"
		case s.Token == nil && !mtls: // a Server built without either: refuse everything
			why = "neither a token nor mTLS is configured"
		}
		if why != "" {
			outcome = "unauthorized"
			msg := "a valid bearer token is required (Authorization: Bearer <netbeat.control.http.token_file>)"
			if why == "no client certificate" {
				msg = "a client certificate signed by netbeat.control.http.ssl.certificate_authorities is required"
			} else {
				rec.Header().Set("WWW-Authenticate", `Bearer realm="netbeat"`)
			}
			writeJSON(rec, http.StatusUnauthorized, map[string]string{"error": msg})
			return
		}
		if client == "" {
			client = "token"
		}
		outcome = "ok"
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), auditKey{}, &outcome)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Listen starts serving on c.Host:c.Port (port 0 picks a free one).
func (s *Server) Listen(c HTTPConfig) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
	if err != nil {
		return fmt.Errorf("control API: listening on %s:%d failed: %w", c.Host, c.Port, err)
	}
	if s.TLS != nil {
		ln = tls.NewListener(ln, s.TLS)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: handshakeLog(s.Audit)}
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// Addr is the address served.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }
