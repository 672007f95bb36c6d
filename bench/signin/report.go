package main

import (
	"fmt"
	"maps"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/password"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

// Targets of issue 21 (docs/benchmarks.md).
const (
	targetShare = 0.95 // sign-ins/s as a share of the raw Argon2id rate
	// The session check as a share of the bare handler's rate, on SQLite
	// and on PostgreSQL (a network round trip to the database per check).
	targetSessionSQLite   = 0.60
	targetSessionPostgres = 0.40
	targetP99             = 2 * time.Millisecond // at 8 connections
	rssHeadroom           = 150 << 20            // above the hash memory budget
)

func (r *results) sessionShareTarget() float64 {
	if r.opts.postgres != "" {
		return targetSessionPostgres
	}
	return targetSessionSQLite
}

// markdown renders the report of one run.
func (r *results) markdown() string {
	var b strings.Builder
	o := r.opts
	p := password.DefaultParams
	// The reference is the mean of the two raw measurements, so that a
	// change in the machine's speed during the run counts half each way.
	ref := (r.rawBefore.rate() + r.rawAfter.rate()) / 2
	// CPU per hash does not depend on how much of the machine other
	// processes take, so it gives a second, steadier share.
	refCPU := (cpuEach(r.rawBefore.cpu.self, r.rawBefore.rate()) + cpuEach(r.rawAfter.cpu.self, r.rawAfter.rate())) / 2
	rssLimit := o.budget + rssHeadroom

	fmt.Fprintf(&b, "### %s\n\n", r.database)
	fmt.Fprintf(&b, "%s; %s; %s. Server: Argon2id m=%d KiB, t=%d, p=%d; hash memory budget %s. Sign-in shares are of the mean of the two raw rates (%.1f hashes/s); the CPU share compares the raw CPU per hash (%.1f ms) with the server's CPU per sign-in.\n\n",
		benchkit.Machine(), r.product, r.started.Format("2006-01-02 15:04 MST"), p.Memory, p.Time, p.Threads, mib(o.budget), ref, refCPU)
	b.WriteString("| phase | figure | measured | target | met |\n|---|---|---|---|---|\n")
	row := func(phase, figure, measured, target, met string) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", phase, figure, measured, target, met)
	}
	for _, x := range []struct {
		when string
		raw  rawResult
		what string
	}{{"before the server phases", r.rawBefore, "Frontdesk's hasher"}, {"before the server phases", r.rawXCrypto, "x/crypto, a fresh area per hash"}, {"after the server phases", r.rawAfter, "Frontdesk's hasher"}} {
		row(fmt.Sprintf("raw Argon2id (%s), %d goroutines, %s", x.what, x.raw.workers, o.rawFor), x.when,
			fmt.Sprintf("**%.1f hashes/s** (%d in %.1f s; %.1f ms CPU each)", x.raw.rate(), x.raw.hashes, x.raw.elapsed.Seconds(), cpuEach(x.raw.cpu.self, x.raw.rate())), "reference", "")
	}
	for _, s := range r.signins {
		share := s.rate() / ref
		row(fmt.Sprintf("sign-in, %d clients, %s", s.clients, o.signinFor), "successful sign-ins/s (share of raw)",
			fmt.Sprintf("**%.1f/s (%.0f%%; %.0f%% of x/crypto's raw rate)**; server %.2f cores, %.1f ms CPU (%.0f%% of raw per hash) and %s page faults per sign-in%s", s.rate(), 100*share, 100*s.rate()/r.rawXCrypto.rate(), s.cpu.server,
				cpuEach(s.cpu.server, s.rate()), 100*refCPU/cpuEach(s.cpu.server, s.rate()), thousands(s.cpu.serverFaults/s.rate()),
				otherAnswers(s.statuses, s.errors, http.StatusCreated)),
			fmt.Sprintf("≥ %.0f%%", 100*targetShare), met(share >= targetShare))
	}
	for i, s := range r.sessions {
		sPhase := fmt.Sprintf("GET /api/v1/session, %d conns, %s", s.conns, o.sessionFor)
		row(sPhase, "requests/s", fmt.Sprintf("**%s/s** (%d requests, %d not 200, %d failed); server %.2f cores, %.0f µs CPU per request; load generator %.2f cores",
			thousands(s.rate()), s.n, s.bad, s.errors, s.cpu.server, 1000*cpuEach(s.cpu.server, s.rate()), s.cpu.self), "", met(s.bad == 0 && s.errors == 0))
		if i < len(r.bare) {
			b := r.bare[i]
			bPhase := fmt.Sprintf("bare net/http handler, %d conns, %s", b.conns, o.sessionFor)
			row(bPhase, "requests/s (the ceiling)", fmt.Sprintf("**%s/s**; p50 %s, p99 %s; handler %.2f cores, %.0f µs CPU per request; load generator %.2f cores",
				thousands(b.rate()), ms(b.p50), ms(b.p99), b.cpu.server, 1000*cpuEach(b.cpu.server, b.rate()), b.cpu.self), "reference", "")
			share := s.rate() / b.rate()
			row(sPhase, "share of the bare handler", fmt.Sprintf("**%.0f%%**", 100*share), fmt.Sprintf("≥ %.0f%%", 100*r.sessionShareTarget()), met(share >= r.sessionShareTarget()))
		}
		row(sPhase, "p50 / p90", fmt.Sprintf("%s / %s", ms(s.p50), ms(s.p90)), "", "")
		target, verdict := "", ""
		if s.conns <= 8 {
			target, verdict = "≤ "+ms(targetP99), met(s.p99 <= targetP99)
		}
		row(sPhase, "p99", fmt.Sprintf("**%s**", ms(s.p99)), target, verdict)
		row(sPhase, "p99.9 / max", fmt.Sprintf("%s / %s", ms(s.p999), ms(s.max)), "", "")
	}
	r.floodRows(row, rssLimit)
	if pr := r.profiled; pr != nil {
		row(fmt.Sprintf("GET /api/v1/session, in-process harness with CPU profile, %s", o.profileFor), "requests/s, p50, p99",
			fmt.Sprintf("%s/s, %s, %s", thousands(pr.rate()), ms(pr.p50), ms(pr.p99)), "", "")
	}
	if ps := r.profiledSignin; ps != nil {
		row(fmt.Sprintf("sign-in, %d clients, in-process harness with CPU profile, %s", ps.clients, o.profileFor), "successful sign-ins/s (share of raw)",
			fmt.Sprintf("%.1f/s (%.0f%%); server %.2f cores, %.1f ms CPU per sign-in%s", ps.rate(), 100*ps.rate()/ref, ps.cpu.server, cpuEach(ps.cpu.server, ps.rate()),
				otherAnswers(ps.statuses, ps.errors, http.StatusCreated)), "", "")
	}

	r.sideBySide(&b, ref)

	b.WriteString("\nCPU use during each phase, in cores (from /proc): the server and its kernel (system) share, this load generator, the processes named postgres, and every other process on the machine.\n\n")
	b.WriteString("| phase | server | of which system | server minor page faults/s | load generator | PostgreSQL | other processes |\n|---|---|---|---|---|---|---|\n")
	for _, u := range r.cpu {
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %s | %.2f | %.2f | %.2f |\n", u.phase, u.server, u.serverSys, thousands(u.serverFaults), u.self, u.postgres, u.others)
	}
	for _, n := range r.notes {
		fmt.Fprintf(&b, "\nNote: %s\n", n)
	}
	if r.pprofSession != "" {
		fmt.Fprintf(&b, "\nServer CPU profile of the profiled session run:\n\n```\n%s\n```\n", r.pprofSession)
	}
	if r.pprofSignin != "" {
		fmt.Fprintf(&b, "\nServer CPU profile of the profiled sign-in run:\n\n```\n%s\n```\n", r.pprofSignin)
	}
	return b.String()
}

