package identity

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/password"
)

// issueReset makes a reset code and link for a and returns the e-mail.
func (s *Service) issueReset(ctx context.Context, tx *db.Tx, a *accountRow) (outgoing, error) {
	acct, err := s.open(ctx, tx, a)
	if err != nil {
		return outgoing{}, err
	}
	code, err := s.issueToken(ctx, tx, a.id, purposeReset, s.policy.ResetTTL, true)
	if err != nil {
		return outgoing{}, err
	}
	return outgoing{to: acct.Email, name: acct.Name, locale: acct.Locale, kind: "reset",
		args: mailArgs{Code: code.code, URL: s.base + "/reset?token=" + code.link, Minutes: int(s.policy.ResetTTL / time.Minute)}}, nil
}

// RequestReset e-mails a reset code and link to the owner of email, if
// there is one. The answer is the same for unknown e-mails (ASVS 6.3.8);
// only the per-IP quota can refuse it.
func (s *Service) RequestReset(ctx context.Context, emailIn, ip string) error {
	email, emailErr := NormalizeEmail(emailIn)
	var mails []outgoing
	var limited *RateLimitedError
	err := s.db.Write(ctx, func(tx *db.Tx) (err error) {
		mails = nil
		if limited, err = s.quota(ctx, tx, "reset", ip, s.policy.ResetsPerIP); err != nil || limited != nil {
			return err
		}
		var a *accountRow
		if emailErr == nil {
			if a, err = s.byEmail(ctx, tx, email, true); err != nil {
				return err
			}
		}
		if a == nil || a.status == StatusDisabled {
			return s.audit.Record(ctx, tx, audit.Event{Action: "password.reset_request", Outcome: audit.Failure,
				Details: map[string]any{"reason": "no_such_account"}})
		}
		// The risk engine judges the request; a block sends no code (the
		// owner is told instead) and the answer stays the same (ASVS 6.3.8).
		in := SignIn{IP: ip, UserAgent: audit.OriginFrom(ctx).UserAgent}
		v, err := s.assessAt(ctx, tx, a, in, StageResetRequest)
		if err != nil {
			return err
		}
		if v != nil && v.Decision == RiskBlock {
			return s.stopStep(ctx, tx, a, StageResetRequest, resultResetRefused, "password.reset_request", in, v, &mails)
		}
		// Past the recipient's quota nothing is issued or sent, and the
		// answer stays the same (ASVS 2.4.1, 6.3.8).
		if ok, err := s.mailAllowed(ctx, tx, mailReset, email); err != nil || !ok {
			if err != nil {
				return err
			}
			return s.audit.Record(ctx, tx, audit.Event{Action: "password.reset_request", Target: "account:" + a.id, Subject: subject(a.id),
				Outcome: audit.Denied, Details: map[string]any{"reason": "recipient_quota"}})
		}
		m, err := s.issueReset(ctx, tx, a)
		if err != nil {
			return err
		}
		mails = append(mails, m)
		if err := s.riskEvent(ctx, tx, a, resultResetRequested, in, v); err != nil {
			return err
		}
		var details map[string]any
		if v != nil {
			details = map[string]any{"risk": riskDetails(v)}
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "password.reset_request", Target: "account:" + a.id, Subject: subject(a.id), Details: details})
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

// ConfirmReset sets a new password with the e-mailed code. Every session
// of the account ends and the owner is told by e-mail. A wrong code counts
// against the code's attempts; any failure of the code is ErrInvalidCode.
func (s *Service) ConfirmReset(ctx context.Context, emailIn, code, newPassword string) error {
	email, err := NormalizeEmail(emailIn)
	if err != nil {
		return ErrInvalidCode
	}
	return s.reset(ctx, newPassword, func(tx *db.Tx) (*accountRow, error) {
		a, err := s.byEmail(ctx, tx, email, true)
		if err != nil || a == nil {
			return nil, err
		}
		ok, err := s.checkCode(ctx, tx, a.id, purposeReset, code)
		if !ok || err != nil {
			return nil, err
		}
		return a, nil
	})
}

// ResetWithLink sets a new password with the e-mailed link.
func (s *Service) ResetWithLink(ctx context.Context, link, newPassword string) error {
	return s.reset(ctx, newPassword, func(tx *db.Tx) (*accountRow, error) {
		id, err := s.useLink(ctx, tx, purposeReset, link)
		if err != nil || id == "" {
			return nil, err
		}
		return s.byID(ctx, tx, id, true)
	})
}

// ResetLinkValid reports whether a reset link can still be used, so the
// page can say so before the owner types a new password.
func (s *Service) ResetLinkValid(ctx context.Context, link string) (bool, error) {
	var id string
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		id, err = s.peekLink(ctx, tx, purposeReset, link)
		return err
	})
	return id != "", err
}

