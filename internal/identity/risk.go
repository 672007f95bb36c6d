package identity

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Risk-based sign-in. Once the first factor is right, the risk engine
// (internal/risk, above this package) judges the attempt from what
// identity knows (the device, recent failures, the source) and what it
// knows itself (place, network, travel, anonymisers). Its verdict is
// stored with the sign-in event, so the owner and staff can read why.

// Risk decisions, as the engine returns them.
const (
	RiskAllow  = "allow"
	RiskNotify = "notify"
	RiskStepUp = "step_up"
	RiskBlock  = "block"
)

// ErrSignInBlocked means the risk engine refused a sign-in whose
// password was right; the owner has been told by e-mail.
var ErrSignInBlocked = errors.New("identity: sign-in blocked for the account's safety")

// RiskAssessor is the risk engine as sign-in needs it.
type RiskAssessor interface {
	// Assess judges an attempt inside the sign-in's transaction; it
	// writes nothing.
	Assess(ctx context.Context, tx *db.Tx, in RiskInput) (*RiskVerdict, error)
	// Remember adds a completed sign-in's place to the account's history
	// and returns it as a person reads it ("" when unknown).
	Remember(ctx context.Context, tx *db.Tx, accountID, ip string) (string, error)
	// RaiseAlert raises a security alert about a risky step on an account
	// (stage: one of the Stage constants), with the evidence the engine
	// finds for ip: where it is, where the account last was, how fast
	// that would have been. Call it before Remember.
	RaiseAlert(ctx context.Context, tx *db.Tx, accountID, stage, ip string, v *RiskVerdict) error
}

// Stages at which the risk engine judges an account's owner. Each applies
// the same rules; what a decision means differs (docs/security.md).
const (
	StageSignIn       = ""              // a sign-in
	StageStepUp       = "step_up"       // a session confirms its owner again
	StageResetRequest = "reset_request" // someone asks for a password reset
	StageReset        = "reset"         // a password reset is completed
	StageRecovery     = "recovery"      // a support-assisted recovery is filed
	StageStaffSignIn  = "staff_signin"  // alerts only: a staff sign-in from a new country
)

// RuleRecheck is the rule named when a sign-in steps up because the
// password was reset from a place the rules challenged.
const RuleRecheck = "reset_recheck"

// ErrRiskRefused means the risk engine stopped a step other than a
// sign-in (a confirmation, a reset); the owner has been told by e-mail.
var ErrRiskRefused = errors.New("identity: stopped for the account's safety")

// RiskInput is what identity knows about an attempt.
type RiskInput struct {
	AccountID, Kind string
	Stage           string // StageSignIn, StageStepUp, …
	IP, UserAgent   string
	KnownDevice     bool
	Devices         int // devices the account signed in from before
	AccountFailures int // consecutive wrong passwords before this attempt
	SourceFailures  int // the source's failures in the throttle window
	Stuffing        bool
}

// RiskVerdict is the engine's explainable decision.
type RiskVerdict struct {
	Decision string   // RiskAllow, RiskNotify, RiskStepUp or RiskBlock
	Rule     string   // the rule that decided
	Signals  []string // the signals present
	Reason   string   // the signal a customer is told about ("new_country")
	Place    string   // "Hanoi, VN · Viettel Group"; "" when unknown
}

// SetRisk connects the risk engine; without one every sign-in is allowed
// as before. Call it once, before serving.
func (s *Service) SetRisk(r RiskAssessor) { s.risk = r }

