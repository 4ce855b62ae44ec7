package prom

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/elastic/elastic-agent-libs/monitoring"
)

// ContentType is the text exposition format's media type.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Handler serves the registries returned by regs on every request (they
// are looked up per scrape: outputs replace their registries on reload).
func Handler(regs func() []*monitoring.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "only GET", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		_ = Write(w, regs()...)
	})
}

// Server is a /metrics endpoint on its own address.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// Listen binds cfg's address and serves h on /metrics until Close.
func Listen(cfg Config, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return nil, fmt.Errorf("prometheus: listening on %s failed: %w", cfg.Addr(), err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, ln: ln}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server, waiting up to 5 s for scrapes in flight.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}
