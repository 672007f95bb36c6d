package assist_test

import (
	"crypto/rand"
	"encoding/json"
	"os"
	"testing"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/bus"
)

func natsNode(t *testing.T, prefix string) *bus.NATS {
	t.Helper()
	url := os.Getenv("FRONTDESK_TEST_NATS_URL")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	b, err := bus.ConnectNATS(bus.NATSConfig{URL: url, Name: "frontdesk-assist-test", Prefix: prefix})
	if err != nil {
		t.Fatalf("NATS does not answer at %s (%v): run scripts/ensure-nats.sh, or set FRONTDESK_TEST_NATS_URL", url, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// Two nodes on one database and one NATS server: the customer's socket on
// one, the agent's on the other. Page events, actions and the stop cross
// between them; no node holds state the other needs.
func TestRelayAcrossNodes(t *testing.T) {
	f := newFixture(t)
	prefix := "fdtest." + rand.Text()
	a, b := f.opts, f.opts
	a.Bus, b.Bus = natsNode(t, prefix), natsNode(t, prefix)
	customerNode, agentNode := assist.New(a), assist.New(b)

	inv, err := agentNode.Invite(ctx, f.agent, f.conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	follow := func(svc *assist.Service, channel string) <-chan []byte {
		ch := make(chan []byte, 16)
		sub, err := svc.Follow(ctx, inv.Session.ID, channel, func(p []byte) { ch <- append([]byte(nil), p...) })
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sub.Unsubscribe() })
		return ch
	}
	agentStream, agentCtl := follow(agentNode, assist.ChannelStream), follow(agentNode, assist.ChannelControl)
	customerActions := follow(customerNode, assist.ChannelActions)

	if _, err := customerNode.Accept(ctx, inv.Session.ID, f.customer, assist.LevelGuided); err != nil {
		t.Fatal(err)
	}
	if c := nextControl(t, agentCtl, assist.ControlState); c.State != assist.StateActive || c.Level != assist.LevelGuided {
		t.Fatalf("control on the agent's node: %+v", c)
	}
	if err := customerNode.Share(ctx, inv.Session.ID, f.customer, 1, oneEvent); err != nil {
		t.Fatal(err)
	}
	var batch assist.Batch
	if err := json.Unmarshal(next(t, agentStream), &batch); err != nil || batch.Seq != 1 {
		t.Fatalf("batch on the agent's node: %+v %v", batch, err)
	}
	if err := agentNode.Act(ctx, inv.Session.ID, f.agent, assist.Action{Kind: assist.ActionHighlight, Target: 5}); err != nil {
		t.Fatal(err)
	}
	var act assist.Action
	if err := json.Unmarshal(next(t, customerActions), &act); err != nil || act.Kind != assist.ActionHighlight {
		t.Fatalf("action on the customer's node: %+v %v", act, err)
	}
	if _, err := customerNode.Stop(ctx, inv.Session.ID, assist.Actor{AccountID: f.customer}, nil); err != nil {
		t.Fatal(err)
	}
	if c := endControl(t, agentCtl); c.Reason != assist.EndCustomer {
		t.Fatalf("end on the agent's node: %+v", c)
	}
	wantErr(t, agentNode.Act(ctx, inv.Session.ID, f.agent, assist.Action{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1,"y":2}`)}), assist.ErrEnded)
}
