// Package server is the HTTP side of `qinqi serve`: the official channels' callbacks,
// /healthz and /metrics. It listens on plain HTTP; TLS is the reverse proxy's job.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Check is one dependency /healthz reports.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Options configure the server.
type Options struct {
	Listen   string
	Logger   *slog.Logger
	Routes   map[string]http.Handler // path → handler, e.g. /wecom/callback
	Checks   []Check                 // database and Redis: /healthz fails without them
	Channels func() []any            // the channels' health reports, shown as they are
	Metrics  *Metrics                // nil: no /metrics
}

// Server runs until Shutdown.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Start listens at once (a taken port fails here, not later) and serves in the background.
func Start(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	mux := http.NewServeMux()
	for path, h := range o.Routes {
		if o.Metrics != nil {
			h = o.Metrics.Count(path, h)
		}
		mux.Handle(path, h)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { healthz(w, r, o) })
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics.Handler())
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("http.listen %s: %w", o.Listen, err)
	}
	s := &Server{ln: ln, done: make(chan error, 1),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute,
			ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn)}}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address listened on (the port is real when Listen asked for :0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting and waits for requests in flight (a callback being handed to the
// inbox) up to ctx's deadline.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// healthz answers 200 when the database and Redis answer, 503 otherwise; the channels' reports
// are included either way (a channel error is for the administrator, not a reason to restart).
func healthz(w http.ResponseWriter, r *http.Request, o Options) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	out := struct {
		OK       bool              `json:"ok"`
		Checks   map[string]string `json:"checks"`
		Channels []any             `json:"channels,omitempty"`
	}{OK: true, Checks: map[string]string{}}
	for _, c := range o.Checks {
		if err := c.Ping(ctx); err != nil {
			out.OK, out.Checks[c.Name] = false, "unreachable"
			continue
		}
		out.Checks[c.Name] = "ok"
	}
	if o.Channels != nil {
		out.Channels = o.Channels()
	}
	w.Header().Set("Content-Type", "application/json")
	if !out.OK {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(out)
}
