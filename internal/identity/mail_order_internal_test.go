package identity

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/notify"
)

// slowFirstMailer holds the message named "first" until the one named
// "second" arrives or a while has passed, as an SMTP server that stalls on
// one connection would.
type slowFirstMailer struct {
	mu     sync.Mutex
	got    []string
	second chan struct{}
}

func (m *slowFirstMailer) Send(_ context.Context, msg notify.Message) (string, error) {
	switch msg.Data["Name"] {
	case "first":
		select {
		case <-m.second:
		case <-time.After(300 * time.Millisecond):
		}
	case "second":
		close(m.second)
	}
	m.mu.Lock()
	m.got = append(m.got, msg.Data["Name"].(string))
	m.mu.Unlock()
	return "", nil
}

// Two codes mailed to one person leave in the order they were issued,
// however long the first takes to send: the newer code replaces the older,
// so the last one received must be the one that works.
func TestMailsToOneRecipientKeepTheirOrder(t *testing.T) {
	m := &slowFirstMailer{second: make(chan struct{})}
	s := New(Options{Mail: m})
	ctx := context.Background()
	s.send(ctx, []outgoing{{to: "a@example.com", name: "first", locale: "en", kind: mailVerify}})
	s.send(ctx, []outgoing{{to: "a@example.com", name: "second", locale: "en", kind: mailVerify}})
	s.WaitMail()
	if len(m.got) != 2 || m.got[0] != "first" || m.got[1] != "second" {
		t.Fatalf("sent in the order %q, want first then second", m.got)
	}
}