// reset checks the new password against the policy (needs the account's
// e-mail and name, so it happens after find), hashes it and stores it.
// The code is used up only if the password is accepted: a too-short
// password does not burn the code.
func (s *Service) reset(ctx context.Context, newPassword string, find func(*db.Tx) (*accountRow, error)) error {
	// First pass: find the account and check the policy in a transaction
	// that is rolled back, so a rejected password changes nothing.
	var acct *Account
	var hist []string
	var found *accountRow
	var v *RiskVerdict
	in := SignIn{IP: ipFrom(ctx), UserAgent: audit.OriginFrom(ctx).UserAgent}
	errRollback := &FieldError{}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		a, err := find(tx)
		if err != nil || a == nil {
			return err
		}
		if acct, err = s.open(ctx, tx, a); err != nil {
			return err
		}
		if hist, err = s.history(ctx, tx, a); err != nil {
			return err
		}
		// The code is right: the risk engine judges who uses it.
		found = a
		if v, err = s.assessAt(ctx, tx, a, in, StageReset); err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && err != errRollback {
		return err
	}
	if acct == nil {
		// The code was wrong: let its attempt count, then refuse.
		if err := s.db.Write(ctx, func(tx *db.Tx) error { _, err := find(tx); return err }); err != nil {
			return err
		}
		return ErrInvalidCode
	}
	if v != nil && v.Decision == RiskBlock {
		// Stopped before the code is used: it stays valid, so the owner
		// can finish from a usual network before it expires.
		var mails []outgoing
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			mails = nil
			return s.stopStep(ctx, tx, found, StageReset, resultResetRefused, "password.reset", in, v, &mails)
		})
		if err != nil {
			return err
		}
		s.send(ctx, mails)
		return ErrRiskRefused
	}
	hash, err := s.hashNew(ctx, newPassword, acct, hist)
	if err != nil {
		return err
	}
	var mails []outgoing
	var done bool
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		mails, done = nil, false
		a, err := find(tx)
		if err != nil || a == nil {
			return err
		}
		if err := s.setPassword(ctx, tx, a, hash); err != nil {
			return err
		}
		if _, err := s.endSessions(ctx, tx, a.id, "", "password_reset"); err != nil {
			return err
		}
		// A reset never bypasses the second factor (ASVS 6.4.3): browsers
		// remembered before it must pass it again.
		if _, err := tx.Exec(ctx, "DELETE FROM remembered_devices WHERE account_id = ?", a.id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM account_tokens WHERE account_id = ? AND purpose IN (?, ?)", a.id, purposeReset, purposeNotMe); err != nil {
			return err
		}
		// A reset proves the mailbox too: open registration attempts of a
		// pending account are void now.
		if _, err := tx.Exec(ctx, "DELETE FROM registrations WHERE account_id = ?", a.id); err != nil {
			return err
		}
		// Proving control of the mailbox also verifies it and lifts a lock.
		if _, err := tx.Exec(ctx, `UPDATE accounts SET failed_logins = 0, locked_until = NULL, must_change_password = ?,
			status = CASE WHEN status = ? THEN ? ELSE status END, email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?`,
			false, StatusPending, StatusActive, tx.Now(), a.id); err != nil {
			return err
		}
		mails = append(mails, s.changedMail(acct, tx.Now()))
		done = true
		var details map[string]any
		if v != nil {
			details = map[string]any{"risk": riskDetails(v)}
			// A challenged reset goes through (the code proved the
			// mailbox, as an e-mailed step-up would) but is an alert, and
			// the next sign-in must pass a second factor or an e-mailed
			// code whatever the rules say then.
			if v.Decision == RiskStepUp {
				if err := s.risk.RaiseAlert(ctx, tx, a.id, StageReset, in.IP, v); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "UPDATE accounts SET risk_recheck = ? WHERE id = ?", v.Rule, a.id); err != nil {
					return err
				}
			}
			if err := s.loginEventRisk(ctx, tx, a.id, resultPasswordReset, in, v); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "password.reset", Target: "account:" + a.id, Subject: subject(a.id), Details: details})
	})
	if err != nil {
		return err
	}
	if !done {
		return ErrInvalidCode
	}
	s.send(ctx, mails)
	return nil
}

