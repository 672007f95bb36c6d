package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
	"github.com/frontdesk/frontdesk/internal/identity/bulkjob"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Bulk import from the console (staff:manage): the same files, checks and
// import as `frontdesk accounts import`. An upload is checked first (a dry
// run: every invalid row with its line, field and reason, nothing
// changed); the staff member then imports the checked file, and watches
// its progress. The file stays in this process's memory, never on disk,
// and is dropped when the import ends or when a newer upload replaces it.
// One import runs at a time per node; imports are idempotent by e-mail, so
// one cut short by a restart completes when the file is imported again.

// maxUploadBytes bounds an uploaded file: 100,000 rows with imported
// hashes are about 15 MiB.
const maxUploadBytes = 64 << 20

// maxShownProblems bounds the problems listed on the page; the count of
// all of them is shown beside.
const maxShownProblems = 500

// importView is a snapshot of a job for its page.
type importView struct {
	Job            *bulkjob.Job
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
	job := bulkjob.NewJob(web.NewID(16), web.Principal(ctx).AccountID, name, scan.Digest, scan.Rows, scan.Fatal, checked, data)
	s.imports.Add(job)
	http.Redirect(w, r, "/console/accounts/import/"+job.ID, http.StatusSeeOther)
	return nil
}

// consoleImportRun imports a checked file in the background.
func (s *Handler) consoleImportRun(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	job := s.imports.Get(r.PathValue("id"))
	if job == nil {
		return web.ErrNotFound
	}
	opts, err := s.importOptions(ctx)
	if err != nil {
		return err
	}
	opts.Format = bulkfile.FormatOf(job.Name)
	by := web.Principal(ctx).AccountID
	run := func(bg context.Context, data []byte, progress func(identity.ImportResult)) (identity.ImportResult, error) {
		return s.deps.Identity.ImportAccounts(bg, bulkfile.NewReader(bytes.NewReader(data), opts), identity.ImportOptions{
			Grant: func(tx *db.Tx, accountID, role string) error {
				return s.deps.Access.Grant(bg, tx, accountID, role, by)
			},
			Progress: progress,
			By:       by,
			Source:   job.Name + " sha256:" + job.Digest,
		})
	}
	// The import outlives the request (the page follows it) but keeps its
	// values: the audit actor is the staff member who started it.
	err = s.imports.Start(ctx, job, time.Now(), run, func(res identity.ImportResult, err error) {
		if err != nil {
			s.Log.ErrorContext(ctx, "console import failed", "err", err, "rows", res.Rows)
		}
	})
	switch {
	case errors.Is(err, bulkjob.ErrRunning):
		return &web.Error{Status: http.StatusConflict, Code: "import_running", Message: "Another import is running. Wait for it to finish, then import this file."}
	case errors.Is(err, bulkjob.ErrUnavailable):
		return &web.Error{Status: http.StatusConflict, Code: "import_unavailable", Message: "This file was already imported or replaced by a newer upload. Upload it again."}
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/console/accounts/import/"+job.ID, http.StatusSeeOther)
	return nil
}

// consoleImportJob shows a checked file, or an import's progress (the page
// refreshes itself while it runs, without JavaScript) and result.
func (s *Handler) consoleImportJob(w http.ResponseWriter, r *http.Request) error {
	job := s.imports.Get(r.PathValue("id"))
	if job == nil {
		return web.ErrNotFound
	}
	st := job.State()
	v := importView{Job: job, Running: st.Running, Imported: st.Imported, Failed: st.Failed, CanImport: st.CanImport, Result: st.Result}
	if st.Imported {
		v.Done = !st.Running
		end := st.Finished
		if st.Running {
			end = time.Now()
		}
		elapsed := end.Sub(st.Started)
		v.Elapsed = elapsed.Round(time.Second).String()
		if secs := elapsed.Seconds(); secs > 0 {
			v.Rate = int(float64(v.Result.Rows) / secs)
		}
		if st.Running && v.Rate > 0 {
			left := time.Duration(float64(job.Total-v.Result.Rows) / float64(v.Rate) * float64(time.Second))
			v.ETA = max(left, 0).Round(time.Second).String()
			v.RefreshSeconds = 2
		} else if st.Running {
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
