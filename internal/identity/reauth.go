package identity

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/password"
)

// RequireFresh returns ErrStepUpRequired unless the session signed in
// fully within Policy.StepUp.
func (s *Service) RequireFresh(p *Principal) error {
	if s.db.Now().Sub(p.Session.AuthAt) > s.policy.StepUp {
		return ErrStepUpRequired
	}
	return nil
}

// Reauthenticate confirms the owner of a session again, for operations
// that need a recent sign-in: the password, and a second factor when the
// account has one. A wrong password counts toward the lockout like a
// failed sign-in; a wrong second factor counts on the account's MFA
// throttle.
func (s *Service) Reauthenticate(ctx context.Context, p *Principal, pw string, proof *Proof) error {
	var a *accountRow
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		a, err = s.byID(ctx, tx, p.AccountID, false)
		return err
	})
	if err != nil {
		return err
	}
	if a == nil {
		return ErrUnauthenticated
	}
	ok, _, err := s.hasher.Verify(ctx, password.Normalize(pw), a.passwordHash)
	if err != nil {
		return s.hashBusy(err)
	}
	if !ok {
		return s.wrongPassword(ctx, a)
	}
	var outcome error
	var mails []outgoing
	in := SignIn{IP: ipFrom(ctx), UserAgent: audit.OriginFrom(ctx).UserAgent}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		outcome, mails = nil, nil
		methods, err := s.methods(ctx, tx, a.id)
		if err != nil {
			return err
		}
		amr := MethodPassword
		needProof := len(methods) > 0 && !p.Session.MustEnrol
		if needProof {
			throttleKey := "mfa:account:" + a.id
			if wait, err := blockedFor(ctx, tx, throttleKey); err != nil || wait > 0 {
				outcome = &RateLimitedError{RetryAfter: wait, Reason: "mfa"}
				return err
			}
			if proof == nil || proof.Method == "" {
				outcome = ErrSecondFactorRequired
				return nil
			}
			if !slices.Contains(methods, proof.Method) {
				outcome = ErrMethodUnavailable
				return nil
			}
			pr := *proof
			pr.AccountID, pr.BoundTo = a.id, "reauth:"+p.Session.ID
			err = s.factors.Verify(ctx, tx, pr)
			if errors.Is(err, ErrInvalidCode) {
				outcome = ErrInvalidCode
				_, err = countFailure(ctx, tx, throttleKey, s.policy.ThrottleWindow, s.policy.MFAFailures, s.policy.ThrottleBlock)
				if err != nil {
					return err
				}
				return s.audit.Record(ctx, tx, audit.Event{Action: "session.reauth_failure", Target: "session:" + p.Session.ID,
					Subject: subject(a.id), Outcome: audit.Failure, Details: map[string]any{"method": proof.Method}})
			}
			if err != nil {
				return err
			}
			amr += "," + proof.Method
		}
		// The risk engine judges the confirmation like a sign-in: a block
		// stops it; a step-up is met by the second factor just proved, and
		// an account without one is asked to sign in again, where an
		// e-mailed code proves the mailbox.
		v, err := s.assessAt(ctx, tx, a, in, StageStepUp)
		if err != nil {
			return err
		}
		if v != nil && (v.Decision == RiskBlock || v.Decision == RiskStepUp && !needProof) {
			outcome = ErrRiskRefused
			return s.stopStep(ctx, tx, a, StageStepUp, resultReauthRefused, "session.reauth_failure", in, v, &mails)
		}
		if err := s.riskEvent(ctx, tx, a, resultReauth, in, v); err != nil {
			return err
		}
		// The session now records what this confirmation proved: a relying
		// party that asked for a fresh or stronger sign-in is told how it
		// happened (auth_time, amr, acr). A session already at AAL2 keeps it.
		aal := 1
		if strings.Contains(amr, ",") {
			aal = 2
		}
		if _, err := tx.Exec(ctx, `UPDATE sessions SET auth_at = ?, amr = ?, aal = CASE WHEN aal > ? THEN aal ELSE ? END
			WHERE id = ? AND account_id = ?`, tx.Now(), amr, aal, aal, p.Session.ID, a.id); err != nil {
			return err
		}
		details := map[string]any{"methods": amr}
		if v != nil {
			details["risk"] = riskDetails(v)
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "session.reauth", Target: "session:" + p.Session.ID, Subject: subject(a.id),
			Details: details})
	})
	if err != nil {
		return err
	}
	s.send(ctx, mails)
	return outcome
}

// wrongPassword counts a wrong current password like a failed sign-in and
// returns ErrWrongPassword.
func (s *Service) wrongPassword(ctx context.Context, a *accountRow) error {
	var mails []outgoing
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		mails = nil
		cur, err := s.byID(ctx, tx, a.id, true)
		if err != nil || cur == nil {
			return err
		}
		acct, err := s.open(ctx, tx, cur)
		if err != nil {
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
