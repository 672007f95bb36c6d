package identity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/identity"
)

const attackerPassword = "Quartz meadow harbour 42 tango"

// The pre-verification takeover of the outside test: the victim registers,
// the attacker registers the same address with another password, and the
// victim types the newest code in their inbox. The code must only ever
// activate the password of the person who set it and reads the mailbox
// (ASVS 6.4.1; the registration flow of V6.3/V6.4): the newest code (the
// attacker's) does not work with the victim's proof, the victim's own code
// does, and afterwards only the victim's password signs in.
func TestLaterRegistrationCannotTakeOverPending(t *testing.T) {
	for _, proof := range []string{"registration", "password"} {
		t.Run(proof, func(t *testing.T) {
			f := newFixture(t, "default")
			ctx := context.Background()
			email := "victim@example.com"
			victimSecret, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, Name: "Victim Pham", IP: "198.51.100.7"})
			if err != nil {
				t.Fatal(err)
			}
			victimCode := f.last(email).Code(t)
			attackerSecret, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: attackerPassword, Name: "Mallory", Phone: "+84 900 000 001", IP: "203.0.113.66"})
			if err != nil {
				t.Fatal(err)
			}
			if victimSecret == "" || attackerSecret == "" || victimSecret == attackerSecret {
				t.Fatalf("registration secrets %q %q", victimSecret, attackerSecret)
			}
			newest := f.last(email).Code(t)
			victim := identity.RegistrantProof{Registration: victimSecret}
			if proof == "password" {
				victim = identity.RegistrantProof{Password: goodPassword}
			}
			// The newest code in the victim's inbox is the attacker's: with
			// the victim's proof it activates nothing.
			if newest != victimCode {
				if _, err := f.svc.VerifyEmail(ctx, email, newest, victim); !errors.Is(err, identity.ErrInvalidCode) {
					t.Fatalf("attacker's code with the victim's proof: %v", err)
				}
			}
			if _, err := f.signIn(email, attackerPassword, "203.0.113.66"); errors.Is(err, nil) {
				t.Fatal("attacker signed in before any verification")
			}
			a, err := f.svc.VerifyEmail(ctx, email, victimCode, victim)
			if err != nil {
				t.Fatalf("victim's own code: %v", err)
			}
			if a.Name != "Victim Pham" || a.Phone != "" {
				t.Fatalf("account holds another attempt's profile: %+v", a)
			}
			if _, err := f.signIn(email, attackerPassword, "203.0.113.66"); !errors.Is(err, identity.ErrInvalidCredentials) {
				t.Fatalf("attacker's password after verification: %v", err)
			}
			if _, err := f.signIn(email, goodPassword, "198.51.100.7"); err != nil {
				t.Fatalf("victim's password: %v", err)
			}
			// The attacker's attempt died with the verification.
			if _, err := f.svc.VerifyEmail(ctx, email, newest, identity.RegistrantProof{Registration: attackerSecret}); !errors.Is(err, identity.ErrInvalidCode) {
				t.Fatalf("attacker's attempt after verification: %v", err)
			}
		})
	}
}

// The other order: the attacker registers the address first (the pending
// account row starts with their password), the owner registers after and
// confirms: the owner's password, and only it, works.
func TestEarlierRegistrationCannotTakeOverPending(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	email := "owner@example.com"
	if _, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: attackerPassword, Name: "Mallory", IP: "203.0.113.66"}); err != nil {
		t.Fatal(err)
	}
	attackerCode := f.last(email).Code(t)
	secret, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, Name: "Owner Tran", IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	ownerCode := f.last(email).Code(t)
	if attackerCode != ownerCode {
		if _, err := f.svc.VerifyEmail(ctx, email, attackerCode, identity.RegistrantProof{Registration: secret}); !errors.Is(err, identity.ErrInvalidCode) {
			t.Fatalf("attacker's code with the owner's proof: %v", err)
		}
	}
	if _, err := f.svc.VerifyEmail(ctx, email, ownerCode, identity.RegistrantProof{Registration: secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signIn(email, attackerPassword, "203.0.113.66"); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatalf("attacker's password: %v", err)
	}
	if _, err := f.signIn(email, goodPassword, "198.51.100.7"); err != nil {
		t.Fatalf("owner's password: %v", err)
	}
}

