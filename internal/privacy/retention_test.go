package privacy_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/support"
)

const day = 24 * time.Hour

func registry(t *testing.T) *privacy.Registry {
	t.Helper()
	reg, err := privacy.NewRegistry(db.PersonalData(), keyring.PersonalData(), audit.PersonalData(), backup.PersonalData(),
		notify.PersonalData(), identity.PersonalData(), mfa.PersonalData(), access.PersonalData(), kb.PersonalData(),
		support.PersonalData(), assist.PersonalData(), privacy.PersonalData())
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// retentionService is a privacy service on the fixture's database with a
// retention configuration of its own (another node when node differs).
func (f *fixture) retentionService(node string, c privacy.RetentionConfig) *privacy.Service {
	c.Node = node
	svc := privacy.New(privacy.Options{DB: f.D, Keys: f.Keys, Audit: f.Log, Registry: registry(f.T), Accounts: f.Svc,
		DataDir: f.dataDir, BaseURL: "https://bank.example", Retention: c})
	f.T.Cleanup(svc.Wait)
	return svc
}

func (f *fixture) count(query string, args ...any) int {
	f.T.Helper()
	var n int
	if err := f.D.Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), query, args...).Scan(&n)
	}); err != nil {
		f.T.Fatal(err)
	}
	return n
}

func (f *fixture) signIn(email string) {
	f.T.Helper()
	if _, err := f.SignIn(email, identitytest.Password, "198.51.100.7"); err != nil {
		f.T.Fatalf("sign in %s: %v", email, err)
	}
}

// resolvedConversation starts a conversation for the account and resolves it.
func (f *fixture) resolvedConversation(accountID, body string) string {
	f.T.Helper()
	ctx := context.Background()
	c, err := f.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: accountID}, Channel: support.ChannelChat,
		Subject: "Help", Body: body})
	if err != nil {
		f.T.Fatal(err)
	}
	if _, err := f.desk.Update(ctx, c.ID, support.Change{Status: support.StatusResolved}); err != nil {
		f.T.Fatal(err)
	}
	return c.ID
}

func (f *fixture) byEmail(email string) (*identity.Account, error) {
	var a *identity.Account
	err := f.D.Read(context.Background(), func(tx *db.Tx) (err error) {
		a, err = f.Svc.FindByEmail(context.Background(), tx, email)
		return err
	})
	if err == nil && a == nil {
		err = identity.ErrNotFound
	}
	return a, err
}

func verifyAudit(t *testing.T, f *fixture) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), f.D, f.Signer, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("audit verify: %+v, %v", rep, err)
	}
}

func byClass(run *privacy.RetentionRun) map[string]privacy.ClassReport {
	out := map[string]privacy.ClassReport{}
	for _, c := range run.Classes {
		out[c.Class] = c
	}
	return out
}

