package identity_test

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// An account written with SealAccount's columns, as bench/backup's seeder
// writes them (its own SQL, the keyring's bulk data keys), is an account
// like an imported one: it signs in, its sealed fields open, and the
// console finds it by e-mail, phone and name.
func TestSealedAccountSignsInAndIsFound(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	hash, err := bcrypt.GenerateFromPassword([]byte(goodPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	const id = "5eeded00000000000000000000000001"
	err = f.d.Write(ctx, func(tx *db.Tx) error {
		keys, err := f.Keys.DataKeys(ctx, tx, []string{identity.AccountKeySubject(id)})
		if err != nil {
			return err
		}
		s := f.svc.SealAccount(keys[identity.AccountKeySubject(id)], id, "seeded@example.com", "Phạm Thị Lan", "+84912000111")
		now := tx.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO accounts (id, kind, status, email_index, email_sealed, name_sealed, phone_sealed,
			locale, password_hash, password_changed_at, email_verified_at, created_at, updated_at) VALUES (?, 'customer', 'active', ?, ?, ?, ?, 'vi', ?, ?, ?, ?, ?)`,
			id, s.EmailIndex, s.EmailSealed, s.NameSealed, s.PhoneSealed, string(hash), now, now, now, now); err != nil {
			return err
		}
		for _, tok := range s.Search {
			if _, err := tx.Exec(ctx, "INSERT INTO account_search (token, account_id, field) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", tok.Token, id, tok.Field); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.signIn("Seeded@Example.com", goodPassword, "198.51.100.7")
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if a := r.Account; a.ID != id || a.Email != "seeded@example.com" || a.Name != "Phạm Thị Lan" || a.Phone != "+84912000111" || !a.EmailVerified {
		t.Fatalf("account %+v", a)
	}
	for _, q := range []string{"seeded@example.com", "+84912000111", "pham thi lan", "Lan"} {
		if hits, err := f.svc.Search(ctx, q, identity.KindCustomer, 10); err != nil || len(hits) != 1 || hits[0].ID != id {
			t.Fatalf("search %q: %+v %v", q, hits, err)
		}
	}
}
