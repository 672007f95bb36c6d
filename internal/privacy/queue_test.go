package privacy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/privacy"
)

// queueFixture is the privacy service with mail through the real mailer
// (to the outbox), the staff directory of access, and a notice rate of 2
// a minute.
type queueFixture struct {
	*fixture
	q   *privacy.Service
	dpo string
}

func newQueueFixture(t *testing.T) *queueFixture {
	f := newFixture(t)
	acc := access.New(f.D, f.Log)
	q := privacy.New(privacy.Options{DB: f.D, Keys: f.Keys, Audit: f.Log, Registry: f.reg, Accounts: f.Svc,
		DataDir: f.dataDir, BaseURL: "https://bank.example", Mail: f.Mail, Staff: acc, NoticeRate: 2})
	t.Cleanup(q.Wait)
	a, err := f.Svc.CreateStaff(context.Background(), "dpo@acme.example", identitytest.Password, func(tx *db.Tx, id string) error {
		return acc.Grant(context.Background(), tx, id, access.RolePrivacyOfficer, "cli")
	})
	if err != nil {
		t.Fatal(err)
	}
	return &queueFixture{fixture: f, q: q, dpo: a.ID}
}

// customer registers a verified customer with a language.
func (f *fixture) customer(email, locale string) *identity.Account {
	f.T.Helper()
	ctx := context.Background()
	secret, err := f.Svc.Register(ctx, identity.Registration{Email: email, Password: identitytest.Password, Name: "Customer " + locale,
		Locale: locale, IP: "198.51.100.9"})
	if err != nil {
		f.T.Fatal(err)
	}
	a, err := f.Svc.VerifyEmail(ctx, email, f.Last(email).Code(f.T), identity.RegistrantProof{Registration: secret})
	if err != nil {
		f.T.Fatal(err)
	}
	f.Svc.WaitMail()
	return a
}

func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("%s: %v, want a clear invalid-input error", what, err)
	}
}

// mailsTo counts the e-mails to addr whose subject contains part.
func (f *fixture) mailsTo(addr, part string) int {
	n := 0
	for _, m := range f.Mails(addr) {
		if strings.Contains(m.Subject, part) {
			n++
		}
	}
	return n
}

