package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/password"
	"golang.org/x/crypto/bcrypt"
)

func TestResetWithCodeEndsSessions(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("reset@example.com")
	old, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	// ASVS 6.3.8: an unknown address gets the same answer and no e-mail.
	if err := f.svc.RequestReset(ctx, "unknown@example.com", "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if len(f.mails("unknown@example.com")) != 0 {
		t.Fatal("mail sent to an unknown address")
	}
	if err := f.svc.RequestReset(ctx, a.Email, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	code := f.last(a.Email).Code(t)
	const next = "Seven quiet harbors at dawn 3#"
	// A rejected password does not use up the code.
	if err := f.svc.ConfirmReset(ctx, a.Email, code, "short"); err == nil {
		t.Fatal("short password accepted")
	}
	if err := f.svc.ConfirmReset(ctx, a.Email, code, next); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, old.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatal("session survived the reset")
	}
	if m := f.last(a.Email); !strings.Contains(m.Subject, "password was changed") {
		t.Fatalf("owner not told: %q", m.Subject)
	}
	if err := f.svc.ConfirmReset(ctx, a.Email, code, "Another fine passphrase 4$"); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("code reused: %v", err)
	}
	if _, err := f.signIn(a.Email, next, "198.51.100.7"); err != nil {
		t.Fatalf("new password: %v", err)
	}
}

// The reset code and link expire after 15 minutes.
func TestResetExpires(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("expire@example.com")
	if err := f.svc.RequestReset(ctx, a.Email, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	m := f.last(a.Email)
	f.clock.Add(15*time.Minute + time.Second)
	if ok, _ := f.svc.ResetLinkValid(ctx, m.Token(t)); ok {
		t.Fatal("link valid after 15 minutes")
	}
	if err := f.svc.ResetWithLink(ctx, m.Token(t), "Seven quiet harbors at dawn 3#"); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("expired link: %v", err)
	}
	if err := f.svc.ConfirmReset(ctx, a.Email, m.Code(t), "Seven quiet harbors at dawn 3#"); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("expired code: %v", err)
	}
}

func TestResetWithLink(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("link@example.com")
	if err := f.svc.RequestReset(ctx, a.Email, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	link := f.last(a.Email).Token(t)
	if ok, _ := f.svc.ResetLinkValid(ctx, link); !ok {
		t.Fatal("fresh link not valid")
	}
	if err := f.svc.ResetWithLink(ctx, link, "Seven quiet harbors at dawn 3#"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ResetWithLink(ctx, link, "Another fine passphrase 4$"); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("link reused: %v", err)
	}
}

// ASVS 6.2.2 / 6.2.3: changing the password needs the current one, and a
// wrong one counts toward the lockout.
func TestChangePassword(t *testing.T) {
	f := newFixture(t, "pci")
	ctx := context.Background()
	a := f.register("change@example.com")
	r1, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	r2, _ := f.signIn(a.Email, goodPassword, "198.51.100.8")
	p1, _ := f.svc.Authenticate(ctx, r1.Token)
	for range 9 {
		if err := f.svc.ChangePassword(ctx, p1, "wrong current", "Seven Quiet harbors 3#"); !errors.Is(err, identity.ErrWrongPassword) {
			t.Fatalf("wrong current password: %v", err)
		}
	}
	// One more wrong attempt, this time at sign-in, reaches the pci lockout.
	f.signIn(a.Email, "wrong current", "198.51.100.9")
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.9"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("wrong current passwords did not count toward the lockout: %v", err)
	}
	f.clock.Add(31 * time.Minute)
	p1, err := f.svc.Authenticate(ctx, r1.Token)
	if err == nil {
		t.Fatal("session outlived the 15-minute pci idle timeout")
	}
	r1, _ = f.signIn(a.Email, goodPassword, "198.51.100.7")
	r2, _ = f.signIn(a.Email, goodPassword, "198.51.100.8")
	p1, _ = f.svc.Authenticate(ctx, r1.Token)
	if err := f.svc.ChangePassword(ctx, p1, goodPassword, "Seven Quiet harbors 3#"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, r2.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatal("other session survived the change")
	}
	if _, err := f.svc.Authenticate(ctx, r1.Token); err != nil {
		t.Fatalf("own session ended: %v", err)
	}
}

