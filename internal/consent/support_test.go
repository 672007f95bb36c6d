package consent_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
)

// A choice a customer made by phone, recorded by staff: channel support,
// recorded_by the staff member, the current version, the audit entry in
// the same transaction with the note sealed (not in clear); the
// customer's history and receipts show it like any other. The staff
// member's browser's GPC signal does not stop them recording the
// customer's consent to analytics. GDPR 7(1), 7(3)
func TestRecordForCustomer(t *testing.T) {
	f := newFixture(t)
	a := f.Register("ana@example.com")
	staff := f.Register("staff@example.com")
	const note = "Called on 8 December from her registered number; asked to stop offers."
	f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Given})
	r, added, err := f.svc.RecordForCustomer(consent.WithGPC(f.ctx), consent.StaffChoice{AccountID: a.ID, Purpose: consent.MarketingEmail,
		Choice: consent.Withdrawn, Version: 1, StaffID: staff.ID, Note: "  " + note + "\n"})
	if err != nil || !added {
		t.Fatalf("record a withdrawal: %v (added %v)", err, added)
	}
	if r.Channel != consent.ChannelSupport || r.RecordedBy != staff.ID || r.Version != 1 || r.Choice != consent.Withdrawn {
		t.Fatalf("record %+v", r)
	}
	if f.has(f.ctx, a.ID, consent.MarketingEmail) {
		t.Fatal("the customer still consents after the withdrawal recorded for them")
	}
	var details string
	var personal []byte
	if err := f.D.Read(f.ctx, func(tx *db.Tx) error {
		return tx.QueryRow(f.ctx, `SELECT details, personal FROM audit_log WHERE action = 'consent.withdrawn'`).Scan(&details, &personal)
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(details, `"channel":"support"`) || !strings.Contains(details, staff.ID) || len(personal) == 0 ||
		strings.Contains(details+string(personal), "registered number") {
		t.Fatalf("audit details %s, personal %q: want the channel and staff in clear, the note sealed", details, personal)
	}
	rc, err := f.svc.ReceiptOf(f.ctx, a.ID, r.ID)
	if err != nil || !f.svc.Verify(rc) || rc.Body.Channel != consent.ChannelSupport {
		t.Fatalf("receipt %+v, %v", rc, err)
	}
	// GPC is the staff member's browser's, not the customer's.
	if _, added, err := f.svc.RecordForCustomer(consent.WithGPC(f.ctx), consent.StaffChoice{AccountID: a.ID, Purpose: consent.Analytics,
		Choice: consent.Given, Version: 1, StaffID: staff.ID, Note: note}); err != nil || !added {
		t.Fatalf("consent to analytics recorded from a browser with GPC: %v %v", added, err)
	}
	if !f.has(f.ctx, a.ID, consent.Analytics) {
		t.Fatal("the consent recorded by staff does not count")
	}
	// The same choice again changes nothing.
	if _, added, err := f.svc.RecordForCustomer(f.ctx, consent.StaffChoice{AccountID: a.ID, Purpose: consent.Analytics,
		Choice: consent.Given, Version: 1, StaffID: staff.ID, Note: note}); err != nil || added {
		t.Fatalf("repeat: %v %v", added, err)
	}
	hist, _ := f.svc.History(f.ctx, a.ID)
	if len(hist) != 3 || hist[0].Channel != consent.ChannelSupport || hist[1].Channel != consent.ChannelSupport {
		t.Fatalf("history %+v", hist)
	}
}

func TestRecordForCustomerRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	a := f.Register("ana@example.com")
	staff := f.Register("staff@example.com")
	ok := consent.StaffChoice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Given, Version: 1, StaffID: staff.ID, Note: "By phone."}
	for name, tc := range map[string]struct {
		spoil func(*consent.StaffChoice)
		field string
	}{
		"unknown purpose": {func(c *consent.StaffChoice) { c.Purpose = "profiling" }, "purpose"},
		"privacy notice":  {func(c *consent.StaffChoice) { c.Purpose = consent.PrivacyPolicy; c.Choice = consent.Acknowledged }, "purpose"},
		"unknown choice":  {func(c *consent.StaffChoice) { c.Choice = "maybe" }, "choice"},
		"no note":         {func(c *consent.StaffChoice) { c.Note = " \n " }, "note"},
		"note too long":   {func(c *consent.StaffChoice) { c.Note = strings.Repeat("é", consent.MaxNote+1) }, "note"},
		"no staff member": {func(c *consent.StaffChoice) { c.StaffID = "" }, "recorded_by"},
		"for themselves":  {func(c *consent.StaffChoice) { c.StaffID = a.ID }, "recorded_by"},
	} {
		c := ok
		tc.spoil(&c)
		_, _, err := f.svc.RecordForCustomer(f.ctx, c)
		var inv *fault.Invalid
		if !errors.As(err, &inv) || inv.Field != tc.field {
			t.Errorf("%s: %v, want invalid %s", name, err, tc.field)
		}
	}
	for _, v := range []int{0, -1, 2} {
		c := ok
		c.Version = v
		if _, _, err := f.svc.RecordForCustomer(f.ctx, c); !errors.Is(err, consent.ErrStale) {
			t.Errorf("version %d: %v, want the notice changed", v, err)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM consent_records`); n != 0 || f.audits("consent.") != 0 {
		t.Fatalf("refused choices left %d records", n)
	}
	// A note of exactly the limit is fine.
	c := ok
	c.Note = strings.Repeat("é", consent.MaxNote)
	if _, added, err := f.svc.RecordForCustomer(f.ctx, c); err != nil || !added {
		t.Fatalf("a note of %d characters: %v", consent.MaxNote, err)
	}
}
