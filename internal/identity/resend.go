package identity

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// ResendVerification mails a new code and link for a registration that is
// still waiting: the attempt whose secret the registrant's client holds
// (Register returned it) and whose address is email. It is the same
// attempt — its password, profile and secret stay — with a fresh code and
// link, valid for the whole VerifyTTL again and with its wrong guesses
// forgotten; the code and link mailed before stop working, so only the
// newest e-mail counts.
//
// The answer is the same whatever happens (ASVS 6.3.8): for an unknown
// address, a wrong or expired secret, an account already verified, or a
// recipient past the mail quota, nothing is sent and nil is returned. The
// secret, which only the registrant's client has, is what lets a new code
// go out: knowing an address is never enough to make Frontdesk write to
// it. Each call counts against the source's quota, whatever the outcome
// (ASVS 2.4.1); a code sent counts against the recipient's, shared with
// registration and the sign-in of a pending account.
func (s *Service) ResendVerification(ctx context.Context, emailIn, secret, ip string) error {
	email, err := NormalizeEmail(emailIn)
	if err != nil {
		return err
	}
	if secret == "" || len(secret) > 100 {
		return errNoRegistration
	}
	var mails []outgoing
	var limited *RateLimitedError
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		mails = nil
		if limited, err = s.quota(ctx, tx, "resend", ip, s.policy.RegistrationsPerIP); err != nil || limited != nil {
			return err
		}
		r, err := scanAttempt(tx.QueryRow(ctx, "SELECT "+attemptColumns+" FROM registrations WHERE secret_hash = ?", hashSecret(secret)))
		if err != nil || r == nil || !tx.Now().Before(r.expiresAt) {
			return err
		}
		if same, err := s.attemptOf(ctx, tx, r, email); err != nil || !same {
			return err
		}
		// Account first, then its attempt, as verify locks them.
		a, err := s.byID(ctx, tx, r.accountID, true)
		if err != nil || a == nil || a.status != StatusPending {
			return err
		}
		// Read again under the lock. An attempt out of guesses is still
		// the registrant's: it gets a new code like any other.
		r, err = scanAttempt(tx.QueryRow(ctx, "SELECT "+attemptColumns+" FROM registrations WHERE id = ?"+tx.ForUpdate(), r.id))
		if err != nil || r == nil || !tx.Now().Before(r.expiresAt) {
			return err
		}
		return s.resendAttempt(ctx, tx, r, email, &mails)
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

// resendAttempt gives attempt r a new code and link and queues its e-mail,
// within the recipient's quota.
func (s *Service) resendAttempt(ctx context.Context, tx *db.Tx, r *attemptRow, email string, mails *[]outgoing) error {
	if ok, err := s.mailAllowed(ctx, tx, mailVerify, email); err != nil || !ok {
		if err != nil {
			return err
		}
		// Past the recipient's quota: the last code stays valid, nothing
		// is sent, the answer is the same.
		return s.audit.Record(ctx, tx, audit.Event{Action: "account.verify_resend", Target: "account:" + r.accountID, Subject: subject(r.accountID),
			Outcome: audit.Denied, Details: map[string]any{"registration": r.id, "reason": "recipient_quota"}})
	}
	at, err := s.openAttempt(ctx, tx, r)
	if err != nil {
		return err
	}
	code := issued{code: newCode(), link: newSecret()}
	if _, err := tx.Exec(ctx, "UPDATE registrations SET code_hash = ?, link_hash = ?, attempts = 0, expires_at = ? WHERE id = ?",
		s.codeHash(r.id, code.code), hashSecret(code.link), tx.Now().Add(s.policy.VerifyTTL), r.id); err != nil {
		return err
	}
	*mails = append(*mails, s.verifyMail(at.email, at.name, at.locale, code))
	return s.audit.Record(ctx, tx, audit.Event{Action: "account.verify_resend", Target: "account:" + r.accountID, Subject: subject(r.accountID),
		Details: map[string]any{"registration": r.id}})
}

// errNoRegistration answers a resend without the registration's secret.
var errNoRegistration = &FieldError{Field: "registration", Code: "registration_required",
	Message: "Send the registration secret from the answer to the registration. Without it, sign in with the password you chose: that sends a new code too."}
