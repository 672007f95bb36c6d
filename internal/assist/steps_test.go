package assist_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/assist/assisttest"
	"github.com/frontdesk/frontdesk/internal/audit"
)

// "Record my steps": the customer records alone, at most ten minutes,
// attached to their own conversation; agents with assist:replay replay it.
func TestRecordMySteps(t *testing.T) {
	f := newFixture(t)
	mai := f.Register("mai@example.com").ID
	_, err := f.svc.StartSteps(ctx, mai, f.conv.ID) // ASVS 8.2.2: not her conversation
	wantErr(t, err, assist.ErrNotFound)

	sess, err := f.svc.StartSteps(ctx, f.customer, f.conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Kind != assist.KindSteps || sess.State != assist.StateActive || !sess.Recording || sess.MaxDuration != 10*time.Minute || sess.AgentID != "" {
		t.Fatalf("steps %+v", sess)
	}
	_, err = f.svc.Invite(ctx, f.agent, f.conv.ID)
	wantErr(t, err, assist.ErrBusy)
	wantErr(t, f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionPointer, Data: json.RawMessage(`{"x":1,"y":2}`)}), assist.ErrNotFound)
	_, err = f.svc.Accept(ctx, sess.ID, f.customer, assist.LevelControl)
	wantErr(t, err, assist.ErrState)

	page := assisttest.NewPage(2)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 1, page.Snapshot(*sess.StartedAt)); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(8 * time.Minute)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 2, page.Activity(f.Clock.Now(), 10)); err != nil {
		t.Fatal(err)
	}
	f.tick()
	if s := f.session(sess.ID); s.WarnedAt == nil || s.State != assist.StateActive {
		t.Fatalf("no warning before the limit: %+v", s)
	}
	f.Clock.Add(2 * time.Minute)
	f.tick()
	s := f.session(sess.ID)
	if s.State != assist.StateEnded || s.EndReason != assist.EndMaxDuration {
		t.Fatalf("after ten minutes: %+v", s)
	}
	msgs := f.systemMessages(f.conv.ID)
	if len(msgs) != 1 || !strings.Contains(msgs[0], "recorded their steps (10m 0s)") {
		t.Fatalf("system messages %q", msgs)
	}
	if sv, _ := f.desk.SurveyOf(ctx, f.conv.ID); sv != nil {
		t.Fatal("recording steps started the survey")
	}
	_, err = f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.agent, Staff: true})
	wantErr(t, err, assist.ErrForbidden)
	rec, err := f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.supervisor, Staff: true})
	if err != nil || len(rec.Entries) < 12 {
		t.Fatalf("replay: %v", err)
	}
	if n := f.auditCount("assist.consent", audit.Success); n != 1 {
		t.Fatalf("%d consents", n)
	}
	list, err := f.svc.OfConversation(ctx, f.conv.ID)
	if err != nil || len(list) != 1 || list[0].ID != sess.ID {
		t.Fatalf("the conversation's sessions: %+v %v", list, err)
	}
}

// RecordingSize reports how large a minute of a typical portal page is
// once recorded (compressed and sealed): the figure docs/benchmarks.md
// asks for. The ratio to the raw stream, measured in the same run, is the
// only assertion.
func TestRecordingSize(t *testing.T) {
	f := newFixture(t)
	f.recordingOrg()
	sess := f.active(assist.LevelView)
	page := assisttest.NewPage(3)
	raw := 0
	share := func(seq int64, events []json.RawMessage) {
		t.Helper()
		for _, e := range events {
			raw += len(e)
		}
		if err := f.svc.Share(ctx, sess.ID, f.customer, seq, events); err != nil {
			t.Fatal(err)
		}
	}
	share(0, page.Snapshot(f.Clock.Now()))
	const perSecond = 20 // a person reading and filling a form; rrweb samples mouse moves
	for i := range 60 {
		f.Clock.Add(time.Second)
		share(int64(i+1), page.Activity(f.Clock.Now(), perSecond))
		f.tick()
	}
	if _, err := f.svc.Stop(ctx, sess.ID, assist.Actor{AccountID: f.customer}, nil); err != nil {
		t.Fatal(err)
	}
	s := f.session(sess.ID)
	perMinute := s.BytesPerMinute()
	t.Logf("a minute of a portal page at %d events/s: %d bytes of rrweb JSON, %.0f bytes recorded (gzip + AES-GCM), %.1f%%",
		perSecond, raw, perMinute, 100*perMinute/float64(raw))
	if perMinute <= 0 || perMinute > float64(raw)/2 {
		t.Fatalf("recorded %.0f bytes a minute for %d raw", perMinute, raw)
	}
}
