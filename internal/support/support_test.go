package support_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/support"
)

var ctx = context.Background()

type fixture struct {
	*identitytest.Kit
	svc *support.Service
	bus *recorder
}

// recorder is a Publisher that keeps what it was given.
type recorder struct {
	mu       sync.Mutex
	subjects []string
}

func (r *recorder) Publish(_ context.Context, subject string, _ []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.subjects = append(r.subjects, subject)
	return nil
}

func newFixture(t *testing.T) *fixture {
	k := identitytest.New(t, "default")
	bus := &recorder{}
	svc := support.New(support.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Bus: bus, Mail: k.Mail,
		BaseURL: "https://bank.example", Org: "Acme Bank", FollowUpAfter: 72 * time.Hour})
	t.Cleanup(svc.WaitMail) // before the outbox directory is removed
	return &fixture{Kit: k, bus: bus, svc: svc}
}

func (f *fixture) start(who support.Who, body string) *support.Conversation {
	f.T.Helper()
	c, err := f.svc.Start(ctx, support.NewConversation{Who: who, Channel: support.ChannelChat, Subject: "Help", Body: body})
	if err != nil {
		f.T.Fatal(err)
	}
	return c
}

func (f *fixture) agent(id, name string, langs ...string) {
	f.T.Helper()
	if err := f.svc.SaveAgent(ctx, support.Agent{AccountID: id, DisplayName: name, Languages: langs, MaxOpen: 2}); err != nil {
		f.T.Fatal(err)
	}
}

// A visitor writes, an agent answers, the customer writes again: messages
// in order, first response recorded, notes kept from the customer, and the
// text sealed at rest.
func TestConversationLifecycle(t *testing.T) {
	f := newFixture(t)
	lan := f.Register("lan@example.com")
	c, err := f.svc.Start(ctx, support.NewConversation{Who: support.Who{AccountID: lan.ID, Email: "lan@example.com", Name: "Lan", Locale: "vi"},
		Channel: support.ChannelPortal, Subject: "Không đăng nhập được", Body: "Tài khoản của tôi bị khóa", ClientID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != support.StatusOpen || c.Language != "vi" || c.FirstResponseDue == nil || c.Contact.AccountID != lan.ID {
		t.Fatalf("started: %+v", c)
	}
	f.Clock.Add(time.Minute)
	if _, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindNote, AuthorID: "agent1", Body: "Checked: locked after 5 failures"}); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(time.Minute)
	if _, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "agent1", Body: "Chào Lan, tôi đã mở khóa."}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Update(ctx, c.ID, support.Change{Status: support.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	// The customer replies to a resolved conversation: it reopens.
	if _, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindCustomer, Body: "Cảm ơn!", ClientID: "c2"}); err != nil {
		t.Fatal(err)
	}
	staff, err := f.svc.Get(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if staff.Status != support.StatusOpen || staff.ResolvedAt != nil || staff.FirstResponseAt == nil || !staff.FirstResponseAt.Equal(c.CreatedAt.Add(2*time.Minute)) {
		t.Fatalf("after the reply: %+v", staff)
	}
	var kinds []string
	for i, m := range staff.Messages {
		if m.Seq != i+1 {
			t.Fatalf("message %d has seq %d", i, m.Seq)
		}
		kinds = append(kinds, m.Kind)
	}
	if !slices.Equal(kinds, []string{"customer", "note", "agent", "customer"}) {
		t.Fatalf("kinds %v", kinds)
	}
	customer, err := f.svc.Get(ctx, c.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range customer.Messages {
		if m.Kind == support.KindNote {
			t.Fatal("the customer's view holds an internal note")
		}
	}
	// ASVS 14.2.4 (data protection): the text is sealed at rest.
	err = f.D.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT body_sealed FROM conversation_messages")
		bodies, err := db.Collect(rows, err, db.Value[[]byte])
		for _, b := range bodies {
			if strings.Contains(string(b), "khóa") || strings.Contains(string(b), "Lan") {
				t.Errorf("message stored in clear: %q", b)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.bus.subjects) == 0 || !strings.HasPrefix(f.bus.subjects[0], "conv."+c.ID+".") {
		t.Fatalf("no live update published: %v", f.bus.subjects)
	}
}

// A chat client re-sends after a reconnect: the message is stored once.
func TestResentMessageIsStoredOnce(t *testing.T) {
	f := newFixture(t)
	c := f.start(support.Who{Email: "visitor@example.com"}, "Hello")
	for range 3 {
		m, dup, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindCustomer, ClientID: "abc", Body: "Are you there?"})
		if err != nil || m.Body != "Are you there?" {
			t.Fatalf("post: %+v %v", m, err)
		}
		_ = dup
	}
	got, _ := f.svc.Get(ctx, c.ID, true)
	if len(got.Messages) != 2 || got.MessageCount != 2 {
		t.Fatalf("%d messages, count %d", len(got.Messages), got.MessageCount)
	}
	after, err := f.svc.MessagesAfter(ctx, c.ID, 1)
	if err != nil || len(after) != 1 || after[0].ClientID != "abc" {
		t.Fatalf("catch-up: %+v %v", after, err)
	}
}

