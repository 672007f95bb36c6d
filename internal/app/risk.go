package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/frontdesk/frontdesk/internal/risk"
)

// riskRecheck is how often at most the GeoIP database and anonymiser
// lists are looked at for a new edition.
const riskRecheck = 30 * time.Second

// newRiskEngine opens the operator's GeoIP database and anonymiser lists
// (a file that does not open stops the start: a typo must not silently
// turn the place signals off) and returns the engine.
func newRiskEngine(cfg Config, log *slog.Logger, d *db.DB, keys *keyring.Keyring, a *audit.Log, m *notify.Mailer) (*risk.Engine, error) {
	o := risk.Options{DB: d, Keys: keys, Audit: a, Mail: m, Contacts: cfg.SecurityContacts, BaseURL: cfg.BaseURL, Logger: log, Profile: cfg.PolicyProfile}
	if cfg.GeoIPDB != "" {
		g, err := risk.OpenGeoIP(risk.GeoOptions{CityPath: cfg.GeoIPDB, ASNPath: cfg.GeoIPASNDB, Recheck: riskRecheck, Now: cfg.clock, Logger: log})
		if err != nil {
			return nil, err
		}
		o.GeoIP = g
	} else {
		log.Info("no GeoIP database (--geoip-db): new-country, new-network and impossible-travel signals are unknown")
	}
	if len(cfg.AnonymiserLists) > 0 {
		a, err := risk.OpenAnonymisers(cfg.AnonymiserLists, riskRecheck, cfg.clock, log)
		if err != nil {
			return nil, err
		}
		o.Anonymisers = a
	}
	return risk.New(o), nil
}

// alertLoop e-mails new security alerts to the security contacts.
func (s *system) alertLoop(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		if _, err := s.risk.SendAlerts(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("sending security alerts failed", "error", err.Error())
		}
	})
}
