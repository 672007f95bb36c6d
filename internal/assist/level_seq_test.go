package assist_test

import (
	"encoding/json"
	"testing"

	"github.com/frontdesk/frontdesk/internal/assist"
)

// A level change and the actions allowed under it travel on different
// subjects (ctl and a2c), which the bus does not order against each other.
// Every consent and lowering gets a new, growing LevelSeq; the state
// control announcing it, the session in the consent's answer and the
// socket's welcome carry it, and every relayed action carries the level
// and LevelSeq the gate allowed it under — set by the server, never taken
// from the agent. So the customer's script can tell an action that is
// ahead of the level it knows (hold it until that consent's state
// arrives) from one that is behind a lowering (refuse it).
func TestActionsCarryTheirConsent(t *testing.T) {
	f := newFixture(t)
	sess := f.active(assist.LevelView)
	if sess.LevelSeq <= 0 {
		t.Fatalf("consent at view: level_seq %d", sess.LevelSeq)
	}
	actions := f.follow(sess.ID, assist.ChannelActions)
	control := f.follow(sess.ID, assist.ChannelControl)
	click := assist.Action{Kind: assist.ActionClick, Target: 40, Data: json.RawMessage(`{"x":1,"y":2}`)}

	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, click), assist.ErrNotAllowed)
	if err := f.svc.RequestLevel(ctx, sess.ID, f.agent, assist.LevelControl); err != nil {
		t.Fatal(err)
	}
	if c := nextControl(t, control, assist.ControlLevelRequest); c.Level != assist.LevelView || c.LevelSeq != sess.LevelSeq {
		t.Fatalf("level request: %s at %d, want view at %d", c.Level, c.LevelSeq, sess.LevelSeq)
	}

	// The customer raises the level: the answer, the state control and the
	// next action name the same consent, newer than the first.
	raised, err := f.svc.Accept(ctx, sess.ID, f.customer, assist.LevelControl)
	if err != nil {
		t.Fatal(err)
	}
	if raised.LevelSeq <= sess.LevelSeq {
		t.Fatalf("raised: level_seq %d, not after %d", raised.LevelSeq, sess.LevelSeq)
	}
	if c := nextControl(t, control, assist.ControlState); c.Level != assist.LevelControl || c.LevelSeq != raised.LevelSeq {
		t.Fatalf("state after the raise: %s at %d, want control at %d", c.Level, c.LevelSeq, raised.LevelSeq)
	}
	forged := click
	forged.Level, forged.LevelSeq = assist.LevelControl, raised.LevelSeq+100 // the agent cannot choose them
	for _, a := range []assist.Action{click, forged} {
		if err := f.svc.Act(ctx, sess.ID, f.agent, a); err != nil {
			t.Fatal(err)
		}
		if got := nextAction(t, actions); got.Level != assist.LevelControl || got.LevelSeq != raised.LevelSeq {
			t.Fatalf("relayed click: %s at %d, want control at %d", got.Level, got.LevelSeq, raised.LevelSeq)
		}
	}
	if w := f.session(sess.ID); w.LevelSeq != raised.LevelSeq || w.Level != assist.LevelControl {
		t.Fatalf("the welcome's session: %s at %d, want control at %d", w.Level, w.LevelSeq, raised.LevelSeq)
	}

	// Lowering is a newer consent too: a click is refused, a pointer goes
	// out stamped with the lowered level.
	lowered, err := f.svc.LowerLevel(ctx, sess.ID, f.customer, assist.LevelGuided)
	if err != nil {
		t.Fatal(err)
	}
	if lowered.LevelSeq <= raised.LevelSeq {
		t.Fatalf("lowered: level_seq %d, not after %d", lowered.LevelSeq, raised.LevelSeq)
	}
	if c := nextControl(t, control, assist.ControlState); c.Level != assist.LevelGuided || c.LevelSeq != lowered.LevelSeq {
		t.Fatalf("state after lowering: %s at %d, want guided at %d", c.Level, c.LevelSeq, lowered.LevelSeq)
	}
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, click), assist.ErrNotAllowed)
	if err := f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1,"y":2}`)}); err != nil {
		t.Fatal(err)
	}
	if got := nextAction(t, actions); got.Kind != assist.ActionPointer || got.Level != assist.LevelGuided || got.LevelSeq != lowered.LevelSeq {
		t.Fatalf("relayed pointer: %+v, want guided at %d", got, lowered.LevelSeq)
	}

	// A pause keeps the consent; consenting again after it is a new one.
	if err := f.svc.Drop(ctx, sess.ID, f.customer); err != nil {
		t.Fatal(err)
	}
	if c := nextControl(t, control, assist.ControlState); c.State != assist.StatePaused || c.LevelSeq != lowered.LevelSeq {
		t.Fatalf("paused: %s at %d, want paused at %d", c.State, c.LevelSeq, lowered.LevelSeq)
	}
	resumed, err := f.svc.Accept(ctx, sess.ID, f.customer, assist.LevelGuided)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.LevelSeq <= lowered.LevelSeq {
		t.Fatalf("resumed: level_seq %d, not after %d", resumed.LevelSeq, lowered.LevelSeq)
	}
}

func nextAction(t *testing.T, ch <-chan []byte) assist.Action {
	t.Helper()
	var a assist.Action
	if err := json.Unmarshal(next(t, ch), &a); err != nil {
		t.Fatal(err)
	}
	return a
}
