// Package portal serves the customer's pages: sign-up, sign-in and the
// account's security, second factors, support conversations, the help
// centre and remote assistance.
package portal

import (
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/brand"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Deps are the services the portal uses; a nil service leaves its pages
// unmounted.
type Deps struct {
	Identity *identity.Service
	MFA      *mfa.Service
	Support  *support.Service
	KB       *kb.Service
	Assist   *assist.Service
	Privacy  *privacy.Service
	Consent  *consent.Service
	// Authorizer lets editors see the files of draft articles.
	Authorizer web.Authorizer
	// SupportEmail is shown on the contact page when set.
	SupportEmail string
	// Brand serves the business's stylesheet, logo and favicon; nil
	// leaves their routes unmounted (the default look).
	Brand *brand.Service
}

// Handler serves the portal's routes.
type Handler struct {
	*web.Kit
	deps Deps
}

// New returns the portal's handlers.
func New(kit *web.Kit, deps Deps) *Handler { return &Handler{Kit: kit, deps: deps} }

func (s *Handler) guides() web.Guides { return web.Guides{Pages: s.Pages, KB: s.deps.KB} }

func (s *Handler) orgs() *web.Orgs {
	return &web.Orgs{Kit: s.Kit, Assist: s.deps.Assist, Identity: s.deps.Identity}
}
