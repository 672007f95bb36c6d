package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The audit viewer (audit:read): filter, open one entry, verify the chain
// as `frontdesk audit verify` does, export NDJSON or CSV. Exports are
// themselves audit entries.

// auditView is the viewer's data.
type auditView struct {
	Records []audit.Record
	Record  *audit.Record
	Next    int64 // Before for the next page, or 0
	Query   string
	Verify  *audit.Report
}

// auditFilter reads the filter from the query string; bad values are
// ignored rather than guessed.
func auditFilter(r *http.Request) (audit.Filter, url.Values) {
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), ActorKind: q.Get("actor_kind"), Target: q.Get("target"), Action: q.Get("action"),
		Outcome: q.Get("outcome"), Subject: q.Get("subject"), Limit: 100}
	for _, k := range []string{"since", "until"} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err == nil && k == "until" {
				t = t.Add(24 * time.Hour) // a date typed as "to" includes that day
			}
			if err != nil {
				t, err = time.Parse(time.RFC3339, v)
			}
			if err == nil {
				if k == "since" {
					f.Since = t
				} else {
					f.Until = t
				}
			}
		}
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	keep := url.Values{}
	for _, k := range []string{"actor", "actor_kind", "target", "action", "outcome", "subject", "since", "until"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			keep.Set(k, v)
		}
	}
	return f, keep
}

func (s *Handler) auditReady() bool { return s.deps.DB != nil && s.deps.Keys != nil }

func (s *Handler) consoleAudit(w http.ResponseWriter, r *http.Request) error {
	return s.renderAudit(w, r, nil)
}

func (s *Handler) renderAudit(w http.ResponseWriter, r *http.Request, report *audit.Report) error {
	if !s.auditReady() {
		return web.ErrNotFound
	}
	f, keep := auditFilter(r)
	recs, err := audit.Query(r.Context(), s.deps.DB, s.deps.Keys, f)
	if err != nil {
		return err
	}
	v := auditView{Records: recs, Query: keep.Encode(), Verify: report}
	if len(recs) == f.Limit {
		v.Next = recs[len(recs)-1].Seq
	}
	fm := web.NewForm(r)
	for k := range keep {
		fm.Values[k] = keep.Get(k)
	}
	return s.renderConsole(w, r, http.StatusOK, "console_audit", fm, v)
}

func (s *Handler) consoleAuditEntry(w http.ResponseWriter, r *http.Request) error {
	if !s.auditReady() {
		return web.ErrNotFound
	}
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq <= 0 {
		return web.ErrNotFound
	}
	rec, err := audit.Get(r.Context(), s.deps.DB, s.deps.Keys, seq)
	if errors.Is(err, db.ErrNotFound) {
		return web.ErrNotFound
	}
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, http.StatusOK, "console_audit_entry", nil, auditView{Record: rec})
}

func (s *Handler) consoleAuditVerify(w http.ResponseWriter, r *http.Request) error {
	if !s.auditReady() || s.deps.Signer == nil {
		return web.ErrNotFound
	}
	// Verifying reads the whole chain (seconds at a million entries): one
	// at a time on this node.
	if !s.verifying.TryLock() {
		return &web.Error{Status: http.StatusTooManyRequests, Code: "busy", Message: "The chain is being verified already. Try again in a moment.", RetryAfter: 10 * time.Second}
	}
	defer s.verifying.Unlock()
	rep, err := audit.Verify(r.Context(), s.deps.DB, s.deps.Signer, nil)
	if err != nil {
		return err
	}
	return s.renderAudit(w, r, &rep)
}

func (s *Handler) consoleAuditExport(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !s.auditReady() {
			return web.ErrNotFound
		}
		f, keep := auditFilter(r)
		f.Limit = 0
		err := s.deps.DB.Write(r.Context(), func(tx *db.Tx) error {
			return s.deps.Audit.Record(r.Context(), tx, audit.Event{Action: "audit.export", Target: "audit",
				Details: map[string]any{"format": format, "filter": keep.Encode()}})
		})
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		name := "audit-" + s.deps.DB.Now().UTC().Format("20060102-150405")
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			_, err = audit.WriteCSV(r.Context(), w, s.deps.DB, s.deps.Keys, f)
		} else {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.ndjson"`)
			_, err = audit.WriteNDJSON(r.Context(), w, s.deps.DB, s.deps.Keys, f)
		}
		return err
	}
}
