package identity_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// The first-run setup link (ASVS 6.3.2: no default account; the bootstrap
// needs a one-time generated secret that expires): it is stored as a hash
// only, works once, not after SetupTTL, not once a staff account exists,
// and a new link replaces the earlier one.
func TestSetupLink(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	link, expires, err := f.svc.IssueSetupLink(ctx)
	if err != nil || len(link) < 40 || !expires.Equal(f.Clock.Now().Add(identity.SetupTTL).UTC()) {
		t.Fatalf("issue: %q %v %v", link, expires, err)
	}
	// At rest: a SHA-256, never the secret (ASVS 6.5.2).
	err = f.D.Read(ctx, func(tx *db.Tx) error {
		var hash []byte
		if err := tx.QueryRow(ctx, "SELECT token_hash FROM setup_links").Scan(&hash); err != nil {
			return err
		}
		if len(hash) != 32 || bytes.Contains(hash, []byte(link)) {
			t.Errorf("stored %x", hash)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A second link replaces the first.
	second, _, err := f.svc.IssueSetupLink(ctx)
	if err != nil || second == link {
		t.Fatalf("second link: %v", err)
	}
	if ok, _ := f.svc.SetupLinkValid(ctx, link); ok {
		t.Fatal("the replaced link still works")
	}
	if _, err := f.svc.CompleteSetup(ctx, link, "root@acme.example", goodPassword, nil); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("the replaced link: %v", err)
	}

	// Expired: a second past 24 hours, nothing is created.
	third, _, _ := f.svc.IssueSetupLink(ctx)
	f.Clock.Add(identity.SetupTTL + time.Second)
	if _, err := f.svc.CompleteSetup(ctx, third, "root@acme.example", goodPassword, nil); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("an expired link: %v", err)
	}
	if staff, _ := f.svc.StaffAccounts(ctx); len(staff) != 0 {
		t.Fatalf("an expired link made %d accounts", len(staff))
	}

	// Bad input changes nothing and keeps the link.
	fresh, _, _ := f.svc.IssueSetupLink(ctx)
	var fe *identity.FieldError
	if _, err := f.svc.CompleteSetup(ctx, fresh, "root@acme.example", "short", nil); !errors.As(err, &fe) {
		t.Fatalf("a short password: %v", err)
	}
	if ok, _ := f.svc.SetupLinkValid(ctx, fresh); !ok {
		t.Fatal("a refused password used up the link")
	}

	// It works once; the roles are granted in the same transaction.
	granted := ""
	a, err := f.svc.CompleteSetup(ctx, fresh, "Root@Acme.example", goodPassword, func(tx *db.Tx, id string) error {
		granted = id
		return nil
	})
	if err != nil || a.Kind != identity.KindStaff || a.Email != "Root@acme.example" || granted != a.ID {
		t.Fatalf("setup: %+v %v", a, err)
	}
	if _, err := f.svc.CompleteSetup(ctx, fresh, "second@acme.example", goodPassword, nil); !errors.Is(err, identity.ErrInvalidCode) {
		t.Fatalf("a used link: %v", err)
	}
	// With a staff account, no new link is issued.
	if _, _, err := f.svc.IssueSetupLink(ctx); !errors.Is(err, identity.ErrSetupDone) {
		t.Fatalf("a link after setup: %v", err)
	}
	// The new administrator signs in and must enrol a second factor.
	res, err := f.signIn("root@acme.example", goodPassword, "198.51.100.7")
	if err != nil || !res.Session.MustEnrol {
		t.Fatalf("first sign-in: %+v %v", res, err)
	}
	f.verifyAudit()
}
