package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// The requests queue (DSAR): every data-subject request, whatever the
// channel it came by, is one row with its identity check, its legal
// deadline and its answer; every step is an audit entry whose target is
// "privacy_request:<id>".

// Request kinds.
const (
	KindAccess     = "access"
	KindExport     = "export"
	KindCorrection = "correction"
	KindErasure    = "erasure"
	KindObjection  = "objection"
)

// Channels a request comes by.
const (
	ChannelPortal       = "portal"
	ChannelConversation = "conversation"
	ChannelEmail        = "email"
)

// Regimes decide the deadline.
const (
	RegimeGDPR = "gdpr"
	RegimeCCPA = "ccpa"
)

// Request statuses.
const (
	RequestOpen      = "open"
	RequestFulfilled = "fulfilled"
	RequestRefused   = "refused"
	RequestWithdrawn = "withdrawn"
)

// Identity checks, from none to strongest.
const (
	CheckNone         = "none"
	CheckSignedIn     = "signed_in"     // signed in, with a recent password confirmation or step-up
	CheckAccountEmail = "account_email" // written from the account's verified e-mail address
	CheckKnowledge    = "knowledge"     // answered questions only the customer could
	CheckDocument     = "document"      // an identity document was checked
)

// Lists of the values above, in the order forms show them.
var (
	RequestKinds   = []string{KindAccess, KindExport, KindCorrection, KindErasure, KindObjection}
	Channels       = []string{ChannelPortal, ChannelConversation, ChannelEmail}
	Regimes        = []string{RegimeGDPR, RegimeCCPA}
	IdentityChecks = []string{CheckNone, CheckSignedIn, CheckAccountEmail, CheckKnowledge, CheckDocument}
)

// Errors of the requests queue.
var (
	ErrRequestNotFound = fault.New(fault.ErrNotFound, "privacy: no such request")
	ErrRequestClosed   = &fault.Invalid{Field: "closed", Reason: "the request is already answered"}
	ErrExtended        = &fault.Invalid{Field: "extended", Reason: "the deadline was already extended once"}
	ErrPastDue         = &fault.Invalid{Field: "past_due", Reason: "an extension must be decided before the deadline"}
	ErrUnverified      = &fault.Invalid{Field: "identity", Reason: "check the customer's identity before answering"}
	ErrNoAccount       = &fault.Invalid{Field: "customer", Reason: "no customer account has this e-mail address"}
)

// Request is one data-subject request.
type Request struct {
	ID              string
	AccountID       string
	Kind            string
	Channel         string
	Regime          string
	Status          string
	ReceivedAt      time.Time
	DueAt           time.Time
	ExtendedAt      *time.Time
	ExtensionReason string
	IdentityCheck   string
	// Details is what the customer asked, opened with their key; Shredded
	// says it was sealed under a key erasure destroyed.
	Details         string
	Shredded        bool
	ConversationID  string
	ExportID        string
	HoldID          string
	Outcome         string
	Answer          string
	AnsweredAt      *time.Time
	AnsweredBy      string
	CreatedBy       string
	CreatedAt       time.Time
	RemindedStage   int
	Now             time.Time // the database's now when read: for the clock
	ExtensionLength time.Duration
}

// Open reports whether the request still waits for an answer.
func (r *Request) Open() bool { return r.Status == RequestOpen }

// Left is the time left before the deadline (negative when overdue).
func (r *Request) Left() time.Duration { return r.DueAt.Sub(r.Now) }

// Overdue reports an open request past its deadline.
func (r *Request) Overdue() bool { return r.Open() && !r.Now.Before(r.DueAt) }

// DaysLeft is the whole days left (rounded up), or overdue days as a
// negative number.
func (r *Request) DaysLeft() int {
	d := r.Left()
	if d >= 0 {
		return int((d + 24*time.Hour - 1) / (24 * time.Hour))
	}
	return -int((-d + 24*time.Hour - 1) / (24 * time.Hour))
}

