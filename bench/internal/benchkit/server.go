package benchkit

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Server is the -serve child process.
type Server struct {
	cmd     *exec.Cmd
	PID     int
	URL     string
	dir     string // control directory, see envControl
	logFile string
	profile string // the CPU profile's file, or ""
	exited  chan struct{}
	waitErr error
	gcs     int
	once    sync.Once
	stopErr error
}

// Spec says how to start the server.
type Spec struct {
	Vars        map[string]string // FRONTDESK_* settings
	Work        string            // a directory of the run
	LogFile     string            // where its output goes; "" for one in work
	CPUProfile  string            // see envCPUProfile
	HeapProfile string            // see envHeapProfile
}

// Start starts this binary with -serve on a free loopback port and
// waits until /readyz answers 200.
func Start(spec Spec) (*Server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + addr, dir: filepath.Join(spec.Work, "control"), logFile: spec.LogFile,
		profile: spec.CPUProfile, exited: make(chan struct{})}
	if s.logFile == "" {
		s.logFile = filepath.Join(spec.Work, "server.log")
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, err
	}
	logOut, err := os.Create(s.logFile)
	if err != nil {
		return nil, err
	}
	defer logOut.Close() // the child holds its own descriptor
	cmd := exec.Command(self, "-serve")
	cmd.Env = append(withoutFrontdeskVars(os.Environ()), "FRONTDESK_ADDR="+addr, envControl+"="+s.dir)
	if spec.CPUProfile != "" {
		cmd.Env = append(cmd.Env, envCPUProfile+"="+spec.CPUProfile)
	}
	if spec.HeapProfile != "" {
		cmd.Env = append(cmd.Env, envHeapProfile+"="+spec.HeapProfile)
	}
	for k, v := range spec.Vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logOut, logOut
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s -serve: %w", self, err)
	}
	s.cmd, s.PID = cmd, cmd.Process.Pid
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(60 * time.Second); err != nil {
		s.Stop()
		return nil, s.WithLog(err)
	}
	return s, nil
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	c := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("server exited during start-up: %v", s.waitErr)
		default:
		}
		resp, err := c.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server not ready after %s", limit)
}

// Stop asks the server to shut down and kills it after 30 s.
func (s *Server) Stop() error {
	s.once.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
			if s.waitErr != nil {
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

// WithLog adds the end of the server's log to err.
func (s *Server) WithLog(err error) error {
	b, _ := os.ReadFile(s.logFile)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return fmt.Errorf("%w\nserver log (last lines):\n%s", err, strings.Join(lines, "\n"))
}

// LogSummary reports how much the server logged (warnings and errors
// only) and its first lines.
func (s *Server) LogSummary() {
	b, _ := os.ReadFile(s.logFile)
	text := strings.TrimSpace(string(b))
	if text == "" {
		Logf("server log: empty")
		return
	}
	lines := strings.Split(text, "\n")
	Logf("server log: %d lines; the first:", len(lines))
	for _, l := range lines[:min(len(lines), 5)] {
		Logf("  %.300s", l)
	}
}

// collect makes the server run a garbage collection and waits until it has.
func (s *Server) collect() error {
	s.gcs++
	if err := s.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(s.dir, "gc"))
		if n, _ := strconv.Atoi(string(b)); n >= s.gcs {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("the server did not report its garbage collection within 30 s")
}

// StartProfile starts the server's CPU profile; the returned function
// completes it and waits until the file is written.
func (s *Server) StartProfile() (stop func() error, err error) {
	if s.profile == "" {
		return func() error { return nil }, nil
	}
	os.Remove(s.profile)
	if err := s.cmd.Process.Signal(syscall.SIGUSR2); err != nil {
		return nil, err
	}
	return func() error {
		if err := s.cmd.Process.Signal(syscall.SIGUSR2); err != nil {
			return err
		}
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(s.profile); err == nil {
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
		return fmt.Errorf("no CPU profile at %s after 30 s", s.profile)
	}, nil
}

// Memory is a reading of the server's memory.
type Memory struct {
	RSS        int64 // VmRSS, bytes
	HeapInuse  int64 // go_memstats_heap_inuse_bytes
	StackInuse int64 // go_memstats_stack_inuse_bytes: goroutine stacks, outside the heap
	Goroutines int64
	OpenFDs    int64
}

// Measure collects garbage in the server and reads its memory: VmRSS from
// /proc, the rest from /metrics (open to loopback clients).
func (s *Server) Measure() (Memory, error) {
	var m Memory
	if err := s.collect(); err != nil {
		return m, err
	}
	rss, err := ProcStatus(s.PID, "VmRSS")
	if err != nil {
		return m, err
	}
	m.RSS = rss
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return m, fmt.Errorf("/metrics: status %d", resp.StatusCode)
	}
	want := map[string]*int64{
		"go_memstats_heap_inuse_bytes":  &m.HeapInuse,
		"go_memstats_stack_inuse_bytes": &m.StackInuse,
		"go_goroutines":                 &m.Goroutines,
		"process_open_fds":              &m.OpenFDs,
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if p := want[name]; ok && p != nil {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return m, fmt.Errorf("/metrics %s: %w", name, err)
			}
			*p = int64(v)
			delete(want, name)
		}
	}
	if len(want) > 0 {
		return m, fmt.Errorf("/metrics lacks %d of the figures needed", len(want))
	}
	return m, sc.Err()
}

// ProcStatus reads a "kB" field of /proc/<pid>/status, in bytes.
func ProcStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", field, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

// FileLimit returns the "Max open files" soft and hard limits of a process
// as /proc/<pid>/limits shows them.
func FileLimit(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) >= 2 {
				return f[0] + "/" + f[1]
			}
		}
	}
	return "unknown"
}

// FreeAddr returns a loopback address with a port nobody listens on now.
func FreeAddr() (string, error) {
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