// The requests queue on the database's clock: GDPR and CCPA deadlines,
// one extension with a reason told to the customer in their language,
// reminders to the privacy staff a week and two days before and when
// overdue (each once), the identity check before an answer, the answer
// mailed in the customer's language; bad input changes nothing.
func TestRequestsQueueDeadlinesAndReminders(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	lan := f.customer("lan@example.com", "vi")
	start := f.Clock.Now().UTC()

	for what, in := range map[string]privacy.NewRequest{
		"unknown kind":      {Email: lan.Email, Kind: "everything", Channel: privacy.ChannelEmail},
		"unknown channel":   {Email: lan.Email, Kind: privacy.KindAccess, Channel: "fax"},
		"unknown regime":    {Email: lan.Email, Kind: privacy.KindAccess, Channel: privacy.ChannelEmail, Regime: "lgpd"},
		"unknown check":     {Email: lan.Email, Kind: privacy.KindAccess, Channel: privacy.ChannelEmail, IdentityCheck: "vibes"},
		"not an address":    {Email: "lan at example", Kind: privacy.KindAccess, Channel: privacy.ChannelEmail},
		"nobody's address":  {Email: "nobody@example.com", Kind: privacy.KindAccess, Channel: privacy.ChannelEmail},
		"staff's address":   {Email: "dpo@acme.example", Kind: privacy.KindAccess, Channel: privacy.ChannelEmail},
		"no customer":       {Kind: privacy.KindAccess, Channel: privacy.ChannelEmail},
		"received later":    {Email: lan.Email, Kind: privacy.KindAccess, Channel: privacy.ChannelEmail, ReceivedAt: start.Add(time.Hour)},
		"details too long":  {Email: lan.Email, Kind: privacy.KindAccess, Channel: privacy.ChannelEmail, Details: strings.Repeat("x", 4001)},
		"received too long": {Email: lan.Email, Kind: privacy.KindAccess, Channel: privacy.ChannelEmail, ReceivedAt: start.AddDate(-2, 0, 0)},
	} {
		_, err := f.q.CreateRequest(ctx, in)
		wantInvalid(t, what, err)
	}
	if n := f.count("SELECT COUNT(*) FROM privacy_requests"); n != 0 {
		t.Fatalf("refused requests stored %d rows", n)
	}

	received := start.Add(-24 * time.Hour)
	gdpr, err := f.q.CreateRequest(ctx, privacy.NewRequest{Email: "LAN@example.com", Kind: privacy.KindAccess, Channel: privacy.ChannelEmail,
		Details: "Please send me everything you hold about me.", ReceivedAt: received, By: f.dpo})
	if err != nil {
		t.Fatal(err)
	}
	if want := received.AddDate(0, 1, 0); !gdpr.DueAt.Equal(want) || gdpr.Regime != privacy.RegimeGDPR {
		t.Errorf("GDPR deadline %v (%s), want one month from receipt %v", gdpr.DueAt, gdpr.Regime, want)
	}
	ccpa, err := f.q.CreateRequest(ctx, privacy.NewRequest{AccountID: lan.ID, Kind: privacy.KindObjection, Channel: privacy.ChannelEmail,
		Regime: privacy.RegimeCCPA, By: f.dpo})
	if err != nil {
		t.Fatal(err)
	}
	if want := start.AddDate(0, 0, 45); !ccpa.DueAt.Equal(want) {
		t.Errorf("CCPA deadline %v, want 45 days %v", ccpa.DueAt, want)
	}
	got, err := f.q.GetRequest(ctx, gdpr.ID)
	if err != nil || got.Details != "Please send me everything you hold about me." {
		t.Fatalf("request read back: %+v %v", got, err)
	}

	// No reminder yet; a week before the deadline, one to the DPO.
	if n, _ := f.q.Remind(ctx); n != 0 {
		t.Errorf("%d reminders a month before the deadline", n)
	}
	f.Clock.Set(gdpr.DueAt.Add(-7*24*time.Hour + time.Minute))
	if n, err := f.q.Remind(ctx); n != 1 || err != nil {
		t.Fatalf("a week before: %d reminders, %v", n, err)
	}
	if n, _ := f.q.Remind(ctx); n != 0 {
		t.Errorf("the same stage reminded twice: %d", n)
	}
	if n := f.mailsTo("dpo@acme.example", "Privacy deadline"); n != 1 {
		t.Errorf("the DPO got %d reminders, want 1", n)
	}

	// Extension: a reason is required, once, and the customer is told in Vietnamese.
	wantInvalid(t, "extension without a reason", f.q.Extend(ctx, gdpr.ID, "  "))
	if err := f.q.Extend(ctx, gdpr.ID, "Many systems hold your data; we need time to collect it."); err != nil {
		t.Fatal(err)
	}
	got, _ = f.q.GetRequest(ctx, gdpr.ID)
	if want := received.AddDate(0, 3, 0); !got.DueAt.Equal(want) || got.ExtendedAt == nil {
		t.Errorf("extended deadline %v, want three months from receipt %v", got.DueAt, want)
	}
	if !strings.Contains(f.Last(lan.Email).Subject, "cần thêm thời gian") {
		t.Errorf("extension mail: %q, want Vietnamese", f.Last(lan.Email).Subject)
	}
	if err := f.q.Extend(ctx, gdpr.ID, "again"); !errors.Is(err, privacy.ErrExtended) {
		t.Errorf("second extension: %v", err)
	}

	// Overdue (past the extended deadline): one more reminder, marked late.
	f.Clock.Set(got.DueAt.Add(time.Hour))
	if n, _ := f.q.Remind(ctx); n != 2 { // both requests are overdue by now
		t.Errorf("overdue: %d reminders, want 2", n)
	}
	if err := f.q.Extend(ctx, ccpa.ID, "too late"); !errors.Is(err, privacy.ErrPastDue) {
		t.Errorf("extension past the deadline: %v", err)
	}

	// An answer needs the identity checked; then it is mailed in Vietnamese.
	if err := f.q.Answer(ctx, gdpr.ID, privacy.RequestFulfilled, "Here it is.", f.dpo); !errors.Is(err, privacy.ErrUnverified) {
		t.Errorf("answer before the identity check: %v", err)
	}
	wantInvalid(t, "unknown check", f.q.RecordIdentityCheck(ctx, gdpr.ID, "astrology", ""))
	wantInvalid(t, "unknown decision", f.q.Answer(ctx, gdpr.ID, "maybe", "x", f.dpo))
	wantInvalid(t, "empty answer", f.q.Answer(ctx, gdpr.ID, privacy.RequestFulfilled, " ", f.dpo))
	if err := f.q.RecordIdentityCheck(ctx, gdpr.ID, privacy.CheckDocument, "passport seen on a video call"); err != nil {
		t.Fatal(err)
	}
	if err := f.q.Answer(ctx, gdpr.ID, privacy.RequestFulfilled, "Your data will reach you in a separate e-mail.", f.dpo); err != nil {
		t.Fatal(err)
	}
	got, _ = f.q.GetRequest(ctx, gdpr.ID)
	if got.Status != privacy.RequestFulfilled || got.ExportID == "" || got.Answer != "Your data will reach you in a separate e-mail." {
		t.Errorf("answered request: %+v", got)
	}
	f.q.Wait()
	answered := 0
	for _, m := range f.Mails(lan.Email) {
		if m.Subject == "Yêu cầu về quyền riêng tư của bạn" && strings.Contains(m.Text, "separate e-mail") {
			answered++
		}
	}
	if answered != 1 {
		t.Errorf("%d answer mails in Vietnamese, want 1", answered)
	}
	if err := f.q.Answer(ctx, gdpr.ID, privacy.RequestRefused, "no", f.dpo); !errors.Is(err, privacy.ErrRequestClosed) {
		t.Errorf("a second answer: %v", err)
	}
	f.q.Wait()
	if n, _ := f.q.Remind(ctx); n != 0 {
		t.Errorf("reminders after every stage was sent: %d", n)
	}
	// Every step is an audit entry of the request.
	for _, action := range []string{"privacy.request.create", "privacy.request.remind", "privacy.request.extend",
		"privacy.request.identity", "privacy.request.answer"} {
		if n := f.audited(action, "privacy_request:"+gdpr.ID); n == 0 {
			t.Errorf("no audit entry %s", action)
		}
	}
}