// TestRetentionPurgesWhatExpired: each policy purges exactly what is older
// than its period, nothing younger and nothing a legal hold keeps; the dry
// run says beforehand exactly what the purge then does; the audit chain
// verifies afterwards. // GDPR 5(1)(e)
func TestRetentionPurgesWhatExpired(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	held := f.Register("held.customer@example.com")
	plain := f.Register("plain.customer@example.com")
	f.signIn("held.customer@example.com")
	f.signIn("plain.customer@example.com")
	oldConv := f.resolvedConversation(plain.ID, "an old question about my card")
	openConv, err := f.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: plain.ID}, Channel: support.ChannelChat,
		Subject: "Still open", Body: "an old question still open"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Svc.Register(ctx, identity.Registration{Email: "never.verified@example.com", Password: identitytest.Password,
		IP: "198.51.100.7"}); err != nil {
		t.Fatal(err)
	}
	f.Svc.WaitMail()
	if err := f.D.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO kb_misses (query, locale, count, last_at) VALUES ('old question', 'en', 3, ?)`, tx.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}

	f.Clock.Add(400 * day)
	f.signIn("plain.customer@example.com")
	youngConv := f.resolvedConversation(plain.ID, "a recent question")
	if _, err := f.Svc.Register(ctx, identity.Registration{Email: "recent.registrant@example.com", Password: identitytest.Password,
		IP: "198.51.100.7"}); err != nil {
		t.Fatal(err)
	}
	f.Svc.WaitMail()
	if err := f.D.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO kb_misses (query, locale, count, last_at) VALUES ('new question', 'en', 1, ?)`, tx.Now()); err != nil {
			return err
		}
		// The held customer's sign-in history is under a legal hold.
		_, err := tx.Exec(ctx, `INSERT INTO privacy_holds (id, account_id, tables, reason, until_at, created_by, created_at)
			VALUES ('h1', ?, 'login_events, accounts', 'fraud investigation', ?, 'test', ?)`, held.ID, tx.Now().Add(365*day), tx.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}

	svc := f.retentionService("node-a", privacy.RetentionConfig{Days: map[string]int{"sign_in_history": 365,
		"closed_conversations": 365, "kb_misses": 365}, Batch: 2})
	oldEvents := func(id string) int {
		return f.count(`SELECT COUNT(*) FROM login_events WHERE account_id = ? AND at < ?`, id, f.D.Now().Add(-365*day))
	}
	if oldEvents(plain.ID) == 0 || oldEvents(held.ID) == 0 {
		t.Fatal("the fixture has no old sign-in events")
	}
	youngPlain := f.count(`SELECT COUNT(*) FROM login_events WHERE account_id = ? AND at >= ?`, plain.ID, f.D.Now().Add(-365*day))
	msgsOld := f.count(`SELECT COUNT(*) FROM conversation_messages WHERE conversation_id = ?`, oldConv)
	eventsBefore := f.count(`SELECT COUNT(*) FROM login_events`)

	dry, err := svc.RunRetention(ctx, true, "test")
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM login_events`); n != eventsBefore {
		t.Fatalf("the dry run changed the sign-in history: %d rows, was %d", n, eventsBefore)
	}
	d := byClass(dry)
	if got := d["sign_in_history"]; got.Items != oldEvents(plain.ID) || got.Held != oldEvents(held.ID) || got.Oldest == nil {
		t.Errorf("dry run, sign-in history: %+v; want %d items, %d held", got, oldEvents(plain.ID), oldEvents(held.ID))
	}
	if got := d["closed_conversations"]; got.Items != 1 || got.Rows["conversation_messages"] != msgsOld {
		t.Errorf("dry run, closed conversations: %+v; want 1 conversation with %d messages", got, msgsOld)
	}
	if got := d["unverified_registrations"]; got.Items != 1 {
		t.Errorf("dry run, unverified registrations: %+v; want 1", got)
	}
	if got := d["kb_misses"]; got.Items != 1 {
		t.Errorf("dry run, unanswered searches: %+v; want 1", got)
	}
	if _, on := d["inactive_accounts"]; on {
		t.Error("the inactive-accounts policy ran although it is off by default")
	}

	run, err := svc.RunRetention(ctx, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	r := byClass(run)
	for class, want := range d {
		got := r[class]
		same := got.Items == want.Items && got.Held == want.Held && equalTime(got.Oldest, want.Oldest) && equalTime(got.Newest, want.Newest)
		if class != "unverified_registrations" { // erasure counts its rows as it goes
			same = same && equalRows(got.Rows, want.Rows)
		}
		if !same {
			t.Errorf("%s: the purge did %+v, the dry run said %+v", class, got, want)
		}
	}
	if n := oldEvents(plain.ID); n != 0 {
		t.Errorf("%d expired sign-in events are left", n)
	}
	if n := oldEvents(held.ID); n == 0 {
		t.Error("the held customer's sign-in history was purged")
	}
	if n := f.count(`SELECT COUNT(*) FROM login_events WHERE account_id = ? AND at >= ?`, plain.ID, f.D.Now().Add(-365*day)); n != youngPlain {
		t.Errorf("recent sign-in events: %d, want %d", n, youngPlain)
	}
	if f.count(`SELECT COUNT(*) FROM conversations WHERE id = ?`, oldConv) != 0 ||
		f.count(`SELECT COUNT(*) FROM conversation_messages WHERE conversation_id = ?`, oldConv) != 0 {
		t.Error("the expired conversation or its messages are left")
	}
	if f.count(`SELECT COUNT(*) FROM conversations WHERE id IN (?, ?)`, youngConv, openConv.ID) != 2 {
		t.Error("a recent or open conversation was purged")
	}
	if _, err := f.byEmail("never.verified@example.com"); !errors.Is(err, identity.ErrNotFound) {
		t.Errorf("the registration never verified is still there: %v", err)
	}
	if _, err := f.byEmail("recent.registrant@example.com"); err != nil {
		t.Errorf("the recent registration is gone: %v", err)
	}
	if f.count(`SELECT COUNT(*) FROM kb_misses`) != 1 || f.count(`SELECT COUNT(*) FROM kb_misses WHERE query = 'new question'`) != 1 {
		t.Error("unanswered searches: want only the recent one left")
	}
	verifyAudit(t, f)
	if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.retention.run' AND target = ?`, "retention_run:"+run.ID); n != 1 {
		t.Errorf("%d audit entries for the run, want 1", n)
	}

	again, err := svc.RunRetention(ctx, true, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again.Classes {
		if c.Items != 0 {
			t.Errorf("after the purge the dry run still finds %d items of %s", c.Items, c.Class)
		}
	}
	runs, err := svc.RetentionRuns(ctx, 10)
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs: %+v, %v", runs, err)
	}
	var found bool
	for _, x := range runs {
		if x.ID == run.ID {
			found = x.Status == "done" && x.FinishedAt != nil && byClass(&x)["sign_in_history"].Items == r["sign_in_history"].Items
		}
	}
	if !found {
		t.Errorf("the run is not listed as done with its report: %+v", runs)
	}
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func equalRows(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestRetentionRunsOnOneNode: while one node purges, another cannot start
// a purge on the same database; it can once the first is done.
func TestRetentionRunsOnOneNode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, e := range []string{"one@example.com", "two@example.com"} {
		f.Register(e)
		f.signIn(e)
	}
	f.Clock.Add(400 * day)
	cfg := privacy.RetentionConfig{Days: map[string]int{"sign_in_history": 365}, Batch: 1}
	b := f.retentionService("node-b", cfg)
	var once sync.Once
	var second error
	var secondRun *privacy.RetentionRun
	cfg.OnBatch = func(string, int) {
		once.Do(func() { secondRun, second = b.RunRetention(ctx, false, "test") })
	}
	a := f.retentionService("node-a", cfg)
	run, err := a.RunRetention(ctx, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(second, privacy.ErrRetentionRunning) || secondRun != nil {
		t.Fatalf("a second purge during the first: %+v, %v; want ErrRetentionRunning", secondRun, second)
	}
	if got := byClass(run)["sign_in_history"].Items; got < 2 {
		t.Errorf("the first purge removed %d sign-in events, want every expired one", got)
	}
	if _, err := b.RunRetention(ctx, false, "test"); err != nil {
		t.Errorf("the other node cannot purge after the first finished: %v", err)
	}
	// Two started at once: both finish, one after the other or one refused.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []*privacy.Service{f.retentionService("node-c", privacy.RetentionConfig{Days: cfg.Days}),
		f.retentionService("node-d", privacy.RetentionConfig{Days: cfg.Days})} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.RunRetention(ctx, false, "test")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, privacy.ErrRetentionRunning) {
			t.Errorf("concurrent purge: %v", err)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM privacy_retention_runs WHERE status = 'running'`); n != 0 {
		t.Errorf("%d runs are still marked running", n)
	}
	verifyAudit(t, f)
}

// TestInactiveAccountsWarnedThenClosed: with the inactive-accounts policy
// turned on, a customer away for the period less the warning gets the
// warning e-mail; one who signs in then keeps the account, one who does
// not is closed through the ordinary closure (its e-mail and cool-off) and
// erased when the cool-off ends. // GDPR 5(1)(e)
func TestInactiveAccountsWarnedThenClosed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	away := f.Register("away.customer@example.com")
	back := f.Register("back.customer@example.com")
	held := f.Register("held.away@example.com")
	active := f.Register("active.customer@example.com")
	for _, e := range []string{"away.customer@example.com", "back.customer@example.com", "held.away@example.com"} {
		f.signIn(e)
	}
	if err := f.D.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO privacy_holds (id, account_id, tables, reason, until_at, created_by, created_at)
			VALUES ('h2', ?, 'conversations', 'dispute', ?, 'test', ?)`, held.ID, tx.Now().Add(3*365*day), tx.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	svc := f.retentionService("node-a", privacy.RetentionConfig{Days: map[string]int{"inactive_accounts": 365}, InactiveWarnDays: 30})

	f.Clock.Add(334 * day) // not yet due a warning
	f.signIn("active.customer@example.com")
	if run, err := svc.RunRetention(ctx, false, "test"); err != nil || byClass(run)["inactive_accounts"].Warned != 0 {
		t.Fatalf("warned a day early: %+v, %v", run, err)
	}
	f.Clock.Add(2 * day)
	dry, err := svc.RunRetention(ctx, true, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := byClass(dry)["inactive_accounts"]; got.Warned != 2 || got.Items != 0 || got.Held != 1 {
		t.Fatalf("dry run: %+v; want 2 to warn, none to close, 1 held", got)
	}
	run, err := svc.RunRetention(ctx, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := byClass(run)["inactive_accounts"]; got.Warned != 2 {
		t.Fatalf("purge: %+v; want 2 warned", got)
	}
	f.Svc.WaitMail()
	for _, e := range []string{"away.customer@example.com", "back.customer@example.com"} {
		if m := f.Last(e); !strings.Contains(m.Subject, "closed unless you sign in") || !strings.Contains(m.Text, "https://bank.example/signin") {
			t.Errorf("%s got %q, want the inactivity warning", e, m.Subject)
		}
	}
	for _, e := range []string{"held.away@example.com", "active.customer@example.com"} {
		if m := f.Last(e); strings.Contains(m.Subject, "sign in") {
			t.Errorf("%s was warned: %q", e, m.Subject)
		}
	}
	// A second run the same day warns nobody twice.
	if run, err := svc.RunRetention(ctx, false, "test"); err != nil || byClass(run)["inactive_accounts"].Warned != 0 {
		t.Fatalf("second run: %+v, %v", run, err)
	}

	f.Clock.Add(10 * day)
	f.signIn("back.customer@example.com")
	f.Clock.Add(21 * day)
	run, err = svc.RunRetention(ctx, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := byClass(run)["inactive_accounts"]; got.Items != 1 || got.Warned != 0 {
		t.Fatalf("closing run: %+v; want 1 closed", got)
	}
	f.Svc.WaitMail()
	if m := f.Last("away.customer@example.com"); !strings.Contains(m.Subject, "will be closed") || strings.Contains(m.Subject, "unless") {
		t.Errorf("the away customer got %q, want the closure e-mail", m.Subject)
	}
	if c, err := f.svc.ClosureOf(ctx, away.ID); err != nil || c == nil {
		t.Fatalf("the away customer's account is not closing: %v", err)
	}
	for _, a := range []*identity.Account{back, held, active} {
		if c, _ := f.svc.ClosureOf(ctx, a.ID); c != nil {
			t.Errorf("account %s is closing", a.Email)
		}
	}
	f.Clock.Add(15 * day)
	if n, err := f.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep after the cool-off: %d, %v", n, err)
	}
	if _, err := f.Svc.AccountByID(ctx, away.ID); err == nil {
		t.Error("the inactive account was not erased after the cool-off")
	}
	if _, err := f.Svc.AccountByID(ctx, back.ID); err != nil {
		t.Errorf("the customer who came back lost the account: %v", err)
	}
	verifyAudit(t, f)
}

// TestRetentionBadConfiguration: an unknown class, a negative period or a
// warning after the closure is refused with a clear error.
func TestRetentionBadConfiguration(t *testing.T) {
	reg := registry(t)
	for _, c := range []struct {
		cfg  privacy.RetentionConfig
		want string
	}{
		{privacy.RetentionConfig{Days: map[string]int{"chats": 30}}, `"chats" is not a retention class`},
		{privacy.RetentionConfig{Days: map[string]int{"sign_in_history": -1}}, "not from 0"},
		{privacy.RetentionConfig{Days: map[string]int{"inactive_accounts": 20}, InactiveWarnDays: 30}, "must come before"},
	} {
		err := privacy.CheckRetention(reg, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
	if err := privacy.CheckRetention(reg, privacy.RetentionConfig{Days: map[string]int{"recordings": 90, "inactive_accounts": 0}}); err != nil {
		t.Errorf("a good configuration: %v", err)
	}
}

// TestAuditPersonalRetention: the personal details of audit entries older
// than the audit_personal period are dropped, except a held customer's;
// the entries stay, the chain still verifies (it holds a digest of the
// sealed details), the viewer says the details expired, and nothing else
// about an audit entry can be changed or deleted. // GDPR 5(1)(e) // ASVS 16.4.2
func TestAuditPersonalRetention(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	held := f.Register("held.customer@example.com")
	plain := f.Register("plain.customer@example.com")
	if err := f.D.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO privacy_holds (id, account_id, tables, reason, until_at, created_by, created_at)
			VALUES ('h1', ?, 'audit_log', 'court order', ?, 'test', ?)`, held.ID, tx.Now().Add(10*365*day), tx.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	personal := func(id string) int {
		return f.count(`SELECT COUNT(*) FROM audit_log WHERE subject = ? AND personal IS NOT NULL`, "account:"+id)
	}
	digests := func(id string) int {
		return f.count(`SELECT COUNT(*) FROM audit_log WHERE subject = ? AND personal_digest IS NOT NULL`, "account:"+id)
	}
	if personal(plain.ID) == 0 || personal(held.ID) == 0 || digests(plain.ID) != personal(plain.ID) {
		t.Fatalf("the fixture's audit entries: %d with details, %d with digests", personal(plain.ID), digests(plain.ID))
	}
	oldPlain, oldHeld := personal(plain.ID), personal(held.ID)
	entries := f.count(`SELECT COUNT(*) FROM audit_log`)

	f.Clock.Add((audit.PersonalRetentionDays + 1) * day)
	f.Register("recent.customer@example.com")
	recent := f.count(`SELECT COUNT(*) FROM audit_log WHERE personal IS NOT NULL AND at > ?`, f.D.Now().Add(-day))
	if recent == 0 {
		t.Fatal("no recent entry with personal details")
	}
	svc := f.retentionService("node-a", privacy.RetentionConfig{Batch: 3})

	dry, err := svc.RunRetention(ctx, true, "test")
	if err != nil {
		t.Fatal(err)
	}
	d := byClass(dry)["audit_personal"]
	if d.Held != oldHeld || d.Items < oldPlain || d.Days != audit.PersonalRetentionDays {
		t.Fatalf("dry run: %+v; want at least %d items and %d held", d, oldPlain, oldHeld)
	}
	if personal(plain.ID) != oldPlain {
		t.Fatal("the dry run dropped personal details")
	}
	run, err := svc.RunRetention(ctx, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := byClass(run)["audit_personal"]; got.Items != d.Items || got.Held != d.Held || got.Rows["audit_log"] != d.Items {
		t.Errorf("purge: %+v; the dry run said %+v", got, d)
	}
	if personal(plain.ID) != 0 || digests(plain.ID) != oldPlain {
		t.Errorf("after the purge: %d entries keep details, %d digests; want 0 and %d", personal(plain.ID), digests(plain.ID), oldPlain)
	}
	if personal(held.ID) != oldHeld {
		t.Errorf("the held customer's details: %d, want %d", personal(held.ID), oldHeld)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE personal IS NOT NULL AND at > ?`, f.D.Now().Add(-day)); n != recent {
		t.Errorf("recent details: %d, want %d", n, recent)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_log`); n <= entries {
		t.Errorf("audit entries: %d, were %d: none may go", n, entries)
	}
	verifyAudit(t, f)
	recs, err := audit.Query(ctx, f.D, f.Keys, audit.Filter{Subject: "account:" + plain.ID, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	expired := 0
	for _, r := range recs {
		if r.PersonalState == audit.PersonalExpired {
			expired++
		}
	}
	if expired != oldPlain {
		t.Errorf("the viewer shows %d entries with expired details, want %d", expired, oldPlain)
	}

	// Still append-only for everything else.
	for _, stmt := range []string{
		`UPDATE audit_log SET action = 'x' WHERE subject = 'account:` + plain.ID + `'`,
		`UPDATE audit_log SET personal = NULL, target = 'elsewhere' WHERE subject = 'account:` + held.ID + `'`,
		`UPDATE audit_log SET personal_digest = NULL WHERE subject = 'account:` + plain.ID + `'`,
		`DELETE FROM audit_log WHERE subject = 'account:` + plain.ID + `'`,
	} {
		err := f.D.Write(ctx, func(tx *db.Tx) error { _, err := tx.Exec(ctx, stmt); return err })
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only refusal", stmt, err)
		}
	}
	verifyAudit(t, f)
}
