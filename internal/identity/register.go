package identity

import (
	"context"
	"crypto/subtle"
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
	// Then, when set, runs in the transaction of a real attempt (not for
	// an address already registered) with the account and the attempt's
	// ids: the consent ledger keeps the sign-up's choices with the attempt.
	Then RegistrationHook
}

// RegistrationHook runs inside a registration's transaction, for one
// attempt of an account.
type RegistrationHook func(ctx context.Context, tx *db.Tx, accountID, registrationID string) error

// SetVerified sets the hook run in the transaction that verifies a
// registration attempt, before the attempts are deleted: the consent
// ledger records the choices that waited with the winning attempt.
func (s *Service) SetVerified(h RegistrationHook) { s.verified = h }

// checkPassword applies the profile to a new password and turns its
// verdict into a FieldError with the reason (NIST: say why): the first rule
// broken, with every rule broken in its Details when there are several.
func (s *Service) checkPassword(pw, email, name string) error {
	all := s.policy.Password.CheckAll(pw, password.Context{Email: email, Name: name, OrgName: s.org})
	if len(all) == 0 {
		return nil
	}
	fe := &FieldError{Field: "password", Code: all[0].Code, Message: all[0].Error(), Min: all[0].Min, Max: all[0].Max}
	if len(all) > 1 {
		for _, p := range all {
			fe.Details = append(fe.Details, FieldError{Field: "password", Code: p.Code, Message: p.Error(), Min: p.Min, Max: p.Max})
		}
	}
	return fe
}

// Register starts a customer registration and e-mails a verification
// code and link. It returns the registration's own secret, which only the
// registrant's client gets: confirming needs it (or the password chosen
// here) together with the code or link, so a code can only activate the
// password of the person who both reads the mailbox and set it.
//
// Every attempt is its own record with its own password, profile, code,
// link and secret: registering an address again, while an earlier attempt
// is pending, never changes what the earlier e-mail activates (a
// pre-verification takeover otherwise; ASVS 6.4.1: an activation secret
// never becomes someone else's password). The answer is the same whether or
// not the address is registered already (ASVS 6.3.8): a secret of the same
// shape comes back, and an existing owner gets a "someone tried to
// register" e-mail instead.
func (s *Service) Register(ctx context.Context, r Registration) (string, error) {
	email, err := NormalizeEmail(r.Email)
	if err != nil {
		return "", err
	}
	name, err := NormalizeName(r.Name)
	if err != nil {
		return "", err
	}
	phone, err := NormalizePhone(r.Phone)
	if err != nil {
		return "", err
	}
	locale, err := NormalizeLocale(r.Locale)
	if err != nil {
		return "", err
	}
	if err := s.checkPassword(r.Password, email, name); err != nil {
		return "", err
	}
	// Hash before the transaction: the write lock is never held while the
	// hasher works, and every path below costs the same.
	hash, err := s.hasher.Hash(ctx, password.Normalize(r.Password))
	if err != nil {
		return "", s.hashBusy(err)
	}
	secret := newSecret() // returned on every path, stored only for a real attempt
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
		if a != nil && a.status != StatusPending {
			// Tell the owner, within the recipient's quota (ASVS 2.4.1).
			if ok, err := s.mailAllowed(ctx, tx, mailExists, email); err != nil {
				return err
			} else if ok {
				mails = append(mails, outgoing{to: email, locale: a.locale, kind: "exists", args: mailArgs{URL: s.base + "/signin"}})
			}
			return s.audit.Record(ctx, tx, audit.Event{Action: "account.register", Target: "account:" + a.id, Subject: subject(a.id),
				Outcome: audit.Failure, Details: map[string]any{"reason": "email_taken"}})
		}
		if ok, err := s.mailAllowed(ctx, tx, mailVerify, email); err != nil || !ok {
			if err != nil {
				return err
			}
			// Past the recipient's quota: no attempt, no e-mail, same answer.
			return s.audit.Record(ctx, tx, audit.Event{Action: "account.register", Outcome: audit.Denied,
				Details: map[string]any{"reason": "recipient_quota"}})
		}
		if a == nil {
			// The account row reserves the address and stays pending until
			// an attempt is verified. It keeps this first attempt's password
			// only so that its registrant, signing in, is asked to verify.
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
		}
		at := attempt{email: email, name: name, phone: phone, locale: locale, passwordHash: hash, secret: secret}
		regID, code, err := s.newAttempt(ctx, tx, a.id, at)
		if err != nil {
			return err
		}
		if r.Then != nil {
			if err := r.Then(ctx, tx, a.id, regID); err != nil {
				return err
			}
		}
		mails = append(mails, s.verifyMail(email, name, locale, code))
		return s.audit.Record(ctx, tx, audit.Event{Action: "account.register", Target: "account:" + a.id, Subject: subject(a.id),
			Personal: map[string]any{"email": email}, Details: map[string]any{"registration": regID}})
	})
	if err != nil {
		return "", err
	}
	if limited != nil {
		return "", limited
	}
	s.send(ctx, mails)
	return secret, nil
}