// audited counts the audit entries with this action and target.
func (f *fixture) audited(action, target string) int {
	var n int
	f.D.Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ? AND target = ?`, action, target).Scan(&n)
	})
	return n
}

// The customer's own export and closure on the privacy page join the
// queue (identity: signed in) and close themselves: fulfilled when the
// export is ready, withdrawn when the closure is cancelled. An erasure
// request with a legal hold erases the customer and keeps what the hold
// names.
func TestRequestsFromThePortalAndErasureWithHold(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	a := f.customer("an@example.com", "en")
	if _, err := f.q.RequestExport(ctx, a.ID, "customer"); err != nil {
		t.Fatal(err)
	}
	f.q.Wait()
	if _, err := f.q.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Close(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	list, err := f.q.Requests(ctx, privacy.RequestFilter{AccountID: a.ID})
	if err != nil || len(list) != 2 {
		t.Fatalf("portal requests: %+v %v", list, err)
	}
	for _, r := range list {
		if r.Channel != privacy.ChannelPortal || r.IdentityCheck != privacy.CheckSignedIn {
			t.Errorf("portal request %+v", r)
		}
		switch r.Kind {
		case privacy.KindExport:
			if r.Status != privacy.RequestFulfilled {
				t.Errorf("the export is ready but its request is %s", r.Status)
			}
		case privacy.KindErasure:
			if r.Status != privacy.RequestOpen {
				t.Errorf("closing account's request is %s", r.Status)
			}
		}
	}
	if err := f.q.CancelClosure(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	list, _ = f.q.Requests(ctx, privacy.RequestFilter{AccountID: a.ID, Status: privacy.RequestWithdrawn})
	if len(list) != 1 || list[0].Kind != privacy.KindErasure {
		t.Errorf("cancelled closure: %+v", list)
	}

	// Erasure by request, with a hold on the sign-in history.
	r, err := f.q.CreateRequest(ctx, privacy.NewRequest{AccountID: a.ID, Kind: privacy.KindErasure, Channel: privacy.ChannelEmail,
		IdentityCheck: privacy.CheckAccountEmail, By: f.dpo})
	if err != nil {
		t.Fatal(err)
	}
	until := f.Clock.Now().AddDate(5, 0, 0)
	for what, tables := range map[string][]string{"no table": nil, "unknown table": {"nonsense"}, "table without subject": {"privacy_leases"}} {
		_, err := f.q.PlaceHold(ctx, r.ID, tables, "Banking law: 5 years", until, f.dpo)
		wantInvalid(t, what, err)
	}
	_, err = f.q.PlaceHold(ctx, r.ID, []string{"accounts"}, "Banking law: 5 years", f.Clock.Now().Add(-time.Hour), f.dpo)
	wantInvalid(t, "hold ending in the past", err)
	_, err = f.q.PlaceHold(ctx, r.ID, []string{"accounts"}, "", until, f.dpo)
	wantInvalid(t, "hold without a reason", err)
	if n := f.count("SELECT COUNT(*) FROM privacy_holds"); n != 0 {
		t.Fatalf("refused holds stored %d rows", n)
	}
	holdID, err := f.q.PlaceHold(ctx, r.ID, []string{"accounts"}, "Banking law: 5 years", until, f.dpo)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.q.Answer(ctx, r.ID, privacy.RequestFulfilled, "Your data was erased.", f.dpo); err != nil {
		t.Fatal(err)
	}
	got, err := f.q.GetRequest(ctx, r.ID)
	if err != nil || got.Status != privacy.RequestFulfilled || !strings.HasPrefix(got.Outcome, "erased:") {
		t.Fatalf("erasure request after erasure: %+v %v", got, err)
	}
	var held int
	f.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM privacy_held_rows WHERE hold_id = ? AND table_name = 'accounts'`, holdID).Scan(&held)
	})
	if held != 1 {
		t.Errorf("the hold kept %d account rows, want 1", held)
	}
	if _, err := f.Svc.AccountByID(ctx, a.ID); err == nil {
		t.Error("the account survived its erasure request")
	}
	// What the customer wrote in earlier requests is shredded with the key.
	list, _ = f.q.Requests(ctx, privacy.RequestFilter{AccountID: a.ID})
	if len(list) != 3 {
		t.Errorf("the requests' records must stay as evidence: %d", len(list))
	}
	if err := f.q.ReleaseHold(ctx, r.ID, "Retention period reviewed"); err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, "second release", f.q.ReleaseHold(ctx, r.ID, "again"))
}

