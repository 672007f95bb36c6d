package privacy_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/assist/assisttest"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/consent"
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

// The canary: unique strings that must be found in the export in full and
// nowhere after erasure.
const (
	canaryEmail = "quillon.zephyrine@canary.example"
	canaryName  = "Quillon Zephyrine"
	canaryPhone = "+84907771234"
	canaryChat  = "my canary passphrase is xylophone-aubergine-42"
	canaryFile  = "canary attachment: periwinkle-tessellation-77"
	canaryAudit = "canary audit note marmalade-obelisk"
	// canaryRec is on the page the canary shares in remote assistance,
	// recorded twice: one recording archived to a file, one still in the
	// database.
	canaryRec = "canary recording quintessence-marzipan-19"
)

type fixture struct {
	*identitytest.Kit
	dataDir  string
	desk     *support.Service
	svc      *privacy.Service
	reg      *privacy.Registry
	zip      *zip.Reader // the last export read
	assist   *assist.Service
	consents *consent.Service
	kb       *kb.Service
	access   *access.Service
}

func newFixture(t *testing.T) *fixture {
	k := identitytest.New(t, "default")
	reg, err := privacy.NewRegistry(db.PersonalData(), keyring.PersonalData(), audit.PersonalData(), backup.PersonalData(),
		notify.PersonalData(), identity.PersonalData(), mfa.PersonalData(), access.PersonalData(), kb.PersonalData(),
		support.PersonalData(), assist.PersonalData(), consent.PersonalData(), privacy.PersonalData())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{Kit: k, dataDir: filepath.Dir(k.Outbox), reg: reg}
	f.desk = support.New(support.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, BaseURL: "https://bank.example"})
	f.access = access.New(k.D, k.Log)
	f.consents = consent.New(consent.Options{DB: k.D, Keys: k.Keys, Audit: k.Log})
	if err := f.consents.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := bus.NewLocal()
	t.Cleanup(func() { b.Close() })
	// Recordings move to archive files an hour after their session ends,
	// under the data directory, where the scanners look.
	f.assist = assist.New(assist.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Bus: b, Desk: f.desk, Permissions: f.access,
		Accounts: k.Svc, Consents: f.consents, Retention: time.Hour, ArchiveDir: filepath.Join(f.dataDir, "recordings")})
	f.kb = kb.New(k.D, k.Log, nil)
	f.svc = privacy.New(privacy.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Registry: reg, Accounts: k.Svc,
		Participants: []privacy.Participant{f.assist}, DataDir: f.dataDir, BaseURL: "https://bank.example"})
	t.Cleanup(f.svc.Wait)
	return f
}

// canary registers the canary customer with a conversation, an
// attachment, an audit entry with personal details, two recorded
// remote-assistance sessions (one archived to a file, one still in the
// database) and a "was this helpful?" vote on a help article.
func (f *fixture) canary() *identity.Account {
	f.T.Helper()
	ctx := context.Background()
	secret, err := f.Svc.Register(ctx, identity.Registration{Email: canaryEmail, Password: identitytest.Password,
		Name: canaryName, Phone: canaryPhone, Locale: "vi", IP: "198.51.100.7"})
	if err != nil {
		f.T.Fatal(err)
	}
	a, err := f.Svc.VerifyEmail(ctx, canaryEmail, f.Last(canaryEmail).Code(f.T), identity.RegistrantProof{Registration: secret})
	if err != nil {
		f.T.Fatal(err)
	}
	f.Svc.WaitMail()
	c, err := f.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: a.ID}, Channel: support.ChannelChat,
		Subject: "Help", Body: canaryChat})
	if err != nil {
		f.T.Fatal(err)
	}
	if _, _, err := f.desk.Upload(ctx, c.ID, support.KindCustomer, "", "", "canary.txt", []byte(canaryFile)); err != nil {
		f.T.Fatal(err)
	}
	err = f.D.Write(ctx, func(tx *db.Tx) error {
		return f.Log.Record(ctx, tx, audit.Event{Action: "test.note", Target: "account:" + a.ID, Subject: "account:" + a.ID,
			Personal: map[string]any{"note": canaryAudit}})
	})
	if err != nil {
		f.T.Fatal(err)
	}
	f.canaryRecordings(a.ID, c.ID)
	f.canaryVote()
	return a
}

