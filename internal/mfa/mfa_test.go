package mfa_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit/audittest"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/db/dbtest"
	"github.com/frontdesk/frontdesk/internal/mfa"
)

// rfc6238 is an implementation independent of the one under test: HOTP
// (RFC 4226) over the time step, SHA-1, six digits.
func rfc6238(key []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}

func TestIndependentTOTPMatchesRFCVector(t *testing.T) {
	// RFC 6238 Appendix B, SHA-1, T=59: 94287082 (8 digits) → 287082.
	if got := rfc6238([]byte("12345678901234567890"), time.Unix(59, 0)); got != "287082" {
		t.Fatalf("reference implementation gives %s", got)
	}
}

type fixture struct {
	d     *db.DB
	clock *dbtest.Clock
	svc   *mfa.Service
	acct  string
}

func newFixture(t *testing.T, skew int) *fixture {
	t.Helper()
	c := dbtest.NewClock(time.Date(2026, 3, 1, 9, 0, 5, 0, time.UTC))
	d := dbtest.OpenWith(t, dbtest.Options{Clock: c.Now})
	ctx := context.Background()
	kit := audittest.New(t, d, 1000)
	acct := "acct0001"
	err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO accounts (id, kind, status, email_index, email_sealed, password_hash, password_changed_at, created_at, updated_at)
			VALUES (?, 'customer', 'active', ?, ?, 'x', ?, ?, ?)`, acct, []byte("idx"), []byte("sealed"), tx.Now(), tx.Now(), tx.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := mfa.New(mfa.Options{DB: d, Keys: kit.Keys, Audit: kit.Log, Issuer: "Acme Bank", Skew: skew})
	return &fixture{d: d, clock: c, svc: svc, acct: acct}
}

func (f *fixture) enrol(t *testing.T) ([]byte, []string) {
	t.Helper()
	ctx := context.Background()
	e, err := f.svc.StartTOTP(ctx, f.acct, "lan@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.URL, "otpauth://totp/Acme%20Bank:lan@example.com?") || !strings.Contains(e.URL, "secret="+e.Secret) {
		t.Fatalf("otpauth URL %q", e.URL)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil || len(key) != 20 {
		t.Fatalf("secret %q: %v", e.Secret, err)
	}
	if _, err := f.svc.ConfirmTOTP(ctx, f.acct, "000000"); !errors.Is(err, mfa.ErrInvalidCode) && rfc6238(key, f.clock.Now()) != "000000" {
		t.Fatalf("wrong confirmation code: %v", err)
	}
	codes, err := f.svc.ConfirmTOTP(ctx, f.acct, rfc6238(key, f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return key, codes
}

// ASVS 6.5.1: a TOTP code is accepted once; ASVS 6.5.5: a code from two
// steps ago is refused.
func TestTOTPReplayAndWindow(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	key, _ := f.enrol(t)
	// The confirmation code itself cannot be used again.
	if err := f.svc.VerifyTOTP(ctx, f.acct, rfc6238(key, f.clock.Now())); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("replayed confirmation code: %v", err)
	}
	f.clock.Add(30 * time.Second)
	code := rfc6238(key, f.clock.Now())
	if err := f.svc.VerifyTOTP(ctx, f.acct, code); err != nil {
		t.Fatalf("fresh code: %v", err)
	}
	if err := f.svc.VerifyTOTP(ctx, f.acct, code); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("replay within the window: %v", err)
	}
	// One step of skew is allowed (default profile), two are not.
	f.clock.Add(60 * time.Second)
	if err := f.svc.VerifyTOTP(ctx, f.acct, rfc6238(key, f.clock.Now().Add(-30*time.Second))); err != nil {
		t.Fatalf("code one step old: %v", err)
	}
	f.clock.Add(90 * time.Second)
	if err := f.svc.VerifyTOTP(ctx, f.acct, rfc6238(key, f.clock.Now().Add(-60*time.Second))); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("code two steps old: %v", err)
	}
}

// The pci profile allows no skew.
func TestTOTPNoSkew(t *testing.T) {
	f := newFixture(t, 0)
	key, _ := f.enrol(t)
	f.clock.Add(60 * time.Second)
	if err := f.svc.VerifyTOTP(context.Background(), f.acct, rfc6238(key, f.clock.Now().Add(-30*time.Second))); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("code one step old with no skew: %v", err)
	}
	if err := f.svc.VerifyTOTP(context.Background(), f.acct, rfc6238(key, f.clock.Now())); err != nil {
		t.Fatal(err)
	}
}

// ASVS 6.5.2 / 6.5.1: recovery codes are stored hashed, single use, and a
// new set invalidates the old one.
func TestRecoveryCodes(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	_, codes := f.enrol(t)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	var stored int
	f.d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT code_hash FROM recovery_codes")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h []byte
			rows.Scan(&h)
			for _, c := range codes {
				if strings.Contains(string(h), c) || strings.Contains(string(h), strings.ReplaceAll(c, "-", "")) {
					t.Errorf("code %s stored in clear", c)
				}
			}
			stored++
		}
		return nil
	})
	if stored != 10 {
		t.Fatalf("%d stored codes", stored)
	}
	if err := f.svc.UseRecoveryCode(ctx, f.acct, strings.ToLower(strings.ReplaceAll(codes[0], "-", " "))); err != nil {
		t.Fatalf("code typed loosely: %v", err)
	}
	if err := f.svc.UseRecoveryCode(ctx, f.acct, codes[0]); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("code reused: %v", err)
	}
	fresh, err := f.svc.RegenerateRecoveryCodes(ctx, f.acct)
	if err != nil || len(fresh) != 10 {
		t.Fatal(err)
	}
	if err := f.svc.UseRecoveryCode(ctx, f.acct, codes[1]); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("old set still works: %v", err)
	}
	if err := f.svc.UseRecoveryCode(ctx, f.acct, fresh[1]); err != nil {
		t.Fatal(err)
	}
}

// The seed is sealed at rest (ASVS 6.5.3 / 11.3).
func TestSeedSealed(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	e, err := f.svc.StartTOTP(ctx, f.acct, "lan@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var sealed []byte
	f.d.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT secret_sealed FROM mfa_factors WHERE id = ?", e.FactorID).Scan(&sealed)
	})
	if len(sealed) == 0 || strings.Contains(string(sealed), e.Secret) {
		t.Fatal("seed not sealed")
	}
}
