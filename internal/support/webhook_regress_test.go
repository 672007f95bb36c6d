package support_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/frontdesk/frontdesk/internal/support"
)

// A chat id is text: NUL, control characters and invalid UTF-8 are refused
// as input, not left to fail in PostgreSQL.
func TestMessagingChatIDIsText(t *testing.T) {
	f := newFixture(t)
	for _, chat := range []string{"4\x002", "\xff", "a\nb"} {
		if _, _, _, err := f.svc.ReceiveMessaging(ctx, "d1", tgIn(chat, "m1", "hi")); !errors.Is(err, support.ErrInvalid) {
			t.Errorf("chat id %q: %v", chat, err)
		}
	}
}

// Deliveries racing for a new chat all land in one conversation.
func TestMessagingConcurrentNewChat(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, _, _, errs[i] = f.svc.ReceiveMessaging(ctx, fmt.Sprint("d", i), tgIn("77", fmt.Sprint("m", i), "hi"))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	all, err := f.svc.List(ctx, support.Filter{Channel: support.ChannelMessaging})
	if err != nil || len(all) != 1 || all[0].MessageCount != 8 {
		t.Fatalf("%d conversations, %v", len(all), err)
	}
}

// A Retry-After too large for a Duration still waits the minute.
func TestWebhookSenderRetryAfterOverflow(t *testing.T) {
	b := newScriptedBridge(t, "429 10000000000")
	s, err := support.NewWebhookSender(b.URL, secretA)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := s.Send(context.Background(), support.Outgoing{Type: "message", Delivery: "d"}); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != time.Minute {
			t.Fatalf("waited %v", waited)
		}
	})
}