// canaryRecordings records two remote-assistance sessions of the canary
// sharing a page with canaryRec on it: the first is archived to a file,
// the second stays in the database.
func (f *fixture) canaryRecordings(customer, convID string) {
	f.T.Helper()
	ctx := context.Background()
	sup := f.staff("hoa@bank.example", access.RoleSupervisor, "Hoa Pham")
	if _, _, err := f.consents.Choose(ctx, consent.Choice{AccountID: customer, Purpose: consent.AssistRecording, Choice: consent.Given,
		Channel: consent.ChannelPortal}); err != nil {
		f.T.Fatal(err)
	}
	org, err := f.assist.CreateOrg(ctx, "Canary Trading", assist.PlanEnterprise)
	if err != nil {
		f.T.Fatal(err)
	}
	if err := f.assist.AddMember(ctx, org.ID, customer, false); err != nil {
		f.T.Fatal(err)
	}
	if _, err := f.assist.SaveTemplate(ctx, assist.Actor{AccountID: sup, Staff: true}, assist.Template{OrgID: org.ID, Name: "Recorded",
		MaxLevel: assist.LevelView, MaxDuration: time.Hour, Recording: true, Default: true}); err != nil {
		f.T.Fatal(err)
	}
	for i := range 2 {
		f.Clock.Add(time.Minute)
		inv, err := f.assist.Invite(ctx, sup, convID)
		if err != nil {
			f.T.Fatal(err)
		}
		sess, err := f.assist.Accept(ctx, inv.Session.ID, customer, assist.LevelView)
		if err != nil {
			f.T.Fatal(err)
		}
		if !sess.Recording {
			f.T.Fatal("the canary's session is not recorded")
		}
		page := assisttest.NewPage(uint64(i + 1))
		page.Canary = canaryRec
		if err := f.assist.Share(ctx, sess.ID, customer, 1, page.Snapshot(*sess.StartedAt)); err != nil {
			f.T.Fatal(err)
		}
		if err := f.assist.ReportMasked(ctx, sess.ID, customer, page.MaskedIDs()); err != nil {
			f.T.Fatal(err)
		}
		f.Clock.Add(time.Second)
		if _, err := f.assist.Stop(ctx, sess.ID, assist.Actor{AccountID: customer}, nil); err != nil {
			f.T.Fatal(err)
		}
		if i == 0 {
			f.Clock.Add(2 * time.Hour)
			if n, err := f.assist.Archive(ctx); err != nil || n != 1 {
				f.T.Fatalf("archive the first recording: %d, %v", n, err)
			}
		}
	}
	if got := archives(f.T, f.dataDir); len(got) != 1 {
		f.T.Fatalf("archive files %v, want one", got)
	}
}

// canaryVote has the canary find a help article useful. A vote is a bare
// counter on the article, linked to no one.
func (f *fixture) canaryVote() {
	f.T.Helper()
	ctx := context.Background()
	art, err := f.kb.Save(ctx, kb.Input{Slug: "close-account", Locale: "en", Title: "Closing your account",
		BodyMD: "How to close your account.", Status: kb.StatusPublished, AuthorID: "editor"})
	if err != nil {
		f.T.Fatal(err)
	}
	if err := f.kb.Vote(ctx, art.ID, true); err != nil {
		f.T.Fatal(err)
	}
}

