package identity_test

import (
	"context"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Staff find customers by e-mail, E.164 phone, id, or the words of a name
// typed without diacritics, although every one of those fields is sealed.
func TestSearch(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	secret, err := f.svc.Register(ctx, identity.Registration{Email: "dang@example.com", Password: goodPassword, Name: "Đặng Thị Hồng Nhung",
		Phone: "+84 912 345 689", IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	nhung, err := f.svc.VerifyEmail(ctx, "dang@example.com", f.last("dang@example.com").Code(t), identity.RegistrantProof{Registration: secret})
	if err != nil {
		t.Fatal(err)
	}
	lan := f.register("lan@example.com") // "Lan Nguyen"
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"DANG@example.com", []string{nhung.ID}},
		{"+84912345689", []string{nhung.ID}},
		{"dang nhung", []string{nhung.ID}},
		{"NHUNG  Hồng", []string{nhung.ID}},
		{"nhung thi dang", []string{nhung.ID}},      // a triple of words
		{"hong NHUNG đặng thị", []string{nhung.ID}}, // a triple and one more word
		{"dang thi lan", nil},
		{"dang thi hong lan", nil},
		{"nguyen", []string{lan.ID}},
		{"nguyen nhung", nil},
		{lan.ID, []string{lan.ID}},
		{"nobody@example.com", nil},
		{"+1 not a number", nil},
	} {
		hits, err := f.svc.Search(ctx, tc.q, identity.KindCustomer, 20)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.ID)
		}
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("search %q: %v, want %v", tc.q, got, tc.want)
		}
	}
	if hits, _ := f.svc.Search(ctx, "nguyen", identity.KindStaff, 20); len(hits) != 0 {
		t.Fatal("kind filter ignored")
	}
}

// Accounts created before the search existed have no tokens: the
// re-index at start gives them some, once.
func TestReindexSearch(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	var ids []string
	for _, e := range []string{"lan@example.com", "minh@example.com", "hoa@example.com"} {
		ids = append(ids, f.register(e).ID)
	}
	// The state of an installation upgraded from schema 5.
	err := f.d.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM account_search"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE search_scheme SET version = 0")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if hits, _ := f.svc.Search(ctx, "minh@example.com", identity.KindCustomer, 20); len(hits) != 0 {
		t.Fatal("found without tokens")
	}
	n, err := f.svc.ReindexSearch(ctx, nil)
	if err != nil || n != 3 {
		t.Fatalf("re-index: %d %v", n, err)
	}
	for i, q := range []string{"lan@example.com", "minh@example.com", "hoa@example.com"} {
		hits, err := f.svc.Search(ctx, q, identity.KindCustomer, 20)
		if err != nil || len(hits) != 1 || hits[0].ID != ids[i] {
			t.Fatalf("%s after re-index: %+v %v", q, hits, err)
		}
	}
	if hits, _ := f.svc.Search(ctx, "nguyen lan", identity.KindCustomer, 20); len(hits) != 3 {
		t.Fatalf("name after re-index: %d hits", len(hits))
	}
	if n, err := f.svc.ReindexSearch(ctx, nil); err != nil || n != 0 {
		t.Fatalf("second re-index: %d %v", n, err)
	}
}
