package support_test

import (
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/support"
)

// The bot answers first from the help centre, says it is a bot, and hands
// over to people when unsure, when asked, or at the second message.
func TestBotHandOverRules(t *testing.T) {
	f := newFixture(t)
	base := kb.New(f.D, f.Log, nil)
	for _, a := range []kb.Input{
		{Slug: "cannot-sign-in", Locale: "vi", Title: "Không đăng nhập được", BodyMD: "Kiểm tra mật khẩu của bạn."},
		{Slug: "unlock", Locale: "en", Title: "Unlock your locked account", BodyMD: "Open the e-mail we sent."},
	} {
		a.Status, a.AuthorID = kb.StatusPublished, "editor"
		if _, err := base.Save(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	svc := support.New(support.Options{DB: f.D, Keys: f.Keys, Audit: f.Log, Bot: support.KBBot(base), BaseURL: "https://bank.example"})
	f.svc = svc
	if err := svc.SaveAgent(ctx, support.Agent{AccountID: "a1", DisplayName: "An", Languages: []string{"vi", "en"}, MaxOpen: 10}); err != nil {
		t.Fatal(err)
	}
	start := func(locale, text string) string {
		c, err := svc.Start(ctx, support.NewConversation{Who: support.Who{Locale: locale}, Channel: support.ChannelChat, Body: text})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	last := func(id string) support.Message {
		c, _ := svc.Get(ctx, id, true)
		return c.Messages[len(c.Messages)-1]
	}

	// A confident answer, as the bot.
	c1 := start("vi", "Tôi không đăng nhập được vào tài khoản")
	if got, err := svc.BotTurn(ctx, c1, "Tôi không đăng nhập được vào tài khoản", true); err != nil || got != support.BotAnswered {
		t.Fatalf("first turn: %q %v", got, err)
	}
	m := last(c1)
	if m.Kind != support.KindBot || !strings.Contains(m.Body, "Không đăng nhập được") || !strings.Contains(m.Body, "https://bank.example/help/cannot-sign-in?lang=vi") ||
		!strings.Contains(m.Body, "trợ lý tự động") {
		t.Fatalf("bot message: %+v", m)
	}
	if c, _ := svc.Get(ctx, c1, false); c.AssigneeID != "" {
		t.Fatal("assigned while the bot answers")
	}
	// The customer writes again: the second attempt goes to a person.
	if got, _ := svc.BotTurn(ctx, c1, "vẫn không được", false); got != support.BotHandedOff {
		t.Fatalf("second turn: %q", got)
	}
	if m := last(c1); m.Kind != support.KindSystem || !strings.Contains(m.Body, "đã xem các bài viết") {
		t.Fatalf("hand-over message: %+v", m)
	}
	if c, _ := svc.Get(ctx, c1, false); c.AssigneeID != "a1" {
		t.Fatalf("handed over to %q", c.AssigneeID)
	}
	if got, _ := svc.BotTurn(ctx, c1, "hello?", false); got != "" {
		t.Fatalf("the bot came back after handing over: %q", got)
	}

	// Unsure at the first message: the bot stays out of it (the chat
	// assigns the conversation as if there were no bot).
	c2 := start("en", "my parcel never arrived")
	if got, _ := svc.BotTurn(ctx, c2, "my parcel never arrived", true); got != "" {
		t.Fatalf("unsure: %q", got)
	}
	if m := last(c2); m.Kind != support.KindCustomer {
		t.Fatalf("the bot spoke while unsure: %+v", m)
	}
	// Asked for a person.
	c3 := start("en", "my account is locked, unlock it")
	if got, _ := svc.BotTurn(ctx, c3, "my account is locked, unlock it", true); got != support.BotAnswered {
		t.Fatalf("locked: %q", got)
	}
	if err := svc.HandOver(ctx, c3, "asked"); err != nil {
		t.Fatal(err)
	}
	if c, _ := svc.Get(ctx, c3, false); c.AssigneeID == "" {
		t.Fatal("not handed to a person when asked")
	}
	// Solved by the article: resolved without a person.
	c4 := start("en", "how to unlock my locked account")
	svc.BotTurn(ctx, c4, "how to unlock my locked account", true)
	if err := svc.BotSolved(ctx, c4); err != nil {
		t.Fatal(err)
	}
	if c, _ := svc.Get(ctx, c4, false); c.Status != support.StatusResolved || c.AssigneeID != "" {
		t.Fatalf("solved by the bot: %s %q", c.Status, c.AssigneeID)
	}
}