// staff creates a staff member with a role and a desk name.
func (f *fixture) staff(email, role, name string) string {
	f.T.Helper()
	ctx := context.Background()
	a, err := f.Svc.CreateStaff(ctx, email, identitytest.Password, func(tx *db.Tx, id string) error {
		return f.access.Grant(ctx, tx, id, role, "cli")
	})
	if err != nil {
		f.T.Fatal(err)
	}
	if err := f.desk.SaveAgent(ctx, support.Agent{AccountID: a.ID, DisplayName: name}); err != nil {
		f.T.Fatal(err)
	}
	if err := f.assist.SaveProfile(ctx, assist.Profile{AccountID: a.ID, StaffNumber: "S-1", Department: "Care", Photo: "https://bank.example/staff/S-1.jpg"}); err != nil {
		f.T.Fatal(err)
	}
	return a.ID
}

// archives lists the recording archive files under the data directory.
func archives(t testing.TB, dataDir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dataDir, "recordings", "*", "*.fdrec"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// gunzipped is content, uncompressed when it is gzip (recordings are).
func gunzipped(content string) string {
	if !strings.HasPrefix(content, "\x1f\x8b") {
		return content
	}
	zr, err := gzip.NewReader(strings.NewReader(content))
	if err != nil {
		return content
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return content
	}
	return string(b)
}

// export builds an export for the account and returns the ZIP's files.
func (f *fixture) export(accountID string) map[string]string {
	f.T.Helper()
	ctx := context.Background()
	e, err := f.svc.RequestExport(ctx, accountID, "customer")
	if err != nil {
		f.T.Fatal(err)
	}
	f.svc.Wait()
	if _, err := f.svc.Sweep(ctx); err != nil { // builds it if the background builder was busy
		f.T.Fatal(err)
	}
	got, err := f.svc.ExportOf(ctx, accountID, e.ID)
	if err != nil || got.Status != privacy.ExportReady {
		f.T.Fatalf("export: %+v, %v", got, err)
	}
	r, err := f.svc.Download(ctx, accountID, e.ID)
	if err != nil {
		f.T.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		f.T.Fatal(err)
	}
	if err := r.Close(); err != nil {
		f.T.Fatal(err)
	}
	if _, err := f.svc.Download(ctx, accountID, e.ID); !errors.Is(err, privacy.ErrGone) {
		f.T.Errorf("second download: %v, want ErrGone (the link works once)", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		f.T.Fatal(err)
	}
	f.zip = zr
	files := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.T.Fatal(err)
		}
		content, _ := io.ReadAll(rc)
		rc.Close()
		files[zf.Name] = string(content)
	}
	return files
}