// assess asks the engine about a right first factor. A password reset
// that the rules challenged leaves a recheck: the next sign-in steps up
// whatever else the rules say.
func (s *Service) assess(ctx context.Context, tx *db.Tx, a *accountRow, in SignIn) (*RiskVerdict, error) {
	v, err := s.assessAt(ctx, tx, a, in, StageSignIn)
	if v == nil || err != nil {
		return v, err
	}
	var recheck string
	if err := tx.QueryRow(ctx, "SELECT risk_recheck FROM accounts WHERE id = ?", a.id).Scan(&recheck); err != nil {
		return nil, err
	}
	if recheck != "" && (v.Decision == RiskAllow || v.Decision == RiskNotify) {
		raised := *v
		raised.Decision, raised.Rule, raised.Reason = RiskStepUp, RuleRecheck, RuleRecheck
		return &raised, nil
	}
	return v, nil
}

// assessAt asks the engine about the owner at stage. Outside sign-in no
// device cookie is read: the device is taken as known (a step-up comes
// from the session's own device; a reset or recovery has none).
func (s *Service) assessAt(ctx context.Context, tx *db.Tx, a *accountRow, in SignIn, stage string) (*RiskVerdict, error) {
	if s.risk == nil {
		return nil, nil
	}
	known, devices := true, 0
	if stage == StageSignIn {
		var err error
		if known, devices, err = s.deviceKnown(ctx, tx, a.id, in); err != nil {
			return nil, err
		}
	}
	ipKey, _ := sourceKeys("signin", in.IP)
	var failures int
	err := tx.QueryRow(ctx, "SELECT failures FROM auth_throttle WHERE key = ? AND window_start > ?", ipKey, tx.Now().Add(-s.policy.ThrottleWindow)).Scan(&failures)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if in.reserved && failures > 0 {
		failures-- // this attempt, counted in advance
	}
	var targets int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM auth_source_targets WHERE source = ? AND at > ?", ipKey, tx.Now().Add(-s.policy.ThrottleWindow)).Scan(&targets); err != nil {
		return nil, err
	}
	return s.risk.Assess(ctx, tx, RiskInput{AccountID: a.id, Kind: a.kind, Stage: stage, IP: in.IP, UserAgent: in.UserAgent,
		KnownDevice: known, Devices: devices, AccountFailures: a.failed, SourceFailures: failures,
		// Half the stuffing limit: the source is well on its way to being
		// blocked for trying many accounts, and this one let it in.
		Stuffing: s.policy.StuffingTargets > 0 && targets >= max(2, s.policy.StuffingTargets/2)})
}

// deviceKnown reports whether the account signed in from this device
// before, and from how many devices, without noting it.
func (s *Service) deviceKnown(ctx context.Context, tx *db.Tx, accountID string, in SignIn) (bool, int, error) {
	var known, all int
	err := tx.QueryRow(ctx, "SELECT COALESCE(SUM(CASE WHEN device_key = ? THEN 1 ELSE 0 END), 0), COUNT(*) FROM known_devices WHERE account_id = ?",
		s.keys.BlindIndex("device", deviceID(in)), accountID).Scan(&known, &all)
	return known > 0, all, err
}

func deviceID(in SignIn) string {
	if in.DeviceID != "" {
		return "cookie:" + in.DeviceID
	}
	return "ua:" + in.UserAgent
}

// blockSignIn records a refused sign-in and tells the owner how to get
// back in.
func (s *Service) blockSignIn(ctx context.Context, tx *db.Tx, a *accountRow, in SignIn, v *RiskVerdict, mails *[]outgoing) error {
	if err := s.loginEventRisk(ctx, tx, a.id, "blocked", in, v); err != nil {
		return err
	}
	m, err := s.notice(ctx, tx, a, "signin_blocked", mailArgs{When: stamp(tx.Now()), Device: placeOr(v, in), URL: s.base + "/forgot"})
	if err != nil {
		return err
	}
	*mails = append(*mails, m)
	return s.audit.Record(ctx, tx, audit.Event{Action: "signin.blocked", Target: "account:" + a.id, Subject: subject(a.id), Outcome: audit.Denied,
		Details: riskDetails(v)})
}

