package main

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/risk/geotest"
)

// evaluations is the engine's own time per evaluation, each one timed.
type evaluations struct {
	n                  int
	p50, p90, p99, max time.Duration
	mean, lookupMean   time.Duration
	present            int // signals found, summed: every path ran
}

// alone times Engine.Assess one evaluation at a time, outside any HTTP
// server: the same code a sign-in runs (policy read, GeoIP and list
// look-ups, the account's places and profile, the rules) on a real
// SQLite database, against the same GeoIP database and list as the
// throughput rounds. Accounts have a history (several earlier sign-ins
// from home); attempts come from home, from elsewhere in the database and
// from the anonymiser list, so every signal path runs. The raw GeoIP
// look-up is timed in the same run as the reference.
func alone(city, list string, nets []geotest.Net, accounts, n int) (evaluations, error) {
	var out evaluations
	var failed error
	done := false
	// testing.Benchmark gives the test kit the *testing.B it needs; the
	// function measures once and returns at once on later calls.
	testing.Benchmark(func(b *testing.B) {
		if done {
			return
		}
		done = true
		out, failed = measureAlone(b, city, list, nets, accounts, n)
	})
	return out, failed
}

func measureAlone(b *testing.B, city, list string, nets []geotest.Net, accounts, n int) (evaluations, error) {
	var out evaluations
	ctx := context.Background()
	k := identitytest.New(b, "default")
	geo, err := risk.OpenGeoIP(risk.GeoOptions{CityPath: city, Recheck: time.Minute})
	if err != nil {
		return out, err
	}
	anon, err := risk.OpenAnonymisers([]string{list}, time.Minute, nil, nil)
	if err != nil {
		return out, err
	}
	e := risk.New(risk.Options{DB: k.D, Audit: k.Log, Keys: k.Keys, GeoIP: geo, Anonymisers: anon, Profile: "default"})
	ids, homes := make([]string, accounts), make([]string, accounts)
	for i := range accounts {
		a, err := k.Svc.CreateStaff(ctx, fmt.Sprintf("alone-%03d@example.com", i), identitytest.Password, nil)
		if err != nil {
			return out, err
		}
		ids[i], homes[i] = a.ID, geotest.IP(nets[(i*7919)%len(nets)], 9)
		for range 5 { // earlier sign-ins from home, an hour apart
			k.Clock.Add(time.Hour)
			if err := k.D.Write(ctx, func(tx *db.Tx) error { _, err := e.Remember(ctx, tx, a.ID, homes[i]); return err }); err != nil {
				return out, err
			}
		}
	}
	took := make([]time.Duration, 0, n)
	var total time.Duration
	for i := range n {
		k.Clock.Add(time.Minute)
		a := i % accounts
		ip := homes[a]
		switch i % 10 {
		case 7: // elsewhere in the database: new country, maybe travel
			ip = geotest.IP(nets[(i*104729)%len(nets)], 11)
		case 9: // a listed anonymiser
			ip = fmt.Sprintf("185.220.%d.%d", 100+(i/250)%8, i%250)
		}
		in := identity.RiskInput{AccountID: ids[a], Kind: identity.KindStaff, IP: ip, UserAgent: "bench", KnownDevice: i%5 != 0, Devices: 1}
		var v *identity.RiskVerdict
		err := k.D.Read(ctx, func(tx *db.Tx) error {
			start := time.Now()
			var err error
			v, err = e.Assess(ctx, tx, in)
			d := time.Since(start)
			took, total = append(took, d), total+d
			return err
		})
		if err != nil {
			return out, err
		}
		out.present += len(v.Signals)
	}
	slices.Sort(took)
	at := func(q float64) time.Duration { return took[min(len(took)-1, int(q*float64(len(took))))] }
	out.n, out.p50, out.p90, out.p99, out.max, out.mean = len(took), at(0.5), at(0.9), at(0.99), took[len(took)-1], total/time.Duration(len(took))

	// The reference: the raw GeoIP look-up of the same addresses.
	addrs := make([]netip.Addr, 0, 1024)
	for i := range 1024 {
		addrs = append(addrs, netip.MustParseAddr(geotest.IP(nets[(i*7919)%len(nets)], 9)))
	}
	start := time.Now()
	const lookups = 20000
	for i := range lookups {
		geo.Lookup(addrs[i%len(addrs)])
	}
	out.lookupMean = time.Since(start) / lookups
	return out, nil
}
