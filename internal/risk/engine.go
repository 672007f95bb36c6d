package risk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/prometheus/client_golang/prometheus"
)

// Engine is the sign-in risk engine that identity consults.
type Engine struct {
	db       *db.DB
	audit    *audit.Log
	mail     Mailer
	contacts []string // security contacts that alerts are e-mailed to
	base     string
	log      *slog.Logger
	keys     *keyring.Keyring
	geo      *GeoIP       // nil: no GeoIP database, the place signals are unknown
	anon     *Anonymisers // nil: no lists, the anonymiser signal is unknown
	profile  string

	decisions *prometheus.CounterVec
	signals   *prometheus.CounterVec
	alerts    *prometheus.CounterVec
	took      prometheus.Histogram
}

// Mailer sends one e-mail; *notify.Mailer is the real one.
type Mailer interface {
	Send(ctx context.Context, msg notify.Message) (string, error)
}

var _ identity.RiskAssessor = (*Engine)(nil)

// Options configure New.
type Options struct {
	DB          *db.DB
	Audit       *audit.Log
	Mail        Mailer
	Contacts    []string // FRONTDESK_SECURITY_CONTACTS
	BaseURL     string
	Logger      *slog.Logger
	Keys        *keyring.Keyring
	GeoIP       *GeoIP
	Anonymisers *Anonymisers
	Profile     string // "default" or "pci"
	// Registerer receives the engine's counters; nil keeps them private.
	Registerer prometheus.Registerer
}

// New returns an engine.
func New(o Options) *Engine {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{db: o.DB, audit: o.Audit, mail: o.Mail, contacts: o.Contacts, base: o.BaseURL, log: o.Logger,
		keys: o.Keys, geo: o.GeoIP, anon: o.Anonymisers, profile: o.Profile,
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "frontdesk_risk_decisions_total",
			Help: "Sign-ins judged by the risk engine, by decision."}, []string{"decision"}),
		signals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "frontdesk_risk_signals_total",
			Help: "Risk signals found at sign-in, by signal."}, []string{"signal"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "frontdesk_security_alerts_total",
			Help: "Staff monitoring alerts raised, by rule and severity."}, []string{"rule", "severity"}),
		took: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "frontdesk_risk_assess_seconds",
			Help:    "Time the risk engine takes to judge one sign-in (policy, GeoIP, lists, history, rules).",
			Buckets: []float64{25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 100e-3}}),
	}
	if e.profile == "" {
		e.profile = "default"
	}
	if o.Registerer != nil {
		o.Registerer.MustRegister(e.Collectors()...)
	}
	return e
}

// Collectors are the engine's Prometheus counters.
func (e *Engine) Collectors() []prometheus.Collector {
	return []prometheus.Collector{e.decisions, e.signals, e.alerts, e.took}
}

// Profile is the policy profile whose rules the engine applies.
func (e *Engine) Profile() string { return e.profile }

// Assess implements identity.RiskAssessor.
func (e *Engine) Assess(ctx context.Context, tx *db.Tx, in identity.RiskInput) (*identity.RiskVerdict, error) {
	start := time.Now()
	defer func() { e.took.Observe(time.Since(start).Seconds()) }()
	p, err := e.Policy(ctx, tx)
	if err != nil {
		return nil, err
	}
	s := e.Signals(in.IP, tx.Now())
	s.KnownDevice, s.AccountFailures, s.SourceFailures, s.Stuffing = in.KnownDevice, in.AccountFailures, in.SourceFailures, in.Stuffing
	h, err := e.history(ctx, tx, in.AccountID, s.Location)
	if err != nil {
		return nil, err
	}
	h.Devices = in.Devices
	a := Evaluate(s, h, p)
	e.decisions.WithLabelValues(string(a.Decision)).Inc()
	v := &identity.RiskVerdict{Decision: string(a.Decision), Rule: a.Rule, Signals: a.Present(), Place: s.Location.Place()}
	for _, sig := range v.Signals {
		e.signals.WithLabelValues(sig).Inc()
	}
	for _, r := range p.Rules {
		if r.ID == a.Rule && len(r.When) > 0 {
			v.Reason = r.When[0]
		}
	}
	return v, nil
}

// Signals gathers what the address says: private or not, its place and
// network, whether it is a listed anonymiser.
func (e *Engine) Signals(ip string, at time.Time) Signals {
	s := Signals{At: at, Geo: e.geo != nil, Lists: e.anon != nil && len(e.anon.lists) > 0}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		s.Geo, s.Lists = false, false // no address to judge: unknown, not guessed
		return s
	}
	s.IP = addr.Unmap()
	if Private(s.IP) {
		s.Private = true
		return s
	}
	if e.geo != nil {
		s.Location, s.NetworkKnown = e.geo.Lookup(s.IP)
	}
	if s.Lists {
		s.Anonymiser = e.anon.Listed(s.IP)
	}
	return s
}

// profileRow is the sealed part of risk_profiles.
type lastPlace struct {
	Lat, Lon, RadiusKm float64
	Country            string
	City               string `json:",omitempty"` // for an alert's evidence in words
}

func (e *Engine) placeKey(accountID, kind, value string) []byte {
	return e.keys.BlindIndex("risk-place", accountID+"\x00"+kind+"\x00"+value)
}

func profileAAD(accountID string) []byte { return []byte("risk_profiles:" + accountID) }

