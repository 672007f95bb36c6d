package assist_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
)

var oneEvent = []json.RawMessage{json.RawMessage(`{"type":3,"data":{"source":1,"positions":[]},"timestamp":1}`)}

// ASVS 7.1.1, 7.3.2 (absolute lifetime, applied to a co-browsing session):
// a warning five minutes before the maximum duration, then the end, on an
// injected clock.
func TestMaxDurationWarningAndEnd(t *testing.T) {
	f := newFixture(t, func(o *assist.Options) { o.IdleTimeout = 3 * time.Hour })
	sess := f.active(assist.LevelGuided)
	ctl := f.follow(sess.ID, assist.ChannelControl)
	if !sess.EndsAt.Equal(sess.StartedAt.Add(2 * time.Hour)) {
		t.Fatalf("ends at %v, started %v", sess.EndsAt, sess.StartedAt)
	}
	f.Clock.Add(2*time.Hour - 5*time.Minute - time.Second)
	f.tick()
	if s := f.session(sess.ID); s.WarnedAt != nil {
		t.Fatal("warned too early")
	}
	f.Clock.Add(time.Second)
	f.tick()
	w := nextControl(t, ctl, assist.ControlWarning)
	if w.Remaining != 300 {
		t.Fatalf("warning %+v", w)
	}
	f.tick() // a second sweep does not warn again
	if s := f.session(sess.ID); s.WarnedAt == nil || s.State != assist.StateActive {
		t.Fatalf("after the warning: %+v", s)
	}
	// Activity does not extend the hard limit.
	if err := f.svc.Share(ctx, sess.ID, f.customer, 1, oneEvent); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(5 * time.Minute)
	// Past the limit nothing passes, even before the sweep ends it.
	wantErr(t, f.svc.Share(ctx, sess.ID, f.customer, 2, oneEvent), assist.ErrEnded)
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1,"y":2}`)}), assist.ErrEnded)
	f.tick()
	s := f.session(sess.ID)
	if s.State != assist.StateEnded || s.EndReason != assist.EndMaxDuration {
		t.Fatalf("after the limit: %+v", s)
	}
	if c := endControl(t, ctl); c.Reason != assist.EndMaxDuration {
		t.Fatalf("end control %+v", c)
	}
	if n := f.auditCount("assist.end", audit.Success); n != 1 {
		t.Fatalf("%d end entries", n)
	}
}

// ASVS 7.3.1: a session nobody uses ends after the idle timeout; activity
// keeps it alive.
func TestIdleEnd(t *testing.T) {
	f := newFixture(t, func(o *assist.Options) { o.IdleTimeout = 10 * time.Minute })
	sess := f.active(assist.LevelView)
	f.Clock.Add(9 * time.Minute)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 1, oneEvent); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(9 * time.Minute)
	f.tick()
	if s := f.session(sess.ID); s.State != assist.StateActive {
		t.Fatalf("ended although active: %+v", s)
	}
	f.Clock.Add(time.Minute + time.Second)
	f.tick()
	if s := f.session(sess.ID); s.State != assist.StateEnded || s.EndReason != assist.EndIdle {
		t.Fatalf("after idling: %+v", s)
	}
}

// When the customer's connection drops, the session pauses: nothing is
// shared and no action passes until the customer consents again, at a
// level they choose afresh.
func TestPauseNeedsConsentAgain(t *testing.T) {
	f := newFixture(t)
	sess := f.active(assist.LevelControl)
	stream := f.follow(sess.ID, assist.ChannelStream)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 1, oneEvent); err != nil {
		t.Fatal(err)
	}
	var b assist.Batch
	if err := json.Unmarshal(next(t, stream), &b); err != nil || b.Seq != 1 || len(b.Events) != 1 {
		t.Fatalf("batch %+v %v", b, err)
	}

	if err := f.svc.Drop(ctx, sess.ID, f.customer); err != nil {
		t.Fatal(err)
	}
	if s := f.session(sess.ID); s.State != assist.StatePaused {
		t.Fatalf("after the drop: %+v", s)
	}
	wantErr(t, f.svc.Share(ctx, sess.ID, f.customer, 2, oneEvent), assist.ErrPaused)
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionClick, Target: 3}), assist.ErrPaused)
	wantErr(t, f.svc.RequestLevel(ctx, sess.ID, f.agent, assist.LevelControl), assist.ErrState)

	// The customer reconnects and consents, this time to view only.
	resumed, err := f.svc.Accept(ctx, sess.ID, f.customer, assist.LevelView)
	if err != nil || resumed.State != assist.StateActive || resumed.Level != assist.LevelView || !resumed.StartedAt.Equal(*sess.StartedAt) {
		t.Fatalf("resumed: %+v %v", resumed, err)
	}
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionClick, Target: 3}), assist.ErrNotAllowed)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 2, oneEvent); err != nil {
		t.Fatal(err)
	}
	if n := f.auditCount("assist.pause", audit.Success); n != 1 {
		t.Fatalf("%d pause entries", n)
	}
	if n := f.auditCount("assist.consent", audit.Success); n != 2 {
		t.Fatalf("%d consent entries", n)
	}
	// A paused session that is never resumed ends after the idle timeout.
	if err := f.svc.Drop(ctx, sess.ID, f.customer); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(assist.DefaultIdleTimeout)
	f.tick()
	if s := f.session(sess.ID); s.State != assist.StateEnded || s.EndReason != assist.EndIdle {
		t.Fatalf("paused and abandoned: %+v", s)
	}
	rep, err := f.svc.Report(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Levels) != 2 || rep.Levels[0].Level != assist.LevelControl || rep.Levels[1].Level != assist.LevelView {
		t.Fatalf("levels %+v", rep.Levels)
	}
}
