package identity_test

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/identity/bulkfile"
	"github.com/frontdesk/frontdesk/internal/password"
)

// Passwords of the imported accounts, and their hashes as another system
// stored them.
const (
	argonPassword  = "argon lantern orbit 41"
	bcryptPassword = "bcrypt velvet plum 42"
	pbkdfPassword  = "pbkdf2 river stone 43"
)

func importHashes(t *testing.T) (argon, bcryptA, bcryptB, pbkdf string) {
	t.Helper()
	// Not the kit's parameters, so the first sign-in re-hashes it too.
	argon, err := password.Hash(argonPassword, password.Params{Memory: 128, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bcrypt.GenerateFromPassword([]byte(bcryptPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	bcryptA = string(b) // $2a$
	bcryptB = "$2b$" + strings.TrimPrefix(bcryptA, "$2a$")
	salt := []byte("legacy-salt-1234")
	key, err := pbkdf2.Key(sha256.New, pbkdfPassword, salt, 1000, 32)
	if err != nil {
		t.Fatal(err)
	}
	pbkdf = fmt.Sprintf("pbkdf2-sha256$1000$%s$%s", base64.StdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	return argon, bcryptA, bcryptB, pbkdf
}

// grants records the staff roles granted through the import's callback,
// writing them in the import's transaction as the access package does.
type grants struct{ got []string }

func (g *grants) grant(tx *db.Tx, accountID, role string) error {
	if role == "wizard" {
		return errors.New("access: unknown role")
	}
	g.got = append(g.got, role)
	_, err := tx.Exec(context.Background(), "INSERT INTO staff_roles (account_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)",
		accountID, role, "import", tx.Now())
	return err
}

func (g *grants) rolesOf(f *fixture) func(context.Context, string) ([]string, error) {
	return func(ctx context.Context, id string) ([]string, error) {
		var out []string
		err := f.d.Read(ctx, func(tx *db.Tx) error {
			rows, err := tx.Query(ctx, "SELECT role FROM staff_roles WHERE account_id = ? ORDER BY role", id)
			out, err = db.Collect(rows, err, db.Value[string])
			return err
		})
		return out, err
	}
}

func (f *fixture) importFile(content string, o identity.ImportOptions) identity.ImportResult {
	f.t.Helper()
	res, err := f.svc.ImportAccounts(context.Background(), bulkfile.NewReader(strings.NewReader(content), bulkfile.Options{}), o)
	if err != nil {
		f.t.Fatalf("import: %v", err)
	}
	return res
}

func (f *fixture) count(table string) int {
	f.t.Helper()
	var n int
	err := f.d.Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) bulkFile(t *testing.T) string {
	argon, bcryptA, bcryptB, pbkdf := importHashes(t)
	return "email,name,phone,locale,role,password_hash,send_invite\n" +
		"argon@example.com,Trần Thị Bình,+84 912 345 678,vi,,\"" + argon + "\",\n" +
		"bcrypt-a@example.com,Bob Smith,,en,,\"" + bcryptA + "\",false\n" +
		"bcrypt-b@example.com,,,zh,,\"" + bcryptB + "\",\n" +
		"pbkdf@example.com,,,,,\"" + pbkdf + "\",\n" +
		"invite@example.com,Lan Nguyen,,vi,,,true\n" +
		"nohash@example.com,,,,,,\n" +
		"agent@example.com,Staff Member,,en,agent,,true\n"
}

// An import creates active, verified customers who sign in with the
// password their old hash was made from (and get it re-hashed), invites
// the rest with a link to choose one, makes staff accounts with their
// roles, and audits every account without personal data in clear.
func TestImportAccounts(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	var g grants
	auditBefore := len(f.auditActions())
	res := f.importFile(f.bulkFile(t), identity.ImportOptions{Grant: g.grant, By: "test", BatchSize: 3})
	if res.Rows != 7 || res.Created != 7 || res.Skipped != 0 || res.Invalid != 0 || res.Invited != 3 || res.MailFailed != 0 || len(res.Errors) != 0 {
		t.Fatalf("result %+v", res)
	}
	if !slices.Equal(g.got, []string{"agent"}) {
		t.Fatalf("grants %v", g.got)
	}

	for _, c := range []struct{ email, pw string }{
		{"argon@example.com", argonPassword}, {"bcrypt-a@example.com", bcryptPassword},
		{"bcrypt-b@example.com", bcryptPassword}, {"pbkdf@example.com", pbkdfPassword},
	} {
		if _, err := f.signIn(c.email, "not the password at all", "198.51.100.7"); !errors.Is(err, identity.ErrInvalidCredentials) {
			t.Fatalf("%s: wrong password: %v", c.email, err)
		}
		r, err := f.signIn(c.email, c.pw, "198.51.100.7")
		if err != nil {
			t.Fatalf("%s: sign in with the imported hash: %v", c.email, err)
		}
		if a := r.Account; a.Kind != identity.KindCustomer || a.Status != identity.StatusActive || !a.EmailVerified {
			t.Fatalf("%s: account %+v", c.email, a)
		}
		// Re-hashed to Argon2id with the service's parameters: it still works.
		if _, err := f.signIn(c.email, c.pw, "198.51.100.7"); err != nil {
			t.Fatalf("%s: sign in after the re-hash: %v", c.email, err)
		}
	}
	if n := strings.Count(strings.Join(f.auditActions(), " "), "password.rehash"); n != 4 {
		t.Errorf("%d re-hashes, want 4", n)
	}

	// Invitations: a link valid 72 hours that sets the password.
	m := f.last("invite@example.com")
	if !strings.Contains(m.Subject, "Tài khoản") || !strings.Contains(m.Text, "72") {
		t.Fatalf("invitation in Vietnamese: %q %q", m.Subject, m.Text)
	}
	if _, err := f.signIn("invite@example.com", goodPassword, "198.51.100.7"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("invited account has a usable password: %v", err)
	}
	f.clock.Add(71 * time.Hour)
	if ok, err := f.svc.ResetLinkValid(ctx, m.Token(t)); err != nil || !ok {
		t.Fatalf("invitation link after 71 h: %v %v", ok, err)
	}
	if err := f.svc.ResetWithLink(ctx, m.Token(t), goodPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signIn("invite@example.com", goodPassword, "198.51.100.7"); err != nil {
		t.Fatalf("sign in with the chosen password: %v", err)
	}
	f.clock.Add(2 * time.Hour) // 73 h: the other links have expired
	if ok, _ := f.svc.ResetLinkValid(ctx, f.last("nohash@example.com").Token(t)); ok {
		t.Fatal("invitation link valid after 73 h")
	}
	if m := f.last("nohash@example.com"); !strings.Contains(m.Subject, "account is ready") {
		t.Fatalf("English invitation: %q", m.Subject)
	}
	if m := f.last("agent@example.com"); !strings.Contains(m.Subject, "staff console") {
		t.Fatalf("staff invitation: %q", m.Subject)
	}
	if len(f.mails("bcrypt-a@example.com")) != 0 {
		t.Fatal("an account with a hash and no send_invite got an e-mail")
	}

	// Staff, personal fields sealed and searchable.
	hits, err := f.svc.Search(ctx, "agent@example.com", "", 10)
	if err != nil || len(hits) != 1 || hits[0].Kind != identity.KindStaff || hits[0].Name != "Staff Member" {
		t.Fatalf("staff account: %+v %v", hits, err)
	}
	for _, q := range []string{"+84912345678", "tran thi binh", "Bình"} {
		if hits, err := f.svc.Search(ctx, q, identity.KindCustomer, 10); err != nil || len(hits) != 1 || hits[0].Email != "argon@example.com" || hits[0].Locale != "vi" {
			t.Fatalf("search %q: %+v %v", q, hits, err)
		}
	}

	// One audit entry per account and a summary; no personal data in clear.
	actions := f.auditActions()[auditBefore:]
	if n := slices.Index(actions, "accounts.import"); n != 7 || strings.Count(strings.Join(actions[:n], " "), "account.import") != 7 {
		t.Fatalf("audit actions %v", actions)
	}
	var details []string
	err = f.d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT details FROM audit_log WHERE action IN ('account.import', 'accounts.import')")
		details, err = db.Collect(rows, err, db.Value[string])
		return err
	})
	if err != nil || len(details) != 8 {
		t.Fatalf("details %v %v", details, err)
	}
	for _, d := range details {
		if strings.Contains(d, "@") || strings.Contains(d, "Bình") || strings.Contains(d, "+84") {
			t.Fatalf("personal data in clear in the audit trail: %s", d)
		}
	}
	if !strings.Contains(details[7], `"created":7`) || !strings.Contains(details[7], `"by":"test"`) {
		t.Fatalf("summary %s", details[7])
	}
	f.verifyAudit()
}

// Importing the same file again changes nothing: every row is skipped,
// existing accounts keep their data and nobody gets a second e-mail.
func TestImportIsIdempotent(t *testing.T) {
	f := newFixture(t, "default")
	var g grants
	file := f.bulkFile(t)
	f.importFile(file, identity.ImportOptions{Grant: g.grant})
	f.register("lan@example.com")
	mails, accounts := f.mailCount(), f.count("accounts")
	changed := strings.Replace(file, "Bob Smith", "Robert Smith", 1) + "lan@example.com,Someone Else,,,,,true\n"
	res := f.importFile(changed, identity.ImportOptions{Grant: g.grant})
	if res.Rows != 8 || res.Created != 0 || res.Skipped != 8 || res.Invited != 0 || res.Invalid != 0 {
		t.Fatalf("second import: %+v", res)
	}
	if f.count("accounts") != accounts || f.mailCount() != mails || len(g.got) != 1 {
		t.Fatal("the second import changed something")
	}
	hits, _ := f.svc.Search(context.Background(), "bcrypt-a@example.com", "", 1)
	if len(hits) != 1 || hits[0].Name != "Bob Smith" {
		t.Fatalf("existing account changed: %+v", hits)
	}
	if _, err := f.signIn("lan@example.com", goodPassword, "198.51.100.7"); err != nil {
		t.Fatalf("registered customer's password changed: %v", err)
	}
}

// A dry run reports what would happen and changes nothing: no account,
// no audit entry, no e-mail.
func TestImportDryRun(t *testing.T) {
	f := newFixture(t, "default")
	f.register("argon@example.com")
	tables := []string{"accounts", "audit_log", "data_keys", "account_search", "account_tokens", "staff_roles"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = f.count(tb)
	}
	mails := f.mailCount()
	var g grants
	file := f.bulkFile(t) + "bad,,,,,,\n"
	res := f.importFile(file, identity.ImportOptions{DryRun: true, Grant: g.grant})
	if res.Rows != 8 || res.Created != 6 || res.Skipped != 1 || res.Invalid != 1 || res.Invited != 3 ||
		len(res.Errors) != 1 || res.Errors[0].Line != 9 || res.Errors[0].Field != "email" {
		t.Fatalf("dry run: %+v", res)
	}
	for _, tb := range tables {
		if n := f.count(tb); n != before[tb] {
			t.Errorf("%s: %d rows after a dry run, %d before", tb, n, before[tb])
		}
	}
	if f.mailCount() != mails || len(g.got) != 0 {
		t.Fatal("a dry run sent e-mail or granted a role")
	}
	f.verifyAudit()
}

// Invalid rows are reported and skipped; the valid rows around them,
// even in the same batch, are imported. A role the callback refuses makes
// its row invalid.
func TestImportReportsInvalidRows(t *testing.T) {
	f := newFixture(t, "default")
	var g grants
	file := "email,name,role,send_invite\n" +
		"a@example.com,,,\n" +
		"not-an-email,,,\n" +
		"wizard@example.com,,wizard,\n" +
		"b@example.com,,,maybe\n" +
		"c@example.com,,agent,\n"
	res := f.importFile(file, identity.ImportOptions{Grant: g.grant})
	if res.Rows != 5 || res.Created != 2 || res.Invalid != 3 {
		t.Fatalf("result %+v", res)
	}
	want := []identity.RowError{{Line: 3, Field: "email"}, {Line: 4, Field: "role"}, {Line: 5, Field: "send_invite"}}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors %+v", res.Errors)
	}
	for i, w := range want {
		if e := res.Errors[i]; e.Line != w.Line || e.Field != w.Field || e.Reason == "" {
			t.Errorf("error %d = %+v, want line %d field %s", i, e, w.Line, w.Field)
		}
	}
	if !strings.Contains(res.Errors[1].Reason, `"wizard"`) {
		t.Errorf("refused role: %q", res.Errors[1].Reason)
	}
	if hits, _ := f.svc.Search(context.Background(), "wizard@example.com", "", 1); len(hits) != 0 {
		t.Fatal("the row with a refused role was imported")
	}
	if hits, _ := f.svc.Search(context.Background(), "c@example.com", "", 1); len(hits) != 1 || hits[0].Kind != identity.KindStaff {
		t.Fatal("the staff row after a refused one was not imported")
	}
	// Without a way to grant roles, staff rows are refused.
	res = f.importFile("email,role\nd@example.com,agent\n", identity.ImportOptions{})
	if res.Created != 0 || res.Invalid != 1 || res.Errors[0].Field != "role" {
		t.Fatalf("staff without Grant: %+v", res)
	}
	f.verifyAudit()
}

// A file-level problem stops reading; the batches before it stay and the
// summary says the import stopped.
func TestImportStopsAtFileProblem(t *testing.T) {
	f := newFixture(t, "default")
	file := "email\n"
	for i := range 5 {
		file += fmt.Sprintf("u%d@example.com\n", i)
	}
	src := bulkfile.NewReader(strings.NewReader(file), bulkfile.Options{MaxRows: 3})
	res, err := f.svc.ImportAccounts(context.Background(), src, identity.ImportOptions{BatchSize: 2})
	if err != nil || !res.Stopped || res.Created != 3 || len(res.Errors) != 1 || res.Errors[0].Line != 5 || res.Errors[0].Field != "file" {
		t.Fatalf("%+v %v", res, err)
	}
	actions := f.auditActions()
	if actions[len(actions)-1] != "accounts.import" {
		t.Fatalf("no summary: %v", actions)
	}
}

// An export holds every account's opened fields and roles and no secret;
// imported into a fresh database it gives the same accounts, and imported
// back into the first it changes nothing.
func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "default")
	var g grants
	f.importFile(f.bulkFile(t), identity.ImportOptions{Grant: g.grant})
	f.register("registered@example.com")
	if _, err := f.svc.Register(ctx, identity.Registration{Email: "pending@example.com", Password: goodPassword, IP: "198.51.100.8"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateAdmin(ctx, "noroles@example.com", goodPassword); err != nil {
		t.Fatal(err)
	}
	export := func(f *fixture, format bulkfile.Format) string {
		t.Helper()
		var buf bytes.Buffer
		w := bulkfile.NewWriter(&buf, format)
		res, err := f.svc.ExportAccounts(ctx, w, identity.ExportOptions{Roles: g.rolesOf(f), By: "test", Format: format.String()})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if res.Exported != strings.Count(buf.String(), "\n")-map[bulkfile.Format]int{bulkfile.CSV: 1, bulkfile.JSONL: 0}[format] {
			t.Fatalf("exported %+v:\n%s", res, buf.String())
		}
		return buf.String()
	}
	for _, format := range []bulkfile.Format{bulkfile.CSV, bulkfile.JSONL} {
		out := export(f, format)
		for _, secret := range []string{"$argon2", "$2a$", "$2b$", "pbkdf2", "password"} {
			if strings.Contains(out, secret) {
				t.Fatalf("%v export holds %q:\n%s", format, secret, out)
			}
		}
		for _, s := range []string{"Trần Thị Bình", "84912345678", "registered@example.com", "agent@example.com"} {
			if !strings.Contains(out, s) {
				t.Fatalf("%v export lacks %q:\n%s", format, s, out)
			}
		}
		// Unverified registrations and staff without a role are left out.
		if strings.Contains(out, "pending@") || strings.Contains(out, "noroles@") {
			t.Fatalf("%v export holds an unverified or role-less account:\n%s", format, out)
		}
		if res := f.importFile(out, identity.ImportOptions{Grant: g.grant}); res.Rows != 8 || res.Skipped != 8 || res.Created != 0 {
			t.Fatalf("%v export imported back: %+v", format, res)
		}

		fresh := newFixture(t, "default")
		var g2 grants
		res := fresh.importFile(out, identity.ImportOptions{Grant: g2.grant})
		if res.Rows != 8 || res.Created != 8 || res.Invalid != 0 {
			t.Fatalf("%v export into a fresh database: %+v", format, res)
		}
		g2rolesOf := g2.rolesOf(fresh)
		var buf bytes.Buffer
		w := bulkfile.NewWriter(&buf, format)
		if _, err := fresh.svc.ExportAccounts(ctx, w, identity.ExportOptions{Roles: g2rolesOf}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if a, b := sortedLines(out), sortedLines(buf.String()); !slices.Equal(a, b) {
			t.Fatalf("%v export of the copy differs:\n%s\n---\n%s", format, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	}
	if n := strings.Count(strings.Join(f.auditActions(), " "), "accounts.export"); n != 2 {
		t.Fatalf("%d export entries, want 2", n)
	}
	f.verifyAudit()
}

// mailCount counts every e-mail sent so far (the outbox holds one file
// each).
func (f *fixture) mailCount() int {
	f.t.Helper()
	f.svc.WaitMail()
	files, err := filepath.Glob(filepath.Join(f.outbox, "*.eml"))
	if err != nil {
		f.t.Fatal(err)
	}
	return len(files)
}

func sortedLines(s string) []string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(lines)
	return lines
}
