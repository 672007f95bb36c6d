package assist

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/internal/support"
)

// The report and summary of a session are posted to the conversation in
// the conversation's (the customer's) language. An agent whose console
// speaks another language reads them in the console's: Localize writes
// them again from the session's record.

// Localize returns the body of m in lang when m is an assistance report
// or summary, and ok false for any other message (or a session that can
// no longer be read).
func (s *Service) Localize(ctx context.Context, m support.Message, lang string) (body string, ok bool) {
	if m.Kind != support.KindSystem {
		return "", false
	}
	summary := false
	id, found := strings.CutPrefix(m.ClientID, "assist-report-")
	if !found {
		if id, found = strings.CutPrefix(m.ClientID, "assist-summary-"); !found {
			return "", false
		}
		summary = true
	}
	rep, err := s.Report(ctx, id)
	if err != nil {
		return "", false
	}
	if summary {
		return strings.TrimRight(rep.summaryText(lang), "\n"), true
	}
	return rep.Text(lang, s.o.Retention), true
}