// Due is the deadline of a request received at received under regime,
// with or without the extension: GDPR one month (art. 12(3)) plus two;
// CCPA 45 days plus 45 (Cal. Civ. Code 1798.130).
func Due(regime string, received time.Time, extended bool) time.Time {
	switch regime {
	case RegimeCCPA:
		if extended {
			return received.AddDate(0, 0, 90)
		}
		return received.AddDate(0, 0, 45)
	default:
		if extended {
			return received.AddDate(0, 3, 0)
		}
		return received.AddDate(0, 1, 0)
	}
}

// NewRequest is a request to put in the queue.
type NewRequest struct {
	// AccountID or Email names the customer.
	AccountID, Email string
	Kind, Channel    string
	// Regime is RegimeGDPR or RegimeCCPA; empty takes the configured one.
	Regime        string
	IdentityCheck string
	Details       string
	// ConversationID links a request made in a support conversation.
	ConversationID string
	// ReceivedAt is when it arrived (an e-mail read later); zero is now.
	ReceivedAt time.Time
	By         string // the staff member recording it, or "customer"
}

const maxText = 4000

func invalid(field, reason string) error { return &fault.Invalid{Field: field, Reason: reason} }

func checkText(field, s string, required bool, max int) error {
	if required && strings.TrimSpace(s) == "" {
		return invalid(field, "required")
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return invalid(field, fmt.Sprintf("at most %d characters", max))
	}
	return nil
}

// regime returns the regime asked for, or the configured default.
func (s *Service) regime(r string) string {
	if r != "" {
		return r
	}
	if s.o.Regime == RegimeCCPA {
		return RegimeCCPA
	}
	return RegimeGDPR
}

// CreateRequest puts a request in the queue and audits it.
func (s *Service) CreateRequest(ctx context.Context, in NewRequest) (*Request, error) {
	in.Regime = s.regime(in.Regime)
	switch {
	case !slices.Contains(RequestKinds, in.Kind):
		return nil, invalid("kind", "unknown kind of request")
	case !slices.Contains(Channels, in.Channel):
		return nil, invalid("channel", "unknown channel")
	case !slices.Contains(Regimes, in.Regime):
		return nil, invalid("regime", "GDPR or CCPA")
	case in.IdentityCheck == "":
		in.IdentityCheck = CheckNone
	}
	if !slices.Contains(IdentityChecks, in.IdentityCheck) {
		return nil, invalid("identity", "unknown identity check")
	}
	if err := checkText("details", in.Details, false, maxText); err != nil {
		return nil, err
	}
	if in.AccountID == "" {
		if strings.TrimSpace(in.Email) == "" {
			return nil, invalid("customer", "required")
		}
		if _, err := identity.NormalizeEmail(strings.TrimSpace(in.Email)); err != nil {
			return nil, invalid("customer", "an e-mail address")
		}
	}
	var out *Request
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.createRequest(ctx, tx, in)
		return err
	})
	return out, err
}

func (s *Service) createRequest(ctx context.Context, tx *db.Tx, in NewRequest) (*Request, error) {
	var a *identity.Account
	var err error
	if in.AccountID != "" {
		a, err = s.o.Accounts.AccountIn(ctx, tx, in.AccountID)
	} else {
		a, err = s.o.Accounts.FindByEmail(ctx, tx, strings.TrimSpace(in.Email))
	}
	if errors.Is(err, identity.ErrNotFound) || (err == nil && a == nil) {
		return nil, ErrNoAccount
	}
	if err != nil {
		return nil, err
	}
	if a.Kind != "customer" {
		return nil, invalid("customer", "requests are for customer accounts")
	}
	now := tx.Now()
	received := in.ReceivedAt.UTC()
	if in.ReceivedAt.IsZero() {
		received = now
	}
	if received.After(now) {
		return nil, invalid("received", "cannot be in the future")
	}
	if now.Sub(received) > 366*24*time.Hour {
		return nil, invalid("received", "within the last year")
	}
	r := &Request{ID: newID(), AccountID: a.ID, Kind: in.Kind, Channel: in.Channel, Regime: in.Regime, Status: RequestOpen,
		ReceivedAt: received, DueAt: Due(in.Regime, received, false), IdentityCheck: in.IdentityCheck, Details: in.Details,
		ConversationID: in.ConversationID, CreatedBy: in.By, CreatedAt: now, Now: now}
	var details []byte
	if in.Details != "" {
		key, err := s.o.Keys.DataKey(ctx, tx, subject(a.ID))
		if err != nil {
			return nil, err
		}
		details = key.Seal([]byte(in.Details), requestAAD(r.ID, "details"))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO privacy_requests (id, account_id, kind, channel, regime, status, received_at, due_at,
		identity_check, details_sealed, conversation_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.AccountID, r.Kind, r.Channel, r.Regime, r.Status, r.ReceivedAt, r.DueAt, r.IdentityCheck, details,
		r.ConversationID, r.CreatedBy, r.CreatedAt); err != nil {
		return nil, err
	}
	return r, s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.request.create", Target: requestTarget(r.ID),
		Subject: subject(a.ID), Details: map[string]any{"account": a.ID, "kind": r.Kind, "channel": r.Channel, "regime": r.Regime,
			"received_at": r.ReceivedAt, "due_at": r.DueAt, "identity_check": r.IdentityCheck, "conversation": r.ConversationID}})
}

