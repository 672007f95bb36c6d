package assist

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// SetAdmin marks a member of orgID as one of its admins, or unmarks them.
// Admin members of an enterprise organisation manage its templates. Staff
// only: the web layer checks settings:manage. A member of another
// organisation is ErrNotFound; no change is not audited.
func (s *Service) SetAdmin(ctx context.Context, orgID, accountID string, admin bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var was bool
		err := tx.QueryRow(ctx, "SELECT admin FROM customer_org_members WHERE org_id = ? AND account_id = ?"+tx.ForUpdate(), orgID, accountID).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || was == admin {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE customer_org_members SET admin = ? WHERE org_id = ? AND account_id = ?", admin, orgID, accountID); err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "assist.org_admin", Target: "account:" + accountID,
			Details: map[string]any{"org": orgID, "admin": admin}})
	})
}
