package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/textfold"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The audit viewer (audit:read): filter, open one entry, verify the chain
// as `frontdesk audit verify` does, export NDJSON or CSV. Exports are
// themselves audit entries.

// auditView is the viewer's data.
type auditView struct {
	Rows   []auditRow
	Record *auditRow
	Next   int64 // Before for the next page, or 0
	Paged  bool  // this is not the newest page
	Query  string
	Verify *audit.Report
	// Who are the staff members the Who field fits, named, when it
	// filters; Unmatched says it fits no one (nothing is listed then).
	Who       []person
	Unmatched bool
	Staff     []identity.Account // offered in the Who field
}

// auditRow is an entry with its actor and target named.
type auditRow struct {
	audit.Record
	Who    person
	Target target
}

// auditPageSize is how many entries a page of the viewer shows.
const auditPageSize = 50

// rowsOf names the actors and targets of recs.
func (s *Handler) rowsOf(ctx context.Context, recs []audit.Record) []auditRow {
	n := s.names(ctx)
	out := make([]auditRow, len(recs))
	for i, r := range recs {
		out[i] = auditRow{Record: r, Who: n.of(r.Actor.ID), Target: n.targetOf(r.Target)}
	}
	return out
}

// auditFilter reads the filter from the query string; bad values are
// ignored rather than guessed.
func auditFilter(r *http.Request) (audit.Filter, url.Values) {
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), ActorKind: q.Get("actor_kind"), Target: q.Get("target"), Action: q.Get("action"),
		Outcome: q.Get("outcome"), Subject: q.Get("subject"), Limit: auditPageSize}
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

// maxWho is the longest Who field the viewer reads, in characters.
const maxWho = 200

// whoNoOne is the message key of a Who field that fits no staff member.
const whoNoOne = "console.audit.who_none"

// badFilterField returns the first text field of the filter that is too
// long or holds what no name, id or action holds (control characters,
// a NUL among them, which PostgreSQL's text cannot even take, or bytes
// that are not UTF-8), with its message key; "" when all are fine.
// ASVS 2.2.1: checked on the server, answered with a 400.
func badFilterField(q url.Values) (string, string) {
	for _, k := range []string{"actor", "actor_kind", "target", "action", "outcome", "subject"} {
		v := q.Get(k)
		if utf8.RuneCountInString(v) > maxWho || !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
			if k == "actor" {
				return k, "console.audit.who_bad"
			}
			return k, "console.audit.bad_value"
		}
	}
	return "", ""
}

// matchActor reads the viewer's Who field (actor=): a staff member's
// name or e-mail address, whole or in part, without regard to case or
// accents ("lan", "Nguyễn", "ops@acme.example"), or an account id, as
// links from other pages carry. A whole name or address selects its
// owner; otherwise every staff member whose name or address contains
// the words does. It returns the actor ids with their names, or the key
// of the problem when it fits no one (badFilterField has refused values
// too long or not text before). A problem is
// never answered by dropping the filter, which would list (or export)
// everyone's entries, nor by a made-up id that is meant to match nothing.
func (s *Handler) matchActor(ctx context.Context, staff []identity.Account, v string) ([]string, []person, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil, ""
	}
	q := textfold.Fold(v)
	var whole, part []identity.Account
	for _, a := range staff {
		if a.ID == v {
			return []string{a.ID}, []person{{ID: a.ID, Name: a.Email}}, ""
		}
		email, name := textfold.Fold(a.Email), textfold.Fold(a.Name)
		switch {
		case q == email || name != "" && q == name:
			whole = append(whole, a)
		case strings.Contains(email, q) || strings.Contains(name, q):
			part = append(part, a)
		}
	}
	if len(whole) == 0 {
		whole = part
	}
	if len(whole) == 0 {
		if accountID.MatchString(v) {
			// Someone other than staff (a customer, a service account)
			// from a link: named as the rows name them.
			return []string{v}, []person{s.names(ctx).of(v)}, ""
		}
		return nil, nil, whoNoOne
	}
	ids, who := make([]string, len(whole)), make([]person, len(whole))
	for i, a := range whole {
		ids[i], who[i] = a.ID, person{ID: a.ID, Name: a.Email}
	}
	return ids, who, ""
}

