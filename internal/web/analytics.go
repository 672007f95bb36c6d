package web

import (
	"context"

	"github.com/frontdesk/frontdesk/internal/consent"
)

// AnalyticsAllowed reports whether a request may feed analytics (the help
// centre's count of searches that found nothing): never under the Global
// Privacy Control signal; for a signed-in person, only with their consent
// in the ledger; for an anonymous visitor, yes, as nothing links the count
// to a person. Without a ledger (c nil) only anonymous requests count.
func AnalyticsAllowed(ctx context.Context, c *consent.Service) (bool, error) {
	if consent.GPC(ctx) {
		return false, nil
	}
	p := Principal(ctx)
	if p == nil || p.AccountID == "" {
		return true, nil
	}
	if c == nil {
		return false, nil
	}
	return c.Has(ctx, p.AccountID, consent.Analytics)
}