// history reads what the account did before, as far as it concerns loc.
func (e *Engine) history(ctx context.Context, tx *db.Tx, accountID string, loc *Location) (History, error) {
	var h History
	rows, err := tx.Query(ctx, "SELECT kind, place_key FROM risk_places WHERE account_id = ?", accountID)
	type place struct {
		kind string
		key  []byte
	}
	places, err := db.Collect(rows, err, func(r db.Scanner) (p place, err error) {
		err = r.Scan(&p.kind, &p.key)
		return p, err
	})
	if err != nil {
		return h, err
	}
	var country, network string
	if loc != nil {
		country = string(e.placeKey(accountID, "country", loc.Country))
		if loc.ASN != 0 {
			network = string(e.placeKey(accountID, "asn", strconv.FormatUint(uint64(loc.ASN), 10)))
		}
	}
	for _, p := range places {
		switch p.kind {
		case "country":
			h.Countries++
			h.SeenCountry = h.SeenCountry || string(p.key) == country
		case "asn":
			h.Networks++
			h.SeenNetwork = h.SeenNetwork || string(p.key) == network
		}
	}
	var lastAt sql.NullTime
	var sealed []byte
	var hours string
	err = tx.QueryRow(ctx, "SELECT last_at, last_sealed, hours FROM risk_profiles WHERE account_id = ?", accountID).Scan(&lastAt, &sealed, &hours)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, err
	}
	h.Hours = parseHours(hours)
	if lastAt.Valid && sealed != nil {
		pt, err := e.keys.Open(ctx, tx, sealed, profileAAD(accountID))
		if err != nil {
			// The owner's key is gone (erased): no history to compare.
			return h, nil
		}
		var lp lastPlace
		if json.Unmarshal(pt, &lp) == nil {
			h.Last = &Past{At: lastAt.Time, Location: &Location{Lat: lp.Lat, Lon: lp.Lon, RadiusKm: lp.RadiusKm, Country: lp.Country, City: lp.City}}
		}
	}
	return h, nil
}

// Remember implements identity.RiskAssessor: the completed sign-in's
// country, network, place and hour join the account's history.
func (e *Engine) Remember(ctx context.Context, tx *db.Tx, accountID, ip string) (string, error) {
	s := e.Signals(ip, tx.Now())
	return s.Location.Place(), e.remember(ctx, tx, accountID, s)
}

func (e *Engine) remember(ctx context.Context, tx *db.Tx, accountID string, s Signals) error {
	now := s.At
	var hours string
	err := tx.QueryRow(ctx, "SELECT hours FROM risk_profiles WHERE account_id = ?"+tx.ForUpdate(), accountID).Scan(&hours)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	h := parseHours(hours)
	h[LocalHour(now, s.Location)]++
	hours = formatHours(h)
	loc := s.Location
	if loc == nil {
		if exists {
			_, err = tx.Exec(ctx, "UPDATE risk_profiles SET hours = ? WHERE account_id = ?", hours, accountID)
		} else {
			_, err = tx.Exec(ctx, "INSERT INTO risk_profiles (account_id, hours) VALUES (?, ?)", accountID, hours)
		}
		return err
	}
	for kind, value := range map[string]string{"country": loc.Country, "asn": strconv.FormatUint(uint64(loc.ASN), 10)} {
		if kind == "asn" && loc.ASN == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO risk_places (account_id, kind, place_key, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id, kind, place_key) DO UPDATE SET last_seen = excluded.last_seen`,
			accountID, kind, e.placeKey(accountID, kind, value), now, now); err != nil {
			return err
		}
	}
	dk, err := e.keys.DataKey(ctx, tx, "account:"+accountID)
	if err != nil {
		return err
	}
	pt, _ := json.Marshal(lastPlace{Lat: loc.Lat, Lon: loc.Lon, RadiusKm: loc.RadiusKm, Country: loc.Country, City: loc.City})
	sealed := dk.Seal(pt, profileAAD(accountID))
	if exists {
		_, err = tx.Exec(ctx, "UPDATE risk_profiles SET last_at = ?, last_sealed = ?, hours = ? WHERE account_id = ?", now, sealed, hours, accountID)
	} else {
		_, err = tx.Exec(ctx, "INSERT INTO risk_profiles (account_id, last_at, last_sealed, hours) VALUES (?, ?, ?, ?)", accountID, now, sealed, hours)
	}
	return err
}

func parseHours(s string) [24]int {
	var h [24]int
	for i, f := range strings.Split(s, ",") {
		if i >= 24 {
			break
		}
		h[i], _ = strconv.Atoi(f)
	}
	return h
}

func formatHours(h [24]int) string {
	parts := make([]string, 24)
	for i, n := range h {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// Policy returns the rules in force: the console's edited version of the
// profile, else the built-in one.
func (e *Engine) Policy(ctx context.Context, tx *db.Tx) (Policy, error) {
	var raw string
	err := tx.QueryRow(ctx, "SELECT policy FROM risk_policies WHERE profile = ?", e.profile).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultPolicy(e.profile), nil
	}
	if err != nil {
		return Policy{}, err
	}
	p := DefaultPolicy(e.profile) // fields an older stored policy lacks keep their defaults
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Policy{}, fmt.Errorf("risk: stored policy of %s: %w", e.profile, err)
	}
	return p, nil
}
