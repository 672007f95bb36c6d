package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// PCI 8.2.6: staff accounts unused for 90 days are disabled, with notice.
func TestDisableInactiveStaff(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	if _, err := f.svc.CreateAdmin(ctx, "idle@acme.example", goodPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateAdmin(ctx, "busy@acme.example", goodPassword); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(60 * 24 * time.Hour)
	if _, err := f.signIn("busy@acme.example", goodPassword, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(31 * 24 * time.Hour)
	n, err := f.svc.DisableInactiveStaff(ctx, 90*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("disabled %d: %v", n, err)
	}
	if _, err := f.signIn("idle@acme.example", goodPassword, "198.51.100.7"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("disabled staff signed in: %v", err)
	}
	if m := f.last("idle@acme.example"); !strings.Contains(m.Subject, "disabled") || !strings.Contains(m.Text, "90 days") {
		t.Fatalf("notice %q %q", m.Subject, m.Text)
	}
	if _, err := f.signIn("busy@acme.example", goodPassword, "198.51.100.7"); err != nil {
		t.Fatalf("active staff member disabled: %v", err)
	}
}

// PCI 8.3.4: staff with the unlock permission lift a lockout.
func TestConsoleActions(t *testing.T) {
	f := newFixture(t, "pci") // lockout after 10
	ctx := context.Background()
	a := f.register("lan@example.com")
	for i := 0; i < f.svc.Policy().LockoutThreshold; i++ {
		f.signIn("lan@example.com", "wrong password entirely", "198.51.100.7")
	}
	d, _ := f.svc.Detail(ctx, a.ID)
	if !d.Locked || d.LockedUntil == nil {
		t.Fatalf("not locked after %d failures: %+v", f.svc.Policy().LockoutThreshold, d)
	}
	if err := f.svc.StaffUnlock(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.svc.Detail(ctx, a.ID); d.Locked {
		t.Fatal("still locked")
	}
}

// ASVS 6.4.6: staff force a reset without ever seeing or setting the
// password: the old one stops working and the owner chooses a new one.
// Staff are invited to set their own password.
func TestForceResetAndInvite(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("lan@example.com")
	res, err := f.signIn("lan@example.com", goodPassword, "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ForceReset(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, res.Token); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatal("session survived a forced reset")
	}
	forced := f.LastLink("lan@example.com", "/reset")
	// The old password is refused, and the owner is sent a new link,
	// which voids the first.
	if _, err := f.signIn("lan@example.com", goodPassword, "198.51.100.7"); !errors.Is(err, identity.ErrResetRequired) {
		t.Fatalf("old password after a forced reset: %v", err)
	}
	again := f.LastLink("lan@example.com", "/reset")
	if again.Text == forced.Text {
		t.Fatal("no new reset link after signing in with the old password")
	}
	const newPassword = "Seven quiet harbors at dawn 3#"
	if err := f.svc.ResetWithLink(ctx, forced.Token(t), newPassword); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("a voided reset link: %v", err)
	}
	if err := f.svc.ResetWithLink(ctx, again.Token(t), newPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signIn("lan@example.com", newPassword, "198.51.100.7"); err != nil {
		t.Fatalf("new password: %v", err)
	}

	inv, err := f.svc.InviteStaff(ctx, "new@acme.example", nil)
	if err != nil || inv.Kind != identity.KindStaff {
		t.Fatalf("invite: %+v %v", inv, err)
	}
	if _, err := f.svc.InviteStaff(ctx, "NEW@acme.example", nil); !errors.Is(err, identity.ErrExists) {
		t.Fatalf("second invite: %v", err)
	}
	m := f.last("new@acme.example")
	if !strings.Contains(m.Subject, "invited") {
		t.Fatalf("invitation %q", m.Subject)
	}
	state := func() identity.StaffState {
		t.Helper()
		states, err := f.svc.StaffStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return states[inv.ID]
	}
	if st := state(); !st.Invited() || !st.InvitedUntil.Equal(f.Clock.Now().Add(identity.InviteTTL).UTC()) {
		t.Fatalf("before accepting: %+v", st)
	}
	if err := f.svc.ResetWithLink(ctx, m.Token(t), newPassword); err != nil {
		t.Fatal(err)
	}
	if st := state(); st.Invited() || !st.NeverSignedIn {
		t.Fatalf("accepted, not signed in yet: %+v", st)
	}
	r, err := f.signIn("new@acme.example", newPassword, "198.51.100.7")
	if err != nil || !r.Session.MustEnrol {
		t.Fatalf("invited staff first sign-in: %+v %v", r, err)
	}
	if st := state(); st.Invited() || st.NeverSignedIn {
		t.Fatalf("after signing in: %+v", st)
	}
	staff, _ := f.svc.StaffAccounts(ctx)
	if len(staff) != 1 || staff[0].Email != "new@acme.example" {
		t.Fatalf("staff %+v", staff)
	}
}