// PCI 8.3.7: the pci profile refuses the current and the last four
// passwords; the fifth one back is allowed again.
func TestPasswordHistoryPCI(t *testing.T) {
	f := newFixture(t, "pci")
	ctx := context.Background()
	a := f.register("history@example.com")
	res, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	p, _ := f.svc.Authenticate(ctx, res.Token)
	pws := []string{goodPassword, "Second Quiet harbor 2#", "Third Quiet harbor 3#", "Fourth Quiet harbor 4#", "Fifth Quiet harbor 5#"}
	for i := 1; i < len(pws); i++ {
		f.clock.Add(time.Minute)
		if err := f.svc.ChangePassword(ctx, p, pws[i-1], pws[i]); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	// Current is pws[4]; history holds pws[0..3]: pws[1..3] and pws[4] are refused.
	for _, old := range pws[1:] {
		var fe *identity.FieldError
		if err := f.svc.ChangePassword(ctx, p, pws[4], old); !errors.As(err, &fe) || fe.Code != "reused" {
			t.Fatalf("reuse of %q: %v", old, err)
		}
	}
	if err := f.svc.ChangePassword(ctx, p, pws[4], pws[0]); err != nil {
		t.Fatalf("fifth password back refused: %v", err)
	}
}

// A sign-in from a new device e-mails the owner; "this wasn't me" ends
// every session and requires a reset.
func TestNewDeviceAndNotMe(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("device@example.com")
	first, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	n := len(f.mails(a.Email))
	f.signIn(a.Email, goodPassword, "198.51.100.7") // same device: no e-mail
	if len(f.mails(a.Email)) != n {
		t.Fatal("known device announced")
	}
	_, err := f.svc.SignIn(ctx, identity.SignIn{Email: a.Email, Password: goodPassword, IP: "203.0.113.5",
		UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile/15E148 Safari/604.1", DeviceID: "device-two-0123456789", Client: identity.ClientBrowser})
	if err != nil {
		t.Fatal(err)
	}
	m := f.last(a.Email)
	if !strings.Contains(m.Subject, "New sign-in") || !strings.Contains(m.Text, "Safari on iPhone") {
		t.Fatalf("new-device mail: %q %q", m.Subject, m.Text)
	}
	if err := f.svc.NotMe(ctx, m.Token(t)); err != nil {
		t.Fatal(err)
	}
	f.svc.WaitMail()
	if _, err := f.svc.Authenticate(ctx, first.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatal("session survived 'this wasn't me'")
	}
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.7"); !errors.Is(err, identity.ErrResetRequired) {
		t.Fatalf("sign-in before the reset: %v", err)
	}
	if err := f.svc.ConfirmReset(ctx, a.Email, f.last(a.Email).Code(t), "Seven quiet harbors at dawn 3#"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signIn(a.Email, "Seven quiet harbors at dawn 3#", "198.51.100.7"); err != nil {
		t.Fatalf("after the reset: %v", err)
	}
}

// ASVS 11.4.2: imported bcrypt hashes and hashes with old parameters are
// upgraded to the configured Argon2id at the next sign-in.
func TestHashUpgradedAtSignIn(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("legacy@example.com")
	bc, err := bcrypt.GenerateFromPassword([]byte(goodPassword), 10)
	if err != nil {
		t.Fatal(err)
	}
	setHash := func(h string) {
		err := f.d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE accounts SET password_hash = ? WHERE id = ?", h, a.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	getHash := func() (h string) {
		f.d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT password_hash FROM accounts WHERE id = ?", a.ID).Scan(&h)
		})
		return h
	}
	setHash(string(bc))
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if h := getHash(); !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("bcrypt hash not upgraded: %s", h)
	}
	old, _ := password.Hash(goodPassword, password.Params{Memory: 32, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16})
	setHash(old)
	if _, err := f.signIn(a.Email, goodPassword, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if h := getHash(); !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("old parameters not upgraded: %s", h)
	}
	// ASVS 6.2.8: an 80-character password is verified whole.
	long := strings.Repeat("Long passphrase ", 5)
	res, _ := f.signIn(a.Email, goodPassword, "198.51.100.7")
	p, _ := f.svc.Authenticate(ctx, res.Token)
	if err := f.svc.ChangePassword(ctx, p, goodPassword, long); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signIn(a.Email, long[:72], "198.51.100.7"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("first 72 characters accepted: %v", err)
	}
	if _, err := f.signIn(a.Email, strings.ToUpper(long), "198.51.100.7"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("case-flipped password accepted: %v", err)
	}
}

// ASVS 6.3.2: staff administrators are created only on purpose, with a
// policy-checked password.
func TestCreateAdmin(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	if _, err := f.svc.CreateAdmin(ctx, "admin@acme.example", "admin"); err == nil {
		t.Fatal("weak admin password accepted")
	}
	a, err := f.svc.CreateAdmin(ctx, "admin@acme.example", goodPassword)
	if err != nil || a.Kind != identity.KindStaff {
		t.Fatalf("create admin: %+v %v", a, err)
	}
	if _, err := f.svc.CreateAdmin(ctx, "ADMIN@acme.example", goodPassword); !errors.Is(err, identity.ErrExists) {
		t.Fatalf("duplicate admin: %v", err)
	}
	res, err := f.signIn("admin@acme.example", goodPassword, "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.svc.Authenticate(ctx, res.Token)
	if p.Kind != identity.KindStaff || p.Session.IdleExpiresAt.Sub(p.Session.LastSeenAt) != 15*time.Minute {
		t.Fatalf("staff session: %+v", p)
	}
}
