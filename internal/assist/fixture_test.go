package assist_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity/identitytest"
	"github.com/frontdesk/frontdesk/internal/support"
)

var ctx = context.Background()

// fixture is a desk with one agent (role agent: assist:start, not
// assist:replay), one supervisor (assist:replay), a customer and the
// customer's conversation, all on a real database and a real local bus.
type fixture struct {
	*identitytest.Kit
	t          *testing.T
	bus        *bus.Local
	desk       *support.Service
	access     *access.Service
	svc        *assist.Service
	consents   *consent.Service
	opts       assist.Options
	agent      string
	supervisor string
	customer   string
	conv       *support.Conversation
}

func newFixture(t *testing.T, change ...func(*assist.Options)) *fixture {
	t.Helper()
	k := identitytest.New(t, "default")
	b := bus.NewLocal()
	t.Cleanup(func() { b.Close() })
	desk := support.New(support.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Bus: b, Mail: k.Mail, BaseURL: "https://bank.example", Org: "Acme Bank"})
	t.Cleanup(desk.WaitMail)
	acc := access.New(k.D, k.Log)
	f := &fixture{Kit: k, t: t, bus: b, desk: desk, access: acc}
	f.consents = consent.New(consent.Options{DB: k.D, Keys: k.Keys, Audit: k.Log})
	if err := f.consents.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	f.opts = assist.Options{DB: k.D, Keys: k.Keys, Audit: k.Log, Bus: b, Desk: desk, Permissions: acc, Accounts: k.Svc, Consents: f.consents,
		ArchiveDir: t.TempDir()}
	for _, fn := range change {
		fn(&f.opts)
	}
	f.svc = assist.New(f.opts)
	f.agent = f.staff("minh@bank.example", access.RoleAgent, "Minh Tran", "S-1042")
	f.supervisor = f.staff("hoa@bank.example", access.RoleSupervisor, "Hoa Pham", "S-0007")
	f.customer = f.Register("lan@example.com").ID
	f.conv = f.conversation(f.customer)
	return f
}

// consentTo records the customer's choice about the recording of remote
// assistance in the consent ledger.
func (f *fixture) consentTo(choice string) {
	f.t.Helper()
	if _, _, err := f.consents.Choose(ctx, consent.Choice{AccountID: f.customer, Purpose: consent.AssistRecording, Choice: choice,
		Channel: consent.ChannelPortal}); err != nil {
		f.t.Fatal(err)
	}
}

// staff creates a staff account with a role, a desk name and an identity card.
func (f *fixture) staff(email, role, name, number string) string {
	f.t.Helper()
	a, err := f.Svc.CreateStaff(ctx, email, identitytest.Password, func(tx *db.Tx, id string) error {
		return f.access.Grant(ctx, tx, id, role, "cli")
	})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.desk.SaveAgent(ctx, support.Agent{AccountID: a.ID, DisplayName: name}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.svc.SaveProfile(ctx, assist.Profile{AccountID: a.ID, StaffNumber: number, Department: "Customer care", Photo: "https://bank.example/staff/" + number + ".jpg"}); err != nil {
		f.t.Fatal(err)
	}
	return a.ID
}

func (f *fixture) conversation(customer string) *support.Conversation {
	f.t.Helper()
	c, err := f.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: customer, Name: "Lan"}, Channel: support.ChannelPortal,
		Subject: "Settings", Body: "I cannot find where to change my address"})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) invite() *assist.Invitation {
	f.t.Helper()
	inv, err := f.svc.Invite(ctx, f.agent, f.conv.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return inv
}

// active invites the customer and accepts at level.
func (f *fixture) active(level string) *assist.Session {
	f.t.Helper()
	inv := f.invite()
	sess, err := f.svc.Accept(ctx, inv.Session.ID, f.customer, level)
	if err != nil {
		f.t.Fatal(err)
	}
	return sess
}

func (f *fixture) tick() {
	f.t.Helper()
	if err := f.svc.Tick(ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) session(id string) *assist.Session {
	f.t.Helper()
	s, err := f.svc.Get(ctx, id, assist.Actor{AccountID: f.customer})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// follow subscribes to a session's channel and returns what arrives.
func (f *fixture) follow(sessionID, channel string) <-chan []byte {
	f.t.Helper()
	ch := make(chan []byte, 64)
	sub, err := f.svc.Follow(ctx, sessionID, channel, func(p []byte) { ch <- append([]byte(nil), p...) })
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { sub.Unsubscribe() })
	return ch
}

// next waits for the next payload (delivery is asynchronous; the wait is
// a bound for a broken test, not a timing assertion).
func next(t *testing.T, ch <-chan []byte) []byte {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("nothing arrived on the bus")
		return nil
	}
}

// nextControl waits for a control message of the given type.
func nextControl(t *testing.T, ch <-chan []byte, typ string) assist.Control {
	t.Helper()
	for {
		var c assist.Control
		if err := json.Unmarshal(next(t, ch), &c); err != nil {
			t.Fatal(err)
		}
		if c.Type == typ {
			return c
		}
	}
}

// endControl waits for the control message that ends the session.
func endControl(t *testing.T, ch <-chan []byte) assist.Control {
	t.Helper()
	for {
		if c := nextControl(t, ch, assist.ControlState); c.State == assist.StateEnded {
			return c
		}
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

// auditCount counts the audit entries of an action with an outcome.
func (f *fixture) auditCount(action, outcome string) int {
	f.t.Helper()
	var n int
	err := f.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND outcome = ?", action, outcome).Scan(&n)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// messages returns the conversation's system messages.
func (f *fixture) systemMessages(convID string) []string {
	f.t.Helper()
	c, err := f.desk.Get(ctx, convID, true)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, m := range c.Messages {
		if m.Kind == support.KindSystem {
			out = append(out, m.Body)
		}
	}
	return out
}

// rawContains reports whether any value of the named columns holds needle
// in clear: a look at the database as a thief with a copy would take it.
func (f *fixture) rawContains(needle string, tableColumns ...string) bool {
	f.t.Helper()
	found := false
	err := f.D.Read(ctx, func(tx *db.Tx) error {
		for _, tc := range tableColumns {
			table, col, _ := strings.Cut(tc, ".")
			rows, err := tx.Query(ctx, "SELECT "+col+" FROM "+table)
			if err != nil {
				return err
			}
			for rows.Next() {
				var v []byte
				if err := rows.Scan(&v); err != nil {
					rows.Close()
					return err
				}
				if strings.Contains(string(v), needle) {
					found = true
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return found
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func supportMessage(body string) support.NewMessage {
	return support.NewMessage{Kind: support.KindAgent, Body: body}
}