// The incident register: the 72-hour clock reminds the privacy staff with
// 24 and 6 hours left and when overdue, stops once the authority's notice
// is recorded; the authority notice is drafted from the register; notices
// to customers go out at the configured rate a minute, each in the
// customer's language, each delivery recorded; bad input changes nothing.
func TestIncidentCountdownAndNotices(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	now := f.Clock.Now().UTC()
	good := privacy.IncidentInput{Title: "Support mailbox read by an outsider", Description: "A support agent's mailbox password was phished.",
		AwareAt: now.Add(-time.Hour), Categories: []string{"contact", "content"}, People: 5, Records: 40,
		Consequences: "Phishing aimed at the customers concerned.", Measures: "Password reset, second factor enforced.", Risk: privacy.RiskHigh}
	bad := map[string]func(in *privacy.IncidentInput){
		"no title":            func(in *privacy.IncidentInput) { in.Title = " " },
		"no awareness":        func(in *privacy.IncidentInput) { in.AwareAt = time.Time{} },
		"aware in the future": func(in *privacy.IncidentInput) { in.AwareAt = now.Add(time.Hour) },
		"occurred after":      func(in *privacy.IncidentInput) { in.OccurredAt = now },
		"no category":         func(in *privacy.IncidentInput) { in.Categories = nil },
		"unknown category":    func(in *privacy.IncidentInput) { in.Categories = []string{"horoscope"} },
		"negative people":     func(in *privacy.IncidentInput) { in.People = -1 },
		"unknown risk":        func(in *privacy.IncidentInput) { in.Risk = "meh" },
		"no measures":         func(in *privacy.IncidentInput) { in.Measures = "" },
		"unknown language":    func(in *privacy.IncidentInput) { in.Notices = map[string]string{"fr": "Bonjour"} },
	}
	for what, change := range bad {
		in := good
		change(&in)
		_, err := f.q.CreateIncident(ctx, in, f.dpo)
		wantInvalid(t, what, err)
	}
	if n := f.count("SELECT COUNT(*) FROM privacy_incidents"); n != 0 {
		t.Fatalf("refused incidents stored %d rows", n)
	}
	inc, err := f.q.CreateIncident(ctx, good, f.dpo)
	if err != nil {
		t.Fatal(err)
	}
	if inc.HoursLeft() != 71 || !inc.Pending() || inc.Notices["vi"] == "" || inc.Notices["zh"] == "" {
		t.Errorf("new incident: %d hours left, pending %v, drafts %q", inc.HoursLeft(), inc.Pending(), inc.Notices)
	}
	other := good
	other.Title, other.Risk = "Lost laptop", privacy.RiskSome
	late, err := f.q.CreateIncident(ctx, other, f.dpo)
	if err != nil {
		t.Fatal(err)
	}
	// Edits keep validation and are audited.
	edit := good
	edit.Records = -3
	wantInvalid(t, "negative records", f.q.UpdateIncident(ctx, inc.ID, edit))
	edit.Records = 45
	if err := f.q.UpdateIncident(ctx, inc.ID, edit); err != nil {
		t.Fatal(err)
	}

	if n, _ := f.q.Remind(ctx); n != 0 {
		t.Errorf("%d reminders at 1 hour", n)
	}
	f.Clock.Set(inc.AwareAt.Add(48*time.Hour + time.Minute))
	if n, _ := f.q.Remind(ctx); n != 2 {
		t.Errorf("24 hours left: %d reminders, want one per incident", n)
	}
	f.Clock.Set(inc.AwareAt.Add(66*time.Hour + time.Minute))
	if n, _ := f.q.Remind(ctx); n != 2 {
		t.Errorf("6 hours left: %d reminders, want 2", n)
	}
	if err := f.q.RecordAuthorityNotice(ctx, inc.ID, "DPA-2026-0042"); err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, "second authority notice", f.q.RecordAuthorityNotice(ctx, inc.ID, "again"))
	f.Clock.Set(inc.AwareAt.Add(73 * time.Hour))
	if n, _ := f.q.Remind(ctx); n != 1 {
		t.Errorf("overdue: %d reminders, want 1 (the notified incident is done)", n)
	}
	if n := f.mailsTo("dpo@acme.example", "Lost laptop"); n != 3 {
		t.Errorf("the DPO got %d reminders of the late incident, want 3", n)
	}
	got, _ := f.q.GetIncident(ctx, late.ID)
	if !got.Overdue() {
		t.Error("the late incident is not overdue at 73 hours")
	}
	draft := privacy.AuthorityNotice(got, "Acme Bank", "dpo@acme.example")
	for _, want := range []string{"Lost laptop", "approximate number of data subjects concerned: 5", "contact, content", "Reasons for the delay",
		"Password reset"} {
		if !strings.Contains(strings.ToLower(draft), strings.ToLower(want)) {
			t.Errorf("authority notice lacks %q:\n%s", want, draft)
		}
	}

	// Notices to customers: refused for a list with a stranger, and when
	// the risk is not high; nothing queued.
	custs := []*identity.Account{f.customer("c1@example.com", "en"), f.customer("c2@example.com", "vi"),
		f.customer("c3@example.com", "zh"), f.customer("c4@example.com", "vi"), f.customer("c5@example.com", "en")}
	var emails []string
	for _, c := range custs {
		emails = append(emails, c.Email)
	}
	_, err = f.q.QueueNotices(ctx, inc.ID, append(emails, "stranger@example.com"))
	wantInvalid(t, "a stranger in the list", err)
	_, err = f.q.QueueNotices(ctx, late.ID, emails)
	wantInvalid(t, "risk not high", err)
	_, err = f.q.QueueNotices(ctx, inc.ID, nil)
	wantInvalid(t, "no recipients", err)
	if n := f.count("SELECT COUNT(*) FROM privacy_incident_notices"); n != 0 {
		t.Fatalf("refused lists queued %d notices", n)
	}
	n, err := f.q.QueueNotices(ctx, inc.ID, append(emails, "C1@example.com"))
	if err != nil || n != 5 {
		t.Fatalf("queued %d, %v", n, err)
	}
	// At most 2 a minute on the database's clock.
	sent := []int{}
	for range 4 {
		a, err := f.q.SendNotices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := f.q.SendNotices(ctx) // the same minute: nothing more
		sent = append(sent, a+b)
		f.Clock.Add(61 * time.Second)
	}
	if want := []int{2, 2, 1, 0}; !equalInts(sent, want) {
		t.Errorf("sent per minute %v, want %v", sent, want)
	}
	subjects := map[string]string{"en": "Important: a security incident", "vi": "Quan trọng: một sự cố bảo mật", "zh": "重要：一起可能影响您数据的安全事件"}
	for _, c := range custs {
		if got := f.mailsTo(c.Email, subjects[c.Locale]); got != 1 {
			t.Errorf("%s (%s) got %d notices in their language", c.Email, c.Locale, got)
		}
	}
	ds, err := f.q.Deliveries(ctx, inc.ID, 100)
	if err != nil || len(ds) != 5 {
		t.Fatalf("deliveries: %+v %v", ds, err)
	}
	for _, d := range ds {
		if d.Status != privacy.NoticeSent || d.SentAt == nil || d.Attempts != 1 {
			t.Errorf("delivery %+v", d)
		}
	}
	for _, action := range []string{"privacy.incident.create", "privacy.incident.update", "privacy.incident.remind",
		"privacy.incident.authority", "privacy.incident.notify", "privacy.incident.notice.sent"} {
		if f.audited(action, "privacy_incident:"+inc.ID) == 0 {
			t.Errorf("no audit entry %s", action)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The periodic job runs on one node: the lease holder, until it lapses.
func TestDeadlineJobLease(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	if ran, err := f.q.Tick(ctx, "node-a"); !ran || err != nil {
		t.Fatalf("node a: %v %v", ran, err)
	}
	if ran, _ := f.q.Tick(ctx, "node-b"); ran {
		t.Error("node b ran while node a holds the lease")
	}
	if ran, _ := f.q.Tick(ctx, "node-a"); !ran {
		t.Error("node a could not renew its lease")
	}
	f.Clock.Add(6 * time.Minute)
	if ran, _ := f.q.Tick(ctx, "node-b"); !ran {
		t.Error("node b did not take over a lapsed lease")
	}
}