func requestTarget(id string) string { return "privacy_request:" + id }

func requestAAD(id, column string) []byte { return []byte("privacy_requests." + column + ":" + id) }

// portalRequest records a request the customer made on their privacy
// page, in the caller's transaction: they were signed in with a recent
// password confirmation (the step-up the page asks for).
func (s *Service) portalRequest(ctx context.Context, tx *db.Tx, accountID, kind, exportID string) (*Request, error) {
	r, err := s.createRequest(ctx, tx, NewRequest{AccountID: accountID, Kind: kind, Channel: ChannelPortal,
		Regime: s.regime(""), IdentityCheck: CheckSignedIn, By: "customer"})
	if err != nil {
		return nil, err
	}
	if exportID != "" {
		_, err = tx.Exec(ctx, `UPDATE privacy_requests SET export_id = ? WHERE id = ?`, exportID, r.ID)
	}
	return r, err
}

const requestColumns = `id, account_id, kind, channel, regime, status, received_at, due_at, extended_at, extension_reason,
	identity_check, details_sealed, conversation_id, export_id, hold_id, outcome, answer_sealed, answered_at, answered_by,
	reminded, created_by, created_at`

func (s *Service) scanRequest(ctx context.Context, tx *db.Tx, row db.Scanner, open bool) (Request, error) {
	var r Request
	var ext, ans sql.NullTime
	var details, answer []byte
	err := row.Scan(&r.ID, &r.AccountID, &r.Kind, &r.Channel, &r.Regime, &r.Status, &r.ReceivedAt, &r.DueAt, &ext,
		&r.ExtensionReason, &r.IdentityCheck, &details, &r.ConversationID, &r.ExportID, &r.HoldID, &r.Outcome, &answer, &ans,
		&r.AnsweredBy, &r.RemindedStage, &r.CreatedBy, &r.CreatedAt)
	if err != nil {
		return r, err
	}
	r.ReceivedAt, r.DueAt, r.CreatedAt, r.Now = r.ReceivedAt.UTC(), r.DueAt.UTC(), r.CreatedAt.UTC(), tx.Now()
	if ext.Valid {
		t := ext.Time.UTC()
		r.ExtendedAt = &t
	}
	if ans.Valid {
		t := ans.Time.UTC()
		r.AnsweredAt = &t
	}
	if !open {
		return r, nil
	}
	for _, f := range []struct {
		ct  []byte
		col string
		dst *string
	}{{details, "details", &r.Details}, {answer, "answer", &r.Answer}} {
		if len(f.ct) == 0 {
			continue
		}
		pt, err := s.o.Keys.Open(ctx, tx, f.ct, requestAAD(r.ID, f.col))
		if err != nil {
			r.Shredded = true
			continue
		}
		*f.dst = string(pt)
	}
	return r, nil
}

// RequestFilter selects requests for the queue.
type RequestFilter struct {
	// Status is RequestOpen, one of the closed statuses, or empty for all.
	Status    string
	AccountID string
	Limit     int
}