// floodRows adds the flood's rows.
func (r *results) floodRows(row func(phase, figure, measured, target, met string), rssLimit int64) {
	f := r.flood
	phase := fmt.Sprintf("flood, %d sign-ins at once", f.n)
	row(phase, "answers 201 / 401 / 503 / other", fmt.Sprintf("%d / %d / %d / %s", f.statuses[201], f.statuses[401], f.statuses[503], otherStatuses(f.statuses)), "", "")
	row(phase, "hung or failed requests", fmt.Sprintf("**%d** hung, **%d** failed%s", f.hung, f.errors, sample(f.errSample)), "0", met(f.hung == 0 && f.errors == 0))
	row(phase, "503 with Retry-After", fmt.Sprintf("%d of %d", f.retryAfter, f.statuses[503]), "all", met(f.retryAfter == f.statuses[503]))
	row(phase, "last answer after", fmt.Sprintf("%.2f s", f.slowest.Seconds()), "", "")
	row(phase, "server peak VmRSS (sampled every 50 ms)", fmt.Sprintf("**%s** (%d samples)", mib(f.peakRSS), f.samples), "≤ "+mib(rssLimit), met(f.peakRSS <= rssLimit))
	row(phase, "server VmHWM after the flood (whole life)", "**"+mib(f.hwm)+"**", "≤ "+mib(rssLimit), met(f.hwm <= rssLimit))
	g := f.goMem
	limit := "none"
	if g.memLimit > 0 && g.memLimit < 1<<62 {
		limit = mib(g.memLimit)
	}
	row(phase, "server Go heap (/metrics every 100 ms): largest heap_alloc / heap_inuse / next_gc", fmt.Sprintf("%s / %s / %s (GOGC %d, memory limit %s)",
		mib(g.heapAlloc), mib(g.heapInuse), mib(g.nextGC), g.gogc, limit), "", "")
}

