package identity

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/db"
)

// FactorChanged is called by the second-factor service, inside its
// transaction, after a factor of the principal's account was added or
// removed (change "added" or "removed"). Adding one lifts the session's
// enrolment restriction and raises it to AAL2; the pci profile also ends
// every other session (ASVS 7.4.3). It returns the notice to send once
// the transaction commits (ASVS 6.3.7).
func (s *Service) FactorChanged(ctx context.Context, tx *db.Tx, p *Principal, change, method, name string) ([]Notice, error) {
	a, err := s.byID(ctx, tx, p.AccountID, true)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, ErrUnauthenticated
	}
	if change == "added" {
		if _, err := tx.Exec(ctx, "UPDATE sessions SET must_enrol = ?, aal = 2, amr = ? WHERE id = ?",
			false, MethodPassword+","+method, p.Session.ID); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, "UPDATE accounts SET mfa_enrol_required = ? WHERE id = ?", false, a.id); err != nil {
			return nil, err
		}
	}
	if s.policy.Name == "pci" {
		if _, err := s.endSessions(ctx, tx, a.id, p.Session.ID, "factor_"+change); err != nil {
			return nil, err
		}
	}
	m, err := s.notice(ctx, tx, a, "factor_"+change, mailArgs{When: stamp(tx.Now()), Device: name, URL: s.base + "/account/security"})
	if err != nil {
		return nil, err
	}
	return []Notice{{m}}, nil
}

// EndAllSessions ends every session of the account inside tx, for the
// services above identity (support-assisted recovery).
func (s *Service) EndAllSessions(ctx context.Context, tx *db.Tx, accountID, reason string) error {
	if _, err := s.endSessions(ctx, tx, accountID, "", reason); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "DELETE FROM remembered_devices WHERE account_id = ?", accountID)
	return err
}

// RequireEnrolment makes the owner enrol a second factor at the next
// sign-in, whatever the policy (after support reset the factors).
func (s *Service) RequireEnrolment(ctx context.Context, tx *db.Tx, accountID string) error {
	_, err := tx.Exec(ctx, "UPDATE accounts SET mfa_enrol_required = ?, updated_at = ? WHERE id = ?", true, tx.Now(), accountID)
	return err
}

// MFARequired reports whether accounts of kind must have a second factor:
// staff always, customers when the policy says so.
func (s *Service) MFARequired(kind string) bool {
	return kind == KindStaff || s.policy.CustomerMFA == MFARequired
}