// Bad input changes nothing and says what is wrong.
func TestBadInput(t *testing.T) {
	f := newFixture(t)
	for _, n := range []support.NewConversation{
		{Who: support.Who{Email: "v@example.com"}, Channel: "fax", Body: "x"},
		{Who: support.Who{Email: "v@example.com"}, Channel: support.ChannelChat, Body: "   "},
		{Who: support.Who{Email: "not an address"}, Channel: support.ChannelChat, Body: "x"},
		{Who: support.Who{Email: "v@example.com"}, Channel: support.ChannelChat, Body: strings.Repeat("x", support.MaxBody+1)},
		{Who: support.Who{Email: "v@example.com"}, Channel: support.ChannelChat, Body: "x", Priority: "asap"},
		{Who: support.Who{Email: "v@example.com"}, Channel: support.ChannelChat, Body: "x", Category: "nope"},
	} {
		if _, err := f.svc.Start(ctx, n); !errors.Is(err, support.ErrInvalid) {
			t.Errorf("%+v: %v", n, err)
		}
	}
	if list, _ := f.svc.List(ctx, support.Filter{}); len(list) != 0 {
		t.Fatalf("bad input created %d conversations", len(list))
	}
	c := f.start(support.Who{Email: "v@example.com"}, "hi")
	if _, err := f.svc.Update(ctx, c.ID, support.Change{Status: "done"}); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("bad status: %v", err)
	}
	if _, err := f.svc.SetTags(ctx, c.ID, []string{"<script>"}); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("bad tag: %v", err)
	}
	if _, _, err := f.svc.Post(ctx, "nope", support.NewMessage{Kind: support.KindCustomer, Body: "x"}); !errors.Is(err, support.ErrNotFound) {
		t.Fatalf("unknown conversation: %v", err)
	}
}

