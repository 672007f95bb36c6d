package oidc

import (
	"context"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/text/language"
)

// setClaims fills info for the scopes granted. The sealed profile is
// opened only when a personal scope was granted: a token with openid
// alone never causes a read of anyone's name or address.
func (s *Service) setClaims(ctx context.Context, info *oidc.UserInfo, accountID string, scopes []string) error {
	info.Subject = accountID
	personal := slices.ContainsFunc(scopes, func(sc string) bool {
		return sc == oidc.ScopeProfile || sc == oidc.ScopeEmail || sc == oidc.ScopePhone
	})
	if !personal {
		return nil
	}
	a, err := s.accounts.AccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeProfile:
			info.Name = a.Name
			if tag, err := language.Parse(a.Locale); err == nil {
				info.Locale = oidc.NewLocale(tag)
			}
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = a.Email, oidc.Bool(a.EmailVerified)
		case oidc.ScopePhone:
			if a.Phone != "" {
				info.PhoneNumber, info.PhoneNumberVerified = a.Phone, false
			}
		}
	}
	return nil
}
