package live

import (
	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Routes is the WebSocket routes: the chat widget, the console's live
// updates and both ends of remote assistance, with the downloads that a
// chat ticket opens. Nothing is mounted without the support desk; each
// further group only when the services it needs were given.
func (s *Handler) Routes() []web.Route {
	if s.deps.Support == nil {
		return nil // every socket here serves the support desk
	}
	rs := []web.Route{
		web.Page("GET /chat/ws", web.Public, s.chatSocket),
		web.Page("GET /chat/attachments/{id}", web.Public, s.chatAttachment), // the ticket is the credential
	}
	if s.deps.Assist != nil {
		rs = append(rs,
			web.Page("GET /support/assist/ws", web.Public, s.assistCustomerSocket), // the single-use ticket is the credential
		)
	}
	if s.deps.Access != nil {
		rs = append(rs,
			web.Page("GET /console/live", access.ConversationsRead, s.consoleLive),
		)
	}
	if s.deps.Access != nil && s.deps.Assist != nil {
		rs = append(rs,
			web.Page("GET /console/assist/ws", access.AssistStart, s.assistAgentSocket),
		)
	}
	return rs
}
