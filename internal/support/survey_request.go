package support

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/db"
)

// RequestSurvey starts a conversation's satisfaction survey without
// resolving it, for help given outside the messages (a remote-assistance
// session that just ended). The customer is asked on the conversation's
// page and in the widget; no e-mail is sent, because the survey e-mail
// says the request was resolved and the customer was on the page moments
// ago. A conversation already surveyed is left alone, as on a resolve.
func (s *Service) RequestSurvey(ctx context.Context, convID string) error {
	started := false
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, _, err := s.load(ctx, tx, convID, true)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM support_surveys WHERE conversation_id = ?", convID).Scan(&n); err != nil || n > 0 {
			return err
		}
		c.Contact.Email = "" // no e-mail: startSurvey returns no job
		_, err = s.startSurvey(ctx, tx, c)
		started = err == nil
		return err
	})
	if err == nil && started {
		s.publish(ctx, convID, "conversation", map[string]string{"id": convID, "survey": "requested"})
	}
	return err
}
