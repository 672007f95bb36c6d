package main

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/support"
)

// runExport seeds a customer with o.conversations conversations and
// o.attachMiB MiB of uploads, and one with o.scale times as much, and
// exports both through the real job, measuring time and peak memory.
func runExport(e *env, o options) error {
	ctx := context.Background()
	// The server only prepares the data directory (schema, keys): its
	// periodic sweep would otherwise pick up the export being measured.
	inst, err := e.start()
	if err != nil {
		return err
	}
	if err := inst.Stop(); err != nil {
		return err
	}
	scales := []int{1}
	if o.scale > 1 {
		scales = append(scales, o.scale)
	}
	if err := importAccounts(e, "export", len(scales)); err != nil {
		return err
	}
	svc, err := openServices(ctx, e.cfg, 0, 0)
	if err != nil {
		return err
	}
	defer svc.close()
	type row struct {
		k, convs, files int
		bytes           int64
		m               exportMeasure
	}
	var out []row
	for i, k := range scales {
		id, err := svc.accountID(ctx, fmt.Sprintf("export-%06d@example.com", i))
		if err != nil {
			return err
		}
		r := row{k: k, convs: o.conversations * k, files: o.attachMiB * 1024 / o.fileKiB * k}
		t0 := time.Now()
		if r.bytes, err = seedCustomer(ctx, svc.desk, id, r.convs, r.files, o.fileKiB<<10); err != nil {
			return err
		}
		benchkit.Logf("%s: customer ×%d seeded: %d conversations, %d files, %.1f MiB in %s (load %s)", e.dbName, k, r.convs, r.files,
			float64(r.bytes)/(1<<20), time.Since(t0).Round(time.Millisecond), benchkit.LoadAvg())
		if r.m, err = measureExport(ctx, svc.privacy, e.work, id); err != nil {
			return err
		}
		if r.m.files != r.files || r.m.fileBytes != r.bytes || r.m.convs != r.convs {
			return fmt.Errorf("the export of customer ×%d holds %d conversations and %d files (%d bytes), not %d, %d (%d)",
				k, r.m.convs, r.m.files, r.m.fileBytes, r.convs, r.files, r.bytes)
		}
		benchkit.Logf("customer ×%d: built in %s, downloaded in %s (load %s)", k, r.m.build.Round(time.Millisecond),
			r.m.download.Round(time.Millisecond), r.m.load)
		out = append(out, r)
	}
	mib := func(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
	fmt.Printf("| %s | conversations | attachments | build time | sealed ZIP | peak heap (build) | peak Go memory (build) | peak RSS (build) | download time | peak heap (download) | load |\n", e.dbName)
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range out {
		fmt.Printf("| customer ×%d | %d | %d files, %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.k, r.convs, r.files, mib(r.bytes),
			r.m.build.Round(time.Millisecond), mib(r.m.size), mib(r.m.buildMem.heap), mib(r.m.buildMem.goMem), rss(r.m.buildMem),
			r.m.download.Round(time.Millisecond), mib(r.m.downMem.heap), r.m.load)
	}
	return nil
}

// seedCustomer starts convs portal conversations for the customer through
// the support desk and uploads files of size bytes into them, round
// robin, as the customer does from the portal (each a message of its own,
// sealed with the customer's key). The files are PNG images by their
// signature with random content: what deflate cannot shrink.
func seedCustomer(ctx context.Context, desk *support.Service, accountID string, convs, files, size int) (int64, error) {
	ids := make([]string, convs)
	start := func(i int) error {
		c, err := desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: accountID}, Channel: support.ChannelPortal,
			Subject: fmt.Sprintf("Statement %d", i), Body: fmt.Sprintf("Tôi không nhận được sao kê tháng %d, xin gửi lại giúp.", i%12+1)})
		if err == nil {
			ids[i] = c.ID
		}
		return err
	}
	// The first conversation creates the customer's support contact; two
	// first conversations at once would both try to (PostgreSQL refuses
	// the second: support_contacts_account_id_key).
	if err := start(0); err != nil {
		return 0, err
	}
	if err := benchkit.Parallel(convs-1, 4, func(i int) error { return start(i + 1) }); err != nil {
		return 0, err
	}
	var total atomic.Int64
	err := benchkit.Parallel(files, 4, func(i int) error {
		data := make([]byte, size)
		rand.Read(data)
		copy(data, "\x89PNG\r\n\x1a\n")
		_, _, err := desk.Upload(ctx, ids[i%convs], support.KindCustomer, accountID, "seed-"+strconv.Itoa(i),
			fmt.Sprintf("receipt-%04d.png", i), data)
		total.Add(int64(size))
		return err
	})
	return total.Load(), err
}

