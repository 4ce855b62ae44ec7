package control

import (
	"context"
	"crypto/subtle"
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
	TokenFile string `config:"token_file"` // required: the bearer token, one line
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
	if c.TokenFile == "" {
		return fmt.Errorf("netbeat.control.http.token_file is empty: the API needs a bearer token (e.g. `openssl rand -hex 32 > /etc/netbeat/control.token; chmod 600 /etc/netbeat/control.token`)")
	}
	return nil
}

// ReadToken reads the bearer token from c.TokenFile.
func (c *HTTPConfig) ReadToken() ([]byte, error) {
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
// on the probe itself, for a caller holding the bearer token. Every
// request is written to the audit log (logger "control.audit").
type Server struct {
	Probe  Probe
	Status func() *Heartbeat
	Token  []byte
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

// auth checks the bearer token (constant time) and writes the audit line.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		start := time.Now()
		outcome := ""
		defer func() {
			s.Audit.Infow("control API request", "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path,
				"status", rec.code, "outcome", outcome, "ms", time.Since(start).Milliseconds())
		}()
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(tok), s.Token) != 1 {
			outcome = "unauthorized"
			rec.Header().Set("WWW-Authenticate", `Bearer realm="netbeat"`)
			writeJSON(rec, http.StatusUnauthorized, map[string]string{"error": "a valid bearer token is required (Authorization: Bearer <netbeat.control.http.token_file>)"})
			return
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
	s.ln = ln
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// Addr is the address served.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }
