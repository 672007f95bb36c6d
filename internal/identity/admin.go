package identity

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Account listing and profile changes for the admin API. Like the console
// actions, they are for callers the web layer has authorised; every change
// is an audit entry with the caller as actor.

// ListAccounts returns up to limit accounts of kind ("" for any) whose id
// sorts after after, in id order: a cursor page. It returns the hits and
// the cursor of the next page, "" after the last one.
func (s *Service) ListAccounts(ctx context.Context, kind, after string, limit int) ([]SearchHit, string, error) {
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	out := []SearchHit{}
	next := ""
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out, next = out[:0], ""
		q := "SELECT " + accountColumns + " FROM accounts WHERE id > ?"
		args := []any{after}
		if kind != "" {
			q += " AND kind = ?"
			args = append(args, kind)
		}
		rows, err := tx.Query(ctx, q+" ORDER BY id LIMIT ?", append(args, limit+1)...)
		accounts, err := db.Collect(rows, err, scanAccount)
		if err != nil {
			return err
		}
		if len(accounts) > limit {
			accounts = accounts[:limit]
			next = accounts[limit-1].id
		}
		sealed := make([][]byte, 0, len(accounts))
		for _, a := range accounts {
			sealed = append(sealed, a.emailSealed)
		}
		if err := s.keys.Warm(ctx, tx, sealed...); err != nil {
			return err
		}
		for _, a := range accounts {
			acct, err := s.open(ctx, tx, a)
			if err != nil {
				return err
			}
			out = append(out, SearchHit{Account: *acct, Locked: a.lockedUntil.Valid && tx.Now().Before(a.lockedUntil.Time)})
		}
		return nil
	})
	return out, next, err
}

// ProfileChange is a change of an account's name, phone or language; nil
// fields stay as they are, "" clears a name or phone.
type ProfileChange struct {
	Name   *string
	Phone  *string
	Locale *string
}

// UpdateProfile changes an account's profile for staff or an automation
// script, re-sealing the fields and the search tokens. The audit entry
// lists which fields changed, and their new values only sealed.
func (s *Service) UpdateProfile(ctx context.Context, accountID string, c ProfileChange) (*Account, error) {
	var err error
	if c.Name != nil {
		if *c.Name, err = NormalizeName(*c.Name); err != nil {
			return nil, err
		}
	}
	if c.Phone != nil {
		if *c.Phone, err = NormalizePhone(*c.Phone); err != nil {
			return nil, err
		}
	}
	if c.Locale != nil {
		if *c.Locale, err = NormalizeLocale(*c.Locale); err != nil {
			return nil, err
		}
	}
	var out *Account
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		a, err := s.byID(ctx, tx, accountID, true)
		if err != nil {
			return err
		}
		if a == nil {
			return ErrNotFound
		}
		acct, err := s.open(ctx, tx, a)
		if err != nil {
			return err
		}
		var changed []string
		personal := map[string]any{}
		if c.Name != nil && *c.Name != acct.Name {
			acct.Name, personal["name"] = *c.Name, *c.Name
			changed = append(changed, "name")
		}
		if c.Phone != nil && *c.Phone != acct.Phone {
			acct.Phone, personal["phone"] = *c.Phone, *c.Phone
			changed = append(changed, "phone")
		}
		if c.Locale != nil && *c.Locale != acct.Locale {
			acct.Locale = *c.Locale
			changed = append(changed, "locale")
		}
		out = acct
		if len(changed) == 0 {
			return nil
		}
		e, n, p, err := s.sealFields(ctx, tx, a.id, acct.Email, acct.Name, acct.Phone)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE accounts SET email_sealed = ?, name_sealed = ?, phone_sealed = ?, locale = ?, updated_at = ? WHERE id = ?",
			e, n, p, acct.Locale, tx.Now(), a.id); err != nil {
			return err
		}
		ev := audit.Event{Action: "account.update", Target: "account:" + a.id, Subject: subject(a.id),
			Details: map[string]any{"fields": strings.Join(changed, ","), "locale": acct.Locale}}
		if len(personal) > 0 {
			ev.Personal = personal
		}
		return s.audit.Record(ctx, tx, ev)
	})
	return out, err
}

// AccountsIn reads the accounts with the given ids inside the caller's
// transaction, their personal fields opened, by id; ids with no account
// (erased ones) are absent. One query for the rows and one for their
// data keys, however many ids.
func (s *Service) AccountsIn(ctx context.Context, tx *db.Tx, ids []string) (map[string]*Account, error) {
	out := map[string]*Account{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.Query(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	accounts, err := db.Collect(rows, err, scanAccount)
	if err != nil {
		return nil, err
	}
	sealed := make([][]byte, 0, len(accounts))
	for _, a := range accounts {
		sealed = append(sealed, a.emailSealed)
	}
	if err := s.keys.Warm(ctx, tx, sealed...); err != nil {
		return nil, err
	}
	for _, a := range accounts {
		acct, err := s.open(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		out[a.id] = acct
	}
	return out, nil
}
