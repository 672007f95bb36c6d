// Package console serves the staff console's pages: customers, staff and
// roles, access reviews, recovery requests, the support desk, the
// knowledge-base editor, remote assistance and the audit trail.
package console

import (
	"sync"

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
	"github.com/frontdesk/frontdesk/internal/oidc"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Deps are the services the console uses; a nil service leaves its pages
// unmounted.
type Deps struct {
	Identity *identity.Service
	MFA      *mfa.Service
	Access   *access.Service
	Support  *support.Service
	KB       *kb.Service
	Assist   *assist.Service
	Risk     *risk.Engine // the security alert queue and risk rules
	// Privacy runs the data-subject requests queue and the incident
	// register (privacy:manage).
	Privacy *privacy.Service
	// Automation keeps the service accounts whose keys call the admin API.
	Automation *automation.Service
	// The audit viewer reads the trail and verifies the chain; Audit
	// records what the console itself does (exports).
	DB     *db.DB
	Keys   *keyring.Keyring
	Signer *audit.Signer
	Audit  *audit.Log
	// Checks are the health checks the home page runs (mail, backups).
	Checks []Check
	// OIDC keeps the apps that sign customers in (settings:manage); nil
	// leaves their pages out.
	OIDC *oidc.Service
	// Backups is the backup board (settings:manage); nil leaves the page out.
	Backups *backup.Board
	// Brand is the business's colour, logo and favicon (settings:manage);
	// nil leaves the Branding page out.
	Brand *brand.Service
	// Consent keeps the notices of the consent ledger, edited on the
	// privacy pages (privacy:manage); nil leaves those pages out.
	Consent *consent.Service
}

// Handler serves the console's routes.
type Handler struct {
	*web.Kit
	deps Deps

	verifying sync.Mutex       // one audit-chain verification at a time
	jobs      *automation.Jobs // bulk files uploaded in the console, kept with the admin API's jobs

	pagesOnce sync.Once
	pages     map[string]bool // the paths of the console's GET routes, for the sidebar
}

// New returns the console's handlers.
func New(kit *web.Kit, deps Deps) *Handler {
	h := &Handler{Kit: kit, deps: deps}
	if deps.DB != nil {
		h.jobs = automation.NewJobs(deps.DB, deps.Keys)
	}
	return h
}

func (s *Handler) guides() web.Guides { return web.Guides{Pages: s.Pages, KB: s.deps.KB} }

func (s *Handler) orgs() *web.Orgs {
	return &web.Orgs{Kit: s.Kit, Assist: s.deps.Assist, Identity: s.deps.Identity, Console: s.renderConsole}
}
