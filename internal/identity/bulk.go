package identity

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/password"
)

// Bulk import of accounts. The rules an operator relies on:
//
//   - Idempotent by e-mail: an address that already has an account is
//     reported as skipped and the account is left exactly as it is (name,
//     phone, locale, password, roles). Re-running a file after fixing its
//     invalid rows creates only what is missing.
//   - Customers are created active with their e-mail counted as verified:
//     the business that imports them vouches for their addresses, as it does
//     for the customers it already serves.
//   - A row with a password_hash keeps that hash (Argon2id, bcrypt or
//     PBKDF2-SHA256); sign-in re-hashes it to Argon2id the first time the
//     owner signs in. A row without one gets a password nobody knows and an
//     invitation e-mail with a link to choose one (valid InviteTTL);
//     send_invite=true sends that invitation even when a hash is given.
//   - Staff rows are staff accounts, their roles granted through
//     ImportOptions.Grant in the same transaction.
//   - Rows are written in transactions of a few hundred; each account has
//     its own audit entry, and the import one summary entry.

// ImportRow is one account of a bulk file, normalised. A row with
// Problems is invalid and is not imported.
type ImportRow struct {
	Line         int // where the row starts in the file, from 1
	Email        string
	Name         string
	Phone        string // E.164
	Locale       string
	Roles        []string // staff roles; none for a customer
	PasswordHash string   // an encoded hash password.IsSupportedHash accepts, or ""
	SendInvite   bool
	Problems     []RowError
}

// Staff reports whether the row is a staff account.
func (r ImportRow) Staff() bool { return len(r.Roles) > 0 }

// Invite reports whether the row's account gets an invitation e-mail.
func (r ImportRow) Invite() bool { return r.SendInvite || r.PasswordHash == "" }

// RowError is one problem of a bulk file: the line, the field (a column
// name, or "row" / "file" for the whole row or file) and the reason.
type RowError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason) }

// ImportSource yields the rows of a bulk file in order; bulkfile.Reader is
// one. Next returns io.EOF after the last row. Any other error stops the
// import; when it is (or joins) *RowError values, they are reported like
// invalid rows (a bad header, a file over a limit).
type ImportSource interface {
	Next() (ImportRow, error)
}

// ImportOptions adjust ImportAccounts.
type ImportOptions struct {
	// DryRun validates every row and looks up which e-mails exist, and
	// changes nothing: no account, no audit entry, no e-mail.
	DryRun bool
	// BatchSize is the number of accounts per transaction; 0 means 250.
	BatchSize int
	// Grant gives a new staff account a role inside the import's
	// transaction (the access package's Grant). Without it, staff rows
	// are refused.
	Grant func(tx *db.Tx, accountID, role string) error
	// Progress, when set, is called after each batch with the counts so far.
	Progress func(ImportResult)
	// By names who runs the import and Source what was imported (a file
	// name and digest) in the audit summary. Neither may hold personal data.
	By, Source string
}

// ImportResult counts what an import did (or, in a dry run, would do).
type ImportResult struct {
	Rows    int // data rows read, valid or not
	Created int
	Skipped int // e-mail already has an account
	Invalid int // rows with problems
	Invited int // invitation e-mails queued
	// MailFailed counts invitations the mailer refused; their accounts
	// exist and the owners can still use "forgot password".
	MailFailed int
	// Errors lists every invalid row's problems, and the problem that
	// stopped reading, if any, in file order.
	Errors []RowError
	// Stopped is set when a file-level problem ended reading early; the
	// batches before it were imported.
	Stopped bool
}

const defaultImportBatch = 250

// ImportAccounts creates the accounts src yields, idempotently by e-mail,
// in transactions of o.BatchSize rows. It returns the counts even when it
// fails part-way: the batches committed before the failure stay, and
// running the same file again completes the import.
func (s *Service) ImportAccounts(ctx context.Context, src ImportSource, o ImportOptions) (ImportResult, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = defaultImportBatch
	}
	var res ImportResult
	imp := &importer{s: s, o: o, res: &res}
	if !o.DryRun {
		imp.mail = s.startImportMail(ctx)
	}
	err := imp.run(ctx, src)
	// Refused grants are found after later rows of their batch were read.
	slices.SortStableFunc(res.Errors, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
	if imp.mail != nil {
		res.MailFailed = imp.mail.wait()
	}
	if o.DryRun {
		return res, err
	}
	outcome := audit.Success
	if err != nil || res.Stopped {
		outcome = audit.Failure
	}
	details := map[string]any{"rows": res.Rows, "created": res.Created, "skipped": res.Skipped, "invalid": res.Invalid,
		"invited": res.Invited, "mail_failed": res.MailFailed, "stopped": res.Stopped}
	if o.By != "" {
		details["by"] = o.By
	}
	if o.Source != "" {
		details["source"] = o.Source
	}
	// The summary is recorded even when the import was interrupted.
	actx := context.WithoutCancel(ctx)
	recErr := s.db.Write(actx, func(tx *db.Tx) error {
		return s.audit.Record(actx, tx, audit.Event{Action: "accounts.import", Target: "accounts", Outcome: outcome, Details: details})
	})
	if err != nil {
		return res, err
	}
	return res, recErr
}

// importer carries one import's state across batches.
type importer struct {
	s          *Service
	o          ImportOptions
	res        *ImportResult
	mail       *importMail
	inviteHash string // hash of a password nobody knows, made once per import
}

