package support

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Usage is whether the desk has been used at all, for the console's
// first-run checklist.
type Usage struct {
	Chats    int // chats ever started (the widget is in use)
	Answered int // conversations an agent has answered
}

// Usage counts the chats and the answered conversations in one read.
func (s *Service) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN channel = 'chat' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN first_response_at IS NOT NULL THEN 1 ELSE 0 END), 0)
			FROM conversations WHERE merged_into IS NULL`).Scan(&u.Chats, &u.Answered)
	})
	return u, err
}