// accountID is the form of an account's id.
var accountID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (s *Handler) auditReady() bool { return s.deps.DB != nil && s.deps.Keys != nil }

func (s *Handler) consoleAudit(w http.ResponseWriter, r *http.Request) error {
	return s.renderAudit(w, r, nil)
}

func (s *Handler) renderAudit(w http.ResponseWriter, r *http.Request, report *audit.Report) error {
	if !s.auditReady() {
		return web.ErrNotFound
	}
	f, keep := auditFilter(r)
	fm := web.NewForm(r)
	for k := range keep {
		fm.Values[k] = keep.Get(k)
	}
	v := auditView{Query: keep.Encode(), Verify: report, Paged: f.Before > 0}
	var err error
	if v.Staff, err = s.deps.Identity.StaffAccounts(r.Context()); err != nil {
		return err
	}
	t := s.Pages.Translator(web.Info(r.Context()).Lang)
	if field, problem := badFilterField(r.URL.Query()); problem != "" {
		// Bad input: a 400 that lists nothing and says which field.
		if field == "actor_kind" { // not a field of the form: said above it
			fm.Error = t(problem)
		} else {
			fm.Errors[field], fm.Values[field] = t(problem), ""
		}
		v.Unmatched, v.Query, v.Paged = true, "", false
		return s.renderConsole(w, r, http.StatusBadRequest, "console_audit", fm, v)
	}
	ids, who, problem := s.matchActor(r.Context(), v.Staff, f.Actor)
	switch {
	case problem != "":
		// A name that fits no one: an empty result that says why, not
		// everyone's entries.
		fm.Errors["actor"] = t(problem)
		v.Unmatched, v.Query, v.Paged = true, "", false
		return s.renderConsole(w, r, http.StatusOK, "console_audit", fm, v)
	case len(who) > 0:
		f.Actor, f.Actors, v.Who = "", ids, who
		if len(who) == 1 && who[0].ID == strings.TrimSpace(keep.Get("actor")) && who[0].Name != "" {
			fm.Values["actor"] = who[0].Name // an id from a link: shown by name
		}
	}
	recs, err := audit.Query(r.Context(), s.deps.DB, s.deps.Keys, f)
	if err != nil {
		return err
	}
	v.Rows = s.rowsOf(r.Context(), recs)
	if len(recs) == f.Limit {
		v.Next = recs[len(recs)-1].Seq
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
	row := s.rowsOf(r.Context(), []audit.Record{*rec})[0]
	return s.renderConsole(w, r, http.StatusOK, "console_audit_entry", nil, auditView{Record: &row})
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
		t := s.Pages.Translator(web.Info(r.Context()).Lang)
		if field, problem := badFilterField(r.URL.Query()); problem != "" {
			return &web.Error{Status: http.StatusBadRequest, Code: "bad_filter", Field: field, Message: t(problem)}
		}
		staff, err := s.deps.Identity.StaffAccounts(r.Context())
		if err != nil {
			return err
		}
		ids, _, problem := s.matchActor(r.Context(), staff, f.Actor)
		if problem != "" {
			// An export whose Who fits no one exports nothing rather
			// than everyone's entries.
			return &web.Error{Status: http.StatusBadRequest, Code: "bad_filter", Field: "actor", Message: t(problem)}
		}
		if len(ids) > 0 {
			// The entry records whom the words selected, by id, not the
			// words typed.
			f.Actor, f.Actors = "", ids
			keep.Set("actor", strings.Join(ids, ","))
		}
		err = s.deps.DB.Write(r.Context(), func(tx *db.Tx) error {
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
