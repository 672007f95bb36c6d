// Package live serves the WebSocket routes: the chat widget, the console's
// live updates and both ends of remote assistance, with the downloads a
// chat ticket opens.
package live

import (
	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/support"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Deps are the services the sockets use; without Support no socket is
// mounted.
type Deps struct {
	Identity *identity.Service
	Access   *access.Service
	Support  *support.Service
	KB       *kb.Service
	Assist   *assist.Service
	Keys     *keyring.Keyring
	// Bus carries the desk's live events to this node's sockets.
	Bus bus.Bus
	// WidgetOrigins may embed the chat widget, besides the portal itself.
	WidgetOrigins []string
}

// Handler serves the sockets of this node.
type Handler struct {
	*web.Kit
	deps Deps
	live *liveHub // WebSocket clients of this node
}

// New returns the sockets' handlers; with the support desk it subscribes
// to the desk's live events.
func New(kit *web.Kit, deps Deps) (*Handler, error) {
	h := &Handler{Kit: kit, deps: deps}
	if deps.Support != nil {
		var err error
		if h.live, err = newLiveHub(deps.Bus); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Connections counts this node's open chat and console sockets.
func (s *Handler) Connections() int {
	if s.live == nil {
		return 0
	}
	return s.live.size()
}

func (s *Handler) guides() web.Guides { return web.Guides{Pages: s.Pages, KB: s.deps.KB} }