// Registering an existing address answers with a secret of the same shape
// as a new one, and the owner is told by e-mail (ASVS 6.3.8, 6.3.7).
func TestRegisterAgainSameShapeOwnerTold(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	a := f.register("taken@example.com")
	before := len(f.mails(a.Email))
	again, err := f.svc.Register(ctx, identity.Registration{Email: a.Email, Password: attackerPassword, IP: "203.0.113.66"})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := f.svc.Register(ctx, identity.Registration{Email: "fresh@example.com", Password: attackerPassword, IP: "203.0.113.66"})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(fresh) || again == fresh {
		t.Fatalf("answers differ in shape: %q / %q", again, fresh)
	}
	ms := f.mails(a.Email)
	if len(ms) != before+1 || !strings.Contains(ms[len(ms)-1].Subject, "tried to register") {
		t.Fatalf("owner not told: %+v", ms[before:])
	}
}

// The registration e-mails (verification, and "someone tried to register"
// to an existing owner) have their own per-recipient quotas; past them the
// answer is the same and no attempt is stored (ASVS 2.4.1, 6.3.8).
func TestRegistrationMailQuota(t *testing.T) {
	ctx := context.Background()
	ip := func(i int) string { return fmt.Sprintf("192.0.2.%d", 10+i%5) } // five sources
	t.Run("verify", func(t *testing.T) {
		f := newFixture(t, "default")
		email := "new.bombed@example.com"
		for i := range 6 {
			if _, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, IP: ip(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if n := countMails(f, email, "Confirm your e-mail"); n != 3 {
			t.Fatalf("%d verification e-mails, want 3", n)
		}
		f.clock.Add(15 * time.Minute)
		if _, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, IP: ip(0)}); err != nil {
			t.Fatal(err)
		}
		if n := countMails(f, email, "Confirm your e-mail"); n != 4 {
			t.Fatalf("%d verification e-mails after the window, want 4", n)
		}
	})
	t.Run("exists", func(t *testing.T) {
		f := newFixture(t, "default")
		a := f.register("owner.bombed@example.com")
		for i := range 6 {
			if _, err := f.svc.Register(ctx, identity.Registration{Email: a.Email, Password: attackerPassword, IP: ip(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if n := countMails(f, a.Email, "tried to register"); n != 3 {
			t.Fatalf("%d 'already registered' e-mails, want 3", n)
		}
	})
}

// Two registrants confirming at once, one by secret and one by password,
// while the first signs in (which re-issues its code): exactly one attempt
// wins, and the others get the ordinary answers, never a database error
// (locks are taken account first, then attempts).
func TestConcurrentVerificationsOneWins(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	for round := range 3 {
		email := fmt.Sprintf("race%d@example.com", round)
		first, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: goodPassword, IP: "198.51.100.7"})
		if err != nil {
			t.Fatal(err)
		}
		firstCode := f.last(email).Code(t)
		if _, err := f.svc.Register(ctx, identity.Registration{Email: email, Password: attackerPassword, IP: "203.0.113.66"}); err != nil {
			t.Fatal(err)
		}
		secondCode := f.last(email).Code(t)
		verified := make(chan error, 2)
		var wg sync.WaitGroup
		wg.Go(func() {
			_, err := f.svc.VerifyEmail(ctx, email, firstCode, identity.RegistrantProof{Registration: first})
			verified <- err
		})
		wg.Go(func() {
			_, err := f.svc.VerifyEmail(ctx, email, secondCode, identity.RegistrantProof{Password: attackerPassword})
			verified <- err
		})
		wg.Go(func() {
			// Pending (a new code), signed in, or the other attempt won.
			_, err := f.signIn(email, goodPassword, "198.51.100.7")
			if err != nil && !errors.Is(err, identity.ErrEmailNotVerified) && !errors.Is(err, identity.ErrInvalidCredentials) {
				t.Errorf("round %d: sign-in: %v", round, err)
			}
		})
		wg.Wait()
		close(verified)
		won := 0
		for err := range verified {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, identity.ErrInvalidCode):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d attempts verified", round, won)
		}
		_, errFirst := f.signIn(email, goodPassword, "198.51.100.7")
		_, errSecond := f.signIn(email, attackerPassword, "203.0.113.66")
		if (errFirst == nil) == (errSecond == nil) {
			t.Fatalf("round %d: first %v, second %v: exactly one password must work", round, errFirst, errSecond)
		}
	}
}
