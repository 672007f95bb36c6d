package automation

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
)

// report is a progress value that Go cannot compare (it holds a slice),
// like an import's with its row errors.
type report struct {
	Rows   int      `json:"rows"`
	Errors []string `json:"errors"`
}

// Follow writes a running job's progress as it changes and records its
// result at the end, whatever the progress values are: values holding
// slices are told apart by a count of reports, never compared (comparing
// them panics, which killed the process of a long import).
func TestFollowWritesProgressAndResult(t *testing.T) {
	old := progressEvery
	progressEvery = time.Millisecond
	t.Cleanup(func() { progressEvery = old })
	d := dbtest.Open(t)
	kit := audittest.New(t, d, 0)
	js := NewJobs(d, kit.Keys)
	ctx := context.Background()
	if err := js.Create(ctx, &Job{ID: "j1", Kind: "import", Owner: "sa1", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	progress := func() report {
		t.Helper()
		j, err := js.Get(ctx, "j1")
		if err != nil {
			t.Fatal(err)
		}
		var r report
		json.Unmarshal(j.Progress, &r)
		return r
	}
	release := make(chan struct{})
	js.Follow(ctx, "j1", slog.New(slog.DiscardHandler), func(_ context.Context, set func(any)) (any, []byte, error) {
		// Report until the test has seen several reports written.
		for i := 1; ; i++ {
			set(report{Rows: i, Errors: []string{"line 2"}})
			select {
			case <-release:
				return report{Rows: 1000, Errors: []string{"line 2"}}, nil, nil
			case <-time.After(time.Millisecond):
			}
		}
	})
	seen := map[int]bool{}
	for deadline := time.Now().Add(time.Minute); len(seen) < 3; {
		if r := progress(); r.Rows > 0 {
			seen[r.Rows] = true
		}
		if time.Now().After(deadline) {
			t.Fatalf("progress written %d times in a minute", len(seen))
		}
		time.Sleep(5 * time.Millisecond) // polling pause
	}
	close(release)
	for deadline := time.Now().Add(time.Minute); ; {
		j, err := js.Get(ctx, "j1")
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == JobDone {
			if r := progress(); r.Rows != 1000 {
				t.Fatalf("the result recorded: %+v", r)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not finish: %+v", j)
		}
		time.Sleep(5 * time.Millisecond) // polling pause
	}
}
