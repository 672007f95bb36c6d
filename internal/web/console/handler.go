// Package console serves the staff console's pages: customers, staff and
// roles, access reviews, recovery requests, the support desk, the
// knowledge-base editor, remote assistance and the audit trail.
package console

import (
	"sync"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkjob"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/mfa"
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
	// The audit viewer reads the trail and verifies the chain; Audit
	// records what the console itself does (exports).
	DB     *db.DB
	Keys   *keyring.Keyring
	Signer *audit.Signer
	Audit  *audit.Log
}

// Handler serves the console's routes.
type Handler struct {
	*web.Kit
	deps Deps

	verifying sync.Mutex   // one audit-chain verification at a time
	imports   bulkjob.Jobs // bulk files uploaded in the console
}

// New returns the console's handlers.
func New(kit *web.Kit, deps Deps) *Handler { return &Handler{Kit: kit, deps: deps} }

func (s *Handler) guides() web.Guides { return web.Guides{Pages: s.Pages, KB: s.deps.KB} }

func (s *Handler) orgs() *web.Orgs {
	return &web.Orgs{Kit: s.Kit, Assist: s.deps.Assist, Identity: s.deps.Identity, Console: s.renderConsole}
}