// memPeak is the peak memory seen while a job ran.
type memPeak struct {
	heap    int64 // Go heap objects, live and not yet collected
	goMem   int64 // memory the Go runtime has mapped and not released
	rssPeak int64 // VmHWM after a reset, or the highest VmRSS sampled
	rssBase int64 // VmRSS before the job
}

func rss(m memPeak) string {
	return fmt.Sprintf("%.1f MiB (+%.1f)", float64(m.rssPeak)/(1<<20), float64(m.rssPeak-m.rssBase)/(1<<20))
}

// watchMemory samples memory every 5 ms until stop is called, after a
// collection and with the process's peak RSS reset.
func watchMemory() (stop func() memPeak) {
	runtime.GC()
	debug.FreeOSMemory()
	hwmReset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	var peak memPeak
	base, _ := benchkit.ProcStatus(os.Getpid(), "VmRSS")
	peak.rssBase = base
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"}}
	sample := func() {
		metrics.Read(samples)
		peak.heap = max(peak.heap, int64(samples[0].Value.Uint64()))
		peak.goMem = max(peak.goMem, int64(samples[1].Value.Uint64()-samples[2].Value.Uint64()))
		if r, err := benchkit.ProcStatus(os.Getpid(), "VmRSS"); err == nil {
			peak.rssPeak = max(peak.rssPeak, r)
		}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() memPeak {
		close(done)
		<-finished
		sample()
		if hwmReset {
			if h, err := benchkit.ProcStatus(os.Getpid(), "VmHWM"); err == nil {
				peak.rssPeak = max(peak.rssPeak, h)
			}
		}
		return peak
	}
}

type exportMeasure struct {
	build, download   time.Duration
	size              int64
	buildMem, downMem memPeak
	files             int
	fileBytes         int64
	convs             int
	load              string
}

// measureExport requests the customer's export as the account page does
// and waits for the background build; then downloads it (streamed and
// opened segment by segment, as the download route does) into a file and
// reads the ZIP back.
func measureExport(ctx context.Context, p *privacy.Service, work, accountID string) (exportMeasure, error) {
	var m exportMeasure
	stop := watchMemory()
	t0 := time.Now()
	exp, err := p.RequestExport(ctx, accountID, "bench")
	if err != nil {
		stop()
		return m, err
	}
	p.Wait()
	m.build = time.Since(t0)
	m.buildMem = stop()
	m.load = benchkit.LoadAvg()
	st, err := p.ExportOf(ctx, accountID, exp.ID)
	if err != nil {
		return m, err
	}
	if st.Status != privacy.ExportReady {
		return m, fmt.Errorf("export %s is %s after its build", exp.ID, st.Status)
	}
	m.size = st.Size
	stop = watchMemory()
	t0 = time.Now()
	rc, err := p.Download(ctx, accountID, exp.ID)
	if err != nil {
		stop()
		return m, err
	}
	name := filepath.Join(work, exp.ID+".zip")
	f, err := os.Create(name)
	if err != nil {
		rc.Close()
		stop()
		return m, err
	}
	_, err = io.Copy(f, rc)
	if err = errorsJoin(err, rc.Close(), f.Close()); err != nil {
		stop()
		return m, err
	}
	m.download = time.Since(t0)
	m.downMem = stop()
	defer os.Remove(name)
	z, err := zip.OpenReader(name)
	if err != nil {
		return m, err
	}
	defer z.Close()
	for _, f := range z.File {
		switch {
		case strings.HasPrefix(f.Name, "files/conversation_attachments/"):
			m.files++
			m.fileBytes += int64(f.UncompressedSize64)
		case strings.HasSuffix(f.Name, "/conversations.json"):
			r, err := f.Open()
			if err != nil {
				return m, err
			}
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 64<<10), 4<<20)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "{") {
					m.convs++
				}
			}
			r.Close()
			if err := sc.Err(); err != nil {
				return m, err
			}
		}
	}
	return m, nil
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
