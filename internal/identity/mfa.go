package identity

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Sign-in with a second factor. A right password on an account with
// factors opens no session: it opens a challenge, a single-purpose secret
// bound to that attempt, which only CompleteMFA turns into a session. The
// factors themselves are internal/mfa's; identity reaches them through
// SecondFactors, so that it never imports the package above it.

// Second-factor methods, as the API names them.
const (
	MethodTOTP         = "totp"
	MethodWebAuthn     = "webauthn"
	MethodSMS          = "sms"
	MethodEmail        = "email"
	MethodRecoveryCode = "recovery_code"
	MethodPasskey      = "passkey" // passwordless sign-in with a discoverable credential
	MethodPassword     = "pwd"
	methodRemembered   = "remembered"
)

// SecondFactors is what sign-in needs from the second-factor service.
type SecondFactors interface {
	// Methods lists the methods the account can prove itself with now.
	Methods(ctx context.Context, tx *db.Tx, accountID string) ([]string, error)
	// Verify checks a proof inside tx. A wrong, replayed or expired proof
	// returns an error wrapping ErrInvalidCode and writes nothing.
	Verify(ctx context.Context, tx *db.Tx, p Proof) error
}

// Proof is a second factor presented for an account.
type Proof struct {
	AccountID string
	// BoundTo is what a sent code or a WebAuthn ceremony must have been
	// issued for: a challenge id, or "reauth:" and a session id.
	BoundTo    string
	Method     string
	Code       string
	Credential []byte // a WebAuthn assertion, as the browser sent it
}

// Errors of the second-factor steps.
var (
	// ErrChallengeInvalid means the challenge is unknown, expired, used,
	// or dead after too many wrong codes: sign in again.
	ErrChallengeInvalid = errors.New("identity: sign-in challenge not valid; sign in again")
	// ErrStepUpRequired means the operation needs a sign-in more recent
	// than Policy.StepUp (ASVS 7.5.1).
	ErrStepUpRequired = errors.New("identity: confirm it is you first")
	// ErrSecondFactorRequired means re-authentication needs a second
	// factor as well as the password.
	ErrSecondFactorRequired = errors.New("identity: a second factor is required")
	// ErrMethodUnavailable is a method the account cannot use.
	ErrMethodUnavailable = errors.New("identity: this method is not available for the account")
)

// SetSecondFactors connects the second-factor service. Call it once,
// before serving.
func (s *Service) SetSecondFactors(f SecondFactors) { s.factors = f }

// Challenge is a password accepted and a second factor awaited.
type Challenge struct {
	Token     string    `json:"challenge"`
	Methods   []string  `json:"methods"`
	ExpiresAt time.Time `json:"expires_at"`
	// Reason is set when the risk engine asked for the second step: the
	// signal that decided ("new_country", "impossible_travel").
	Reason string `json:"reason,omitempty"`
}

func (s *Service) methods(ctx context.Context, tx *db.Tx, accountID string) ([]string, error) {
	if s.factors == nil {
		return nil, nil
	}
	return s.factors.Methods(ctx, tx, accountID)
}

// mustEnrol reports whether an account without factors may only enrol
// one: staff always, customers under a "required" policy or after
// support-assisted recovery reset their factors.
func (s *Service) mustEnrol(a *accountRow) bool {
	return a.kind == KindStaff || a.mustEnrol || s.policy.CustomerMFA == MFARequired
}