func (s *Service) changedMail(acct *Account, at time.Time) outgoing {
	return outgoing{to: acct.Email, name: acct.Name, locale: acct.Locale, kind: "password_changed",
		args: mailArgs{URL: s.base + "/forgot", When: at.Format("2006-01-02 15:04 UTC"), Help: s.base + "/contact"}}
}

// hashNew checks a new password against the policy and the history, and
// hashes it.
func (s *Service) hashNew(ctx context.Context, newPassword string, acct *Account, hist []string) (string, error) {
	if err := s.checkPassword(newPassword, acct.Email, acct.Name); err != nil {
		return "", err
	}
	pw := password.Normalize(newPassword)
	if err := s.notReused(ctx, pw, hist); err != nil {
		return "", err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return "", s.hashBusy(err)
	}
	return hash, nil
}

// history returns the hashes a new password must not match: the current
// one and the profile's last N (PCI 8.3.7).
func (s *Service) history(ctx context.Context, tx *db.Tx, a *accountRow) ([]string, error) {
	n := s.policy.Password.HistoryCount
	if n == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, "SELECT password_hash FROM password_history WHERE account_id = ? ORDER BY created_at DESC LIMIT ?", a.id, n-1)
	older, err := db.Collect(rows, err, db.Value[string])
	if err != nil {
		return nil, err
	}
	return append([]string{a.passwordHash}, older...), nil
}

// notReused refuses a password equal to one in hist.
func (s *Service) notReused(ctx context.Context, pw string, hist []string) error {
	for _, h := range hist {
		ok, _, err := s.hasher.Verify(ctx, pw, h)
		if err != nil {
			return s.hashBusy(err)
		}
		if ok {
			return &FieldError{Field: "password", Code: "reused", Message: "Choose a password you have not used recently."}
		}
	}
	return nil
}

