package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serverSpec says how to start one server process.
type serverSpec struct {
	bin     string
	args    []string
	dataDir string
	dbURL   string // "" for SQLite in dataDir
	logFile string
	budget  string // FRONTDESK_HASH_MEMORY_BUDGET, or "" for the default
}

// server is a running server process whose memory is sampled.
type server struct {
	cmd     *exec.Cmd
	pid     int
	url     string
	ready   string // answers 200 once the server is ready
	logFile string
	exited  chan struct{}
	waitErr error
	rss     *rssSampler
	once    sync.Once
	stopErr error
}

// buildServer compiles ./cmd/frontdesk of the module in the working directory.
func buildServer(out string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/frontdesk")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/frontdesk (run from the module root): %w", err)
	}
	return nil
}

// startServer starts spec on a free loopback port and waits until /readyz
// answers 200.
func startServer(spec serverSpec) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(spec.bin, append(spec.args, serveArgs(spec)...)...)
	cmd.Env = append(withoutFrontdeskVars(os.Environ()),
		"FRONTDESK_DATA_DIR="+spec.dataDir,
		"FRONTDESK_ADDR="+addr,
		"FRONTDESK_LOG_LEVEL=warn",
		// The load generator gives each registration and flood request
		// its own X-Forwarded-For, so per-IP limits see distinct sources.
		"FRONTDESK_TRUSTED_PROXIES=127.0.0.1/32",
		"FRONTDESK_DATABASE_URL="+spec.dbURL,
		"FRONTDESK_MIGRATE=true",
	)
	if spec.budget != "" {
		cmd.Env = append(cmd.Env, "FRONTDESK_HASH_MEMORY_BUDGET="+spec.budget)
	}
	return launch(cmd, spec.logFile, "http://"+addr, "http://"+addr+"/readyz")
}

// startProcess starts bin with args (and env added to this process's own)
// and waits until readyURL answers 200; its output goes to logFile.
func startProcess(bin string, args, env []string, logFile, readyURL string) (*server, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	return launch(cmd, logFile, "", readyURL)
}

func launch(cmd *exec.Cmd, logFile, url, readyURL string) (*server, error) {
	logOut, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logOut.Close() // the child holds its own descriptor
	cmd.Stdout, cmd.Stderr = logOut, logOut
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	s := &server{cmd: cmd, pid: cmd.Process.Pid, url: url, ready: readyURL, logFile: logFile, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	s.rss = newRSSSampler(s.pid, 50*time.Millisecond)
	if err := s.waitReady(60 * time.Second); err != nil {
		s.stop()
		return nil, s.withLog(err)
	}
	return s, nil
}

// serveArgs is "serve" for the frontdesk binary; the harness needs none.
func serveArgs(spec serverSpec) []string {
	if len(spec.args) > 0 {
		return nil
	}
	return []string{"serve"}
}

func (s *server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("server exited during start-up: %v", s.waitErr)
		default:
		}
		resp, err := c.Get(s.ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond) // fine enough to time start-up
	}
	return fmt.Errorf("server not ready after %s", limit)
}

// stop asks the server to shut down gracefully and kills it after 30 s.
func (s *server) stop() error {
	s.once.Do(func() {
		s.rss.stop()
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
			var ee *exec.ExitError
			if s.waitErr != nil && !errors.As(s.waitErr, &ee) {
				s.stopErr = s.waitErr
			} else if s.waitErr != nil {
				s.stopErr = fmt.Errorf("server exited with %v", s.waitErr)
			}
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
			s.stopErr = errors.New("server did not stop within 30 s and was killed")
		}
	})
	return s.stopErr
}

// withLog adds the end of the server's log to err.
func (s *server) withLog(err error) error {
	b, _ := os.ReadFile(s.logFile)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return fmt.Errorf("%w\nserver log (last lines):\n%s", err, strings.Join(lines, "\n"))
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// withoutFrontdeskVars drops the caller's FRONTDESK_* settings, so that the
// server runs with its defaults apart from what the benchmark sets.
func withoutFrontdeskVars(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "FRONTDESK_") {
			out = append(out, kv)
		}
	}
	return out
}
