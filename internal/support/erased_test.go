package support_test

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

// A conversation kept after its customer's key was destroyed (erasure under
// a legal hold) is listed without subject or preview; the rest of the inbox
// still shows. Before, one such conversation made the whole list fail.
func TestInboxWithAnErasedCustomer(t *testing.T) {
	f := newFixture(t)
	lan := f.Register("lan@example.com")
	kept := f.start(support.Who{AccountID: lan.ID, Email: "lan@example.com"}, "My card was charged twice")
	f.Clock.Add(time.Second)
	other := f.start(support.Who{Email: "b@example.com"}, "I cannot sign in")
	if err := f.D.Write(ctx, func(tx *db.Tx) error { return f.Keys.Destroy(ctx, tx, "account:"+lan.ID) }); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.List(ctx, support.Filter{})
	if err != nil {
		t.Fatalf("the inbox fails: %v", err)
	}
	if len(list) != 2 || list[0].ID != other.ID || list[0].Subject != "Help" || list[1].ID != kept.ID || list[1].Subject != "" {
		t.Fatalf("listed: %+v", list)
	}
	previews, err := f.svc.Previews(ctx, []string{kept.ID, other.ID})
	if err != nil {
		t.Fatalf("previews fail: %v", err)
	}
	if _, ok := previews[kept.ID]; ok || previews[other.ID].Text != "I cannot sign in" {
		t.Fatalf("previews: %+v", previews)
	}
}