// TestCanaryExportThenErase: the canary is in the export in full; after
// erasure it is in no table, no file of the data directory, and the audit
// chain still verifies. // GDPR 15 // GDPR 17 // GDPR 20
func TestCanaryExportThenErase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.canary()
	other := f.Register("someone.else@example.com")

	files := f.export(a.ID)
	all := ""
	for name, content := range files {
		all += name + "\n" + gunzipped(content) + "\n"
	}
	for _, want := range []string{canaryEmail, canaryName, canaryPhone, canaryChat, canaryFile, canaryAudit, canaryRec} {
		if !strings.Contains(all, want) {
			t.Errorf("the export lacks %q", want)
		}
	}
	// Both recordings are in it, readable: the archived one from its file,
	// the other from the database.
	var archived, inDB bool
	for name, content := range files {
		has := strings.Contains(gunzipped(content), canaryRec)
		archived = archived || has && strings.HasPrefix(name, "files/recordings/")
		inDB = inDB || has && strings.HasPrefix(name, "files/assist_chunks/")
	}
	if !archived || !inDB {
		t.Errorf("the export lacks a recording (archived %v, in the database %v); names: %v", archived, inDB, keys(files))
	}
	if !strings.Contains(all, "data/recording/assist_sessions.json") {
		t.Errorf("the export lacks the remote-assistance sessions; names: %v", keys(files))
	}
	if !strings.Contains(files["README.txt"], "Đây là bản sao") {
		t.Errorf("the README is not in the customer's language (vi):\n%s", files["README.txt"])
	}
	if strings.Contains(all, "$argon2id$") {
		t.Error("the export contains a password hash")
	}
	if !strings.Contains(all, "files/conversation_attachments/0001-canary.txt") {
		t.Errorf("the attachment is not exported as a file; names: %v", keys(files))
	}

	// The scanners find what is there (so that finding nothing later means something).
	if scanFiles(t, f.dataDir, canaryEmail) == "" || scanDatabase(t, f.D, a.ID) == "" {
		t.Fatal("the scanners do not find the canary before erasure")
	}
	if _, err := f.svc.Erase(ctx, a.ID, privacy.SourceOperator); err != nil {
		t.Fatal(err)
	}
	if got := archives(t, f.dataDir); len(got) != 0 {
		t.Errorf("after erasure the recording archives are still there: %v", got)
	}
	// The vote stays, a bare counter that never named the canary.
	if n := f.count("SELECT helpful_yes FROM kb_articles WHERE slug = 'close-account'"); n != 1 {
		t.Errorf("the article's helpful votes after erasure: %d, want the one anonymous vote", n)
	}
	for _, needle := range []string{canaryEmail, canaryName, canaryPhone, canaryChat, canaryFile, canaryAudit, canaryRec, "xylophone", "periwinkle",
		"quintessence"} {
		if where := scanDatabase(t, f.D, needle); where != "" {
			t.Errorf("after erasure %q is still in %s", needle, where)
		}
		if where := scanFiles(t, f.dataDir, needle); where != "" {
			t.Errorf("after erasure %q is still in file %s", needle, where)
		}
	}
	if where := scanDatabaseExcept(t, f.D, a.ID, allowedAfterErasure); where != "" {
		t.Errorf("after erasure the account id is still in %s", where)
	}
	rep, err := audit.Verify(ctx, f.D, f.Signer, nil)
	if err != nil || rep.FirstBroken != 0 {
		t.Fatalf("audit verify after erasure: %+v, %v", rep, err)
	}
	if _, err := f.Svc.AccountByID(ctx, other.ID); err != nil {
		t.Errorf("another customer was touched: %v", err)
	}
	if _, err := f.Svc.AccountByID(ctx, a.ID); err == nil {
		t.Error("the erased account is still there")
	}
}

// allowedAfterErasure lists where an erased account's id may stay: the
// audit trail (ids, no personal data), the destroyed key's row, the
// erasure ledger.
// The request queue keeps the record that a request was made and answered
// (accountability, GDPR 5(2)), under the account id only: what the
// customer wrote is shredded with their key. The consent ledger keeps the
// proof of what was agreed (GDPR 7(1)) by account id (whose, and who
// recorded it: the customer themselves), its device details
// shredded.
func allowedAfterErasure(where string) bool {
	for _, t := range []string{"audit_log.", "data_keys.", "erasure_ledger.", "privacy_requests.account_id", "consent_records.account_id",
		"consent_records.recorded_by"} {
		if strings.HasPrefix(where, t) {
			return true
		}
	}
	return false
}

// scanDatabase looks for needle in every column of every table, as text,
// and returns the first table.column holding it.
func scanDatabase(t *testing.T, d *db.DB, needle string) string {
	t.Helper()
	return scanDatabaseExcept(t, d, needle, func(string) bool { return false })
}

