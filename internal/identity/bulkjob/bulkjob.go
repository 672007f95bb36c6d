// Package bulkjob keeps the bulk-account files that staff upload in the
// console: each is checked first (a dry run), then imported in the
// background while its page follows the progress. The files stay in this
// process's memory, never on disk; only the newest upload can still be
// imported, and one import runs at a time per node. Imports are idempotent
// by e-mail, so one cut short by a restart completes when the file is
// imported again.
package bulkjob

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// Kept is how many recent jobs a node remembers.
const Kept = 5

// Errors of Start.
var (
	// ErrRunning: another import runs on this node.
	ErrRunning = errors.New("bulkjob: another import is running")
	// ErrUnavailable: the file was imported already or replaced by a newer
	// upload.
	ErrUnavailable = errors.New("bulkjob: the file is no longer available")
)

// Job is one uploaded file, checked and perhaps being imported.
type Job struct {
	ID      string
	Owner   string // staff account that uploaded it
	Name    string // the file's base name, as uploaded
	Digest  string
	Total   int // data rows
	Fatal   []identity.RowError
	Checked identity.ImportResult // the dry run

	mu       sync.Mutex
	data     []byte // until the import starts
	running  bool
	imported bool // an import ran (or runs)
	started  time.Time
	finished time.Time
	res      identity.ImportResult
	failed   bool
}

// NewJob returns a checked job; data is nil when the file cannot be
// imported (it had fatal problems).
func NewJob(id, owner, name, digest string, total int, fatal []identity.RowError, checked identity.ImportResult, data []byte) *Job {
	return &Job{ID: id, Owner: owner, Name: name, Digest: digest, Total: total, Fatal: fatal, Checked: checked, data: data}
}

// State is a snapshot of a job.
type State struct {
	Running, Imported, Failed bool
	CanImport                 bool
	// Result is the import's progress or result once imported, else the
	// check's.
	Result            identity.ImportResult
	Started, Finished time.Time
}

// State returns a consistent snapshot of the job.
func (j *Job) State() State {
	j.mu.Lock()
	defer j.mu.Unlock()
	st := State{Running: j.running, Imported: j.imported, Failed: j.failed, CanImport: j.data != nil && !j.imported,
		Result: j.Checked, Started: j.started, Finished: j.finished}
	if j.imported {
		st.Result = j.res
	}
	return st
}

// Jobs holds the latest jobs of this node.
type Jobs struct {
	mu   sync.Mutex
	jobs []*Job // newest last, at most Kept
}

// Add remembers a new upload; older uploads can no longer be imported and
// their files are dropped.
func (js *Jobs) Add(job *Job) {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.jobs = append(js.jobs, job)
	if len(js.jobs) > Kept {
		js.jobs = js.jobs[len(js.jobs)-Kept:]
	}
	for _, old := range js.jobs[:len(js.jobs)-1] {
		old.mu.Lock()
		old.data = nil
		old.mu.Unlock()
	}
}

// Get returns the job id, or nil.
func (js *Jobs) Get(id string) *Job {
	js.mu.Lock()
	defer js.mu.Unlock()
	for _, job := range js.jobs {
		if job.ID == id {
			return job
		}
	}
	return nil
}

// running reports whether an import runs on this node.
func (js *Jobs) running() bool {
	for _, job := range js.jobs {
		job.mu.Lock()
		r := job.running
		job.mu.Unlock()
		if r {
			return true
		}
	}
	return false
}

// ImportFunc imports data, reporting progress as it goes.
type ImportFunc func(ctx context.Context, data []byte, progress func(identity.ImportResult)) (identity.ImportResult, error)

// Start imports job's file in the background with run, which outlives the
// request that started it: ctx's values (the audit actor) are kept, its
// cancellation is not. It refuses with ErrRunning or ErrUnavailable.
// done, if not nil, is called with the import's error when it ends.
func (js *Jobs) Start(ctx context.Context, job *Job, now time.Time, run ImportFunc, done func(identity.ImportResult, error)) error {
	js.mu.Lock()
	if js.running() {
		js.mu.Unlock()
		return ErrRunning
	}
	job.mu.Lock()
	data := job.data
	if data == nil || job.imported {
		job.mu.Unlock()
		js.mu.Unlock()
		return ErrUnavailable
	}
	job.data, job.imported, job.running, job.started = nil, true, true, now
	job.mu.Unlock()
	js.mu.Unlock()

	bg := context.WithoutCancel(ctx)
	go func() {
		res, err := run(bg, data, func(p identity.ImportResult) {
			p.Errors = slices.Clone(p.Errors) // the import goes on appending and sorts at the end
			job.mu.Lock()
			job.res = p
			job.mu.Unlock()
		})
		job.mu.Lock()
		job.res, job.failed, job.running, job.finished = res, err != nil, false, time.Now()
		job.mu.Unlock()
		if done != nil {
			done(res, err)
		}
	}()
	return nil
}
