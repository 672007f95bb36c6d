package web

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

// passkeySignIn opens a session for a passwordless passkey assertion.
func (s *Server) passkeySignIn(r *http.Request, ceremony string, cred []byte, in identity.SignIn) (*identity.SignInResult, error) {
	ctx := r.Context()
	return s.opts.Identity.SignInWith(ctx, in, identity.MethodPasskey, func(tx *db.Tx) (string, error) {
		return s.opts.MFA.PasskeySignIn(ctx, tx, ceremony, cred)
	})
}

// MFAStatus is the account's second-factor state as its owner sees it.
type MFAStatus struct {
	Factors            []mfa.Factor          `json:"factors"`
	RecoveryCodesLeft  int                   `json:"recovery_codes_left"`
	Required           bool                  `json:"required"`
	MustEnrol          bool                  `json:"must_enrol"`
	RememberedDevices  []identity.Remembered `json:"remembered_devices"`
	StepUpUntil        string                `json:"step_up_until"`
	AvailableMethods   []string              `json:"available_methods"`
	RecoveryCodeFormat string                `json:"recovery_code_format"`
}

func (s *Server) mfaStatus(r *http.Request) (*MFAStatus, error) {
	ctx, p := r.Context(), Principal(r.Context())
	fs, err := s.opts.MFA.Factors(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	left, err := s.opts.MFA.RecoveryCodesLeft(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	devs, err := s.opts.Identity.RememberedDevices(ctx, p)
	if err != nil {
		return nil, err
	}
	pol := s.opts.Identity.Policy()
	return &MFAStatus{Factors: fs, RecoveryCodesLeft: left, Required: s.opts.Identity.MFARequired(p.Kind), MustEnrol: p.Session.MustEnrol,
		RememberedDevices: devs, StepUpUntil: p.Session.AuthAt.Add(pol.StepUp).UTC().Format("2006-01-02T15:04:05Z"),
		AvailableMethods: s.opts.MFA.Enrollable(), RecoveryCodeFormat: "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX"}, nil
}