// passwordAccepted decides what a right password leads to: a full session
// (no factors, or a remembered browser), a session that may only enrol a
// factor, or a challenge.
func (s *Service) passwordAccepted(ctx context.Context, tx *db.Tx, a *accountRow, in SignIn, mails *[]outgoing) (*SignInResult, error) {
	v, err := s.assess(ctx, tx, a, in)
	if err != nil {
		return nil, err
	}
	methods, err := s.methods(ctx, tx, a.id)
	if err != nil {
		return nil, err
	}
	stepUp := v != nil && v.Decision == RiskStepUp
	if v != nil && (v.Decision == RiskBlock || (stepUp && s.factors == nil)) {
		// No second-factor service to step up with: refuse rather than
		// let a risky sign-in through.
		return &SignInResult{blocked: true}, s.blockSignIn(ctx, tx, a, in, v, mails)
	}
	if stepUp {
		// A second factor even on a remembered browser; an account
		// without one proves itself with a code sent to its e-mail.
		if len(methods) == 0 {
			methods = []string{MethodEmail}
		}
		return s.openChallengeFor(ctx, tx, a, in, methods, v)
	}
	if len(methods) == 0 {
		return s.succeedSignIn(ctx, tx, a, in, grant{aal: 1, amr: MethodPassword, mustEnrol: s.mustEnrol(a), risk: v}, mails)
	}
	if in.Client == ClientBrowser && in.RememberToken != "" {
		ok, err := s.useRemembered(ctx, tx, a.id, in.RememberToken)
		if err != nil {
			return nil, err
		}
		if ok {
			return s.succeedSignIn(ctx, tx, a, in, grant{aal: 2, amr: MethodPassword + "," + methodRemembered, risk: v}, mails)
		}
	}
	return s.openChallengeFor(ctx, tx, a, in, methods, v)
}

// openChallengeFor opens a second-factor challenge offering methods. A
// challenge the risk engine asked for keeps its verdict (for the sign-in
// event) and the methods it offers (an e-mailed code for an account
// without factors).
func (s *Service) openChallengeFor(ctx context.Context, tx *db.Tx, a *accountRow, in SignIn, methods []string, v *RiskVerdict) (*SignInResult, error) {
	// The password was right: its failure count starts again. The second
	// factor's failures are counted on the challenge, apart.
	if _, err := tx.Exec(ctx, "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = ?", a.id); err != nil {
		return nil, err
	}
	c := &Challenge{Token: newSecret(), Methods: methods, ExpiresAt: tx.Now().Add(s.policy.ChallengeTTL).UTC()}
	id := newID()
	client := in.Client
	if client != ClientBrowser {
		client = ClientAPI
	}
	var decision, rule, signals, offered string
	details := map[string]any{"challenge": id, "methods": strings.Join(methods, ",")}
	if v != nil {
		decision, rule, signals = v.Decision, v.Rule, strings.Join(v.Signals, ",")
		if v.Decision == RiskStepUp {
			c.Reason, offered = v.Reason, strings.Join(methods, ",")
			details["risk"] = riskDetails(v)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO mfa_challenges (id, token_hash, account_id, client, created_at, expires_at, methods, risk_decision, risk_rule, risk_signals)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, hashSecret(c.Token), a.id, client, tx.Now(), c.ExpiresAt, offered, decision, rule, signals)
	if err != nil {
		return nil, err
	}
	err = s.audit.Record(ctx, tx, audit.Event{Action: "signin.password_ok", Target: "account:" + a.id, Subject: subject(a.id), Details: details})
	return &SignInResult{Challenge: c}, err
}

// challengeRow is an open challenge.
type challengeRow struct {
	id, accountID, client string
	failures              int
	offered               []string     // methods the risk engine's step-up offers; nil: the account's own
	risk                  *RiskVerdict // the verdict that opened it, if any
}

// openChallenge returns the challenge of token if it can still be
// completed, else nil.
func (s *Service) openChallenge(ctx context.Context, tx *db.Tx, token string, lock bool) (*challengeRow, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	var c challengeRow
	var expires time.Time
	var finished sql.NullTime
	var offered, decision, rule, signals string
	q := "SELECT id, account_id, client, failures, expires_at, finished_at, methods, risk_decision, risk_rule, risk_signals FROM mfa_challenges WHERE token_hash = ?"
	if lock {
		q += tx.ForUpdate()
	}
	err := tx.QueryRow(ctx, q, hashSecret(token)).Scan(&c.id, &c.accountID, &c.client, &c.failures, &expires, &finished, &offered, &decision, &rule, &signals)
	if offered != "" {
		c.offered = strings.Split(offered, ",")
	}
	c.risk = challengeRisk(decision, rule, signals)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if finished.Valid || !tx.Now().Before(expires) || c.failures >= s.policy.CodeAttempts {
		return nil, nil
	}
	return &c, nil
}

// ChallengeRef is what sending a code for a challenge needs to know.
type ChallengeRef struct {
	ID, AccountID string
	Locale        string
	// Offered are the methods a risk step-up offers (with "email" for an
	// account without factors); nil means the account's own factors.
	Offered []string
}

// Challenge returns the open challenge of token, for sending a code or
// starting a WebAuthn ceremony bound to it, or ErrChallengeInvalid.
func (s *Service) Challenge(ctx context.Context, tx *db.Tx, token string) (*ChallengeRef, error) {
	c, err := s.openChallenge(ctx, tx, token, false)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, ErrChallengeInvalid
	}
	var locale string
	if err := tx.QueryRow(ctx, "SELECT locale FROM accounts WHERE id = ?", c.accountID).Scan(&locale); err != nil {
		return nil, err
	}
	return &ChallengeRef{ID: c.id, AccountID: c.accountID, Locale: locale, Offered: c.offered}, nil
}

