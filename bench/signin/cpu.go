package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times; it is 100 on every
// Linux platform Go supports.
const clockTicks = 100

// cpuSample is a reading of CPU time used so far, in seconds: by the whole
// machine, by the server process and by this process.
type cpuSample struct {
	at                    time.Time
	machine, server, self float64
	serverSys             float64 // the kernel's share of server
	serverFaults          float64 // minor page faults of the server so far
	postgres              float64 // all processes named "postgres"
}

// cpuUse is the average number of cores busy between two samples, split
// into the server, the load generator and every other process.
type cpuUse struct {
	phase                string
	server, self, others float64
	serverSys            float64 // the kernel's share of server: page faults, system calls
	serverFaults         float64 // minor page faults of the server per second
	postgres             float64 // PostgreSQL's processes, on this machine
}

// sampleCPU reads /proc/stat and the stat files of the server (pid 0 for
// none) and of this process.
func sampleCPU(serverPID int) cpuSample {
	s := cpuSample{at: time.Now(), machine: machineBusy(), postgres: postgresCPU()}
	user, sys, _ := processStat("self")
	s.self = user + sys
	if serverPID > 0 {
		user, sys, faults := processStat(strconv.Itoa(serverPID))
		s.server, s.serverSys, s.serverFaults = user+sys, sys, faults
	}
	return s
}

// since returns the cores used between start and s.
func (s cpuSample) since(phase string, start cpuSample) cpuUse {
	secs := s.at.Sub(start.at).Seconds()
	u := cpuUse{phase: phase,
		server:       (s.server - start.server) / secs,
		serverSys:    (s.serverSys - start.serverSys) / secs,
		serverFaults: (s.serverFaults - start.serverFaults) / secs,
		self:         (s.self - start.self) / secs,
		postgres:     max(0, s.postgres-start.postgres) / secs,
	}
	u.others = max(0, (s.machine-start.machine)/secs-u.server-u.self-u.postgres)
	return u
}

func (u cpuUse) String() string {
	return fmt.Sprintf("server %.2f (system %.2f), load generator %.2f, PostgreSQL %.2f, other processes %.2f", u.server, u.serverSys, u.self, u.postgres, u.others)
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
	var busy int64
	for i := 1; i < len(f) && i <= 8; i++ {
		if i == 4 || i == 5 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(f[i], 10, 64)
		busy += n
	}
	return float64(busy) / clockTicks
}

// postgresCPU returns the CPU seconds of every process named "postgres":
// the PostgreSQL server, when it runs on this machine, shares its cores.
func postgresCPU() float64 {
	dirs, _ := os.ReadDir("/proc")
	var total float64
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		comm, err := os.ReadFile("/proc/" + d.Name() + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		user, sys, _ := processStat(d.Name())
		total += user + sys
	}
	return total
}

// processStat returns the user and system CPU seconds and the minor page
// faults of /proc/<pid>/stat.
func processStat(pid string) (user, sys, minorFaults float64) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, 0, 0
	}
	// The command name may hold spaces; the fields after it start at
	// "state", the third field of proc(5).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, 0, 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, 0, 0
	}
	num := func(field int) float64 {
		n, _ := strconv.ParseInt(f[field-3], 10, 64)
		return float64(n)
	}
	return num(14) / clockTicks, num(15) / clockTicks, num(10)
}
