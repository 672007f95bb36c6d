package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Bulk import from the console (staff:manage): the same files, checks and
// import as `frontdesk accounts import`. An upload is checked first (a dry
// run: every invalid row with its line, field and reason, nothing
// changed); the staff member then imports the checked file, and watches
// its progress. Both are jobs in the database (admin_jobs, the admin
// API's: automation.Jobs), so any node answers the job's page, any node
// can start the import, and a restart loses nothing: the checked file is
// kept sealed with the keyring (its rows are personal data) until it is
// imported or an hour has passed; the running import beats its heartbeat,
// and one whose node stopped is shown failed. One console import runs at
// a time; imports are idempotent by e-mail, so an interrupted one
// completes when the file is uploaded and imported again.

// maxUploadBytes bounds an uploaded file: 100,000 rows with imported
// hashes are about 15 MiB.
const maxUploadBytes = 64 << 20

// maxShownProblems bounds the problems listed on the page; the count of
// all of them is shown beside.
const maxShownProblems = 500

// ownerPrefix marks the console's jobs among the admin API's (whose owner
// is a service account).
const ownerPrefix = "staff:"

// importReport is what the console keeps of a file in its job's progress:
// the file's name and digest, its rows, the problems that stop it, and
// the check's or the import's result.
type importReport struct {
	Name   string                `json:"name"`
	Digest string                `json:"digest"`
	Total  int                   `json:"total"`
	Fatal  []identity.RowError   `json:"fatal,omitempty"`
	Result identity.ImportResult `json:"result"`
}

// importJob is the job as its page shows it.
type importJob struct {
	ID, Name, Digest string
	Total            int
	Fatal            []identity.RowError
}

// importView is a snapshot of a job for its page.
type importView struct {
	Job            importJob
	Running, Done  bool
	Imported       bool // the page shows an import (else the check)
	Result         identity.ImportResult
	Problems       []identity.RowError
	MoreProblems   int
	Percent        int
	Rate           int    // rows per second
	ETA            string // "1m20s", while running
	Elapsed        string
	Failed         bool
	CanImport      bool
	RefreshSeconds int
}

func (s *Handler) importOptions(ctx context.Context) (bulkfile.Options, error) {
	roles, err := s.deps.Access.AllRoles(ctx)
	if err != nil {
		return bulkfile.Options{}, err
	}
	known := make(map[string]bool, len(roles))
	for _, r := range roles {
		known[r.Name] = true
	}
	return bulkfile.Options{ValidRole: func(r string) bool { return known[r] }, MaxFileBytes: maxUploadBytes}, nil
}

func (s *Handler) consoleImportPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderConsole(w, r, http.StatusOK, "console_import", nil, nil)
}

var errNoUpload = &web.Error{Status: http.StatusBadRequest, Code: "file_required", Field: "file", Message: "Choose a CSV or JSON Lines file to upload."}

// readUpload reads the single file part of a multipart form into memory,
// with its name and the format chosen in the form.
func readUpload(r *http.Request) (name string, format bulkfile.Format, data []byte, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", 0, nil, errNoUpload
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", 0, nil, err
		}
		switch part.FormName() {
		case "format":
			v, _ := io.ReadAll(io.LimitReader(part, 16))
			if f, err := bulkfile.ParseFormat(strings.TrimSpace(string(v))); err == nil {
				format = f
			}
		case "file":
			name = filepath.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
			if !utf8.ValidString(name) || len(name) > 200 || name == "." || name == "/" {
				name = "upload"
			}
			var buf bytes.Buffer
			if _, err := io.Copy(&buf, part); err != nil {
				return "", 0, nil, err
			}
			data = buf.Bytes()
		}
		part.Close()
	}
	if len(data) == 0 {
		return "", 0, nil, errNoUpload
	}
	if format == bulkfile.Auto {
		format = bulkfile.FormatOf(name)
	}
	return name, format, data, nil
}

// consoleImportUpload checks an uploaded file (a dry run) and shows the
// result, from which the staff member can import it.
func (s *Handler) consoleImportUpload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	name, format, data, err := readUpload(r)
	if err != nil {
		return err
	}
	opts, err := s.importOptions(ctx)
	if err != nil {
		return err
	}
	opts.Format = format
	scan, err := bulkfile.Scan(bytes.NewReader(data), opts)
	if err != nil {
		return err
	}
	var checked identity.ImportResult
	if len(scan.Fatal) == 0 {
		// The dry run also finds the e-mails that already have accounts.
		checked, err = s.deps.Identity.ImportAccounts(ctx, bulkfile.NewReader(bytes.NewReader(data), opts), identity.ImportOptions{
			DryRun: true, Grant: func(*db.Tx, string, string) error { return nil }})
		if err != nil {
			return err
		}
	} else {
		checked = identity.ImportResult{Rows: scan.Rows, Errors: append(scan.Problems, scan.Fatal...), Stopped: true}
		data = nil
	}
	rep, err := json.Marshal(importReport{Name: name, Digest: scan.Digest, Total: scan.Rows, Fatal: scan.Fatal, Result: checked})
	if err != nil {
		return err
	}
	job := &automation.Job{ID: web.NewID(16), Kind: "import", Owner: ownerPrefix + web.Principal(ctx).AccountID, Format: format.String(),
		Progress: rep}
	if err := s.jobs.CreateChecked(ctx, job, data); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/accounts/import/"+job.ID, http.StatusSeeOther)
	return nil
}