// cpuEach is the CPU milliseconds per operation of cores busy at rate per
// second.
func cpuEach(cores, rate float64) float64 {
	if rate == 0 {
		return 0
	}
	return 1000 * cores / rate
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// otherAnswers lists answers other than want, and failed requests, if any.
func otherAnswers(statuses map[int]int, errs, want int) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(statuses)) {
		if code != want {
			parts = append(parts, fmt.Sprintf("%d×%d", statuses[code], code))
		}
	}
	if errs > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", errs))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; also " + strings.Join(parts, ", ")
}

// otherStatuses lists the answers that are not 201, 401 or 503.
func otherStatuses(statuses map[int]int) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(statuses)) {
		if code != 201 && code != 401 && code != 503 {
			parts = append(parts, fmt.Sprintf("%d×%d", statuses[code], code))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, ", ")
}

func sample(s string) string {
	if s == "" {
		return ""
	}
	return " (e.g. " + strings.ReplaceAll(s, "|", "/") + ")"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }

// thousands formats a rate with a thousands separator and no decimals.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// productVersion names the code measured: the commit of the working tree
// and whether files outside this benchmark differ from it, or the binary
// given with -server.
func productVersion(server string) string {
	if server != "" {
		return "server binary " + server
	}
	head, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "server built from the working tree (not a git checkout)"
	}
	v := "server built at commit " + strings.TrimSpace(string(head))
	dirty, err := exec.Command("git", "status", "--porcelain", "--", ".", ":!bench/signin").Output()
	if d := strings.TrimSpace(string(dirty)); err == nil && d != "" {
		v += fmt.Sprintf(" with uncommitted changes in %d files", strings.Count(d, "\n")+1)
	}
	return v
}

// sideBySide renders the table of Frontdesk beside Ory Kratos.
func (r *results) sideBySide(b *strings.Builder, ref float64) {
	if len(r.kratos) == 0 {
		return
	}
	fd := r.frontdesk
	fd.signins, fd.sessions = r.signins, r.sessions
	runs := append([]kratosRun{fd}, r.kratos...)
	fmt.Fprintf(b, "\n#### Beside Ory Kratos, %s, same run\n\n", r.database)
	fmt.Fprintf(b, "Each product on its own database of this kind, signed in by the same load generator with the same passwords; Kratos' sign-in is its API flow (create a login flow, submit the password: two requests). Shares are of this run's raw Argon2id rate (%.1f hashes/s); with bcrypt Kratos does other work per sign-in, so its share is not comparable.\n\n", ref)
	b.WriteString("| figure |")
	for _, k := range runs {
		fmt.Fprintf(b, " %s |", k.label)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(runs)) + "\n")
	line := func(figure string, cell func(k kratosRun) string) {
		fmt.Fprintf(b, "| %s |", figure)
		for _, k := range runs {
			if k.err != nil {
				b.WriteString(" failed |")
				continue
			}
			fmt.Fprintf(b, " %s |", cell(k))
		}
		b.WriteString("\n")
	}
	for i, n := range r.opts.clients {
		line(fmt.Sprintf("sign-ins/s, %d clients (share of raw)", n), func(k kratosRun) string {
			if i >= len(k.signins) {
				return "—"
			}
			s := k.signins[i]
			return fmt.Sprintf("%.1f (%.0f%%)%s", s.rate(), 100*s.rate()/ref, otherAnswers(s.statuses, s.errors, okStatus(k)))
		})
	}
	for i, c := range r.opts.sessionConns {
		line(fmt.Sprintf("session check, %d conns: req/s, p99", c), func(k kratosRun) string {
			if i >= len(k.sessions) {
				return "—"
			}
			s := k.sessions[i]
			return fmt.Sprintf("%s/s, %s", thousands(s.rate()), ms(s.p99))
		})
	}
	line(fmt.Sprintf("%d wrong passwords, then the right one", lockoutAttempts), func(k kratosRun) string { return k.lockout.String() })
	line(fmt.Sprintf("unknown vs known e-mail, wrong password (%d each)", enumAttempts), func(k kratosRun) string { return k.enum.String() })
	line("start-up to ready", func(k kratosRun) string { return fmt.Sprintf("%.2f s", k.foot.startup.Seconds()) })
	line("idle RSS after start", func(k kratosRun) string { return mib(k.foot.idleRSS) })
	line("binary size", func(k kratosRun) string { return mib(k.foot.binary) })
	for _, k := range r.kratos {
		if k.err != nil {
			fmt.Fprintf(b, "\n%s failed: %v\n", k.label, k.err)
		}
	}
}

func okStatus(k kratosRun) int {
	if k.label == "Frontdesk" {
		return http.StatusCreated
	}
	return http.StatusOK
}