// Requests lists requests, open ones by deadline first.
func (s *Service) Requests(ctx context.Context, f RequestFilter) ([]Request, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.AccountID != "" {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	var out []Request
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE `+strings.Join(where, " AND ")+
			` ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, due_at, created_at LIMIT `+fmt.Sprint(f.Limit), args...)
		out, err = db.Collect(rows, err, func(r db.Scanner) (Request, error) { return s.scanRequest(ctx, tx, r, false) })
		return err
	})
	return out, err
}

// GetRequest returns one request with its details opened.
func (s *Service) GetRequest(ctx context.Context, id string) (*Request, error) {
	var out *Request
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		r, err := s.requestIn(ctx, tx, id, true)
		out = r
		return err
	})
	return out, err
}

func (s *Service) requestIn(ctx context.Context, tx *db.Tx, id string, open bool) (*Request, error) {
	r, err := s.scanRequest(ctx, tx, tx.QueryRow(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE id = ?`, id), open)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrRequestNotFound
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// step runs one change on an open request in a transaction, with its
// audit entry.
func (s *Service) step(ctx context.Context, id string, mustBeOpen bool, do func(tx *db.Tx, r *Request) (audit.Event, error)) error {
	return s.o.DB.Write(ctx, func(tx *db.Tx) error {
		r, err := s.requestIn(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if mustBeOpen && !r.Open() {
			return ErrRequestClosed
		}
		ev, err := do(tx, r)
		if err != nil {
			return err
		}
		ev.Target = requestTarget(id)
		if ev.Subject == "" {
			ev.Subject = subject(r.AccountID)
		}
		return s.o.Audit.Record(ctx, tx, ev)
	})
}

// RecordIdentityCheck records how the customer's identity was checked.
func (s *Service) RecordIdentityCheck(ctx context.Context, id, check, note string) error {
	if !slices.Contains(IdentityChecks, check) {
		return invalid("identity", "unknown identity check")
	}
	if err := checkText("note", note, false, 1000); err != nil {
		return err
	}
	return s.step(ctx, id, true, func(tx *db.Tx, r *Request) (audit.Event, error) {
		_, err := tx.Exec(ctx, `UPDATE privacy_requests SET identity_check = ? WHERE id = ?`, check, id)
		ev := audit.Event{Action: "privacy.request.identity", Details: map[string]any{"from": r.IdentityCheck, "to": check}}
		if note != "" {
			ev.Personal = map[string]any{"note": note}
		}
		return ev, err
	})
}

// Extend extends the deadline once, before it passes, with a reason the
// customer is told (GDPR 12(3): by two further months; CCPA: by 45 days).
func (s *Service) Extend(ctx context.Context, id, reason string) error {
	if err := checkText("reason", reason, true, 1000); err != nil {
		return err
	}
	var due time.Time
	var accountID, kind string
	err := s.step(ctx, id, true, func(tx *db.Tx, r *Request) (audit.Event, error) {
		accountID, kind = r.AccountID, r.Kind
		if r.ExtendedAt != nil {
			return audit.Event{}, ErrExtended
		}
		if !tx.Now().Before(r.DueAt) {
			return audit.Event{}, ErrPastDue
		}
		due = Due(r.Regime, r.ReceivedAt, true)
		if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET due_at = ?, extended_at = ?, extension_reason = ? WHERE id = ?`,
			due, tx.Now(), reason, id); err != nil {
			return audit.Event{}, err
		}
		return audit.Event{Action: "privacy.request.extend", Details: map[string]any{"from": r.DueAt, "to": due, "reason": reason}}, nil
	})
	if err != nil {
		return err
	}
	s.mailCustomer(ctx, accountID, func(a *identity.Account) notifyMessage { return extensionMail(a, kind, due, reason) })
	return nil
}

// PlaceHold records a legal hold on the request's customer: when they are
// erased, the rows of the named tables are kept under the hold's own key
// until the hold ends.
func (s *Service) PlaceHold(ctx context.Context, id string, tables []string, reason string, until time.Time, by string) (string, error) {
	if err := checkText("reason", reason, true, 1000); err != nil {
		return "", err
	}
	if len(tables) == 0 {
		return "", invalid("tables", "name at least one table")
	}
	for _, t := range tables {
		d, ok := s.o.Registry.Table(t)
		if !ok || d.Subject == "" {
			return "", invalid("tables", "a table of the registry that holds the customer's rows")
		}
	}
	holdID := newID()
	err := s.step(ctx, id, false, func(tx *db.Tx, r *Request) (audit.Event, error) {
		if !until.After(tx.Now()) {
			return audit.Event{}, invalid("until", "must be in the future")
		}
		if until.After(tx.Now().AddDate(30, 0, 0)) {
			return audit.Event{}, invalid("until", "within 30 years")
		}
		if r.HoldID != "" {
			var released sql.NullTime
			if err := tx.QueryRow(ctx, `SELECT released_at FROM privacy_holds WHERE id = ?`, r.HoldID).Scan(&released); err == nil && !released.Valid {
				return audit.Event{}, invalid("hold", "release the current hold first")
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO privacy_holds (id, account_id, tables, reason, until_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, holdID, r.AccountID, strings.Join(tables, ","), reason, until.UTC(), by, tx.Now()); err != nil {
			return audit.Event{}, err
		}
		if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET hold_id = ? WHERE id = ?`, holdID, id); err != nil {
			return audit.Event{}, err
		}
		return audit.Event{Action: "privacy.hold.place", Details: map[string]any{"hold": holdID, "tables": tables, "until": until.UTC(),
			"reason": reason}}, nil
	})
	if err != nil {
		return "", err
	}
	return holdID, nil
}

