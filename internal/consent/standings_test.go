package consent_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
)

func (f *fixture) standings(q consent.StandingQuery) ([]consent.Standing, string, error) {
	var out []consent.Standing
	var next string
	err := f.D.Read(f.ctx, func(tx *db.Tx) (err error) {
		out, next, err = f.svc.StandingsIn(f.ctx, tx, q)
		return err
	})
	return out, next, err
}

// every reads all pages of a query and returns the standings by account.
func (f *fixture) every(q consent.StandingQuery) map[string]consent.Standing {
	f.T.Helper()
	out := map[string]consent.Standing{}
	for range 100 {
		page, next, err := f.standings(q)
		if err != nil {
			f.T.Fatal(err)
		}
		if len(page) > q.Limit {
			f.T.Fatalf("a page of %d for a limit of %d", len(page), q.Limit)
		}
		for _, s := range page {
			if _, twice := out[s.AccountID]; twice || s.AccountID <= q.After {
				f.T.Fatalf("%s listed twice or out of order", s.AccountID)
			}
			out[s.AccountID] = s
		}
		if next == "" {
			return out
		}
		q.After = next
	}
	f.T.Fatal("the pages never end")
	return nil
}

// The business's own tools read where each customer stands on a purpose:
// only a consent that counts now is "given"; a withdrawal is not, nor is
// a consent a material change made lapse; the browser's GPC signal plays
// no part; pages follow each other without gaps or repeats.
// GDPR 7(1) (the proof of consent), 7(3) (a withdrawal stops the use).
func TestStandingsFollowTheLedger(t *testing.T) {
	f := newFixture(t)
	gave, withdrew, lapsed, never := f.Register("gave@example.com"), f.Register("withdrew@example.com"),
		f.Register("lapsed@example.com"), f.Register("never@example.com")
	_ = never
	f.choose(consent.Choice{AccountID: lapsed.ID, Purpose: consent.MarketingEmail, Choice: consent.Given})
	d := draft(consent.MarketingEmail, "new partners")
	d.Reconsent = true
	if _, err := f.svc.Publish(f.ctx, "staff-1", d); err != nil {
		t.Fatal(err)
	}
	f.choose(consent.Choice{AccountID: gave.ID, Purpose: consent.MarketingEmail, Choice: consent.Given, Channel: consent.ChannelAPI})
	f.choose(consent.Choice{AccountID: withdrew.ID, Purpose: consent.MarketingEmail, Choice: consent.Given})
	f.choose(consent.Choice{AccountID: withdrew.ID, Purpose: consent.MarketingEmail, Choice: consent.Withdrawn})
	f.choose(consent.Choice{AccountID: withdrew.ID, Purpose: consent.Analytics, Choice: consent.Given})

	all := f.every(consent.StandingQuery{Purpose: consent.MarketingEmail, Limit: 1})
	want := map[string]string{gave.ID: consent.StandingGiven, withdrew.ID: consent.StandingWithdrawn, lapsed.ID: consent.StandingLapsed}
	if len(all) != len(want) {
		t.Fatalf("standings %+v, want %v (nobody who never chose)", all, want)
	}
	for id, choice := range want {
		if all[id].Choice != choice {
			t.Errorf("%s stands %q, want %q", id, all[id].Choice, choice)
		}
	}
	if s := all[gave.ID]; s.Version != 2 || s.Channel != consent.ChannelAPI || s.At.IsZero() || s.RecordID == "" || s.Purpose != consent.MarketingEmail {
		t.Errorf("the standing of a consent: %+v", s)
	}
	given := f.every(consent.StandingQuery{Purpose: consent.MarketingEmail, Choice: consent.StandingGiven, Limit: 100})
	if len(given) != 1 || given[gave.ID].Choice != consent.StandingGiven {
		t.Fatalf("given: %+v, want only %s", given, gave.ID)
	}
	for id := range given {
		if !f.has(f.ctx, id, consent.MarketingEmail) {
			t.Errorf("%s is listed as given but Has says no", id)
		}
	}
	if w := f.every(consent.StandingQuery{Purpose: consent.MarketingEmail, Choice: consent.StandingWithdrawn, Limit: 100}); len(w) != 1 || w[withdrew.ID].Choice == "" {
		t.Errorf("withdrawn: %+v", w)
	}
	if l := f.every(consent.StandingQuery{Purpose: consent.MarketingEmail, Choice: consent.StandingLapsed, Limit: 100}); len(l) != 1 || l[lapsed.ID].Version != 1 {
		t.Errorf("lapsed: %+v", l)
	}
	// Another purpose is another list; GPC is a browser's and changes nothing here.
	an := f.every(consent.StandingQuery{Purpose: consent.Analytics, Choice: consent.StandingGiven, Limit: 10})
	if len(an) != 1 || an[withdrew.ID].Choice != consent.StandingGiven {
		t.Errorf("analytics: %+v", an)
	}
	f.ctx = consent.WithGPC(f.ctx)
	if an := f.every(consent.StandingQuery{Purpose: consent.Analytics, Choice: consent.StandingGiven, Limit: 10}); len(an) != 1 {
		t.Errorf("analytics under GPC: %+v", an)
	}
	// Two pages of one: the cursor is the last account of the page.
	page, next, err := f.standings(consent.StandingQuery{Purpose: consent.MarketingEmail, Limit: 2})
	ids := []string{gave.ID, withdrew.ID, lapsed.ID}
	slices.Sort(ids)
	if err != nil || len(page) != 2 || next != ids[1] || page[0].AccountID != ids[0] {
		t.Fatalf("first page %+v, next %q, %v", page, next, err)
	}
	if page, next, _ := f.standings(consent.StandingQuery{Purpose: consent.MarketingEmail, Limit: 2, After: next}); len(page) != 1 || next != "" {
		t.Fatalf("last page %+v, next %q", page, next)
	}
}

func TestStandingsRefuseBadQueries(t *testing.T) {
	f := newFixture(t)
	a := f.Register("ana@example.com")
	f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Given})
	for _, c := range []struct {
		q     consent.StandingQuery
		field string
	}{
		{consent.StandingQuery{Purpose: "profiling"}, "purpose"},
		{consent.StandingQuery{Purpose: ""}, "purpose"},
		{consent.StandingQuery{Purpose: consent.PrivacyPolicy}, "purpose"},
		{consent.StandingQuery{Purpose: consent.MarketingEmail, Choice: "granted"}, "choice"},
		{consent.StandingQuery{Purpose: consent.MarketingEmail, Choice: consent.Acknowledged}, "choice"},
		{consent.StandingQuery{Purpose: consent.MarketingEmail, After: "' OR 1=1 --"}, "after"},
		{consent.StandingQuery{Purpose: consent.MarketingEmail, After: strings.ToUpper(a.ID)}, "after"},
		{consent.StandingQuery{Purpose: consent.MarketingEmail, Limit: -1}, "limit"},
		{consent.StandingQuery{Purpose: consent.MarketingEmail, Limit: consent.MaxStandingLimit + 1}, "limit"},
	} {
		page, _, err := f.standings(c.q)
		var inv *fault.Invalid
		if !errors.As(err, &inv) || inv.Field != c.field || page != nil {
			t.Errorf("%+v: %v, want invalid %s", c.q, err, c.field)
		}
	}
	if page, _, err := f.standings(consent.StandingQuery{Purpose: consent.MarketingEmail}); err != nil || len(page) != 1 {
		t.Fatalf("the default limit: %+v %v", page, err)
	}
}
