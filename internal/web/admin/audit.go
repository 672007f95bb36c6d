package admin

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/web"
)

// The audit trail, filtered and paged newest first (cursor = the seq of
// the last entry of the previous page). Personal details stay sealed: the
// console's entry page opens them for a person; a script gets whether
// there are any.

type auditJSON struct {
	Seq      int64          `json:"seq"`
	At       time.Time      `json:"at"`
	Actor    actorJSON      `json:"actor"`
	Action   string         `json:"action"`
	Target   string         `json:"target"`
	Outcome  string         `json:"outcome"`
	Subject  string         `json:"subject,omitempty"`
	IP       string         `json:"ip,omitempty"`
	Request  string         `json:"request_id,omitempty"`
	Details  map[string]any `json:"details"`
	Personal string         `json:"personal,omitempty"` // "sealed" or "erased" when the entry has personal details
	Hash     string         `json:"hash"`
}

type actorJSON struct {
	ID   string `json:"id,omitempty"`
	Kind string `json:"kind"`
}

var actorKinds = []string{audit.ActorCustomer, audit.ActorStaff, audit.ActorSystem, audit.ActorAnonymous, automation.KindService}

func (s *Handler) auditEntries(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	known := []string{"actor", "actor_kind", "target", "action", "outcome", "subject", "since", "until", "cursor", "limit"}
	for k := range q {
		if !slices.Contains(known, k) {
			return badParam(k, "Unknown parameter "+strconv.Quote(k)+".")
		}
	}
	f := audit.Filter{Actor: q.Get("actor"), ActorKind: q.Get("actor_kind"), Target: q.Get("target"), Action: q.Get("action"),
		Outcome: q.Get("outcome"), Subject: q.Get("subject"), Limit: 100}
	for _, k := range []string{"actor", "target", "action", "subject"} {
		// ASVS 2.2.1. A NUL would reach the database, whose text type
		// (PostgreSQL's) refuses it with an error, not an answer.
		if v := q.Get(k); len(v) > 200 || !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
			return badParam(k, "Give "+k+" as at most 200 characters of text.")
		}
	}
	if f.ActorKind != "" && !slices.Contains(actorKinds, f.ActorKind) {
		return badParam("actor_kind", "Use actor_kind customer, staff, service, system or anonymous.")
	}
	if f.Outcome != "" && !slices.Contains([]string{audit.Success, audit.Failure, audit.Denied}, f.Outcome) {
		return badParam("outcome", "Use outcome success, failure or denied.")
	}
	for _, k := range []string{"since", "until"} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return badParam(k, "Give "+k+" as an RFC 3339 time, e.g. 2026-01-31T00:00:00Z.")
			}
			if k == "since" {
				f.Since = t
			} else {
				f.Until = t
			}
		}
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return badParam("cursor", "Pass the next_cursor of the previous page unchanged.")
		}
		f.Before = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return badParam("limit", "Use a limit from 1 to 1000.")
		}
		f.Limit = n
	}
	recs, err := audit.Query(r.Context(), s.deps.DB, nil, f)
	if err != nil {
		return err
	}
	out := make([]auditJSON, 0, len(recs))
	for _, rec := range recs {
		e := auditJSON{Seq: rec.Seq, At: rec.At.UTC(), Actor: actorJSON{ID: rec.Actor.ID, Kind: rec.Actor.Kind}, Action: rec.Action,
			Target: rec.Target, Outcome: rec.Outcome, Subject: rec.Subject, IP: rec.Origin.IP, Request: rec.Origin.RequestID,
			Details: rec.Details, Hash: rec.Hash}
		if e.Details == nil {
			e.Details = map[string]any{}
		}
		if rec.PersonalState != audit.PersonalNone {
			e.Personal = audit.PersonalSealed
			if rec.PersonalState == audit.PersonalErased || rec.PersonalState == audit.PersonalExpired {
				e.Personal = rec.PersonalState
			}
		}
		out = append(out, e)
	}
	// The read is recorded after the query, so a page never lists its own entry.
	if err := s.recordRead(r.Context(), r, "audit", map[string]any{"count": len(out)}); err != nil {
		return err
	}
	var next *string
	if len(recs) == f.Limit {
		v := strconv.FormatInt(recs[len(recs)-1].Seq, 10)
		next = &v
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"entries": out, "next_cursor": next})
	return nil
}
