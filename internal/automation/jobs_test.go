package automation_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// Jobs live in the database: a second store over the same database (a
// second node) sees a job's progress and result; a running job whose
// node stopped beating is reported failed, reason interrupted, and its
// late end does not overwrite that; an export's file is sealed at rest
// and dropped after an hour (GDPR 5(1)(e)).
func TestJobsSharedInterruptedAndExpiring(t *testing.T) {
	clock := dbtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	d := dbtest.OpenWith(t, dbtest.Options{Clock: clock.Now})
	kit := audittest.New(t, d, 0)
	nodeA, nodeB := automation.NewJobs(d, kit.Keys), automation.NewJobs(d, kit.Keys)

	imp := &automation.Job{ID: "imp1", Kind: "import", Owner: "sa1", Format: "csv"}
	if err := nodeA.Create(ctx, imp); err != nil {
		t.Fatal(err)
	}
	if err := nodeA.Beat(ctx, "imp1", map[string]int{"rows": 3}); err != nil {
		t.Fatal(err)
	}
	j, err := nodeB.Get(ctx, "imp1")
	if err != nil || j.Status != automation.JobRunning || string(j.Progress) != `{"rows":3}` || j.Owner != "sa1" {
		t.Fatalf("node B sees %+v %v", j, err)
	}
	// Node A stops: no heartbeat for longer than StaleAfter.
	clock.Add(automation.StaleAfter + time.Second)
	j, err = nodeB.Get(ctx, "imp1")
	if err != nil || j.Status != automation.JobFailed || j.Reason != automation.JobInterrupted || j.FinishedAt == nil {
		t.Fatalf("an abandoned job: %+v %v", j, err)
	}
	if err := nodeA.Finish(ctx, "imp1", false, map[string]int{"rows": 9}, nil); err != nil {
		t.Fatal(err)
	}
	if j, _ = nodeB.Get(ctx, "imp1"); j.Status != automation.JobFailed {
		t.Fatal("a late end overwrote the interrupted status")
	}

	exp := &automation.Job{ID: "exp1", Kind: "export", Owner: "sa1", Format: "jsonl"}
	if err := nodeA.Create(ctx, exp); err != nil {
		t.Fatal(err)
	}
	if _, err := nodeB.File(ctx, "exp1"); !errors.Is(err, automation.ErrFileNotReady) {
		t.Fatalf("file of a running export: %v", err)
	}
	content := []byte(`{"email":"an@example.com"}` + "\n")
	if err := nodeA.Finish(ctx, "exp1", false, map[string]int{"exported": 1}, content); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT export_file FROM admin_jobs WHERE id = 'exp1'").Scan(&stored)
	}); err != nil {
		t.Fatal(err)
	}
	if len(stored) == 0 || string(stored) == string(content) || json.Valid(stored) {
		t.Fatal("the export file is not sealed at rest")
	}
	if got, err := nodeB.File(ctx, "exp1"); err != nil || string(got) != string(content) {
		t.Fatalf("node B reads the file: %q %v", got, err)
	}
	clock.Add(automation.ExportKept + time.Second)
	if _, err := nodeB.File(ctx, "exp1"); !errors.Is(err, automation.ErrFileExpired) {
		t.Fatalf("after an hour: %v", err)
	}
	if j, _ := nodeA.Get(ctx, "exp1"); j.HasFile || !j.Expired || j.Status != automation.JobDone {
		t.Fatalf("expired export: %+v", j)
	}
	if _, err := nodeA.Get(ctx, "nope"); !errors.Is(err, automation.ErrJobNotFound) {
		t.Fatalf("unknown job: %v", err)
	}
}

