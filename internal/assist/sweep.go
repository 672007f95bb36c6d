package assist

import (
	"context"
	"errors"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Tick does the time-driven work, on any node, any number of times: it
// ends invitations that expired and sessions past their maximum duration
// or idle timeout, sends the warning before the maximum duration, seals
// this node's recording buffers that are FlushEvery old, deletes expired
// join tickets and posts reports a failure left behind. The server calls
// it every few seconds; tests call it after moving the clock.
func (s *Service) Tick(ctx context.Context) error {
	now := s.now()
	ids, err := s.ids(ctx, `SELECT id FROM assist_sessions WHERE state <> 'ended' AND
		((state = 'invited' AND invite_expires_at <= ?) OR ends_at <= ? OR idle_at <= ? OR warn_at <= ?) LIMIT 500`, now, now, now, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, s.sweep(ctx, id))
	}
	errs = append(errs, s.Flush(ctx, false), s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM assist_tickets WHERE expires_at <= ?", tx.Now())
		return err
	}))
	due, err := s.ids(ctx, "SELECT id FROM assist_sessions WHERE report_due ORDER BY ended_at LIMIT 20")
	errs = append(errs, err)
	for _, id := range due {
		errs = append(errs, s.postReport(ctx, id))
	}
	return errors.Join(errs...)
}

// sweep applies whichever deadline of one session has passed.
func (s *Service) sweep(ctx context.Context, id string) error {
	_, err := s.change(ctx, id, func(tx *db.Tx, sess *Session, fx *effects) error {
		now := tx.Now()
		switch {
		case sess.State == StateEnded:
			return nil
		case sess.State == StateInvited && !now.Before(*sess.InviteExpiresAt):
			return s.end(ctx, tx, sess, EndExpired, nil, fx)
		case sess.EndsAt != nil && !now.Before(*sess.EndsAt):
			return s.end(ctx, tx, sess, EndMaxDuration, nil, fx)
		case sess.idleAt != nil && !now.Before(*sess.idleAt):
			return s.end(ctx, tx, sess, EndIdle, nil, fx)
		case sess.warnAt != nil && !now.Before(*sess.warnAt):
			if _, err := tx.Exec(ctx, "UPDATE assist_sessions SET warn_at = NULL, warned_at = ? WHERE id = ?", now, sess.ID); err != nil {
				return err
			}
			sess.WarnedAt = &now
			if err := s.timeline(ctx, tx, sess.ID, "warning", sess.Level, PartySystem); err != nil {
				return err
			}
			c := s.stateControl(sess, now)
			c.Type, c.Remaining = ControlWarning, int64(sess.EndsAt.Sub(now).Seconds())
			fx.control(c)
		}
		return nil
	})
	return err
}
