package consent_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
)

type fixture struct {
	*identitytest.Kit
	svc *consent.Service
	ctx context.Context
}

func newFixture(t *testing.T) *fixture {
	k := identitytest.New(t, "default")
	f := &fixture{Kit: k, svc: consent.New(consent.Options{DB: k.D, Keys: k.Keys, Audit: k.Log}), ctx: context.Background()}
	k.Svc.SetVerified(f.svc.Apply)
	if err := f.svc.Seed(f.ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

// count returns how many rows a query counts.
func (f *fixture) count(q string, args ...any) int {
	f.T.Helper()
	var n int
	if err := f.D.Read(f.ctx, func(tx *db.Tx) error { return tx.QueryRow(f.ctx, q, args...).Scan(&n) }); err != nil {
		f.T.Fatal(err)
	}
	return n
}

func (f *fixture) audits(prefix string) int {
	return f.count(`SELECT COUNT(*) FROM audit_log WHERE action LIKE ?`, prefix+"%")
}

func (f *fixture) choose(c consent.Choice) *consent.Record {
	f.T.Helper()
	if c.Channel == "" {
		c.Channel = consent.ChannelPortal
	}
	r, _, err := f.svc.Choose(f.ctx, c)
	if err != nil {
		f.T.Fatal(err)
	}
	return r
}

func (f *fixture) has(ctx context.Context, accountID, purpose string) bool {
	f.T.Helper()
	ok, err := f.svc.Has(ctx, accountID, purpose)
	if err != nil {
		f.T.Fatal(err)
	}
	return ok
}

func draft(purpose, suffix string) consent.Draft {
	return consent.Draft{Purpose: purpose,
		Title: map[string]string{"en": "Title " + suffix, "vi": "Tiêu đề " + suffix, "zh": "标题 " + suffix},
		Body:  map[string]string{"en": "Body " + suffix, "vi": "Nội dung " + suffix, "zh": "正文 " + suffix}}
}

func TestNoticesAreVersionedNeverEdited(t *testing.T) {
	f := newFixture(t)
	cur, err := f.svc.Current(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != len(consent.Purposes) {
		t.Fatalf("%d current notices, want one per purpose", len(cur))
	}
	for _, n := range cur {
		if n.Version != 1 || n.Title["vi"] == "" || n.Body["zh"] == "" || n.Digest == "" {
			t.Errorf("seeded notice %+v", n)
		}
	}
	if err := f.svc.Seed(f.ctx); err != nil { // again, as every start does
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM consent_notices`); n != len(consent.Purposes) {
		t.Fatalf("a second seed left %d notices", n)
	}
	v1, _ := f.svc.CurrentOf(f.ctx, consent.Analytics)
	v2, err := f.svc.Publish(f.ctx, "staff-1", draft(consent.Analytics, "two"))
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.Digest == v1.Digest {
		t.Fatalf("published %+v", v2)
	}
	vs, _ := f.svc.Versions(f.ctx, consent.Analytics)
	if len(vs) != 2 || vs[1].Title["en"] != v1.Title["en"] || vs[1].Digest != v1.Digest {
		t.Fatalf("version 1 changed: %+v", vs)
	}
	// The database refuses to change a published version.
	for _, q := range []string{`UPDATE consent_notices SET title_en = 'changed' WHERE id = ?`, `DELETE FROM consent_notices WHERE id = ?`} {
		if err := f.D.Write(f.ctx, func(tx *db.Tx) error { _, err := tx.Exec(f.ctx, q, v1.ID); return err }); err == nil {
			t.Errorf("%s was allowed", q)
		}
	}
	if f.audits("consent.notice_publish") != 1 {
		t.Errorf("audit entries: %d", f.audits("consent.notice_publish"))
	}
}

func TestPublishRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", consent.MaxTitle+1)
	cases := map[string]func(*consent.Draft){
		"unknown purpose":  func(d *consent.Draft) { d.Purpose = "profiling" },
		"no purpose":       func(d *consent.Draft) { d.Purpose = "" },
		"missing language": func(d *consent.Draft) { delete(d.Title, "zh") },
		"blank body":       func(d *consent.Draft) { d.Body["vi"] = "   " },
		"long title":       func(d *consent.Draft) { d.Title["en"] = long },
		"two-line title":   func(d *consent.Draft) { d.Title["en"] = "a\nb" },
		"long body":        func(d *consent.Draft) { d.Body["en"] = strings.Repeat("y", consent.MaxBody+1) },
	}
	before, audits := f.count(`SELECT COUNT(*) FROM consent_notices`), f.audits("")
	for name, spoil := range cases {
		d := draft(consent.MarketingEmail, "x")
		spoil(&d)
		_, err := f.svc.Publish(f.ctx, "staff-1", d)
		var inv *fault.Invalid
		if !errors.As(err, &inv) || inv.Reason == "" {
			t.Errorf("%s: %v, want a field error", name, err)
		}
	}
	if f.count(`SELECT COUNT(*) FROM consent_notices`) != before || f.audits("") != audits {
		t.Error("refused drafts changed something")
	}
}

func TestGiveWithdrawAndReceipts(t *testing.T) {
	f := newFixture(t)
	a := f.Register("ana@example.com")
	b := f.Register("ben@example.com")
	if f.has(f.ctx, a.ID, consent.MarketingEmail) {
		t.Fatal("consent before any choice: optional purposes are off by default")
	}
	given := f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Given, IP: "203.0.113.9", UserAgent: "Firefox"})
	if !f.has(f.ctx, a.ID, consent.MarketingEmail) || f.has(f.ctx, b.ID, consent.MarketingEmail) {
		t.Fatal("Has does not follow the ledger")
	}
	// Giving again under the same version adds nothing.
	if _, added, err := f.svc.Choose(f.ctx, consent.Choice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Given,
		Channel: consent.ChannelAPI}); err != nil || added {
		t.Fatalf("repeat: added %v, %v", added, err)
	}
	f.Clock.Add(time.Minute)
	withdrawn := f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Withdrawn, Channel: consent.ChannelAPI})
	if f.has(f.ctx, a.ID, consent.MarketingEmail) {
		t.Fatal("still consenting after a withdrawal")
	}
	if withdrawn.Seq != given.Seq+1 || withdrawn.Channel != consent.ChannelAPI || !withdrawn.At.After(given.At) {
		t.Fatalf("withdrawal %+v after %+v", withdrawn, given)
	}
	if _, added, _ := f.svc.Choose(f.ctx, consent.Choice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Withdrawn,
		Channel: consent.ChannelPortal}); added {
		t.Fatal("withdrawing what is not given added a row")
	}
	hist, _ := f.svc.History(f.ctx, a.ID)
	if len(hist) != 2 || hist[0].ID != withdrawn.ID {
		t.Fatalf("history %+v", hist)
	}
	if f.audits("consent.given") != 1 || f.audits("consent.withdrawn") != 1 {
		t.Errorf("audit: given %d, withdrawn %d", f.audits("consent.given"), f.audits("consent.withdrawn"))
	}

	// Receipts: the customer's own, chained, signed, and tamper-evident.
	r1, err := f.svc.ReceiptOf(f.ctx, a.ID, given.ID)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := f.svc.ReceiptOf(f.ctx, a.ID, withdrawn.ID)
	if !f.svc.Verify(r1) || !f.svc.Verify(r2) || r2.Body.Previous != r1.Hash || r1.Body.NoticeDigest == "" {
		t.Fatalf("receipts do not verify or chain: %+v %+v", r1, r2)
	}
	forged := *r2
	forged.Body.Choice = consent.Given
	if f.svc.Verify(&forged) {
		t.Fatal("a changed receipt verifies")
	}
	if _, err := f.svc.ReceiptOf(f.ctx, b.ID, given.ID); !errors.Is(err, consent.ErrNotFound) {
		t.Fatalf("another customer's receipt: %v", err)
	}
	// The device details are sealed, not in clear.
	if n := f.count(`SELECT COUNT(*) FROM consent_records WHERE device_sealed IS NOT NULL`); n != 1 {
		t.Errorf("%d records with device details, want 1", n)
	}
}

func TestLedgerIsAppendOnly(t *testing.T) {
	f := newFixture(t)
	a := f.Register("ana@example.com")
	r := f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.AssistRecording, Choice: consent.Given})
	for _, q := range []string{
		`UPDATE consent_records SET choice = 'withdrawn' WHERE id = ?`,
		`DELETE FROM consent_records WHERE id = ?`,
	} {
		err := f.D.Write(f.ctx, func(tx *db.Tx) error { _, err := tx.Exec(f.ctx, q, r.ID); return err })
		if err == nil {
			t.Errorf("%s was allowed", q)
		}
	}
	if !f.has(f.ctx, a.ID, consent.AssistRecording) || f.count(`SELECT COUNT(*) FROM consent_records`) != 1 {
		t.Fatal("the record changed")
	}
}

func TestChooseRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	a := f.Register("ana@example.com")
	cases := []consent.Choice{
		{AccountID: a.ID, Purpose: "profiling", Choice: consent.Given, Channel: consent.ChannelPortal},
		{AccountID: a.ID, Purpose: consent.Analytics, Choice: "maybe", Channel: consent.ChannelPortal},
		{AccountID: a.ID, Purpose: consent.Analytics, Choice: consent.Given, Channel: "fax"},
		{AccountID: a.ID, Purpose: consent.PrivacyPolicy, Choice: consent.Given, Channel: consent.ChannelPortal},
		{AccountID: a.ID, Purpose: consent.Analytics, Choice: consent.Acknowledged, Channel: consent.ChannelPortal},
		{AccountID: a.ID, Purpose: consent.Analytics, Choice: consent.Given, Channel: consent.ChannelPortal, Version: -1},
	}
	audits := f.audits("")
	for _, c := range cases {
		if _, _, err := f.svc.Choose(f.ctx, c); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%+v: %v, want invalid input", c, err)
		}
	}
	// A choice on a notice that changed since it was shown.
	if _, _, err := f.svc.Choose(f.ctx, consent.Choice{AccountID: a.ID, Purpose: consent.Analytics, Choice: consent.Given,
		Channel: consent.ChannelPortal, Version: 7}); !errors.Is(err, consent.ErrStale) {
		t.Errorf("stale version: %v", err)
	}
	if f.count(`SELECT COUNT(*) FROM consent_records`) != 0 || f.audits("") != audits {
		t.Fatal("refused choices changed something")
	}
	if _, err := f.svc.Has(f.ctx, a.ID, consent.PrivacyPolicy); err == nil {
		t.Error("Has answered for a purpose that needs no consent")
	}
}

func TestReconsentAfterAMaterialChange(t *testing.T) {
	f := newFixture(t)
	a := f.Register("ana@example.com")
	f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.AssistRecording, Choice: consent.Given, Version: 1})
	if _, err := f.svc.Publish(f.ctx, "staff-1", draft(consent.AssistRecording, "typo fixed")); err != nil {
		t.Fatal(err)
	}
	if !f.has(f.ctx, a.ID, consent.AssistRecording) {
		t.Fatal("a minor new version cancelled the consent")
	}
	d := draft(consent.AssistRecording, "recordings now kept a year")
	d.Reconsent = true
	if _, err := f.svc.Publish(f.ctx, "staff-1", d); err != nil {
		t.Fatal(err)
	}
	if f.has(f.ctx, a.ID, consent.AssistRecording) {
		t.Fatal("a consent to version 1 still counts after version 3 asked again")
	}
	st, _ := f.svc.State(f.ctx, a.ID)
	for _, s := range st {
		if s.Notice.Purpose == consent.AssistRecording && (!s.Outdated || s.Active || !s.AskAgain) {
			t.Fatalf("state %+v", s)
		}
	}
	if _, _, err := f.svc.Choose(f.ctx, consent.Choice{AccountID: a.ID, Purpose: consent.AssistRecording, Choice: consent.Given,
		Channel: consent.ChannelPortal, Version: 1}); !errors.Is(err, consent.ErrStale) {
		t.Fatalf("consent on the old version: %v", err)
	}
	f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.AssistRecording, Choice: consent.Given, Version: 3})
	if !f.has(f.ctx, a.ID, consent.AssistRecording) {
		t.Fatal("a fresh consent does not count")
	}
}

// Who is asked again after a material change, and who is not: a consent
// given under an older version is asked again, a minor change asks
// nobody, a withdrawal or a consent never given is not asked, and the
// privacy notice acknowledged under an older version is to be read again.
func TestAskAgainOnlyWhereAChoiceLapsed(t *testing.T) {
	f := newFixture(t)
	gave, withdrew, never := f.Register("gave@example.com"), f.Register("withdrew@example.com"), f.Register("never@example.com")
	for _, a := range []*identity.Account{gave, withdrew, never} {
		f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.PrivacyPolicy, Choice: consent.Acknowledged})
	}
	f.choose(consent.Choice{AccountID: gave.ID, Purpose: consent.MarketingEmail, Choice: consent.Given})
	f.choose(consent.Choice{AccountID: withdrew.ID, Purpose: consent.MarketingEmail, Choice: consent.Given})
	f.choose(consent.Choice{AccountID: withdrew.ID, Purpose: consent.MarketingEmail, Choice: consent.Withdrawn})
	ask := func(a *identity.Account, purpose string) bool {
		t.Helper()
		st, err := f.svc.State(f.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if s.Notice.Purpose == purpose {
				return s.AskAgain
			}
		}
		t.Fatalf("no state for %s", purpose)
		return false
	}
	minor := draft(consent.MarketingEmail, "clearer wording")
	minor.Base = 1
	if _, err := f.svc.Publish(f.ctx, "staff-1", minor); err != nil {
		t.Fatal(err)
	}
	if ask(gave, consent.MarketingEmail) || !f.has(f.ctx, gave.ID, consent.MarketingEmail) {
		t.Fatal("a minor change asked again")
	}
	material := draft(consent.MarketingEmail, "offers from partners too")
	material.Reconsent, material.Base = true, 2
	if _, err := f.svc.Publish(f.ctx, "staff-1", material); err != nil {
		t.Fatal(err)
	}
	if !ask(gave, consent.MarketingEmail) || ask(withdrew, consent.MarketingEmail) || ask(never, consent.MarketingEmail) {
		t.Fatal("after a material change, only the customer whose consent lapsed is asked again")
	}
	policy := draft(consent.PrivacyPolicy, "new processor")
	policy.Reconsent = true
	if _, err := f.svc.Publish(f.ctx, "staff-1", policy); err != nil {
		t.Fatal(err)
	}
	if !ask(never, consent.PrivacyPolicy) {
		t.Fatal("a material change of the privacy notice does not ask to read it again")
	}
	// Saying no to the new version settles it: not asked again.
	f.choose(consent.Choice{AccountID: gave.ID, Purpose: consent.MarketingEmail, Choice: consent.Withdrawn, Version: 3})
	if ask(gave, consent.MarketingEmail) {
		t.Fatal("asked again after answering")
	}
}

// The editor's draft names the version it started from: a draft made
// before someone else published, or one that changes no text, is refused
// and publishes nothing.
func TestPublishRefusesStaleOrUnchangedDrafts(t *testing.T) {
	f := newFixture(t)
	cur, _ := f.svc.CurrentOf(f.ctx, consent.Analytics)
	same := consent.Draft{Purpose: consent.Analytics, Title: cur.Title, Body: cur.Body, Base: 1}
	d := draft(consent.Analytics, "two")
	d.Base = 1
	if _, err := f.svc.Publish(f.ctx, "staff-1", d); err != nil {
		t.Fatal(err)
	}
	before, audits := f.count(`SELECT COUNT(*) FROM consent_notices`), f.audits("")
	stale := draft(consent.Analytics, "three")
	stale.Base = 1
	again := draft(consent.Analytics, "two")
	again.Base = 2
	for name, d := range map[string]consent.Draft{"stale": stale, "unchanged": again, "stale and old text": same} {
		_, err := f.svc.Publish(f.ctx, "staff-1", d)
		var inv *fault.Invalid
		if !errors.As(err, &inv) || (inv.Field != "base" && inv.Field != "same") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if f.count(`SELECT COUNT(*) FROM consent_notices`) != before || f.audits("") != audits {
		t.Error("refused drafts changed something")
	}
}

func TestGlobalPrivacyControl(t *testing.T) {
	f := newFixture(t)
	a := f.Register("ana@example.com")
	f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.Analytics, Choice: consent.Given})
	f.choose(consent.Choice{AccountID: a.ID, Purpose: consent.MarketingEmail, Choice: consent.Given})
	gpc := consent.WithGPC(f.ctx)
	if f.has(gpc, a.ID, consent.Analytics) {
		t.Fatal("analytics allowed for a request with Sec-GPC: 1")
	}
	if !f.has(gpc, a.ID, consent.MarketingEmail) {
		t.Fatal("GPC is about analytics (selling/sharing and tracking), not the e-mail the customer asked for")
	}
	if _, _, err := f.svc.Choose(gpc, consent.Choice{AccountID: a.ID, Purpose: consent.Analytics, Choice: consent.Given,
		Channel: consent.ChannelPortal}); !errors.Is(err, consent.ErrGPC) {
		t.Fatalf("consent to analytics under GPC: %v", err)
	}
	added, err := f.svc.HonourGPC(gpc, a.ID, "203.0.113.9", "Brave")
	if err != nil || !added {
		t.Fatalf("HonourGPC: %v, %v", added, err)
	}
	if added, _ := f.svc.HonourGPC(gpc, a.ID, "203.0.113.9", "Brave"); added {
		t.Fatal("the signal was recorded twice")
	}
	if f.has(f.ctx, a.ID, consent.Analytics) {
		t.Fatal("the objection did not withdraw the consent for later requests")
	}
	hist, _ := f.svc.History(f.ctx, a.ID)
	if hist[0].Channel != consent.ChannelGPC || hist[0].Choice != consent.Withdrawn || hist[0].Purpose != consent.Analytics {
		t.Fatalf("latest record %+v", hist[0])
	}
}

func TestSignupChoicesWaitForTheVerifiedAttempt(t *testing.T) {
	f := newFixture(t)
	register := func(c consent.Signup) string {
		t.Helper()
		if err := f.svc.Check(f.ctx, &c); err != nil {
			t.Fatal(err)
		}
		secret, err := f.Svc.Register(f.ctx, identity.Registration{Email: "cam@example.com", Password: identitytest.Password,
			Locale: "en", IP: "198.51.100.7", Then: f.svc.Pend(c)})
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	mine := register(consent.Signup{Given: []string{consent.AssistRecording}, IP: "198.51.100.7", UserAgent: "Firefox"})
	code := f.Last("cam@example.com").Code(t)
	// Someone else registers the same address, ticking everything.
	register(consent.Signup{Given: []string{consent.MarketingEmail, consent.Analytics, consent.AssistRecording}})
	if n := f.count(`SELECT COUNT(*) FROM consent_records`); n != 0 {
		t.Fatalf("%d records before verification", n)
	}
	a, err := f.Svc.VerifyEmail(f.ctx, "cam@example.com", code, identity.RegistrantProof{Registration: mine})
	if err != nil {
		t.Fatal(err)
	}
	hist, _ := f.svc.History(f.ctx, a.ID)
	got := map[string]string{}
	for _, r := range hist {
		got[r.Purpose] = r.Choice
	}
	if len(hist) != 2 || got[consent.PrivacyPolicy] != consent.Acknowledged || got[consent.AssistRecording] != consent.Given {
		t.Fatalf("ledger after sign-up: %v", got)
	}
	if f.has(f.ctx, a.ID, consent.MarketingEmail) || f.has(f.ctx, a.ID, consent.Analytics) {
		t.Fatal("the other attempt's choices spoke for the account")
	}
	if n := f.count(`SELECT COUNT(*) FROM consent_signups`); n != 0 {
		t.Fatalf("%d pending choices left", n)
	}
}

func TestSignupCheckRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	for name, c := range map[string]consent.Signup{
		"unknown purpose":   {Given: []string{"profiling"}},
		"policy ticked":     {Given: []string{consent.PrivacyPolicy}},
		"twice":             {Given: []string{consent.Analytics, consent.Analytics}},
		"unknown version":   {Versions: map[string]int{"profiling": 1}},
		"stale version":     {Versions: map[string]int{consent.Analytics: 9}},
		"analytics and GPC": {Given: []string{consent.Analytics}, GPC: true},
		"channel":           {Channel: "gpc"},
	} {
		if err := f.svc.Check(f.ctx, &c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSignupUnderGPCRecordsTheObjection(t *testing.T) {
	f := newFixture(t)
	c := consent.Signup{GPC: true}
	if err := f.svc.Check(f.ctx, &c); err != nil {
		t.Fatal(err)
	}
	secret, err := f.Svc.Register(f.ctx, identity.Registration{Email: "dan@example.com", Password: identitytest.Password, Locale: "en",
		Then: f.svc.Pend(c)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.Svc.VerifyEmail(f.ctx, "dan@example.com", f.Last("dan@example.com").Code(t), identity.RegistrantProof{Registration: secret})
	if err != nil {
		t.Fatal(err)
	}
	hist, _ := f.svc.History(f.ctx, a.ID)
	if len(hist) != 2 || hist[0].Channel != consent.ChannelGPC || hist[0].Choice != consent.Withdrawn {
		t.Fatalf("history %+v", hist)
	}
}