// placeOr names where an attempt came from for an e-mail: the place when
// known, else the device.
func placeOr(v *RiskVerdict, in SignIn) string {
	if v != nil && v.Place != "" {
		return v.Place + " (" + DeviceName(in.UserAgent) + ")"
	}
	return DeviceName(in.UserAgent)
}

func riskDetails(v *RiskVerdict) map[string]any {
	if v == nil {
		return nil
	}
	return map[string]any{"decision": v.Decision, "rule": v.Rule, "signals": strings.Join(v.Signals, ",")}
}

// challengeRisk reads back the verdict stored with a challenge.
func challengeRisk(decision, rule, signals string) *RiskVerdict {
	if decision == "" {
		return nil
	}
	v := &RiskVerdict{Decision: decision, Rule: rule}
	if signals != "" {
		v.Signals = strings.Split(signals, ",")
	}
	return v
}

// Results of the steps other than sign-in, as the owner's history shows
// them beside "Signed in" and "Blocked".
const (
	resultReauth         = "reauth"
	resultReauthRefused  = "reauth_refused"
	resultResetRequested = "reset_requested"
	resultResetRefused   = "reset_refused"
	resultPasswordReset  = "password_reset"
)

// riskEvent records a judged step in the owner's history (with the
// engine's verdict); without the engine nothing is recorded.
func (s *Service) riskEvent(ctx context.Context, tx *db.Tx, a *accountRow, result string, in SignIn, v *RiskVerdict) error {
	if v == nil {
		return nil
	}
	return s.loginEventRisk(ctx, tx, a.id, result, in, v)
}

// stopStep records a step the engine stopped: the owner's history, an
// alert for the security queue, the audit entry and a calm e-mail to the
// owner (within the reset e-mail quota, so that nobody can flood a
// mailbox by asking from a blocked place).
func (s *Service) stopStep(ctx context.Context, tx *db.Tx, a *accountRow, stage, result, action string, in SignIn, v *RiskVerdict, mails *[]outgoing) error {
	if err := s.risk.RaiseAlert(ctx, tx, a.id, stage, in.IP, v); err != nil {
		return err
	}
	if err := s.loginEventRisk(ctx, tx, a.id, result, in, v); err != nil {
		return err
	}
	acct, err := s.open(ctx, tx, a)
	if err != nil {
		return err
	}
	if ok, err := s.mailAllowed(ctx, tx, mailReset, acct.Email); err != nil {
		return err
	} else if ok {
		m, err := s.notice(ctx, tx, a, "risk_stopped", mailArgs{When: stamp(tx.Now()), Device: placeOr(v, in), URL: s.base + "/contact"})
		if err != nil {
			return err
		}
		*mails = append(*mails, m)
	}
	details := riskDetails(v)
	details["reason"] = "risk"
	return s.audit.Record(ctx, tx, audit.Event{Action: action, Target: "account:" + a.id, Subject: subject(a.id), Outcome: audit.Denied,
		Details: details})
}

// RiskAt judges the owner of accountID at stage from ip inside the
// caller's transaction (for the packages above identity: support-assisted
// recovery), records the step in the owner's history as result, and
// raises an alert when the rules challenge or block it. Without the
// engine it returns nil.
func (s *Service) RiskAt(ctx context.Context, tx *db.Tx, accountID, stage, result, ip, userAgent string) (*RiskVerdict, error) {
	if s.risk == nil {
		return nil, nil
	}
	a, err := s.byID(ctx, tx, accountID, false)
	if err != nil || a == nil {
		return nil, err
	}
	in := SignIn{IP: ip, UserAgent: userAgent}
	v, err := s.assessAt(ctx, tx, a, in, stage)
	if err != nil || v == nil {
		return v, err
	}
	if v.Decision == RiskStepUp || v.Decision == RiskBlock {
		if err := s.risk.RaiseAlert(ctx, tx, a.id, stage, ip, v); err != nil {
			return nil, err
		}
	}
	return v, s.loginEventRisk(ctx, tx, a.id, result, in, v)
}
