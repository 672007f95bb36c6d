package app

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress reports a long job's rows on stderr: a bar redrawn in place
// with the rate and the time left when stderr is a terminal, and a plain
// line every few seconds otherwise (logs, CI).
type progress struct {
	w     io.Writer
	tty   bool
	total int
	verb  string
	start time.Time
	last  time.Time
	every time.Duration
	now   func() time.Time
}

func newProgress(w io.Writer, total int, dryRun bool) *progress {
	verb := "imported"
	if dryRun {
		verb = "checked"
	}
	p := &progress{w: w, tty: isTerminal(w), total: total, verb: verb, now: time.Now}
	p.start = p.now()
	p.last = p.start
	p.every = 5 * time.Second
	if p.tty {
		p.every = 200 * time.Millisecond
	}
	return p
}

// isTerminal reports whether w is a character device, without a terminal
// library: enough to decide between redrawing a line and printing lines.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(done int) {
	now := p.now()
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	p.draw(done, now)
}

func (p *progress) draw(done int, now time.Time) {
	elapsed := now.Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	eta := "?"
	if rate > 0 && p.total >= done {
		eta = "<1s"
		if left := time.Duration(float64(p.total-done) / rate * float64(time.Second)); left >= time.Second || done == p.total {
			eta = fmtDuration(left)
		}
	}
	if !p.tty {
		fmt.Fprintf(p.w, "%s %d of %d rows (%.0f rows/s, about %s left)\n", p.verb, done, p.total, rate, eta)
		return
	}
	const width = 30
	filled := width
	if p.total > 0 {
		filled = min(width, done*width/p.total)
	}
	pct := 100
	if p.total > 0 {
		pct = done * 100 / p.total
	}
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %3d%% %d/%d rows  %.0f rows/s  ETA %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), pct, done, p.total, rate, eta)
}

// done prints the final figures.
func (p *progress) done(rows int) {
	now := p.now()
	elapsed := now.Sub(p.start)
	if p.tty {
		p.draw(rows, now)
		fmt.Fprintln(p.w)
	}
	rate := 0.0
	if elapsed > 0 {
		rate = float64(rows) / elapsed.Seconds()
	}
	fmt.Fprintf(p.w, "%s %d rows in %s (%.0f rows/s)\n", p.verb, rows, fmtDuration(elapsed), rate)
}

// fmtDuration prints 1:02:03, 2:03 or 3s.
func fmtDuration(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s >= 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	case s >= 60:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return fmt.Sprintf("%ds", s)
}
