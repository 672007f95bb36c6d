package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Bulk jobs: the files of `frontdesk accounts import` and `export`, run in
// the background while the script polls GET /api/v1/admin/jobs/{id}. The
// file is read and checked before the job is accepted; a file with
// file-level problems (bad header, wrong format) is refused at once with
// them. Jobs are kept in the database (automation.Jobs), so any node
// answers their status and a restart loses none: a job whose node stopped
// while it ran is reported failed, reason "interrupted" (an import is
// completed by importing the same file again: imports are idempotent by
// e-mail).

// maxImportBody bounds an import request: a 32 MiB file, JSON-escaped.
const maxImportBody = 40 << 20

// jobJSON is a job as the API reports it.
type jobJSON struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Format     string          `json:"format"`
	DryRun     bool            `json:"dry_run,omitempty"`
	Status     string          `json:"status"`
	Reason     string          `json:"reason,omitempty"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
	Progress   json.RawMessage `json:"progress"`
	FileURL    string          `json:"file_url,omitempty"`
}

type importJSON struct {
	Rows       int                 `json:"rows"`
	Created    int                 `json:"created"`
	Skipped    int                 `json:"skipped"`
	Invalid    int                 `json:"invalid"`
	Invited    int                 `json:"invited"`
	MailFailed int                 `json:"mail_failed"`
	Stopped    bool                `json:"stopped"`
	Errors     []identity.RowError `json:"errors"`
}

func importProgress(r identity.ImportResult) importJSON {
	errs := r.Errors
	if errs == nil {
		errs = []identity.RowError{}
	}
	return importJSON{Rows: r.Rows, Created: r.Created, Skipped: r.Skipped, Invalid: r.Invalid, Invited: r.Invited,
		MailFailed: r.MailFailed, Stopped: r.Stopped, Errors: errs}
}

func exportProgress(r identity.ExportResult) map[string]int {
	return map[string]int{"exported": r.Exported, "left_out": r.LeftOut}
}

func jobOut(j *automation.Job) jobJSON {
	out := jobJSON{ID: j.ID, Type: j.Kind, Format: j.Format, DryRun: j.DryRun, Status: j.Status, Reason: j.Reason,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt, Progress: j.Progress}
	if j.Kind == "export" && j.Status == automation.JobDone && j.HasFile {
		out.FileURL = "/api/v1/admin/jobs/" + j.ID + "/file"
	}
	return out
}

// run records the job and runs fn in the background; it outlives the
// request (the audit actor in ctx's values is kept, its cancellation is
// not). fn reports progress through set; its node beats the job's
// heartbeat meanwhile, so that other nodes can tell it is alive.
func (s *Handler) run(ctx context.Context, j *automation.Job, first any,
	fn func(ctx context.Context, set func(any)) (result any, file []byte, err error)) error {
	j.Progress, _ = json.Marshal(first)
	if err := s.store.Create(ctx, j); err != nil {
		return err
	}
	s.store.Follow(ctx, j.ID, s.Log, fn)
	return nil
}

func parseFormat(v string) (bulkfile.Format, error) {
	f, err := bulkfile.ParseFormat(v)
	if err != nil {
		return f, &web.Error{Status: http.StatusBadRequest, Code: "invalid_format", Field: "format", Message: "Use format csv or jsonl."}
	}
	return f, nil
}

// startImport checks a bulk file and imports it in the background (or
// only checks every row, with dry_run).
func (s *Handler) startImport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Format  string `json:"format"`
		Content string `json:"content"`
		DryRun  bool   `json:"dry_run"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	format, err := parseFormat(in.Format)
	if err != nil {
		return err
	}
	if in.Content == "" {
		return &web.Error{Status: http.StatusBadRequest, Code: "file_required", Field: "content", Message: "Put the file's text in content."}
	}
	roles, err := s.deps.Access.AllRoles(ctx)
	if err != nil {
		return err
	}
	c := callerOf(ctx)
	known := map[string]bool{}
	for _, role := range roles {
		known[role.Name] = true
	}
	opts := bulkfile.Options{Format: format, ValidRole: func(role string) bool { return known[role] }}
	data := []byte(in.Content)
	scan, err := bulkfile.Scan(bytes.NewReader(data), opts)
	if err != nil {
		return err
	}
	if len(scan.Fatal) > 0 {
		f := scan.Fatal[0]
		return &web.Error{Status: http.StatusBadRequest, Code: "invalid_file", Field: "content",
			Message: "The file cannot be read: line " + itoa(f.Line) + ", " + f.Field + ": " + f.Reason + "."}
	}
	j := &automation.Job{ID: web.NewID(16), Kind: "import", Owner: c.ID, Format: format.String(), DryRun: in.DryRun}
	err = s.run(ctx, j, importProgress(identity.ImportResult{}), func(ctx context.Context, set func(any)) (any, []byte, error) {
		res, err := s.deps.Identity.ImportAccounts(ctx, bulkfile.NewReader(bytes.NewReader(data), opts), identity.ImportOptions{
			DryRun: in.DryRun, By: c.by(), Source: "admin_api:" + scan.Digest,
			Grant: func(tx *db.Tx, id, role string) error { return s.deps.Access.Grant(ctx, tx, id, role, c.by()) },
			Progress: func(p identity.ImportResult) {
				p.Errors = slices.Clone(p.Errors) // the import goes on appending
				set(importProgress(p))
			}})
		return importProgress(res), nil, err
	})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]any{"job": jobOut(j)})
	return nil
}

