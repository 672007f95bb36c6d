package bulkjob

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
)

func TestJobsLifecycle(t *testing.T) {
	var js Jobs
	a := NewJob("a", "staff", "a.csv", "d", 2, nil, identity.ImportResult{Rows: 2}, []byte("x"))
	js.Add(a)
	if !a.State().CanImport {
		t.Fatal("a checked file can be imported")
	}
	release := make(chan struct{})
	progressed := make(chan struct{})
	ended := make(chan error, 1)
	run := func(ctx context.Context, data []byte, progress func(identity.ImportResult)) (identity.ImportResult, error) {
		if string(data) != "x" {
			t.Errorf("data %q", data)
		}
		progress(identity.ImportResult{Rows: 1})
		close(progressed)
		<-release
		return identity.ImportResult{Rows: 2, Created: 2}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := js.Start(ctx, a, time.Now(), run, func(_ identity.ImportResult, err error) { ended <- err }); err != nil {
		t.Fatal(err)
	}
	cancel() // the request ends; the import goes on
	<-progressed
	if st := a.State(); !st.Running || !st.Imported || st.CanImport || st.Result.Rows != 1 {
		t.Fatalf("while running: %+v", st)
	}
	b := NewJob("b", "staff", "b.csv", "d", 1, nil, identity.ImportResult{Rows: 1}, []byte("y"))
	js.Add(b)
	if err := js.Start(context.Background(), b, time.Now(), run, nil); !errors.Is(err, ErrRunning) {
		t.Fatalf("second import while one runs: %v", err)
	}
	close(release)
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
	if st := a.State(); st.Running || st.Failed || st.Result.Created != 2 {
		t.Fatalf("after: %+v", st)
	}
	if err := js.Start(context.Background(), a, time.Now(), run, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("importing twice: %v", err)
	}
	if js.Get("b") != b || js.Get("nope") != nil {
		t.Fatal("Get")
	}
}

// Only the newest upload keeps its file; at most Kept jobs are remembered.
func TestJobsDropOlderFiles(t *testing.T) {
	var js Jobs
	var all []*Job
	for i := range Kept + 2 {
		j := NewJob(string(rune('a'+i)), "s", "f.csv", "d", 1, nil, identity.ImportResult{}, []byte("x"))
		js.Add(j)
		all = append(all, j)
	}
	for i, j := range all {
		if got, want := j.State().CanImport, i == len(all)-1; got != want {
			t.Errorf("job %d can import: %v", i, got)
		}
	}
	if js.Get("a") != nil || js.Get(all[len(all)-1].ID) == nil {
		t.Fatal("the oldest jobs are forgotten, the newest kept")
	}
}
