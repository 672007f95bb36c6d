package backup_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/frontdesk/frontdesk/internal/backup"
)

// The S3 target against an S3-compatible server in the test process:
// a full and an incremental backup, listed, verified and restored.
func TestS3Target(t *testing.T) {
	mem := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(mem).Server())
	defer srv.Close()
	if err := mem.CreateBucket("backups"); err != nil {
		t.Fatal(err)
	}
	s := newSite(t)
	ctx := context.Background()
	host := strings.TrimPrefix(srv.URL, "http://")
	store, err := backup.OpenStore("s3://backups/frontdesk?endpoint="+host+"&insecure=true&access_key=test&secret_key=test&region=us-east-1", s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if !store.OffSite() {
		t.Error("an S3 target is not reported off-site")
	}
	s.repo = s.open(t, store, s.id, s.signer)
	s.record(t, "test.s3", canaryChat)
	s.writeFile(t, "attachments/s3", s.sealed(t, canaryName))
	s.backup(t, true)
	s.record(t, "test.s3.more", "more")
	inc := s.backup(t, false)
	list, err := s.repo.List(ctx)
	if err != nil || len(list) != 2 || list[1].ID != inc.ID || list[1].Problem != "" {
		t.Fatalf("list: %v %+v", err, list)
	}
	if _, err := s.repo.Verify(ctx, "", t.TempDir()); err != nil {
		t.Fatalf("verify: %v", err)
	}
	to := s.newTarget(t)
	if _, err := s.restore(t, s.repo, inc.ID, to); err != nil {
		t.Fatalf("restore: %v", err)
	}
	d, _ := openRestored(t, to)
	if n := auditEntries(t, d); n != 2 {
		t.Fatalf("restored %d audit entries, want 2", n)
	}
	names, err := store.List(ctx, "packs/")
	if err != nil || len(names) == 0 {
		t.Fatalf("packs in the bucket: %v %v", names, err)
	}
}

// recorder is an http.RoundTripper that passes every request on to the
// real transport (the real S3 server answers) and keeps the headers of
// each upload.
type recorder struct {
	mu   sync.Mutex
	puts map[string]http.Header // object path → headers
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut {
		r.mu.Lock()
		r.puts[req.URL.Path] = req.Header.Clone()
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// Object lock: every object a backup uploads carries the lock mode and
// the retain-until date. gofakes3 does not implement object lock (it
// stores the objects and ignores the headers), so the test records what
// the real minio-go client sends to it, and the backup is then verified
// and restored from that server. // GDPR 32(1)(b)
func TestS3ObjectLockHeaders(t *testing.T) {
	mem := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(mem).Server())
	defer srv.Close()
	if err := mem.CreateBucket("locked"); err != nil {
		t.Fatal(err)
	}
	s := newSite(t)
	ctx := context.Background()
	base := "s3://locked/fd?endpoint=" + strings.TrimPrefix(srv.URL, "http://") + "&insecure=true&access_key=test&secret_key=test&region=us-east-1"
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	for _, bad := range []struct{ query, says string }{
		{"&object_lock=forever&retain_days=30", "governance or compliance"},
		{"&object_lock=governance", "needs retain_days"},
		{"&object_lock=compliance&retain_days=0", "from 1 to 36500"},
		{"&retain_days=ten", "from 1 to 36500"},
	} {
		if _, err := backup.OpenS3Via(base+bad.query, nil, clock); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("target with %s: %v, want an error saying %q", bad.query, err, bad.says)
		}
	}

	for _, c := range []struct{ query, mode string }{
		{"&object_lock=governance&retain_days=30", "GOVERNANCE"},
		{"&lock_days=30", "COMPLIANCE"}, // the older spelling
	} {
		rec := &recorder{puts: map[string]http.Header{}}
		store, err := backup.OpenS3Via(base+c.query, rec, clock)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(store.String(), "object lock: "+strings.ToLower(c.mode)+", 30 days") {
			t.Errorf("the target is shown as %q, without its object lock", store.String())
		}
		s.repo = s.open(t, store, s.id, s.signer)
		s.record(t, "test.lock", "locked")
		m := s.backup(t, true)
		want := now.Add(30 * 24 * time.Hour).Format(time.RFC3339)
		var packs, manifests int
		for p, h := range rec.puts {
			switch {
			case strings.Contains(p, "/fd/packs/"):
				packs++
			case strings.Contains(p, "/fd/manifests/"):
				manifests++
			}
			if got := h.Get("X-Amz-Object-Lock-Mode"); got != c.mode {
				t.Errorf("%s was uploaded with lock mode %q, want %s", p, got, c.mode)
			}
			if got := h.Get("X-Amz-Object-Lock-Retain-Until-Date"); got != want {
				t.Errorf("%s was uploaded locked until %q, want %s", p, got, want)
			}
			if h.Get("Content-Md5") == "" {
				t.Errorf("%s was uploaded locked without Content-MD5, which S3 requires", p)
			}
		}
		if packs == 0 || manifests != 1 {
			t.Fatalf("recorded %d pack and %d manifest uploads (%d in all)", packs, manifests, len(rec.puts))
		}
		if rep, err := s.repo.Verify(ctx, m.ID, t.TempDir()); err != nil || rep.Manifest.ID != m.ID {
			t.Fatalf("verify the locked backup from the server: %v", err)
		}
	}
	to := s.newTarget(t)
	if _, err := s.restore(t, s.repo, "", to); err != nil {
		t.Fatalf("restore the locked backup: %v", err)
	}
}
