package identity

import (
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/internal/password"
)

// Policy is everything the security profile decides for sign-in. The two
// profiles are in reference/security-requirements.md §5.2; docs/security.md
// lists the values with their sources.
type Policy struct {
	Name     string
	Password password.Profile

	// LockoutThreshold consecutive failures lock an account for
	// LockoutDuration (or until the owner uses the unlock link).
	LockoutThreshold int
	LockoutDuration  time.Duration

	// Per source: at most IPFailures failed sign-ins per IP address and
	// NetFailures per /24 (IPv4) or /64 (IPv6) within ThrottleWindow, then
	// the source waits ThrottleBlock. A source failing against
	// StuffingTargets distinct e-mails within the window is treated as
	// credential stuffing and waits StuffingBlock.
	ThrottleWindow  time.Duration
	IPFailures      int
	NetFailures     int
	ThrottleBlock   time.Duration
	StuffingTargets int
	StuffingBlock   time.Duration
	// IPConcurrentChecks caps the sign-in password checks one IP address
	// may have running at once on one node (0: no cap). The counters
	// above are the guard every node shares; this keeps one address from
	// taking a node's whole hashing capacity.
	IPConcurrentChecks int

	// Anti-automation quotas per IP within ThrottleWindow.
	RegistrationsPerIP int
	ResetsPerIP        int

	// Per recipient: at most MailsPerRecipient verification, "address
	// already registered", reset and unlock e-mails of each kind to one
	// address within MailWindow, whichever sources ask; more are dropped
	// silently (mail bombing).
	MailsPerRecipient int
	MailWindow        time.Duration

	// Sessions: idle and absolute timeouts per kind of account, and how
	// many sessions one account may hold (the oldest is ended beyond it).
	CustomerIdle    time.Duration
	StaffIdle       time.Duration
	AbsoluteTimeout time.Duration
	MaxSessions     int

	// Lifetimes of e-mailed secrets and the wrong guesses a code allows.
	VerifyTTL    time.Duration
	ResetTTL     time.Duration
	UnlockTTL    time.Duration
	NotMeTTL     time.Duration
	CodeAttempts int

	// Second factors. CustomerMFA is "optional" (offered after sign-in)
	// or "required" (enrolment before anything else); staff always need
	// one. A sign-in challenge and the SMS or e-mail codes sent for it live
	// ChallengeTTL and allow CodeAttempts wrong codes in all; an account
	// whose challenges fail MFAFailures times within ThrottleWindow waits
	// ThrottleBlock for the next. Codes are sent at most OTPSendsPerAccount
	// times per account, OTPSendsPerNumber per phone number and
	// OTPSendsPerIP per source within ThrottleWindow (SMS pumping).
	CustomerMFA        string
	ChallengeTTL       time.Duration
	MFAFailures        int
	OTPSendsPerAccount int
	OTPSendsPerNumber  int
	OTPSendsPerIP      int
	// EmailOTPFactor lets e-mail codes count as a second factor.
	EmailOTPFactor bool
	// TOTPSkew is how many 30-second steps a TOTP code may be off.
	TOTPSkew int
	// RememberDevice is how long "remember this device" skips the second
	// factor on one browser; zero turns the option off.
	RememberDevice time.Duration
	// StepUp is how recent the last full sign-in must be to add or remove
	// a factor or see recovery codes (ASVS 7.5.1).
	StepUp time.Duration
	// Support-assisted recovery: the cool-off between approval and the
	// reset of the factors, and whether a second staff member must
	// co-approve.
	RecoveryCoolOff    time.Duration
	RecoveryCoApproval bool
}

// Customer MFA policies.
const (
	MFAOptional = "optional"
	MFARequired = "required"
)

// PolicyByName returns the "default" or "pci" policy.
func PolicyByName(name string) (Policy, error) {
	p := Policy{
		Name:               "default",
		Password:           password.ProfileDefault,
		LockoutThreshold:   100, // NIST 800-63B 3.2.2: at most 100
		LockoutDuration:    time.Hour,
		ThrottleWindow:     15 * time.Minute,
		IPFailures:         20,
		NetFailures:        100,
		ThrottleBlock:      15 * time.Minute,
		StuffingTargets:    10,
		StuffingBlock:      time.Hour,
		IPConcurrentChecks: 4,
		RegistrationsPerIP: 20,
		ResetsPerIP:        20,
		MailsPerRecipient:  3,
		MailWindow:         15 * time.Minute,
		CustomerIdle:       30 * time.Minute,
		StaffIdle:          15 * time.Minute,
		AbsoluteTimeout:    12 * time.Hour,
		MaxSessions:        10,
		VerifyTTL:          24 * time.Hour,
		ResetTTL:           15 * time.Minute,
		UnlockTTL:          24 * time.Hour,
		NotMeTTL:           7 * 24 * time.Hour,
		CodeAttempts:       5,
		CustomerMFA:        MFAOptional,
		ChallengeTTL:       10 * time.Minute,
		MFAFailures:        20,
		OTPSendsPerAccount: 5,
		OTPSendsPerNumber:  5,
		OTPSendsPerIP:      20,
		TOTPSkew:           1,
		RememberDevice:     30 * 24 * time.Hour,
		StepUp:             5 * time.Minute,
		RecoveryCoolOff:    24 * time.Hour,
	}
	switch name {
	case "", "default":
		return p, nil
	case "pci":
		p.Name = "pci"
		p.Password = password.ProfilePCI
		p.LockoutThreshold = 10 // PCI 8.3.4
		p.LockoutDuration = 30 * time.Minute
		p.CustomerIdle = 15 * time.Minute // PCI 8.2.8
		p.MaxSessions = 3
		p.CodeAttempts = 3
		p.CustomerMFA = MFARequired // PCI 8.4.2
		p.ChallengeTTL = 5 * time.Minute
		p.TOTPSkew = 0
		p.RememberDevice = 0
		p.RecoveryCoApproval = true
		return p, nil
	}
	return Policy{}, fmt.Errorf("identity: unknown policy profile %q", name)
}

// idleFor returns the idle timeout for an account kind.
func (p Policy) idleFor(kind string) time.Duration {
	if kind == KindStaff {
		return p.StaffIdle
	}
	return p.CustomerIdle
}
