package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/frontdesk/frontdesk/internal/app"
)

// serveHarness runs the server in this process, configured from FRONTDESK_*
// variables exactly as "frontdesk serve" is, so that runtime/pprof can
// profile it: SIGUSR1 starts a CPU profile and SIGUSR2 completes it as
// dir/profile-<n>.pprof, n counting from 1; SIGTERM or SIGINT shuts down.
func serveHarness(dir string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Before the server answers /readyz: the default action of SIGUSR1 is
	// to end the process.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	cfg, err := app.ParseConfig(nil, os.Getenv)
	if err != nil {
		return err
	}
	inst, err := app.Start(ctx, cfg, app.OSEnv())
	if err != nil {
		return err
	}
	var f *os.File
	n := 0
	for {
		select {
		case <-ctx.Done():
			if f != nil {
				pprof.StopCPUProfile()
				f.Close()
			}
			return inst.Stop()
		case s := <-sigs:
			switch {
			case s == syscall.SIGUSR1 && f == nil:
				n++
				if f, err = os.Create(profilePath(dir, n) + ".partial"); err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
			case s == syscall.SIGUSR2 && f != nil:
				pprof.StopCPUProfile()
				if err := f.Close(); err != nil {
					return err
				}
				f = nil
				// The parent waits for the final name: the file is complete.
				if err := os.Rename(profilePath(dir, n)+".partial", profilePath(dir, n)); err != nil {
					return err
				}
			}
		}
	}
}

func profilePath(dir string, n int) string {
	return filepath.Join(dir, fmt.Sprintf("profile-%d.pprof", n))
}

// profilePhase starts the harness in this binary on the server's data and
// measures the session check again for o.profileFor with a CPU profile
// around the load, then sign-ins with the most clients of the run the same
// way. It keeps the top of "go tool pprof -top" of each.
func profilePhase(o options, spec serverSpec, work string, res *results) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir := o.profileOut
	if dir == "" {
		dir = filepath.Join(work, "profiles")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for n := 1; n <= 2; n++ {
		os.Remove(profilePath(dir, n))
	}
	spec.bin, spec.args = self, []string{"-harness-profile", dir}
	srv, err := startServer(spec)
	if err != nil {
		return err
	}
	defer srv.stop()

	logf("profiled session run (in-process harness, pid %d), %s", srv.pid, o.profileFor)
	conns := slices.Max(o.sessionConns)
	sessionLoad(frontdeskCheck(srv.url), res.tokens, conns, time.Second, false) // warm-up
	var r sessionResult
	top, err := profiled(srv, profilePath(dir, 1), func() {
		r.cpu = res.withCPU(fmt.Sprintf("session checks, %d conns, profiled", conns), srv.pid, func() { r = sessionLoad(frontdeskCheck(srv.url), res.tokens, conns, o.profileFor, true) })
	})
	if err != nil {
		return srv.withLog(err)
	}
	res.profiled, res.pprofSession = &r, top

	clients := slices.Max(o.clients)
	logf("profiled sign-in run, %d clients, %s", clients, o.profileFor)
	var sr signinResult
	top, err = profiled(srv, profilePath(dir, 2), func() {
		sr.cpu = res.withCPU(fmt.Sprintf("sign-in, %d clients, profiled", clients), srv.pid, func() {
			sr = signinThroughput(frontdeskSignIn(newAPI(srv.url, 256, 60*time.Second)), res.loadAccts, clients, o.profileFor)
		})
	})
	if err != nil {
		return srv.withLog(err)
	}
	res.profiledSignin, res.pprofSignin = &sr, top
	if o.profileOut != "" {
		logf("CPU profiles kept in %s", dir)
	}
	return srv.stop()
}

// profiled runs load with the harness's CPU profiler on and returns the
// flat and cumulative tops of the profile.
func profiled(srv *server, path string, load func()) (string, error) {
	srv.cmd.Process.Signal(syscall.SIGUSR1)
	load()
	srv.cmd.Process.Signal(syscall.SIGUSR2)
	if err := waitFile(path, 30*time.Second); err != nil {
		return "", err
	}
	var out []string
	for _, args := range [][]string{{"-top"}, {"-top", "-cum"}} {
		cmd := exec.Command("go", append(append([]string{"tool", "pprof"}, args...), "-nodecount=15", path)...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("go tool pprof: %w: %s", err, b)
		}
		out = append(out, "$ go tool pprof "+strings.Join(args, " ")+" -nodecount=15\n"+strings.TrimSpace(string(b)))
	}
	return strings.Join(out, "\n\n"), nil
}

func waitFile(path string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no CPU profile at %s after %s", path, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
