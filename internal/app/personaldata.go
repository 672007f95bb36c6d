package app

import (
	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/brand"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/frontdesk/frontdesk/internal/oidc"
	pd "github.com/frontdesk/frontdesk/internal/personaldata"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/support"
)

// personalData lists every package's declaration of the personal data it
// keeps. Order matters for erasure, which deletes in reverse: a package
// comes after the packages whose rows its rows point to.
func personalData() []pd.Set {
	return []pd.Set{
		db.PersonalData(),
		keyring.PersonalData(),
		audit.PersonalData(),
		notify.PersonalData(),
		identity.PersonalData(),
		consent.PersonalData(),
		mfa.PersonalData(),
		access.PersonalData(),
		automation.PersonalData(),
		kb.PersonalData(),
		support.PersonalData(),
		assist.PersonalData(),
		risk.PersonalData(),
		privacy.PersonalData(),
		backup.PersonalData(),
		oidc.PersonalData(),
		brand.PersonalData(),
	}
}

// Registry returns the personal-data registry of the whole program.
func Registry() (*privacy.Registry, error) { return privacy.NewRegistry(personalData()...) }