func (imp *importer) run(ctx context.Context, src ImportSource) error {
	batch := make([]ImportRow, 0, imp.o.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := imp.batch(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
		if imp.o.Progress != nil {
			imp.o.Progress(*imp.res)
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return flush()
		}
		if err != nil {
			problems := rowErrors(err)
			if len(problems) == 0 {
				return err
			}
			// A file-level problem: import what was read before it.
			if ferr := flush(); ferr != nil {
				return ferr
			}
			imp.res.Errors = append(imp.res.Errors, problems...)
			imp.res.Stopped = true
			return nil
		}
		imp.res.Rows++
		row.Problems = append(row.Problems, imp.check(row)...)
		if len(row.Problems) > 0 {
			imp.invalid(row.Problems)
			continue
		}
		batch = append(batch, row)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// check repeats the checks a source cannot be trusted with: an account
// must never get a hash sign-in cannot read.
func (imp *importer) check(r ImportRow) []RowError {
	if len(r.Problems) > 0 {
		return nil
	}
	switch {
	case r.Email == "" || r.Locale == "":
		return []RowError{{Line: r.Line, Field: "row", Reason: "not normalised"}}
	case r.PasswordHash != "" && !password.IsSupportedHash(r.PasswordHash):
		return []RowError{{Line: r.Line, Field: "password_hash", Reason: "unsupported hash format"}}
	case r.Staff() && imp.o.Grant == nil:
		return []RowError{{Line: r.Line, Field: "role", Reason: "staff accounts cannot be imported here"}}
	}
	return nil
}

func (imp *importer) invalid(problems []RowError) {
	imp.res.Invalid++
	imp.res.Errors = append(imp.res.Errors, problems...)
}

// rowErrors returns the *RowError values in err's tree.
func rowErrors(err error) []RowError {
	var re *RowError
	if errors.As(err, &re) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			var out []RowError
			for _, e := range j.Unwrap() {
				out = append(out, rowErrors(e)...)
			}
			return out
		}
		return []RowError{*re}
	}
	return nil
}

// batch imports one batch: in a dry run it only looks up which e-mails
// exist; otherwise it writes the new accounts in one transaction, retried
// without a row whose role could not be granted, and again when a
// concurrent registration took an e-mail meanwhile.
func (imp *importer) batch(ctx context.Context, rows []ImportRow) error {
	idx := make([][]byte, len(rows))
	for i, r := range rows {
		idx[i] = imp.s.emailIndex(r.Email)
	}
	if imp.o.DryRun {
		var exists map[string]bool
		err := imp.s.db.Read(ctx, func(tx *db.Tx) (err error) {
			exists, err = existingEmails(ctx, tx, idx)
			return err
		})
		if err != nil {
			return err
		}
		for i, r := range rows {
			if exists[string(idx[i])] {
				imp.res.Skipped++
				continue
			}
			imp.res.Created++
			if r.Invite() {
				imp.res.Invited++
			}
		}
		return nil
	}
	if err := imp.prepareInvites(ctx, rows); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		out, err := imp.write(ctx, rows, idx)
		var bad *badRow
		switch {
		case errors.As(err, &bad):
			imp.invalid([]RowError{{Line: rows[bad.i].Line, Field: "role", Reason: bad.reason}})
			rows = append(rows[:bad.i:bad.i], rows[bad.i+1:]...)
			idx = append(idx[:bad.i:bad.i], idx[bad.i+1:]...)
			continue
		case db.IsUniqueViolation(err) && attempt < 3:
			continue
		case err != nil:
			return err
		}
		imp.res.Created += out.created
		imp.res.Skipped += out.skipped
		imp.res.Invited += len(out.mails)
		imp.mail.queue(out.mails)
		return nil
	}
}

// badRow is a row whose role the Grant callback refused; the batch is
// rolled back and written again without it.
type badRow struct {
	i      int
	reason string
}

func (e *badRow) Error() string { return "identity: import row refused: " + e.reason }

// prepareInvites hashes, once per import, the password nobody knows that
// invited accounts get until their owners choose their own. One Argon2id
// hash per row would cost more than the rest of the import together.
func (imp *importer) prepareInvites(ctx context.Context, rows []ImportRow) error {
	if imp.inviteHash != "" {
		return nil
	}
	for _, r := range rows {
		if r.PasswordHash == "" {
			h, err := imp.s.hasher.Hash(ctx, newSecret())
			if err != nil {
				return imp.s.hashBusy(err)
			}
			imp.inviteHash = h
			return nil
		}
	}
	return nil
}

// existingEmails returns which of the blind indexes already have an
// account, as a set of string(index).
func existingEmails(ctx context.Context, tx *db.Tx, idx [][]byte) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(idx) == 0 {
		return out, nil
	}
	args := make([]any, len(idx))
	for i, b := range idx {
		args[i] = b
	}
	rows, err := tx.Query(ctx, "SELECT email_index FROM accounts WHERE email_index IN (?"+strings.Repeat(", ?", len(idx)-1)+")", args...)
	taken, err := db.Collect(rows, err, db.Value[[]byte])
	if err != nil {
		return nil, err
	}
	for _, b := range taken {
		out[string(b)] = true
	}
	return out, nil
}

// inviteMail is the invitation e-mail of an imported account.
func (s *Service) inviteMail(r ImportRow, link string) outgoing {
	kind := "invite"
	if r.Staff() {
		kind = "staff_invite"
	}
	return outgoing{to: r.Email, name: r.Name, locale: r.Locale, kind: kind,
		args: mailArgs{URL: s.base + "/reset?token=" + link, Minutes: int(InviteTTL / time.Hour), Help: s.base + "/contact"}}
}
