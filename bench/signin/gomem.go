package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// goMemWatch polls the server's /metrics (open to loopback clients) and
// keeps the largest Go heap figures seen, which tell how much of the
// resident memory is live data and how much the garbage collector's
// headroom (GOGC) allows on top.
type goMemWatch struct {
	mu                sync.Mutex
	heapAlloc, nextGC float64
	heapInuse, gogc   float64
	memLimit          float64
	done              chan struct{}
	wg                sync.WaitGroup
}

func watchGoMem(base string, every time.Duration) *goMemWatch {
	w := &goMemWatch{done: make(chan struct{})}
	client := &http.Client{Timeout: 2 * time.Second}
	w.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
				w.poll(client, base+"/metrics")
			}
		}
	})
	return w
}

func (w *goMemWatch) poll(client *http.Client, url string) {
	resp, err := client.Get(url)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	w.mu.Lock()
	defer w.mu.Unlock()
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_alloc_bytes":
			w.heapAlloc = max(w.heapAlloc, v)
		case "go_memstats_heap_inuse_bytes":
			w.heapInuse = max(w.heapInuse, v)
		case "go_memstats_next_gc_bytes":
			w.nextGC = max(w.nextGC, v)
		case "go_gc_gogc_percent":
			w.gogc = v
		case "go_gc_gomemlimit_bytes":
			w.memLimit = v
		}
	}
}

// goMem is what a goMemWatch saw.
type goMem struct {
	heapAlloc, heapInuse, nextGC int64 // largest values, bytes
	gogc                         int
	memLimit                     int64 // math.MaxInt64 when unset
}

func (w *goMemWatch) stop() goMem {
	close(w.done)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return goMem{heapAlloc: int64(w.heapAlloc), heapInuse: int64(w.heapInuse), nextGC: int64(w.nextGC), gogc: int(w.gogc), memLimit: int64(w.memLimit)}
}