func (s *Service) verifyMail(email, name, locale string, code issued) outgoing {
	return outgoing{to: email, name: name, locale: locale, kind: "verify",
		args: mailArgs{Code: code.code, URL: s.base + "/verify?token=" + code.link, Minutes: int(s.policy.VerifyTTL / time.Minute)}}
}

// RegistrantProof shows that whoever confirms a registration is the person
// who started it: the secret Register returned to their client, or the
// password they chose. The mailed code or link proves the mailbox; the
// proof picks whose password it activates.
type RegistrantProof struct {
	Registration string
	Password     string
}

// errNoProof answers a confirmation without a proof, as earlier versions
// of the API accepted: it says what to send instead.
var errNoProof = &FieldError{Code: "registration_required",
	Message: "Send the registration secret from the answer to the registration, or the password chosen there, with the code."}

// VerifyEmail confirms an e-mail address with the code that was sent to
// it and the registrant's proof, and activates the account with the
// password of that registration attempt only. Any failure is
// ErrInvalidCode; a wrong code counts against the attempt (ASVS 6.6.3).
func (s *Service) VerifyEmail(ctx context.Context, emailIn, code string, p RegistrantProof) (*Account, error) {
	email, err := NormalizeEmail(emailIn)
	if err != nil {
		return nil, ErrInvalidCode
	}
	if p.Registration != "" {
		return s.verify(ctx, func(tx *db.Tx) (*attemptRow, error) {
			r, err := s.attemptBy(ctx, tx, "secret_hash", hashSecret(p.Registration), false)
			if err != nil || r == nil {
				return nil, err
			}
			if same, err := s.attemptOf(ctx, tx, r, email); err != nil || !same {
				return nil, err
			}
			if !s.codeMatches(r, code) {
				return nil, s.countAttempt(ctx, tx, "id", r.id)
			}
			return r, nil
		})
	}
	if p.Password == "" {
		return nil, errNoProof
	}
	// With the password: the code tells which attempt it was mailed for,
	// then the password must be that attempt's.
	var found *attemptRow
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		found = nil
		a, err := s.byEmail(ctx, tx, email, true)
		if err != nil || a == nil || a.status != StatusPending {
			return err
		}
		rs, err := s.attemptsOf(ctx, tx, a.id)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if s.codeMatches(r, code) {
				found = r
				return nil
			}
		}
		return s.countAttempt(ctx, tx, "account_id", a.id)
	})
	if err != nil {
		return nil, err
	}
	return s.verifyPassword(ctx, found, p.Password)
}

