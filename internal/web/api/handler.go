// Package api serves the JSON API under /api/v1: accounts and sessions,
// second factors, recovery requests, knowledge-base search and the
// messaging bridges' webhook.
package api

import (
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Deps are the services the API uses; a nil service leaves its routes
// unmounted.
type Deps struct {
	Identity *identity.Service
	MFA      *mfa.Service
	KB       *kb.Service
	Support  *support.Service
	Privacy  *privacy.Service
	Consent  *consent.Service
	// MessagingSecrets verify messaging bridges' deliveries; none turns the
	// inbound webhook off.
	MessagingSecrets [][]byte
}

// Handler serves the API's routes.
type Handler struct {
	*web.Kit
	deps Deps
}

// New returns the API's handlers.
func New(kit *web.Kit, deps Deps) *Handler { return &Handler{Kit: kit, deps: deps} }