// Hold is a legal hold as the request page shows it.
type Hold struct {
	ID, Reason, CreatedBy string
	Tables                []string
	Until, CreatedAt      time.Time
	ReleasedAt            *time.Time
}

// HoldOf returns a hold by id.
func (s *Service) HoldOf(ctx context.Context, id string) (*Hold, error) {
	var h *Hold
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		var out Hold
		var tables string
		var rel sql.NullTime
		err := tx.QueryRow(ctx, `SELECT id, tables, reason, until_at, created_by, created_at, released_at FROM privacy_holds WHERE id = ?`, id).
			Scan(&out.ID, &tables, &out.Reason, &out.Until, &out.CreatedBy, &out.CreatedAt, &rel)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		out.Tables = strings.Split(tables, ",")
		out.Until, out.CreatedAt = out.Until.UTC(), out.CreatedAt.UTC()
		if rel.Valid {
			t := rel.Time.UTC()
			out.ReleasedAt = &t
		}
		h = &out
		return err
	})
	return h, err
}

// ReleaseHold ends the request's legal hold now.
func (s *Service) ReleaseHold(ctx context.Context, id, reason string) error {
	if err := checkText("reason", reason, true, 1000); err != nil {
		return err
	}
	return s.step(ctx, id, false, func(tx *db.Tx, r *Request) (audit.Event, error) {
		if r.HoldID == "" {
			return audit.Event{}, invalid("hold", "the request has no hold")
		}
		res, err := tx.Exec(ctx, `UPDATE privacy_holds SET released_at = ? WHERE id = ? AND released_at IS NULL`, tx.Now(), r.HoldID)
		if err != nil {
			return audit.Event{}, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return audit.Event{}, invalid("hold", "the hold was released already")
		}
		return audit.Event{Action: "privacy.hold.release", Details: map[string]any{"hold": r.HoldID, "reason": reason}}, nil
	})
}