// scanDatabaseExcept is scanDatabase skipping the table.column names skip
// allows.
func scanDatabaseExcept(t *testing.T, d *db.DB, needle string, skip func(string) bool) string {
	t.Helper()
	schema, err := privacy.Columns(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	found := ""
	err = d.Read(context.Background(), func(tx *db.Tx) error {
		for table, cols := range schema {
			for _, c := range cols {
				if found != "" {
					return nil
				}
				if skip(table + "." + c) {
					continue
				}
				expr := "CAST(" + c + " AS TEXT)"
				if d.Dialect() == db.Postgres {
					expr = c + "::text"
				}
				var n int
				if err := tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table+" WHERE "+expr+" LIKE ?", "%"+needle+"%").Scan(&n); err != nil {
					return fmt.Errorf("%s.%s: %w", table, c, err)
				}
				if n > 0 {
					found = table + "." + c
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// scanFiles looks for needle in every file under dir.
func scanFiles(t *testing.T, dir, needle string) string {
	t.Helper()
	found := ""
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || found != "" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(needle))) {
			found = p
		}
		return nil
	})
	return found
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestClosureCoolOff: closing starts a cool-off the customer can cancel
// (signed in or by the mailed link, once); when it ends, the sweep erases.
// // GDPR 17
func TestClosureCoolOff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.Register("closing@example.com")
	c, err := f.svc.Close(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ClosesAt.Sub(c.RequestedAt); got != 14*24*time.Hour {
		t.Errorf("cool-off %v, want 14 days", got)
	}
	if _, err := f.svc.Close(ctx, a.ID); !errors.Is(err, privacy.ErrClosing) {
		t.Errorf("closing twice: %v", err)
	}
	f.Svc.WaitMail()
	token := f.Last("closing@example.com").Token(t)
	if err := f.svc.CancelClosureByToken(ctx, token); err != nil {
		t.Fatalf("cancel by link: %v", err)
	}
	if err := f.svc.CancelClosureByToken(ctx, token); !errors.Is(err, privacy.ErrNotClosing) {
		t.Errorf("the cancel link worked twice: %v", err)
	}
	if _, err := f.svc.Close(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(13 * 24 * time.Hour)
	if n, err := f.svc.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep before the end of the cool-off erased %d: %v", n, err)
	}
	f.Clock.Add(24*time.Hour + time.Second)
	if n, err := f.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep after the cool-off erased %d: %v", n, err)
	}
	if _, err := f.Svc.AccountByID(ctx, a.ID); err == nil {
		t.Error("the account survived its closure")
	}
}

// TestExportStoresCompressedFiles: files that are compressed already
// (an uploaded PNG) are stored in the export's ZIP as they are, text is
// deflated; both come back whole.
func TestExportStoresCompressedFiles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.Register("photos@example.com")
	c, err := f.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: a.ID}, Channel: support.ChannelPortal,
		Subject: "Receipt", Body: "The receipt and my notes."})
	if err != nil {
		t.Fatal(err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("pixels "), 2000)...)
	notes := strings.Repeat("notes on the receipt\n", 500)
	for i, file := range []struct {
		name string
		data []byte
	}{{"receipt.png", png}, {"notes.txt", []byte(notes)}} {
		if _, _, err := f.desk.Upload(ctx, c.ID, support.KindCustomer, a.ID, fmt.Sprint("up-", i), file.name, file.data); err != nil {
			t.Fatal(err)
		}
	}
	files := f.export(a.ID)
	type stored struct {
		method uint16
		data   string
	}
	got := map[string]stored{} // by the uploaded name
	for _, zf := range f.zip.File {
		if dir, base := path.Split(zf.Name); dir == "files/conversation_attachments/" {
			_, name, _ := strings.Cut(base, "-")
			got[name] = stored{zf.Method, files[zf.Name]}
		}
	}
	for name, want := range map[string]stored{"receipt.png": {zip.Store, string(png)}, "notes.txt": {zip.Deflate, notes}} {
		if g, ok := got[name]; !ok || g.data != want.data || g.method != want.method {
			t.Errorf("%s in the export: present %v, %d bytes with method %d; want the %d uploaded, method %d",
				name, ok, len(g.data), g.method, len(want.data), want.method)
		}
	}
}