// The inbox lists by filter, newest activity first, and finds
// conversations by words typed without diacritics and by Chinese
// substrings, although the text is sealed.
func TestInboxAndSearch(t *testing.T) {
	f := newFixture(t)
	vi := f.start(support.Who{Email: "a@example.com", Locale: "vi"}, "Tôi không đăng nhập được")
	f.Clock.Add(time.Second)
	zh := f.start(support.Who{Email: "b@example.com", Locale: "zh"}, "忘记密码怎么办")
	f.Clock.Add(time.Second)
	en := f.start(support.Who{Email: "c@example.com"}, "My browser shows an error")
	if _, _, err := f.svc.Post(ctx, en.ID, support.NewMessage{Kind: support.KindNote, Body: "secret-internal-word"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"dang nhap", []string{vi.ID}},
		{"ĐĂNG", []string{vi.ID}},
		{"密码", []string{zh.ID}},
		{"browser error", []string{en.ID}},
		{"browser nhap", nil},
		{"secret-internal-word", nil}, // notes are not searchable by word
		{"", []string{en.ID, zh.ID, vi.ID}},
		{"my error", []string{en.ID}},
	} {
		// Both ways of searching: driven by the rarest word's rows, and
		// (every word "common" under a cap of 1) probing in order.
		for _, cap := range []int{3000, 1} {
			restore := support.SetCandidateCap(cap)
			list, err := f.svc.List(ctx, support.Filter{Query: tc.q})
			restore()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range list {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("search %q (candidate cap %d): %v, want %v", tc.q, cap, got, tc.want)
			}
		}
	}
	// Keyset pagination.
	page1, _ := f.svc.List(ctx, support.Filter{Limit: 2})
	page2, _ := f.svc.List(ctx, support.Filter{Limit: 2, BeforeAt: page1[1].LastMessageAt, BeforeID: page1[1].ID})
	if len(page1) != 2 || len(page2) != 1 || page2[0].ID != vi.ID {
		t.Fatalf("pages: %d %d", len(page1), len(page2))
	}
	if _, err := f.svc.SetTags(ctx, zh.ID, []string{"VIP", "password"}); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.svc.List(ctx, support.Filter{Tag: "vip"}); len(list) != 1 || list[0].ID != zh.ID || !slices.Equal(list[0].Tags, []string{"password", "vip"}) {
		t.Fatalf("by tag: %+v", list)
	}
	if _, err := f.svc.Update(ctx, vi.ID, support.Change{Status: support.StatusResolved, Category: "account_locked"}); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.svc.List(ctx, support.Filter{Status: "active"}); len(list) != 2 {
		t.Fatalf("active: %d", len(list))
	}
	if list, _ := f.svc.List(ctx, support.Filter{Category: "account_locked"}); len(list) != 1 || list[0].Contact.Email != "a@example.com" || list[0].Subject != "Help" {
		t.Fatalf("by category: %+v", list)
	}
}

// Round-robin within a team: agents in turn, skipping those away or at
// their cap, preferring one who speaks the customer's language.
func TestAutoAssign(t *testing.T) {
	f := newFixture(t)
	f.agent("a1", "An", "vi", "en")
	f.agent("a2", "Bao", "en")
	f.agent("a3", "Chen", "zh", "en")
	team, err := f.svc.CreateTeam(ctx, "Accounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"a1", "a2", "a3"} {
		if err := f.svc.SetTeamMember(ctx, team.ID, a, true); err != nil {
			t.Fatal(err)
		}
	}
	next := func(locale string) string {
		t.Helper()
		c, err := f.svc.Start(ctx, support.NewConversation{Who: support.Who{Locale: locale}, Channel: support.ChannelChat, Body: "hi", TeamID: team.ID})
		if err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.AutoAssign(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// English: everyone speaks it; in turn.
	if got := []string{next("en"), next("en"), next("en")}; !slices.Equal(got, []string{"a1", "a2", "a3"}) {
		t.Fatalf("round robin: %v", got)
	}
	// Chinese goes to Chen, who has room for one more (cap 2).
	if got := next("zh"); got != "a3" {
		t.Fatalf("zh: %s", got)
	}
	// Chen is full now: Chinese falls back to whoever is free, in turn.
	if got := next("zh"); got != "a1" {
		t.Fatalf("zh with Chen full: %s", got)
	}
	if err := f.svc.SetAway(ctx, "a2", true); err != nil {
		t.Fatal(err)
	}
	// An is full (2), Bao away, Chen full: nobody.
	if got := next("en"); got != "" {
		t.Fatalf("everyone busy, got %s", got)
	}
	agents, _ := f.svc.Agents(ctx)
	if len(agents) != 3 || agents[0].Open != 2 || !slices.Contains(agents[0].Teams, team.ID) {
		t.Fatalf("agents: %+v", agents)
	}
	if list, _ := f.svc.List(ctx, support.Filter{AssigneeID: "none"}); len(list) != 1 {
		t.Fatalf("queue: %d", len(list))
	}
	// PCI 10.2.1.2: staff actions are audit entries.
	if acts := f.AuditActions(); !slices.Contains(acts, "conversation.assign") || !slices.Contains(acts, "support.team_member") {
		t.Fatalf("audit: %v", acts)
	}
}

// SLA: due times count business hours; overdue conversations are flagged.
func TestSLA(t *testing.T) {
	f := newFixture(t)
	// Monday to Friday 09:00–17:00 in Ho Chi Minh City (UTC+7).
	var week []support.Hours
	for d := time.Monday; d <= time.Friday; d++ {
		week = append(week, support.Hours{Weekday: d, Open: 9 * 60, Close: 17 * 60})
	}
	if err := f.svc.SetHours(ctx, "Asia/Ho_Chi_Minh", week); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetSLA(ctx, support.SLA{Priority: support.PriorityNormal, FirstResponse: 120, Resolution: 600, BusinessHours: true}); err != nil {
		t.Fatal(err)
	}
	// Friday 16:00 local = 09:00 UTC.
	f.Clock.Set(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	c := f.start(support.Who{Email: "v@example.com"}, "help")
	// One business hour on Friday, one on Monday: Monday 10:00 local.
	if want := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC); !c.FirstResponseDue.Equal(want) {
		t.Fatalf("first response due %s, want %s", c.FirstResponseDue, want)
	}
	// 10 h: 1 on Friday, 8 on Monday, 1 on Tuesday: Tuesday 10:00 local.
	if want := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC); !c.ResolutionDue.Equal(want) {
		t.Fatalf("resolution due %s, want %s", c.ResolutionDue, want)
	}
	urgent, err := f.svc.Start(ctx, support.NewConversation{Who: support.Who{Email: "w@example.com"}, Channel: support.ChannelEmail, Body: "down!", Priority: support.PriorityUrgent})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.Clock.Now().Add(15 * time.Minute); !urgent.FirstResponseDue.Equal(want) {
		t.Fatalf("urgent counts every minute: %s, want %s", urgent.FirstResponseDue, want)
	}
	f.Clock.Add(time.Hour) // the urgent one is late
	if n, err := f.svc.MarkBreaches(ctx); err != nil || n != 1 {
		t.Fatalf("breaches: %d %v", n, err)
	}
	if list, _ := f.svc.List(ctx, support.Filter{Breached: true}); len(list) != 1 || list[0].ID != urgent.ID {
		t.Fatalf("breached list: %+v", list)
	}
	if err := f.svc.SetSLA(ctx, support.SLA{Priority: "normal", FirstResponse: 0, Resolution: 10}); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("bad SLA: %v", err)
	}
}

