package risk

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// RaiseAlert implements identity.RiskAssessor: an alert for the security
// queue about a step on an account's owner (a staff sign-in from a new
// country; a reset, recovery or step-up the rules challenged or blocked).
// The evidence says where the step came from, where the account last
// signed in, how far and how long ago, so that an analyst can read it as
// a sentence. Called before Remember, so the last place is the previous
// one.
func (e *Engine) RaiseAlert(ctx context.Context, tx *db.Tx, accountID, stage, ip string, v *identity.RiskVerdict) error {
	now := tx.Now()
	ev := map[string]any{"stage": stage, "at": now.UTC().Format(time.RFC3339)}
	decision := identity.RiskStepUp
	if v != nil {
		ev["decision"], ev["rule"], ev["signals"] = v.Decision, v.Rule, v.Signals
		decision = v.Decision
	}
	s := e.Signals(ip, now)
	if loc := s.Location; loc != nil && loc.Country != "" {
		ev["place"] = map[string]string{"city": loc.City, "country": loc.Country}
		h, err := e.history(ctx, tx, accountID, loc)
		if err != nil {
			return err
		}
		if h.Last != nil && h.Last.Location != nil {
			last := h.Last.Location
			ev["prev"] = map[string]string{"city": last.City, "country": last.Country}
			ev["km"] = math.Round(DistanceKm(last.Lat, last.Lon, loc.Lat, loc.Lon))
			ev["minutes"] = int(math.Max(0, now.Sub(h.Last.At).Minutes()))
			p, err := e.Policy(ctx, tx)
			if err != nil {
				return err
			}
			ev["max_kmh"] = p.MaxSpeedKmh
		}
	}
	if stage == identity.StageStaffSignIn {
		return e.raise(ctx, tx, RuleStaffNewCountry, SeverityHigh, accountID, fmt.Sprintf("%s:country:%d", accountID, now.UnixNano()), ev)
	}
	severity := SeverityMedium
	if decision == identity.RiskBlock {
		severity = SeverityHigh
	}
	// One alert a day per account, stage and decision: an attacker asking
	// again and again from a blocked place does not flood the queue.
	key := fmt.Sprintf("%s:%s:%s:%s", accountID, stage, decision, now.UTC().Format("2006-01-02"))
	return e.raise(ctx, tx, RuleAccountRisk, severity, accountID, key, ev)
}