// Answer closes a request: fulfilled (for access and export an export is
// built and the customer mailed when it is ready; for erasure the customer
// is erased now, through the same code as closure), or refused with the
// reason. The answer text is mailed to the customer in their language
// (except after an erasure: no mail may bring their address back) and
// kept sealed with their key.
func (s *Service) Answer(ctx context.Context, id, decision, answer, by string) error {
	if decision != RequestFulfilled && decision != RequestRefused {
		return invalid("decision", "fulfil or refuse")
	}
	if err := checkText("answer", answer, true, maxText); err != nil {
		return err
	}
	r, err := s.GetRequest(ctx, id)
	if err != nil {
		return err
	}
	if !r.Open() {
		return ErrRequestClosed
	}
	if r.IdentityCheck == CheckNone && decision == RequestFulfilled {
		return ErrUnverified
	}
	outcome := ""
	var a *identity.Account
	if err := s.o.DB.Read(ctx, func(tx *db.Tx) (err error) {
		a, err = s.o.Accounts.AccountIn(ctx, tx, r.AccountID)
		return err
	}); err != nil {
		return err
	}
	if decision == RequestFulfilled {
		switch r.Kind {
		case KindAccess, KindExport:
			e, err := s.RequestExport(ctx, r.AccountID, by)
			if errors.Is(err, ErrExportRunning) {
				return invalid("export", "an export is already being prepared for this customer")
			}
			if err != nil {
				return err
			}
			outcome = "export:" + e.ID
			if err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE privacy_requests SET export_id = ? WHERE id = ?`, e.ID, id)
				return err
			}); err != nil {
				return err
			}
		case KindErasure:
			out, err := s.Erase(ctx, r.AccountID, SourceRequest)
			if err != nil {
				return err
			}
			rows, held := 0, 0
			for _, n := range out.Rows {
				rows += n
			}
			for _, n := range out.Held {
				held += n
			}
			outcome = fmt.Sprintf("erased:%d:%d:%d", rows, len(out.Rows), held)
		}
	}
	erased := strings.HasPrefix(outcome, "erased:")
	err = s.step(ctx, id, true, func(tx *db.Tx, cur *Request) (audit.Event, error) {
		var sealed []byte
		if !erased {
			key, err := s.o.Keys.DataKey(ctx, tx, subject(r.AccountID))
			if err != nil {
				return audit.Event{}, err
			}
			sealed = key.Seal([]byte(answer), requestAAD(id, "answer"))
		}
		if _, err := tx.Exec(ctx, `UPDATE privacy_requests SET status = ?, outcome = ?, answer_sealed = ?, answered_at = ?, answered_by = ?
			WHERE id = ?`, decision, outcome, sealed, tx.Now(), by, id); err != nil {
			return audit.Event{}, err
		}
		ev := audit.Event{Action: "privacy.request.answer", Details: map[string]any{"decision": decision, "outcome": outcome,
			"mailed": !erased, "late": !tx.Now().Before(cur.DueAt)}}
		if !erased {
			ev.Personal = map[string]any{"answer": answer}
		}
		return ev, nil
	})
	if err != nil {
		return err
	}
	if !erased && s.o.Mail != nil {
		if _, err := s.o.Mail.Send(ctx, answerMail(a, r.Kind, answer)); err != nil {
			s.log.Warn("privacy request answer not mailed", "request", id, "error", err.Error())
		}
	}
	return nil
}

// requestDone closes the customer's portal requests of kind in the
// caller's transaction when the work behind them finished (the export is
// ready, the account erased, the closure cancelled).
func (s *Service) requestDone(ctx context.Context, tx *db.Tx, where string, status, outcome string, args ...any) error {
	rows, err := tx.Query(ctx, `UPDATE privacy_requests SET status = ?, outcome = ?, answered_at = ?, answered_by = 'system'
		WHERE status = 'open' AND `+where+` RETURNING id, account_id`, append([]any{status, outcome, tx.Now()}, args...)...)
	done, err := db.Collect(rows, err, func(r db.Scanner) (p [2]string, err error) {
		err = r.Scan(&p[0], &p[1])
		return p, err
	})
	if err != nil {
		return err
	}
	for _, p := range done {
		if err := s.o.Audit.Record(ctx, tx, audit.Event{Action: "privacy.request.answer", Target: requestTarget(p[0]),
			Details: map[string]any{"decision": status, "outcome": outcome, "by": "system"}}); err != nil {
			return err
		}
	}
	return nil
}

// Regime is the configured default regime of requests.
func (s *Service) Regime() string { return s.regime("") }

// HoldTables lists the registry's tables that hold a customer's rows: what
// a legal hold may name.
func (s *Service) HoldTables() []string {
	var out []string
	for _, t := range s.o.Registry.Personal() {
		if t.Subject != "" {
			out = append(out, t.Name)
		}
	}
	slices.Sort(out)
	return out
}
