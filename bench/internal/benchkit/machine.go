package benchkit

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Logf reports progress on standard error; results go to standard output.
func Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

func (m Memory) String() string {
	return fmt.Sprintf("VmRSS %.1f MiB, heap in use %.1f MiB, stacks %.1f MiB, %d goroutines, %d open files",
		float64(m.RSS)/(1<<20), float64(m.HeapInuse)/(1<<20), float64(m.StackInuse)/(1<<20), m.Goroutines, m.OpenFDs)
}

// LoadAvg is the first three fields of /proc/loadavg.
func LoadAvg() string {
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

// Machine describes the computer: CPUs, platform, CPU model and memory.
func Machine() string {
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

// CPUSample is CPU time used so far, in seconds: by the whole machine, the
// server, this process and PostgreSQL's processes.
type CPUSample struct {
	at                              time.Time
	machine, server, self, postgres float64
}

// CPUUse is the average number of cores busy between two samples.
type CPUUse struct{ Server, Self, Postgres, Others float64 }

func (u CPUUse) String() string {
	return fmt.Sprintf("server %.2f, load generator %.2f, PostgreSQL %.2f, other processes %.2f", u.Server, u.Self, u.Postgres, u.Others)
}

func SampleCPU(serverPID int) CPUSample {
	return CPUSample{at: time.Now(), machine: machineBusy(), server: ProcessCPU(fmt.Sprint(serverPID)),
		self: ProcessCPU("self"), postgres: postgresCPU()}
}

func (s CPUSample) Since(start CPUSample) CPUUse {
	secs := s.at.Sub(start.at).Seconds()
	u := CPUUse{Server: (s.server - start.server) / secs, Self: (s.self - start.self) / secs, Postgres: max(0, s.postgres-start.postgres) / secs}
	u.Others = max(0, (s.machine-start.machine)/secs-u.Server-u.Self-u.Postgres)
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
			total += ProcessCPU(d.Name())
		}
	}
	return total
}

// ProcessCPU returns the user and system CPU seconds of /proc/<pid>/stat.
func ProcessCPU(pid string) float64 {
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
