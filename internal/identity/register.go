package identity

import (
	"context"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/password"
)

// Registration is what a customer gives to create an account.
type Registration struct {
	Email, Password, Name, Phone, Locale string
	IP                                   string
}

// checkPassword applies the profile to a new password and turns its
// verdict into a FieldError with the reason (NIST: say why).
func (s *Service) checkPassword(pw, email, name string) error {
	if p := s.policy.Password.Check(pw, password.Context{Email: email, Name: name, OrgName: s.org}); p != nil {
		return &FieldError{Field: "password", Code: p.Code, Message: p.Error(), Min: p.Min, Max: p.Max}
	}
	return nil
}

// Register starts a customer account and e-mails a verification code and
// link. The answer is the same whether or not the e-mail is registered
// already (ASVS 6.3.8): an existing owner gets a "someone tried to
// register" e-mail instead, and an unverified registration is replaced,
// since its first registrant never proved the address was theirs.
func (s *Service) Register(ctx context.Context, r Registration) error {
	email, err := NormalizeEmail(r.Email)
	if err != nil {
		return err
	}
	name, err := NormalizeName(r.Name)
	if err != nil {
		return err
	}
	phone, err := NormalizePhone(r.Phone)
	if err != nil {
		return err
	}
	locale, err := NormalizeLocale(r.Locale)
	if err != nil {
		return err
	}
	if err := s.checkPassword(r.Password, email, name); err != nil {
		return err
	}
	// Hash before the transaction: the write lock is never held while the
	// hasher works, and every path below costs the same.
	hash, err := s.hasher.Hash(ctx, password.Normalize(r.Password))
	if err != nil {
		return s.hashBusy(err)
	}
	var mails []outgoing
	var limited *RateLimitedError
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		mails = nil
		if limited, err = s.quota(ctx, tx, "register", r.IP, s.policy.RegistrationsPerIP); err != nil || limited != nil {
			return err
		}
		a, err := s.byEmail(ctx, tx, email, true)
		if err != nil {
			return err
		}
		switch {
		case a == nil:
			id := newID()
			es, ns, ps, err := s.sealFields(ctx, tx, id, email, name, phone)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO accounts (id, kind, status, email_index, email_sealed, name_sealed, phone_sealed,
				locale, password_hash, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, KindCustomer, StatusPending, s.emailIndex(email), es, ns, ps, locale, hash, tx.Now(), tx.Now(), tx.Now())
			if err != nil {
				return err
			}
			a = &accountRow{id: id}
		case a.status == StatusPending:
			es, ns, ps, err := s.sealFields(ctx, tx, a.id, email, name, phone)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE accounts SET email_sealed = ?, name_sealed = ?, phone_sealed = ?, locale = ?,
				password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?`, es, ns, ps, locale, hash, tx.Now(), tx.Now(), a.id)
			if err != nil {
				return err
			}
		default:
			mails = append(mails, outgoing{to: email, locale: a.locale, kind: "exists", args: mailArgs{URL: s.base + "/signin"}})
			return s.audit.Record(ctx, tx, audit.Event{Action: "account.register", Target: "account:" + a.id, Subject: subject(a.id),
				Outcome: audit.Failure, Details: map[string]any{"reason": "email_taken"}})
		}
		code, err := s.issueToken(ctx, tx, a.id, purposeVerify, s.policy.VerifyTTL, true)
		if err != nil {
			return err
		}
		mails = append(mails, outgoing{to: email, name: name, locale: locale, kind: "verify",
			args: mailArgs{Code: code.code, URL: s.base + "/verify?token=" + code.link, Minutes: int(s.policy.VerifyTTL / time.Minute)}})
		return s.audit.Record(ctx, tx, audit.Event{Action: "account.register", Target: "account:" + a.id, Subject: subject(a.id),
			Personal: map[string]any{"email": email}})
	})
	if err != nil {
		return err
	}
	if limited != nil {
		return limited
	}
	s.send(ctx, mails)
	return nil
}

// VerifyEmail confirms an e-mail address with the code that was sent to
// it and activates the account. Any failure is ErrInvalidCode.
func (s *Service) VerifyEmail(ctx context.Context, emailIn, code string) (*Account, error) {
	email, err := NormalizeEmail(emailIn)
	if err != nil {
		return nil, ErrInvalidCode
	}
	return s.verify(ctx, func(tx *db.Tx) (string, error) {
		a, err := s.byEmail(ctx, tx, email, true)
		if err != nil || a == nil || a.status != StatusPending {
			return "", err
		}
		ok, err := s.checkCode(ctx, tx, a.id, purposeVerify, code)
		if !ok || err != nil {
			return "", err
		}
		return a.id, nil
	})
}

// VerifyLink confirms an e-mail address with the link that was sent to it.
func (s *Service) VerifyLink(ctx context.Context, link string) (*Account, error) {
	return s.verify(ctx, func(tx *db.Tx) (string, error) { return s.useLink(ctx, tx, purposeVerify, link) })
}

// verify activates the account find returns; find returns "" when the code
// or link is not valid. A wrong code's counted attempt is committed.
func (s *Service) verify(ctx context.Context, find func(*db.Tx) (string, error)) (*Account, error) {
	var acct *Account
	var mails []outgoing
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		acct, mails = nil, nil
		id, err := find(tx)
		if err != nil || id == "" {
			return err
		}
		a, err := s.byID(ctx, tx, id, true)
		if err != nil || a == nil || a.status != StatusPending {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE accounts SET status = ?, email_verified_at = ?, updated_at = ? WHERE id = ?",
			StatusActive, tx.Now(), tx.Now(), a.id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM account_tokens WHERE account_id = ? AND purpose = ?", a.id, purposeVerify); err != nil {
			return err
		}
		a.status, a.verifiedAt.Valid, a.verifiedAt.Time = StatusActive, true, tx.Now()
		if acct, err = s.open(ctx, tx, a); err != nil {
			return err
		}
		mails = append(mails, outgoing{to: acct.Email, name: acct.Name, locale: acct.Locale, kind: "welcome",
			args: mailArgs{URL: s.base + "/signin", Help: s.base + "/contact"}})
		return s.audit.Record(ctx, tx, audit.Event{Action: "account.verify_email", Target: "account:" + a.id, Subject: subject(a.id)})
	})
	if err != nil {
		return nil, err
	}
	if acct == nil {
		return nil, ErrInvalidCode
	}
	s.send(ctx, mails)
	return acct, nil
}

// CreateAdmin creates an active, verified staff account with no roles.
func (s *Service) CreateAdmin(ctx context.Context, emailIn, pw string) (*Account, error) {
	return s.CreateStaff(ctx, emailIn, pw, nil)
}

// CreateStaff creates an active, verified staff account; then, when not
// nil, runs in the same transaction (the access package grants roles
// there). There are no default accounts (ASVS 6.3.2). The account must
// enrol a second factor at its first sign-in.
func (s *Service) CreateStaff(ctx context.Context, emailIn, pw string, then func(tx *db.Tx, accountID string) error) (*Account, error) {
	email, err := NormalizeEmail(emailIn)
	if err != nil {
		return nil, err
	}
	if err := s.checkPassword(pw, email, ""); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, password.Normalize(pw))
	if err != nil {
		return nil, s.hashBusy(err)
	}
	var acct *Account
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if a, err := s.byEmail(ctx, tx, email, true); err != nil {
			return err
		} else if a != nil {
			return ErrExists
		}
		id := newID()
		es, _, _, err := s.sealFields(ctx, tx, id, email, "", "")
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO accounts (id, kind, status, email_index, email_sealed, locale, password_hash,
			password_changed_at, email_verified_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'en', ?, ?, ?, ?, ?)`,
			id, KindStaff, StatusActive, s.emailIndex(email), es, hash, tx.Now(), tx.Now(), tx.Now(), tx.Now())
		if err != nil {
			return err
		}
		acct = &Account{ID: id, Kind: KindStaff, Status: StatusActive, Email: email, Locale: "en", EmailVerified: true, CreatedAt: tx.Now()}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "account.create_admin", Target: "account:" + id, Subject: subject(id),
			Personal: map[string]any{"email": email}}); err != nil {
			return err
		}
		if then != nil {
			return then(tx, id)
		}
		return nil
	})
	if errors.Is(err, ErrExists) {
		return nil, ErrExists
	}
	return acct, err
}
