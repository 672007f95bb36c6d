package backup_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The schedule on an injected clock: daily at 02:00 UTC, full on Sundays
// and when the last full one is a week old.
func TestScheduleDue(t *testing.T) {
	s := backup.Schedule{Hour: 2, FullDay: time.Sunday}
	// 2026-12-07 is a Monday.
	cases := []struct {
		now, last, lastFull string
		due, full           bool
	}{
		{"2026-12-07T01:59:00Z", "2026-12-06T02:10:00Z", "2026-12-06T02:10:00Z", false, false},
		{"2026-12-07T02:00:00Z", "2026-12-06T02:10:00Z", "2026-12-06T02:10:00Z", true, false},
		{"2026-12-07T02:30:00Z", "2026-12-07T02:10:00Z", "2026-12-06T02:10:00Z", false, false},
		{"2026-12-07T02:20:00Z", "", "", true, true},                                          // never backed up: at the first slot
		{"2026-12-07T13:00:00Z", "", "", false, false},                                        // … not the minute it starts
		{"2026-12-13T02:00:00Z", "2026-12-12T02:10:00Z", "2026-12-06T02:10:00Z", true, true},  // Sunday
		{"2026-12-10T03:00:00Z", "2026-12-08T02:10:00Z", "2026-12-03T02:00:00Z", true, true},  // a week since the full
		{"2026-12-08T01:00:00Z", "2026-12-06T02:10:00Z", "2026-12-06T02:10:00Z", true, false}, // yesterday's slot missed
	}
	for _, c := range cases {
		var last, lf time.Time
		if c.last != "" {
			last, lf = at(c.last), at(c.lastFull)
		}
		due, full := s.Due(at(c.now), last, lf)
		if due != c.due || (due && full != c.full) {
			t.Errorf("at %s after %s (full %s): due=%v full=%v, want %v %v", c.now, c.last, c.lastFull, due, full, c.due, c.full)
		}
	}
}

// Two nodes on one database tick at the same moment: one backup is made,
// not two; the next day's tick makes the next one, incremental.
func TestTwoNodesMakeOneScheduledBackup(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	now := at("2026-12-07T02:00:30Z")
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var runs []backup.Run
	node := func(name string) *backup.Scheduler {
		store, err := backup.OpenStore("file://"+s.repoDir, s.dataDir)
		if err != nil {
			t.Fatal(err)
		}
		r, err := backup.Open(backup.Options{Store: store, Recipient: s.id.Recipient(), Identity: s.id, Signer: s.signer,
			ChunkKey: s.keys.BlindIndex("backup-chunk-id", ""), Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		return &backup.Scheduler{Repo: r, Source: s.source(), Holder: name,
			Schedule: backup.Schedule{Hour: 2, FullDay: time.Sunday, Keep: backup.Retention{Daily: 35, Weekly: 12}},
			Done: func(_ context.Context, r backup.Run, err error) {
				if err != nil {
					t.Errorf("%s: %v", name, err)
				}
				mu.Lock()
				runs = append(runs, r)
				mu.Unlock()
			}}
	}
	a, b := node("node-a"), node("node-b")
	s.record(t, "test.day1", "one")
	for day := 0; day < 2; day++ {
		var wg sync.WaitGroup
		for _, n := range []*backup.Scheduler{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := n.Tick(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		mu.Lock()
		now = now.Add(24 * time.Hour)
		mu.Unlock()
	}
	list, err := s.repo.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || len(runs) != 2 {
		t.Fatalf("%d backups in the repository and %d runs over two days, want 2 and 2", len(list), len(runs))
	}
	if list[0].Kind != "full" || list[1].Kind != "incremental" {
		t.Errorf("kinds %s, %s; want full then incremental", list[0].Kind, list[1].Kind)
	}
	var n int
	s.d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM backup_runs WHERE kind = 'backup' AND ok`).Scan(&n)
	})
	if n != 2 {
		t.Errorf("%d runs recorded, want 2", n)
	}
}

// Retention deletes whole chains only, never one backup out of a chain,
// and never the newest chain.
func TestRetentionDeletesWholeChains(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	day := at("2026-11-01T02:00:00Z")
	s.repo.Now = func() time.Time { return day }
	var ids []string
	for i := 0; i < 9; i++ { // three chains of a full and two incrementals, a day apart
		s.record(t, "test.retention", "x")
		ids = append(ids, s.backup(t, i%3 == 0).ID)
		day = day.Add(24 * time.Hour)
	}
	rep, err := s.repo.Prune(ctx, backup.Retention{Daily: 4, Weekly: 0})
	if err != nil {
		t.Fatal(err)
	}
	// The last four days fall in the second chain (one backup) and the
	// third (three): only the first chain goes, all three of its backups.
	if rep.Chains != 1 || rep.Manifests != 3 {
		t.Fatalf("pruned %+v, want one chain of three manifests", rep)
	}
	list, _ := s.repo.List(ctx)
	if len(list) != 6 || list[0].ID != ids[3] {
		t.Fatalf("left %d backups starting at %v, want 6 starting at %s", len(list), list[0].ID, ids[3])
	}
	for _, l := range list {
		if _, err := s.repo.Verify(ctx, l.ID, t.TempDir()); err != nil {
			t.Errorf("after pruning, %s does not verify: %v", l.ID, err)
		}
	}
	rep, err = s.repo.Prune(ctx, backup.Retention{})
	if err != nil || rep.Chains != 1 {
		t.Fatalf("keeping nothing pruned %+v, %v; want the older chain only", rep, err)
	}
	if list, _ := s.repo.List(ctx); len(list) != 3 {
		t.Fatalf("the newest chain was touched: %d backups left", len(list))
	}
}