// TestSweepErasesEveryDueClosure: one sweep erases every account whose
// cool-off ended, however many batches of closures that takes, and leaves
// the ones still cooling off. // GDPR 17
func TestSweepErasesEveryDueClosure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc := privacy.New(privacy.Options{DB: f.D, Keys: f.Keys, Audit: f.Log, Registry: f.reg, Accounts: f.Svc,
		DataDir: f.dataDir, BaseURL: "https://bank.example", SweepBatch: 3, EraseBatch: 2})
	t.Cleanup(svc.Wait)
	var due []*identity.Account
	for i := range 5 {
		a := f.Register(fmt.Sprintf("closing-%d@example.com", i))
		if _, err := svc.Close(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		due = append(due, a)
	}
	f.Clock.Add(24 * time.Hour)
	later := f.Register("closing-later@example.com")
	if _, err := svc.Close(ctx, later.ID); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(14*24*time.Hour - time.Hour)
	if n, err := svc.Sweep(ctx); err != nil || n != 5 {
		t.Fatalf("one sweep erased %d of the 5 due, read 3 at a time and erased 2 to a transaction: %v", n, err)
	}
	for _, a := range due {
		if _, err := f.Svc.AccountByID(ctx, a.ID); err == nil {
			t.Errorf("%s survived its closure", a.Email)
		}
	}
	if _, err := f.Svc.AccountByID(ctx, later.ID); err != nil {
		t.Errorf("the account still cooling off was erased: %v", err)
	}
	if c, err := svc.ClosureOf(ctx, later.ID); err != nil || c == nil {
		t.Errorf("the closure still cooling off: %+v, %v", c, err)
	}
}

