package web

import (
	"net/http"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

// passkeySignIn opens a session for a passwordless passkey assertion.
func PasskeySignIn(r *http.Request, id *identity.Service, m *mfa.Service, ceremony string, cred []byte, in identity.SignIn) (*identity.SignInResult, error) {
	ctx := r.Context()
	return id.SignInWith(ctx, in, identity.MethodPasskey, func(tx *db.Tx) (string, error) {
		return m.PasskeySignIn(ctx, tx, ceremony, cred)
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

func MFAStatusOf(r *http.Request, m *mfa.Service, id *identity.Service) (*MFAStatus, error) {
	ctx, p := r.Context(), Principal(r.Context())
	fs, err := m.Factors(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	left, err := m.RecoveryCodesLeft(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	devs, err := id.RememberedDevices(ctx, p)
	if err != nil {
		return nil, err
	}
	pol := id.Policy()
	return &MFAStatus{Factors: fs, RecoveryCodesLeft: left, Required: id.MFARequired(p.Kind), MustEnrol: p.Session.MustEnrol,
		RememberedDevices: devs, StepUpUntil: p.Session.AuthAt.Add(pol.StepUp).UTC().Format("2006-01-02T15:04:05Z"),
		AvailableMethods: m.Enrollable(), RecoveryCodeFormat: "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX"}, nil
}
