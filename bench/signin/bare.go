package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// serveBare is the ceiling of the session check: a bare net/http server in
// a process of its own, as the real server is, that answers GET
// /api/v1/session with the body the real server gave (read from bodyFile)
// from memory, and /readyz with 200. It listens on FRONTDESK_ADDR, so that
// startServer starts it like the real server. Whatever the session check
// spends beyond this handler is Frontdesk's own work: routing, middleware,
// the session look-up and the JSON of the answer.
func serveBare(bodyFile string) error {
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /api/v1/session", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
	srv := &http.Server{Addr: os.Getenv("FRONTDESK_ADDR"), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sessionBody fetches one answer of the real session check, for the bare
// handler to repeat.
func sessionBody(base, token string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/session", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New("session check: " + resp.Status)
	}
	return io.ReadAll(resp.Body)
}
