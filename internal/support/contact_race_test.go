package support_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

// A customer who opens two first conversations at once (the widget and the
// contact form, two tabs) gets both, under one contact: the second
// transaction's contact insert meets the first's on the unique index and
// is run again, finding it. Before, PostgreSQL answered the second with a
// unique violation.
func TestFirstConversationsAtOnceShareOneContact(t *testing.T) {
	f := newFixture(t)
	lan := f.Register("lan@example.com")
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	contacts := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := f.svc.Start(ctx, support.NewConversation{Who: support.Who{AccountID: lan.ID, Email: "lan@example.com", Name: "Lan", Locale: "vi"},
				Channel: support.ChannelChat, Body: fmt.Sprintf("Câu hỏi %d", i)})
			if err != nil {
				errs <- err
				return
			}
			contacts <- c.Contact.ID
		}()
	}
	wg.Wait()
	close(errs)
	close(contacts)
	for err := range errs {
		t.Errorf("a first conversation refused: %v", err)
	}
	ids := map[string]bool{}
	for id := range contacts {
		ids[id] = true
	}
	if len(ids) != 1 {
		t.Errorf("%d contacts for one customer, want 1", len(ids))
	}
	var rows int
	err := f.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM support_contacts WHERE account_id = ?", lan.ID).Scan(&rows)
	})
	if err != nil || rows != 1 {
		t.Errorf("contact rows: %d, %v", rows, err)
	}
}