// The console's imports: a checked file is kept sealed in its job's row;
// any node starts its import, once (the file leaves the row in the same
// transaction); one console import runs at a time across nodes, unless
// its node stopped beating; a checked file is dropped after an hour; the
// admin API's jobs are not the console's (ASVS 14.2.4 personal data sealed
// at rest).
func TestConsoleChecked(t *testing.T) {
	clock := dbtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	d := dbtest.OpenWith(t, dbtest.Options{Clock: clock.Now})
	kit := audittest.New(t, d, 0)
	nodeA, nodeB := automation.NewJobs(d, kit.Keys), automation.NewJobs(d, kit.Keys)
	content := []byte("email,name\nan@example.com,An\n")
	check := func(id string, file []byte) {
		t.Helper()
		j := &automation.Job{ID: id, Kind: "import", Owner: "staff:acct1", Format: "csv", Progress: json.RawMessage(`{"name":"people.csv"}`)}
		if err := nodeA.CreateChecked(ctx, j, file); err != nil {
			t.Fatal(err)
		}
	}
	check("c1", content)
	check("c2", content)
	check("bad", nil) // a file with problems that stop it: nothing kept
	var stored []byte
	if err := d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT export_file FROM admin_jobs WHERE id = 'c1'").Scan(&stored)
	}); err != nil {
		t.Fatal(err)
	}
	if len(stored) == 0 || string(stored) == string(content) {
		t.Fatal("the checked file is not sealed at rest")
	}
	j, err := nodeB.Get(ctx, "c1")
	if err != nil || !j.DryRun || j.Status != automation.JobDone || !j.HasFile || string(j.Progress) != `{"name":"people.csv"}` {
		t.Fatalf("node B sees the check as %+v %v", j, err)
	}
	// Node B starts the import: it gets the file, the row keeps none.
	got, err := nodeB.StartChecked(ctx, "c1", "staff:", map[string]int{"rows": 0})
	if err != nil || string(got) != string(content) {
		t.Fatalf("start: %q %v", got, err)
	}
	if j, _ := nodeA.Get(ctx, "c1"); j.DryRun || j.Status != automation.JobRunning || j.HasFile {
		t.Fatalf("a started import: %+v", j)
	}
	if _, err := nodeA.StartChecked(ctx, "c1", "staff:", nil); !errors.Is(err, automation.ErrNotImportable) {
		t.Fatalf("starting it again: %v", err)
	}
	if _, err := nodeA.StartChecked(ctx, "bad", "staff:", nil); !errors.Is(err, automation.ErrNotImportable) {
		t.Fatalf("starting a file with problems: %v", err)
	}
	// One at a time: c2 waits while c1 runs, on any node.
	if _, err := nodeA.StartChecked(ctx, "c2", "staff:", nil); !errors.Is(err, automation.ErrImportRunning) {
		t.Fatalf("a second import while one runs: %v", err)
	}
	// The admin API's running imports are not the console's.
	if err := nodeA.Create(ctx, &automation.Job{ID: "api1", Kind: "import", Owner: "sa1", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	if _, err := nodeA.StartChecked(ctx, "api1", "staff:", nil); !errors.Is(err, automation.ErrJobNotFound) {
		t.Fatalf("starting an admin API job from the console: %v", err)
	}
	// c1's node stops beating: c1 is interrupted and c2 may start.
	clock.Add(automation.StaleAfter + time.Second)
	if _, err := nodeA.StartChecked(ctx, "c2", "staff:", nil); err != nil {
		t.Fatalf("after the first import's node stopped: %v", err)
	}
	if j, _ := nodeB.Get(ctx, "c1"); j.Status != automation.JobFailed || j.Reason != automation.JobInterrupted {
		t.Fatalf("the abandoned import: %+v", j)
	}
	if err := nodeA.Finish(ctx, "c2", false, map[string]int{"rows": 1}, nil); err != nil {
		t.Fatal(err)
	}
	// A checked file not imported within the hour is dropped.
	check("c3", content)
	clock.Add(automation.ExportKept + time.Second)
	if _, err := nodeB.StartChecked(ctx, "c3", "staff:", nil); !errors.Is(err, automation.ErrNotImportable) {
		t.Fatalf("an hour later: %v", err)
	}
	if j, _ := nodeB.Get(ctx, "c3"); j.HasFile {
		t.Fatal("the expired file is still kept")
	}
}
