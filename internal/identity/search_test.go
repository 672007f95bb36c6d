package identity_test

import (
	"context"
	"testing"

	"github.com/frontdesk/frontdesk/internal/identity"
)

// Staff find customers by e-mail, E.164 phone, id, or the words of a name
// typed without diacritics, although every one of those fields is sealed.
func TestSearch(t *testing.T) {
	f := newFixture(t, "default")
	ctx := context.Background()
	if err := f.svc.Register(ctx, identity.Registration{Email: "dang@example.com", Password: goodPassword, Name: "Đặng Thị Hồng Nhung",
		Phone: "+84 912 345 689", IP: "198.51.100.7"}); err != nil {
		t.Fatal(err)
	}
	nhung, err := f.svc.VerifyEmail(ctx, "dang@example.com", f.last("dang@example.com").Code(t))
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