// VerifyLink confirms an e-mail address with the link that was sent to it
// and the registrant's proof.
func (s *Service) VerifyLink(ctx context.Context, link string, p RegistrantProof) (*Account, error) {
	if link == "" || len(link) > 100 {
		return nil, ErrInvalidCode
	}
	if p.Registration != "" {
		return s.verify(ctx, func(tx *db.Tx) (*attemptRow, error) {
			r, err := s.attemptBy(ctx, tx, "link_hash", hashSecret(link), false)
			if err != nil || r == nil {
				return nil, err
			}
			if subtle.ConstantTimeCompare(hashSecret(p.Registration), r.secretHash) != 1 {
				return nil, s.countAttempt(ctx, tx, "id", r.id)
			}
			return r, nil
		})
	}
	if p.Password == "" {
		return nil, errNoProof
	}
	var found *attemptRow
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		found, err = s.attemptBy(ctx, tx, "link_hash", hashSecret(link), false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.verifyPassword(ctx, found, p.Password)
}

// verifyPassword activates attempt r when pw is its password. A wrong
// password counts like a wrong code. r may be nil: the same work is done.
func (s *Service) verifyPassword(ctx context.Context, r *attemptRow, pw string) (*Account, error) {
	var ok bool
	var err error
	if r != nil {
		ok, _, err = s.hasher.Verify(ctx, password.Normalize(pw), r.passwordHash)
	} else {
		err = s.hasher.Dummy(ctx)
	}
	if err != nil {
		return nil, s.hashBusy(err)
	}
	if r == nil {
		return nil, ErrInvalidCode
	}
	return s.verify(ctx, func(tx *db.Tx) (*attemptRow, error) {
		cur, err := s.attemptBy(ctx, tx, "id", r.id, false)
		if err != nil || cur == nil {
			return nil, err
		}
		if !ok || cur.passwordHash != r.passwordHash {
			return nil, s.countAttempt(ctx, tx, "id", r.id)
		}
		return cur, nil
	})
}

// verify activates the account of the attempt find returns, with that
// attempt's password and profile; find returns nil when the code, link or
// proof is not valid, and what it counted is committed. Every other
// attempt for the address dies with it.
func (s *Service) verify(ctx context.Context, find func(*db.Tx) (*attemptRow, error)) (*Account, error) {
	var acct *Account
	var mails []outgoing
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		acct, mails = nil, nil
		found, err := find(tx)
		if err != nil || found == nil {
			return err
		}
		a, err := s.byID(ctx, tx, found.accountID, true)
		if err != nil || a == nil || a.status != StatusPending {
			return err
		}
		// Under the account's lock: the attempt is still open and the same.
		r, err := s.attemptBy(ctx, tx, "id", found.id, true)
		if err != nil || r == nil || r.passwordHash != found.passwordHash {
			return err
		}
		at, err := s.openAttempt(ctx, tx, r)
		if err != nil {
			return err
		}
		es, ns, ps, err := s.sealFields(ctx, tx, a.id, at.email, at.name, at.phone)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET status = ?, email_verified_at = ?, email_sealed = ?, name_sealed = ?, phone_sealed = ?,
			locale = ?, password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?`,
			StatusActive, tx.Now(), es, ns, ps, at.locale, at.passwordHash, tx.Now(), tx.Now(), a.id); err != nil {
			return err
		}
		if s.verified != nil {
			if err := s.verified(ctx, tx, a.id, r.id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM registrations WHERE account_id = ?", a.id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM account_tokens WHERE account_id = ? AND purpose = ?", a.id, purposeVerify); err != nil {
			return err
		}
		if a, err = s.byID(ctx, tx, a.id, false); err != nil {
			return err
		}
		if acct, err = s.open(ctx, tx, a); err != nil {
			return err
		}
		mails = append(mails, outgoing{to: acct.Email, name: acct.Name, locale: acct.Locale, kind: "welcome",
			args: mailArgs{URL: s.base + "/signin", Help: s.base + "/contact"}})
		return s.audit.Record(ctx, tx, audit.Event{Action: "account.verify_email", Target: "account:" + a.id, Subject: subject(a.id),
			Details: map[string]any{"registration": r.id}})
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
		var err error
		acct, err = s.createStaff(ctx, tx, email, hash, then)
		return err
	})
	if errors.Is(err, ErrExists) {
		return nil, ErrExists
	}
	return acct, err
}

// createStaff is CreateStaff inside tx, with the password already hashed.
func (s *Service) createStaff(ctx context.Context, tx *db.Tx, email, hash string, then func(tx *db.Tx, accountID string) error) (*Account, error) {
	if a, err := s.byEmail(ctx, tx, email, true); err != nil {
		return nil, err
	} else if a != nil {
		return nil, ErrExists
	}
	id := newID()
	es, _, _, err := s.sealFields(ctx, tx, id, email, "", "")
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO accounts (id, kind, status, email_index, email_sealed, locale, password_hash,
		password_changed_at, email_verified_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'en', ?, ?, ?, ?, ?)`,
		id, KindStaff, StatusActive, s.emailIndex(email), es, hash, tx.Now(), tx.Now(), tx.Now(), tx.Now())
	if err != nil {
		return nil, err
	}
	acct := &Account{ID: id, Kind: KindStaff, Status: StatusActive, Email: email, Locale: "en", EmailVerified: true, CreatedAt: tx.Now()}
	if err := s.audit.Record(ctx, tx, audit.Event{Action: "account.create_admin", Target: "account:" + id, Subject: subject(id),
		Personal: map[string]any{"email": email}}); err != nil {
		return nil, err
	}
	if then != nil {
		if err := then(tx, id); err != nil {
			return nil, err
		}
	}
	return acct, nil
}