// Merging moves the messages of one conversation after the other's, for
// the same person only.
func TestMerge(t *testing.T) {
	f := newFixture(t)
	a := f.start(support.Who{Email: "v@example.com"}, "first")
	f.Clock.Add(time.Minute)
	b := f.start(support.Who{Email: "V@EXAMPLE.COM"}, "second")
	other := f.start(support.Who{Email: "someone@example.com"}, "else")
	if a.Contact.ID != b.Contact.ID {
		t.Fatal("the same address is two contacts")
	}
	if err := f.svc.Merge(ctx, b.ID, other.ID); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("merge across people: %v", err)
	}
	if err := f.svc.Merge(ctx, b.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Get(ctx, a.ID, true)
	if len(got.Messages) != 2 || got.Messages[1].Body != "second" || got.Messages[1].Seq != 2 {
		t.Fatalf("merged: %+v", got.Messages)
	}
	if old, _ := f.svc.Get(ctx, b.ID, true); old.MergedInto != a.ID || old.Status != support.StatusClosed {
		t.Fatalf("source: %+v", old)
	}
	if list, _ := f.svc.List(ctx, support.Filter{Query: "second"}); len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("search after merge: %+v", list)
	}
}

func TestCannedReplies(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.SaveCanned(ctx, support.Canned{Title: "Unlock", Body: "Chào {{customer_name}}, {{agent_name}} đã mở khóa tài khoản.", Language: "vi", CreatedBy: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveCanned(ctx, support.Canned{Title: "Bad", Body: "Hi {{password}}"}); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("unknown variable: %v", err)
	}
	list, _ := f.svc.CannedReplies(ctx, "vi")
	if len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("list: %+v", list)
	}
	if got := support.Fill(list[0].Body, "Lan", "An"); got != "Chào Lan, An đã mở khóa tài khoản." {
		t.Fatalf("filled: %q", got)
	}
	cats, _ := f.svc.Categories(ctx)
	if len(cats) != 7 || cats[0].ID != "forgotten_password" || cats[1].Name("vi") != "Tài khoản bị khóa" {
		t.Fatalf("seeded categories: %+v", cats)
	}
}
