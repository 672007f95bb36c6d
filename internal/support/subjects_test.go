package support_test

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

// Conversations from before subjects were taken from the first message
// (made here as the service makes them today, then their subject cleared,
// as the old code left it) are named after their first customer message;
// one that began with an agent's message is named after the customer's
// first; one whose first message is only a NUL stays unnamed (no "no
// match" value is written, and nothing with a NUL in it); an erased
// customer's kept conversation still lists, without a subject; a second
// pass names nothing. Subjects stay sealed: the database never holds them
// in the clear. One audit entry counts the batch.
func TestNameOldConversations(t *testing.T) {
	f := newFixture(t)
	lan := f.Register("lan@example.com")
	start := func(who support.Who, kind, body string) *support.Conversation {
		t.Helper()
		c, err := f.svc.Start(ctx, support.NewConversation{Who: who, Channel: support.ChannelChat, Kind: kind, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		f.Clock.Add(time.Second)
		return c
	}
	old := start(support.Who{Email: "a@example.com"}, "", "  My card was  charged twice\nOnce on Monday, once today.")
	outbound := start(support.Who{Email: "b@example.com"}, support.KindAgent, "Following up on your call")
	if _, _, err := f.svc.Post(ctx, outbound.ID, support.NewMessage{Kind: support.KindCustomer, Body: "Tôi quên mật khẩu"}); err != nil {
		t.Fatal(err)
	}
	nul := start(support.Who{Email: "c@example.com"}, "", "\x00\x00")
	erased := start(support.Who{AccountID: lan.ID, Email: "lan@example.com"}, "", "Xin chào, tài khoản bị khóa")
	named := start(support.Who{Email: "d@example.com"}, "", "我的账户被锁定了")
	if err := f.D.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE conversations SET subject_sealed = NULL WHERE id <> ?", named.ID)
		if err != nil {
			return err
		}
		return f.Keys.Destroy(ctx, tx, "account:"+lan.ID)
	}); err != nil {
		t.Fatal(err)
	}

	n, err := f.svc.NameOldConversations(ctx)
	if err != nil || n != 2 {
		t.Fatalf("named %d, %v; want 2", n, err)
	}
	list, err := f.svc.List(ctx, support.Filter{})
	if err != nil {
		t.Fatalf("the inbox fails: %v", err)
	}
	got := map[string]string{}
	for _, c := range list {
		got[c.ID] = c.Subject
	}
	want := map[string]string{old.ID: "My card was charged twice", outbound.ID: "Tôi quên mật khẩu", nul.ID: "", erased.ID: "", named.ID: "我的账户被锁定了"}
	for id, w := range want {
		if s, ok := got[id]; !ok || s != w {
			t.Errorf("conversation %s: listed %v, subject %q, want %q", id, ok, s, w)
		}
	}
	if c, err := f.svc.Get(ctx, old.ID, true); err != nil || c.Subject != "My card was charged twice" {
		t.Errorf("the conversation itself: %v, %v", c, err)
	}
	// Found by a word of its new subject; nothing in the clear at rest.
	if found, err := f.svc.List(ctx, support.Filter{Query: "charged"}); err != nil || len(found) != 1 || found[0].ID != old.ID {
		t.Errorf("search for a subject word: %v, %v", found, err)
	}
	var unnamed int
	err = f.D.Read(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM conversations WHERE subject_sealed IS NULL").Scan(&unnamed); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT subject_sealed FROM conversations WHERE subject_sealed IS NOT NULL")
		sealed, err := db.Collect(rows, err, db.Value[[]byte])
		for _, s := range sealed {
			if len(s) < 20 || string(s) == "My card was charged twice" {
				t.Errorf("a subject at rest: %q", s)
			}
		}
		return err
	})
	if err != nil || unnamed != 2 {
		t.Errorf("%d conversations left without a subject (%v), want the NUL one and the erased one", unnamed, err)
	}
	recs, err := audit.Query(ctx, f.D, f.Keys, audit.Filter{Action: "support.subjects_named"})
	if err != nil || len(recs) != 1 || recs[0].Details["count"] == nil {
		t.Errorf("audit: %+v, %v", recs, err)
	}

	// Again (the next start): nothing more to name, nothing written.
	if n, err := f.svc.NameOldConversations(ctx); err != nil || n != 0 {
		t.Errorf("a second pass named %d, %v", n, err)
	}
	if recs, _ := audit.Query(ctx, f.D, f.Keys, audit.Filter{Action: "support.subjects_named"}); len(recs) != 1 {
		t.Errorf("a second pass wrote %d audit entries in all", len(recs))
	}
}