// consoleJob reads a console import job and its report; another job, or
// none, is not found.
func (s *Handler) consoleJob(ctx context.Context, id string) (*automation.Job, importReport, error) {
	var rep importReport
	j, err := s.jobs.Get(ctx, id)
	if errors.Is(err, automation.ErrJobNotFound) || (err == nil && (j.Kind != "import" || !strings.HasPrefix(j.Owner, ownerPrefix))) {
		return nil, rep, web.ErrNotFound
	}
	if err != nil {
		return nil, rep, err
	}
	if err := json.Unmarshal(j.Progress, &rep); err != nil {
		return nil, rep, err
	}
	return j, rep, nil
}

// consoleImportRun imports a checked file in the background.
func (s *Handler) consoleImportRun(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	j, rep, err := s.consoleJob(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	opts, err := s.importOptions(ctx)
	if err != nil {
		return err
	}
	opts.Format = bulkfile.FormatOf(rep.Name)
	if f, err := bulkfile.ParseFormat(j.Format); err == nil {
		opts.Format = f // the format the check read it with
	}
	by := web.Principal(ctx).AccountID
	started := rep
	started.Result = identity.ImportResult{}
	data, err := s.jobs.StartChecked(ctx, r.PathValue("id"), ownerPrefix, started)
	switch {
	case errors.Is(err, automation.ErrImportRunning):
		return &web.Error{Status: http.StatusConflict, Code: "import_running", Message: "Another import is running. Wait for it to finish, then import this file."}
	case errors.Is(err, automation.ErrNotImportable):
		return &web.Error{Status: http.StatusConflict, Code: "import_unavailable", Message: "This file was already imported, or was checked more than an hour ago. Upload it again."}
	case errors.Is(err, automation.ErrJobNotFound):
		return web.ErrNotFound
	case err != nil:
		return err
	}
	// The import outlives the request (the page follows it) but keeps its
	// values: the audit actor is the staff member who started it.
	s.jobs.Follow(ctx, r.PathValue("id"), s.Log, func(bg context.Context, set func(any)) (any, []byte, error) {
		res, err := s.deps.Identity.ImportAccounts(bg, bulkfile.NewReader(bytes.NewReader(data), opts), identity.ImportOptions{
			Grant: func(tx *db.Tx, accountID, role string) error {
				return s.deps.Access.Grant(bg, tx, accountID, role, by)
			},
			Progress: func(p identity.ImportResult) {
				p.Errors = slices.Clone(p.Errors) // the import goes on appending and sorts at the end
				now := rep
				now.Result = p
				set(now)
			},
			By:     by,
			Source: rep.Name + " sha256:" + rep.Digest,
		})
		done := rep
		done.Result = res
		return done, nil, err
	})
	http.Redirect(w, r, "/console/accounts/import/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// consoleImportJob shows a checked file, or an import's progress (the page
// refreshes itself while it runs, without JavaScript) and result.
func (s *Handler) consoleImportJob(w http.ResponseWriter, r *http.Request) error {
	j, rep, err := s.consoleJob(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	job := importJob{ID: j.ID, Name: rep.Name, Digest: rep.Digest, Total: rep.Total, Fatal: rep.Fatal}
	running := j.Status == automation.JobRunning
	v := importView{Job: job, Running: running, Imported: !j.DryRun, Failed: j.Status == automation.JobFailed,
		CanImport: j.DryRun && j.HasFile && len(rep.Fatal) == 0, Result: rep.Result}
	if v.Imported {
		v.Done = !running
		end := s.deps.DB.Now()
		if j.FinishedAt != nil && !running {
			end = *j.FinishedAt
		}
		elapsed := end.Sub(j.StartedAt)
		v.Elapsed = elapsed.Round(time.Second).String()
		if secs := elapsed.Seconds(); secs > 0 {
			v.Rate = int(float64(v.Result.Rows) / secs)
		}
		if running && v.Rate > 0 {
			left := time.Duration(float64(job.Total-v.Result.Rows) / float64(v.Rate) * float64(time.Second))
			v.ETA = max(left, 0).Round(time.Second).String()
			v.RefreshSeconds = 2
		} else if running {
			v.RefreshSeconds = 1
		}
	}
	if job.Total > 0 {
		v.Percent = min(100, v.Result.Rows*100/job.Total)
	}
	v.Problems = v.Result.Errors
	if len(v.Problems) > maxShownProblems {
		v.MoreProblems = len(v.Problems) - maxShownProblems
		v.Problems = v.Problems[:maxShownProblems]
	}
	return s.renderConsole(w, r, http.StatusOK, "console_import_job", nil, v)
}