// TestStaffCannotSelfClose: staff accounts are closed by an administrator.
func TestStaffCannotSelfClose(t *testing.T) {
	f := newFixture(t)
	staff, err := f.Svc.InviteStaff(context.Background(), "agent@bank.example", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Close(context.Background(), staff.ID); !errors.Is(err, privacy.ErrStaffAccount) {
		t.Errorf("staff self-close: %v", err)
	}
}

// TestRecordOfProcessing: the record lists every table with personal data,
// with its purpose, basis and retention, in Markdown and CSV; a table with
// nothing personal is not in it. // GDPR 30
func TestRecordOfProcessing(t *testing.T) {
	reg, err := privacy.NewRegistry(identity.PersonalData(), support.PersonalData(), notify.PersonalData())
	if err != nil {
		t.Fatal(err)
	}
	var md, csv bytes.Buffer
	if err := reg.WriteRecord(&md, "md", [][2]string{{"closure cool-off", "14 days"}}); err != nil {
		t.Fatal(err)
	}
	if err := reg.WriteRecord(&csv, "csv", nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| internal/identity | `accounts` | Account and sign-in | contract | contact, identity, security_log, credential |",
		"`conversation_messages`", "`outbox/*.eml`", "| closure cool-off | 14 days |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown record lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(md.String(), "support_settings") || strings.Contains(md.String(), "search_scheme") {
		t.Error("a table with nothing personal is in the record")
	}
	if !strings.HasPrefix(csv.String(), "owner,where,purpose,legal basis,categories,data subjects,retention,erasure\n") ||
		!strings.Contains(csv.String(), "internal/support,table conversations,") {
		t.Errorf("the CSV record:\n%s", csv.String())
	}
	if err := reg.WriteRecord(&md, "pdf", nil); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// TestEraseManyInOneBatch: a batch erases each of its customers as a
// single erasure does — the canary is then in no table and no file, the
// audit chain verifies, a legal hold on one of them keeps exactly its row
// — with one audit entry and one ledger entry per account and one for the
// batch; an unknown or repeated id is no error (reported missing, erased
// once), and no one outside the batch is touched. // GDPR 17
func TestEraseManyInOneBatch(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	a := f.canary()
	b := f.customer("held@example.com", "en")
	c := f.customer("third@example.com", "zh")
	other := f.customer("someone.else@example.com", "vi")
	r, err := f.q.CreateRequest(ctx, privacy.NewRequest{AccountID: b.ID, Kind: privacy.KindErasure, Channel: privacy.ChannelEmail,
		IdentityCheck: privacy.CheckAccountEmail, By: f.dpo})
	if err != nil {
		t.Fatal(err)
	}
	holdID, err := f.q.PlaceHold(ctx, r.ID, []string{"accounts"}, "Banking law: 5 years", f.Clock.Now().AddDate(5, 0, 0), f.dpo)
	if err != nil {
		t.Fatal(err)
	}
	if scanDatabase(t, f.D, a.ID) == "" || scanFiles(t, f.dataDir, canaryEmail) == "" {
		t.Fatal("the scanners do not find the canary before erasure")
	}

	out, err := f.svc.EraseMany(ctx, []string{a.ID, b.ID, "no-such-account", c.ID, a.ID}, privacy.SourceOperator)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out.Accounts) != fmt.Sprint([]string{a.ID, b.ID, c.ID}) || fmt.Sprint(out.Missing) != "[no-such-account]" {
		t.Fatalf("erased %v, missing %v", out.Accounts, out.Missing)
	}
	if out.Rows["accounts"] != 3 || out.Held["accounts"] != 1 {
		t.Errorf("rows %v, held %v: want 3 accounts deleted, 1 held", out.Rows, out.Held)
	}
	if n := f.count("SELECT COUNT(*) FROM privacy_held_rows WHERE hold_id = '" + holdID + "'"); n != 1 {
		t.Errorf("the hold kept %d rows, want the one account row it names", n)
	}
	for _, x := range []*identity.Account{a, b, c} {
		if _, err := f.Svc.AccountByID(ctx, x.ID); err == nil {
			t.Errorf("%s survived the batch", x.Email)
		}
		for q, want := range map[string]int{
			"SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.erase' AND target = 'account:" + x.ID + "'": 1,
			"SELECT COUNT(*) FROM erasure_ledger WHERE subject = 'account:" + x.ID + "'":                        1,
			"SELECT COUNT(*) FROM data_keys WHERE subject = 'account:" + x.ID + "' AND wrapped IS NOT NULL":     0,
		} {
			if n := f.count(q); n != want {
				t.Errorf("%s: %d, want %d", q, n, want)
			}
		}
	}
	for _, x := range []*identity.Account{a, c} {
		if where := scanDatabaseExcept(t, f.D, x.ID, allowedAfterErasure); where != "" {
			t.Errorf("after the batch the id of %s is still in %s", x.Email, where)
		}
	}
	if n := f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.erase.batch'"); n != 1 {
		t.Errorf("%d batch entries in the audit trail, want 1", n)
	}
	for _, needle := range []string{canaryEmail, canaryName, canaryPhone, canaryChat, canaryFile, canaryAudit, canaryRec, "held@example.com",
		"third@example.com"} {
		if where := scanDatabase(t, f.D, needle); where != "" {
			t.Errorf("after the batch %q is still in %s", needle, where)
		}
		if where := scanFiles(t, f.dataDir, needle); where != "" {
			t.Errorf("after the batch %q is still in file %s", needle, where)
		}
	}
	if rep, err := audit.Verify(ctx, f.D, f.Signer, nil); err != nil || rep.FirstBroken != 0 {
		t.Fatalf("audit verify after the batch: %+v, %v", rep, err)
	}
	if got, err := f.Svc.AccountByID(ctx, other.ID); err != nil || got.Email != "someone.else@example.com" {
		t.Errorf("the customer outside the batch: %+v, %v", got, err)
	}
	if scanFiles(t, f.dataDir, "someone.else@example.com") == "" {
		t.Error("the outbox mail of the customer outside the batch was scrubbed")
	}
}