// setPassword stores a new hash and keeps the old one in the history when
// the profile asks for it.
func (s *Service) setPassword(ctx context.Context, tx *db.Tx, a *accountRow, hash string) error {
	if n := s.policy.Password.HistoryCount; n > 0 {
		if _, err := tx.Exec(ctx, "INSERT INTO password_history (account_id, password_hash, created_at) VALUES (?, ?, ?)", a.id, a.passwordHash, tx.Now()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM password_history WHERE account_id = ? AND created_at NOT IN
			(SELECT created_at FROM password_history WHERE account_id = ? ORDER BY created_at DESC LIMIT ?)`, a.id, a.id, n); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, "UPDATE accounts SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?", hash, tx.Now(), tx.Now(), a.id)
	return err
}

// ChangePassword changes the signed-in owner's password after checking the
// current one (ASVS 6.2.2/6.2.3). A wrong current password counts toward
// the account's lockout like a failed sign-in. Every other session ends;
// the caller's stays.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, newPassword string) error {
	var a *accountRow
	var acct *Account
	var hist []string
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		if a, err = s.byID(ctx, tx, p.AccountID, false); err != nil || a == nil {
			return err
		}
		if acct, err = s.open(ctx, tx, a); err != nil {
			return err
		}
		hist, err = s.history(ctx, tx, a)
		return err
	})
	if err != nil {
		return err
	}
	if a == nil {
		return ErrUnauthenticated
	}
	ok, _, err := s.hasher.Verify(ctx, password.Normalize(current), a.passwordHash)
	if err != nil {
		return s.hashBusy(err)
	}
	if !ok {
		var mails []outgoing
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			mails = nil
			cur, err := s.byID(ctx, tx, a.id, true)
			if err != nil || cur == nil {
				return err
			}
			return s.failSignIn(ctx, tx, cur, "wrong_password", SignIn{IP: ipFrom(ctx)}, s.keys.BlindIndex("signin-target", emailKey(acct.Email)), &mails)
		})
		if err != nil {
			return err
		}
		s.send(ctx, mails)
		return ErrWrongPassword
	}
	hash, err := s.hashNew(ctx, newPassword, acct, hist)
	if err != nil {
		return err
	}
	var mails []outgoing
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		mails = nil
		cur, err := s.byID(ctx, tx, a.id, true)
		if err != nil {
			return err
		}
		if cur == nil || cur.passwordHash != a.passwordHash {
			return ErrWrongPassword // changed meanwhile: start again
		}
		if err := s.setPassword(ctx, tx, cur, hash); err != nil {
			return err
		}
		if _, err := s.endSessions(ctx, tx, a.id, p.Session.ID, "password_changed"); err != nil {
			return err
		}
		mails = append(mails, s.changedMail(acct, tx.Now()))
		return s.audit.Record(ctx, tx, audit.Event{Action: "password.change", Target: "account:" + a.id, Subject: subject(a.id)})
	})
	if err != nil {
		return err
	}
	s.send(ctx, mails)
	return nil
}

// Unlock lifts a lockout with the link e-mailed to the owner.
func (s *Service) Unlock(ctx context.Context, link string) error {
	var done bool
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		done = false
		id, err := s.useLink(ctx, tx, purposeUnlock, link)
		if err != nil || id == "" {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE accounts SET failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?", tx.Now(), id); err != nil {
			return err
		}
		done = true
		return s.audit.Record(ctx, tx, audit.Event{Action: "account.unlock", Target: "account:" + id, Subject: subject(id),
			Details: map[string]any{"by": "owner_link"}})
	})
	if err == nil && !done {
		return ErrInvalidCode
	}
	return err
}

// NotMe handles the "this wasn't me" link of a new-sign-in e-mail: every
// session ends, the password must be reset before the next sign-in, and a
// reset e-mail goes out at once.
func (s *Service) NotMe(ctx context.Context, link string) error {
	var mails []outgoing
	var done bool
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		mails, done = nil, false
		id, err := s.useLink(ctx, tx, purposeNotMe, link)
		if err != nil || id == "" {
			return err
		}
		a, err := s.byID(ctx, tx, id, true)
		if err != nil || a == nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE accounts SET must_change_password = ?, updated_at = ? WHERE id = ?", true, tx.Now(), id); err != nil {
			return err
		}
		if _, err := s.endSessions(ctx, tx, id, "", "reported_not_me"); err != nil {
			return err
		}
		m, err := s.issueReset(ctx, tx, a)
		if err != nil {
			return err
		}
		mails, done = append(mails, m), true
		return s.audit.Record(ctx, tx, audit.Event{Action: "account.report_not_me", Target: "account:" + id, Subject: subject(id)})
	})
	if err != nil {
		return err
	}
	if !done {
		return ErrInvalidCode
	}
	s.send(ctx, mails)
	return nil
}

// ipFrom returns the client IP the web layer put in the audit origin.
func ipFrom(ctx context.Context) string { return audit.OriginFrom(ctx).IP }