// MFAAttempt is a second factor presented for a challenge.
type MFAAttempt struct {
	Challenge  string
	Method     string
	Code       string
	Credential []byte
	// Remember asks to skip the second factor on this browser for
	// Policy.RememberDevice (browsers only; off when that is zero).
	Remember bool
	SignIn   // where the attempt comes from; Email and Password unused
}

// CompleteMFA checks a second factor against a challenge and opens the
// session. Wrong proofs count on the challenge, which dies after
// CodeAttempts of them, and on the account's MFA throttle; they never
// count toward the password lockout (and password failures never touch
// these counters).
func (s *Service) CompleteMFA(ctx context.Context, in MFAAttempt) (*SignInResult, error) {
	var res *SignInResult
	var outcome error
	var mails []outgoing
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, outcome, mails = nil, nil, nil
		c, err := s.openChallenge(ctx, tx, in.Challenge, true)
		if err != nil {
			return err
		}
		if c == nil || c.client != clientOf(in.Client) {
			outcome = ErrChallengeInvalid
			return nil
		}
		throttleKey := "mfa:account:" + c.accountID
		if wait, err := blockedFor(ctx, tx, throttleKey); err != nil || wait > 0 {
			outcome = &RateLimitedError{RetryAfter: wait, Reason: "mfa"}
			return err
		}
		a, err := s.byID(ctx, tx, c.accountID, true)
		if err != nil {
			return err
		}
		if a == nil || a.status != StatusActive || (a.lockedUntil.Valid && tx.Now().Before(a.lockedUntil.Time)) {
			outcome = ErrChallengeInvalid
			_, err := tx.Exec(ctx, "UPDATE mfa_challenges SET finished_at = ? WHERE id = ?", tx.Now(), c.id)
			return err
		}
		own, err := s.methods(ctx, tx, a.id)
		if err != nil {
			return err
		}
		methods := own
		if c.offered != nil {
			methods = c.offered
		}
		if !slices.Contains(methods, in.Method) {
			outcome = ErrMethodUnavailable
			return nil
		}
		err = s.factors.Verify(ctx, tx, Proof{AccountID: a.id, BoundTo: c.id, Method: in.Method, Code: in.Code, Credential: in.Credential})
		if errors.Is(err, ErrInvalidCode) {
			outcome = ErrInvalidCode
			return s.failMFA(ctx, tx, c, a, in, throttleKey, &mails)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE mfa_challenges SET finished_at = ? WHERE id = ?", tx.Now(), c.id); err != nil {
			return err
		}
		g := grant{aal: 2, amr: MethodPassword + "," + in.Method, risk: c.risk}
		if !slices.Contains(own, in.Method) {
			// An e-mailed code proves the mailbox, not a second factor the
			// account enrolled: the session stays at one factor's level.
			g = grant{aal: 1, amr: MethodPassword + "," + in.Method, mustEnrol: s.mustEnrol(a), risk: c.risk}
		}
		res, err = s.succeedSignIn(ctx, tx, a, in.SignIn, g, &mails)
		if err != nil {
			return err
		}
		if in.Remember && s.policy.RememberDevice > 0 && c.client == ClientBrowser {
			if res.Remember, err = s.remember(ctx, tx, a.id, in.UserAgent); err != nil {
				return err
			}
		}
		if in.Method == MethodRecoveryCode {
			var left int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE account_id = ? AND used_at IS NULL", a.id).Scan(&left); err != nil {
				return err
			}
			m, err := s.notice(ctx, tx, a, "recovery_code_used", mailArgs{When: stamp(tx.Now()), Count: left, URL: s.base + "/account/security"})
			if err != nil {
				return err
			}
			mails = append(mails, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.send(ctx, mails)
	if outcome != nil {
		return nil, outcome
	}
	return res, nil
}

func clientOf(c string) string {
	if c == ClientBrowser {
		return ClientBrowser
	}
	return ClientAPI
}

// failMFA counts a wrong second factor. When the challenge dies, the
// owner is told that someone knew the password but not the second factor
// (ASVS 6.3.5).
func (s *Service) failMFA(ctx context.Context, tx *db.Tx, c *challengeRow, a *accountRow, in MFAAttempt, throttleKey string, mails *[]outgoing) error {
	failures := c.failures + 1
	dead := failures >= s.policy.CodeAttempts
	q := "UPDATE mfa_challenges SET failures = ? WHERE id = ?"
	args := []any{failures, c.id}
	if dead {
		q, args = "UPDATE mfa_challenges SET failures = ?, finished_at = ? WHERE id = ?", []any{failures, tx.Now(), c.id}
	}
	if _, err := tx.Exec(ctx, q, args...); err != nil {
		return err
	}
	blocked, err := countFailure(ctx, tx, throttleKey, s.policy.ThrottleWindow, s.policy.MFAFailures, s.policy.ThrottleBlock)
	if err != nil {
		return err
	}
	if err := s.loginEvent(ctx, tx, a.id, "mfa_failure", in.SignIn); err != nil {
		return err
	}
	if dead {
		m, err := s.notice(ctx, tx, a, "mfa_failed", mailArgs{When: stamp(tx.Now()), Device: DeviceName(in.UserAgent), URL: s.base + "/forgot"})
		if err != nil {
			return err
		}
		*mails = append(*mails, m)
	}
	return s.audit.Record(ctx, tx, audit.Event{Action: "signin.mfa_failure", Target: "account:" + a.id, Subject: subject(a.id), Outcome: audit.Failure,
		Details: map[string]any{"method": in.Method, "challenge": c.id, "failures": failures, "challenge_ended": dead, "account_throttled": blocked}})
}

// SignInWith opens a session for the account a verifier names inside the
// transaction: passwordless sign-in with a passkey that verified its user
// (possession and biometrics or PIN: two factors in one). verify returns
// "" when the proof is not valid. A disabled, locked or unverified account
// gets ErrInvalidCredentials like a wrong proof.
func (s *Service) SignInWith(ctx context.Context, in SignIn, method string, verify func(tx *db.Tx) (string, error)) (*SignInResult, error) {
	ipKey, netKey := sourceKeys("signin", in.IP)
	var res *SignInResult
	var outcome error
	var mails []outgoing
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, outcome, mails = nil, nil, nil
		if wait, err := blockedFor(ctx, tx, ipKey, netKey); err != nil || wait > 0 {
			outcome = &RateLimitedError{RetryAfter: wait, Reason: "source"}
			return err
		}
		id, err := verify(tx)
		if errors.Is(err, ErrInvalidCode) {
			id, err = "", nil
		}
		if err != nil {
			return err
		}
		var a *accountRow
		if id != "" {
			if a, err = s.byID(ctx, tx, id, true); err != nil {
				return err
			}
		}
		reason := ""
		switch {
		case a == nil:
			reason = "invalid_" + method
		case a.lockedUntil.Valid && tx.Now().Before(a.lockedUntil.Time):
			reason = "locked"
		case a.status != StatusActive:
			reason = a.status
		case a.mustChange:
			reason = "reset_required"
		}
		if reason != "" {
			outcome = ErrInvalidCredentials
			return s.failSignIn(ctx, tx, a, reason, in, s.keys.BlindIndex("signin-target", method+":"+id), &mails)
		}
		v, err := s.assess(ctx, tx, a, in)
		if err != nil {
			return err
		}
		if v != nil && v.Decision == RiskBlock {
			outcome = ErrSignInBlocked
			return s.blockSignIn(ctx, tx, a, in, v, &mails)
		}
		// A verified passkey is already two factors: a step-up is met.
		res, err = s.succeedSignIn(ctx, tx, a, in, grant{aal: 2, amr: method, risk: v}, &mails)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.send(ctx, mails)
	if outcome != nil {
		return nil, outcome
	}
	return res, nil
}