// startExport writes every account to a bulk file in the background.
func (s *Handler) startExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Format string `json:"format"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	format, err := parseFormat(in.Format)
	if err != nil {
		return err
	}
	c := callerOf(ctx)
	j := &automation.Job{ID: web.NewID(16), Kind: "export", Owner: c.ID, Format: format.String()}
	err = s.run(ctx, j, exportProgress(identity.ExportResult{}), func(ctx context.Context, _ func(any)) (any, []byte, error) {
		var buf bytes.Buffer
		wr := bulkfile.NewWriter(&buf, format)
		res, err := s.deps.Identity.ExportAccounts(ctx, wr, identity.ExportOptions{Roles: s.deps.Access.RolesOf, By: c.by(), Format: format.String()})
		if err == nil {
			err = wr.Flush()
		}
		if err != nil {
			return exportProgress(res), nil, err
		}
		return exportProgress(res), buf.Bytes(), nil
	})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusAccepted, map[string]any{"job": jobOut(j)})
	return nil
}

// ownJob returns the job in the path if the caller started it.
func (s *Handler) ownJob(r *http.Request) (*automation.Job, error) {
	j, err := s.store.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, automation.ErrJobNotFound) {
		return nil, web.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if j.Owner != callerOf(r.Context()).ID {
		return nil, web.ErrNotFound
	}
	return j, nil
}

func (s *Handler) getJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.ownJob(r)
	if err != nil {
		return err
	}
	if err := s.recordRead(r.Context(), r, "job:"+j.ID, nil); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"job": jobOut(j)})
	return nil
}

// jobFile sends a finished export's file.
func (s *Handler) jobFile(w http.ResponseWriter, r *http.Request) error {
	j, err := s.ownJob(r)
	if err != nil {
		return err
	}
	file, err := s.store.File(r.Context(), j.ID)
	switch {
	case errors.Is(err, automation.ErrFileExpired):
		return &web.Error{Status: http.StatusGone, Code: "file_expired", Message: "This export's file was kept for an hour and is gone: start a new export."}
	case errors.Is(err, automation.ErrFileNotReady):
		return &web.Error{Status: http.StatusConflict, Code: "file_not_ready", Message: "This job has no file yet: wait until its status is done."}
	case err != nil:
		return err
	}
	if err := s.recordRead(r.Context(), r, "job:"+j.ID, map[string]any{"bytes": len(file)}); err != nil {
		return err
	}
	ct, ext := "text/csv; charset=utf-8", "csv"
	if j.Format == bulkfile.JSONL.String() {
		ct, ext = "application/x-ndjson", "jsonl"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="accounts.`+ext+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(file)
	return nil
}
