package benchkit

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"

	"github.com/frontdesk/frontdesk/internal/app"
)

// Variables the parent sets for the -serve child, besides FRONTDESK_*.
const (
	// envControl names the directory where the child reports each garbage
	// collection it ran on SIGUSR1 (a file "gc" holding their count).
	envControl = "FDBENCH_CONTROL_DIR"
	// envCPUProfile names the file of the CPU profile that SIGUSR2 starts
	// and the next SIGUSR2 completes.
	envCPUProfile = "FDBENCH_CPUPROFILE"
	// envHeapProfile, when set, makes each SIGUSR1 also write a heap
	// profile, after the collection, to its value followed by ".<count>".
	envHeapProfile = "FDBENCH_HEAPPROFILE"
)

// Serve is the -serve child: "frontdesk serve" in this process, configured
// from the environment, until SIGTERM or SIGINT, with the file limit
// raised and the two measurement signals handled. It returns the exit code.
func Serve() int {
	if _, err := RaiseFileLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Before the server answers /readyz: the default action of SIGUSR1 and
	// SIGUSR2 is to end the process.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	c := &controller{dir: os.Getenv(envControl), profile: os.Getenv(envCPUProfile), heap: os.Getenv(envHeapProfile)}
	go func() {
		for s := range sigs {
			if err := c.handle(s); err != nil {
				fmt.Fprintln(os.Stderr, "serve:", err)
			}
		}
	}()
	code := app.Main(ctx, []string{"serve"}, app.OSEnv())
	if err := c.stopProfile(); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
	}
	return code
}

// controller carries out the parent's measurement signals in the child.
type controller struct {
	dir     string
	profile string
	heap    string

	mu  sync.Mutex
	gcs int
	f   *os.File // the CPU profile being written
}

func (c *controller) handle(s os.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case s == syscall.SIGUSR1:
		runtime.GC()
		c.gcs++
		if c.heap != "" {
			if err := writeHeapProfile(fmt.Sprintf("%s.%d", c.heap, c.gcs)); err != nil {
				return err
			}
		}
		// Written under another name and renamed, so that the parent never
		// reads a half-written count.
		tmp := filepath.Join(c.dir, "gc.tmp")
		if err := os.WriteFile(tmp, []byte(strconv.Itoa(c.gcs)), 0o600); err != nil {
			return err
		}
		return os.Rename(tmp, filepath.Join(c.dir, "gc"))
	case s == syscall.SIGUSR2 && c.profile != "" && c.f == nil:
		f, err := os.Create(c.profile + ".partial")
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		c.f = f
	case s == syscall.SIGUSR2 && c.f != nil:
		return c.stopProfileLocked()
	}
	return nil
}

func (c *controller) stopProfile() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopProfileLocked()
}

// stopProfileLocked completes the CPU profile, if one is being written, and
// gives it its final name: the parent waits for that name.
func (c *controller) stopProfileLocked() error {
	if c.f == nil {
		return nil
	}
	pprof.StopCPUProfile()
	err := c.f.Close()
	c.f = nil
	if err != nil {
		return err
	}
	return os.Rename(c.profile+".partial", c.profile)
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// RaiseFileLimit lifts this process's soft limit on open files to the hard
// limit (Go does so at start-up too, but says nothing) and returns it.
func RaiseFileLimit() (syscall.Rlimit, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return l, fmt.Errorf("getrlimit: %w", err)
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return l, fmt.Errorf("setrlimit: %w", err)
	}
	return l, nil
}
