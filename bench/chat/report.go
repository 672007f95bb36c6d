package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// result is every figure of one run.
type result struct {
	database           string
	opts               options
	open               openResult
	before, after      memory
	phases             phases
	dropped            int64
	dropErr            string
	loadStart, loadEnd string
	files              string
}

// header is the Markdown table header that print's row belongs under.
const header = `| database | connections open / asked | time to open (each: p99) | server RSS per idle connection | Go heap + stacks per idle connection | goroutines per connection | visitor → agent, first message: p50 / p95 / p99 / max | visitor → agent, next message: p50 / p95 / p99 / max | agent → visitor: p50 / p95 / p99 / max | lost / sent | dropped connections | load average start → end |
|---|---|---|---|---|---|---|---|---|---|---|---|`

// print writes the row on standard output, the header and the details on
// standard error.
func (r result) print() {
	n := float64(r.open.opened)
	per := func(before, after int64) string {
		return fmt.Sprintf("%.1f KiB", float64(after-before)/n/1024)
	}
	p := r.phases
	lost := p.first.lost + p.next.lost + p.reply.lost
	sent := p.first.n() + p.next.n() + p.reply.n()
	fmt.Fprintln(os.Stderr, header)
	fmt.Printf("| %s | %d / %d | %.2f s (%s) | %s | %s + %s | %.2f | %s | %s | %s | %d / %d | %d | %s → %s |\n",
		r.database, r.open.opened, r.open.asked, r.open.elapsed.Seconds(), ms(pct(r.open.each, 990)),
		per(r.before.rss, r.after.rss), per(r.before.heapInuse, r.after.heapInuse), per(r.before.stackInuse, r.after.stackInuse),
		float64(r.after.goroutines-r.before.goroutines)/n,
		p.first.summary(), p.next.summary(), p.reply.summary(), lost, sent, r.dropped, r.loadStart, r.loadEnd)
	logf("%s; %d senders, %.0f messages/s per phase, %d connections opened %d at a time; open files %s",
		machine(), p.senders, r.opts.rate, r.open.asked, r.opts.parallel, r.files)
	if r.dropped > 0 {
		logf("connections that ended during the run: %d (first: %s)", r.dropped, r.dropErr)
	}
}

func (m memory) String() string {
	return fmt.Sprintf("VmRSS %.1f MiB, heap in use %.1f MiB, stacks %.1f MiB, %d goroutines, %d open files",
		float64(m.rss)/(1<<20), float64(m.heapInuse)/(1<<20), float64(m.stackInuse)/(1<<20), m.goroutines, m.openFDs)
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// machine describes the computer: CPUs, platform, CPU model and memory.
func machine() string {
	desc := fmt.Sprintf("%d CPUs, %s/%s, %s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if m := procField("/proc/cpuinfo", "model name"); m != "" {
		desc += ", " + m
	}
	if m := procField("/proc/meminfo", "MemTotal"); m != "" {
		desc += ", " + m + " RAM"
	}
	return desc
}

// procField returns the value of the first "name: value" line of a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// clockTicks is USER_HZ, the unit of /proc CPU times; it is 100 on every
// Linux platform Go supports.
const clockTicks = 100

// cpuSample is CPU time used so far, in seconds: by the whole machine, the
// server, this process and PostgreSQL's processes.
type cpuSample struct {
	at                              time.Time
	machine, server, self, postgres float64
}

// cpuUse is the average number of cores busy between two samples.
type cpuUse struct{ server, self, postgres, others float64 }

func (u cpuUse) String() string {
	return fmt.Sprintf("server %.2f, load generator %.2f, PostgreSQL %.2f, other processes %.2f", u.server, u.self, u.postgres, u.others)
}

func sampleCPU(serverPID int) cpuSample {
	return cpuSample{at: time.Now(), machine: machineBusy(), server: processCPU(fmt.Sprint(serverPID)),
		self: processCPU("self"), postgres: postgresCPU()}
}

func (s cpuSample) since(start cpuSample) cpuUse {
	secs := s.at.Sub(start.at).Seconds()
	u := cpuUse{server: (s.server - start.server) / secs, self: (s.self - start.self) / secs, postgres: max(0, s.postgres-start.postgres) / secs}
	u.others = max(0, (s.machine-start.machine)/secs-u.server-u.self-u.postgres)
	return u
}

// machineBusy returns the CPU seconds all CPUs spent not idle, from the
// first line of /proc/stat.
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	var busy float64
	for i := 1; i < len(f) && i <= 8; i++ {
		if i == 4 || i == 5 { // idle, iowait
			continue
		}
		var n float64
		fmt.Sscan(f[i], &n)
		busy += n
	}
	return busy / clockTicks
}

// postgresCPU returns the CPU seconds of every process named "postgres".
func postgresCPU() float64 {
	dirs, _ := os.ReadDir("/proc")
	var total float64
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		comm, err := os.ReadFile("/proc/" + d.Name() + "/comm")
		if err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			total += processCPU(d.Name())
		}
	}
	return total
}

// processCPU returns the user and system CPU seconds of /proc/<pid>/stat.
func processCPU(pid string) float64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it start at
	// "state", the third field of proc(5).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var user, sys float64
	fmt.Sscan(f[14-3], &user)
	fmt.Sscan(f[15-3], &sys)
	return (user + sys) / clockTicks
}
