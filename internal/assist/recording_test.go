package assist_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/assist/assisttest"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
)

// recordingOrg puts the fixture's customer in an enterprise organisation
// whose default template records sessions, and records the customer's
// consent to the recording.
func (f *fixture) recordingOrg() {
	f.t.Helper()
	f.consentTo(consent.Given)
	org, err := f.svc.CreateOrg(ctx, "Contoso Ltd", assist.PlanEnterprise)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.svc.AddMember(ctx, org.ID, f.customer, false); err != nil {
		f.t.Fatal(err)
	}
	_, err = f.svc.SaveTemplate(ctx, assist.Actor{AccountID: f.supervisor, Staff: true},
		assist.Template{OrgID: org.ID, Name: "Recorded", MaxLevel: assist.LevelControl, MaxDuration: time.Hour, Recording: true, Default: true})
	if err != nil {
		f.t.Fatal(err)
	}
}

const canary = "CANARY-4111111111111111-Nguyen"

// GDPR 7: a session is recorded only when the customer consents to the
// recording of remote assistance in the consent ledger, whatever the
// template says; a withdrawal is as effective as the consent, from the
// next session on, and what the customer shares then is not kept.
func TestRecordingNeedsConsent(t *testing.T) {
	f := newFixture(t)
	f.recordingOrg()
	f.consentTo(consent.Withdrawn)
	f.Clock.Add(time.Minute)
	sess := f.active(assist.LevelView)
	if sess.Recording {
		t.Fatal("recorded without the customer's consent")
	}
	page := assisttest.NewPage(1)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 1, page.Snapshot(*sess.StartedAt)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Stop(ctx, sess.ID, assist.Actor{AccountID: f.customer}, nil); err != nil {
		t.Fatal(err)
	}
	f.tick()
	var chunks int
	if err := f.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM assist_chunks WHERE session_id = ?`, sess.ID).Scan(&chunks)
	}); err != nil {
		t.Fatal(err)
	}
	if chunks != 0 {
		t.Fatalf("%d recording chunks kept for a session without consent", chunks)
	}
	if _, err := f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.customer}); !errors.Is(err, assist.ErrNoRecording) {
		t.Fatalf("replay of an unrecorded session: %v", err)
	}

	f.consentTo(consent.Given)
	f.Clock.Add(time.Minute)
	if again := f.active(assist.LevelView); !again.Recording {
		t.Fatal("not recorded although the customer consents and the template records")
	}
}

// ASVS 14.2.4, PCI 3.5.1, derived co-browse requirement 3: the recording
// (events, agent actions, chat) is sealed at rest with the customer's key,
// archived after the retention period to an encrypted file, removed from
// the database, and still replays; the canary is found in clear nowhere.
func TestRecordingSealedAndArchived(t *testing.T) {
	f := newFixture(t)
	f.recordingOrg()
	f.Clock.Add(time.Minute) // the conversation's first message is before the session
	sess := f.active(assist.LevelControl)
	if !sess.Recording {
		t.Fatal("the template records, the session does not")
	}
	page := assisttest.NewPage(1)
	page.Canary = canary
	start := *sess.StartedAt
	if err := f.svc.Share(ctx, sess.ID, f.customer, 1, page.Snapshot(start)); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ReportMasked(ctx, sess.ID, f.customer, page.MaskedIDs()); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		f.Clock.Add(time.Second)
		if err := f.svc.Share(ctx, sess.ID, f.customer, int64(i+2), page.Activity(start.Add(time.Duration(i+1)*time.Second), 20)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			f.tick() // seals the buffer once it is FlushEvery old
		}
	}
	if err := f.svc.Act(ctx, sess.ID, f.agent, assist.Action{Kind: assist.ActionType, Target: page.InputIDs()[5], Data: json.RawMessage(`"Hanoi ` + canary + `"`)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.desk.Post(ctx, f.conv.ID, supportMessage("The form is under Profile, "+canary)); err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(time.Second)
	if _, err := f.svc.Stop(ctx, sess.ID, assist.Actor{AccountID: f.agent, Staff: true}, &assist.Closing{Summary: "Changed the city", Outcome: assist.OutcomeResolved}); err != nil {
		t.Fatal(err)
	}
	ended := f.session(sess.ID)
	if ended.RecordedEntries < 600 || ended.RecordedBytes == 0 || ended.Archived {
		t.Fatalf("recorded %+v", ended)
	}
	if f.rawContains(canary, "assist_chunks.data_sealed", "assist_sessions.summary_sealed", "assist_sessions.masked_selectors", "audit_log.details", "assist_timeline.event") {
		t.Fatal("the canary is in the database in clear")
	}
	if f.rawContains("Changed the city", "assist_sessions.summary_sealed") {
		t.Fatal("the summary is in clear")
	}

	rec, err := f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.customer})
	if err != nil {
		t.Fatal(err)
	}
	checkReplay(t, rec, assist.SourceDatabase)

	// 30 days later the recording moves to an archive file.
	f.Clock.Add(assist.DefaultRetention - time.Hour)
	if n, err := f.svc.Archive(ctx); err != nil || n != 0 {
		t.Fatalf("archived early: %d %v", n, err)
	}
	f.Clock.Add(time.Hour)
	if n, err := f.svc.Archive(ctx); err != nil || n != 1 {
		t.Fatalf("archive: %d %v", n, err)
	}
	var chunks int
	if err := f.D.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM assist_chunks WHERE session_id = ?", sess.ID).Scan(&chunks)
	}); err != nil || chunks != 0 {
		t.Fatalf("%d chunks left in the database (%v)", chunks, err)
	}
	files, _ := filepath.Glob(filepath.Join(f.opts.ArchiveDir, sess.ID[:2], sess.ID+".*.fdrec"))
	if len(files) != 1 {
		t.Fatalf("archive files %v", files)
	}
	file := files[0]
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("FDASSIST-ARCHIVE-1\n")) || bytes.Contains(raw, []byte(canary)) || bytes.Contains(raw, []byte("Nguyen")) {
		t.Fatal("the archive is not an encrypted archive file")
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Fatalf("archive mode %v", st.Mode())
	}
	if s := f.session(sess.ID); !s.Archived {
		t.Fatal("the session does not say it is archived")
	}
	if n, err := f.svc.Archive(ctx); err != nil || n != 0 {
		t.Fatalf("archived twice: %d %v", n, err)
	}
	rec, err = f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.supervisor, Staff: true})
	if err != nil {
		t.Fatal(err)
	}
	checkReplay(t, rec, assist.SourceArchive)

	// A cut or altered archive does not replay.
	if err := os.WriteFile(file, raw[:len(raw)-40], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.customer}); err == nil {
		t.Fatal("a cut archive replayed")
	}
	if n := f.auditCount("assist.replay", audit.Success); n != 2 {
		t.Fatalf("%d replays audited", n)
	}
	if n := f.auditCount("assist.archive", audit.Success); n != 1 {
		t.Fatalf("%d archive entries", n)
	}
	f.VerifyAudit()
}

func checkReplay(t *testing.T, rec *assist.Recording, source string) {
	t.Helper()
	if rec.Source != source {
		t.Fatalf("source %q, want %q", rec.Source, source)
	}
	kinds := map[string]int{}
	var text strings.Builder
	for i, e := range rec.Entries {
		kinds[e.Kind]++
		text.Write(e.Data)
		if i > 0 && e.At.Before(rec.Entries[i-1].At) {
			t.Fatal("entries out of order")
		}
	}
	if kinds[assist.EntryEvent] != 602 || kinds[assist.EntryAction] != 1 || kinds[assist.EntryChat] != 1 || kinds[assist.EntryControl] < 2 {
		t.Fatalf("entries by kind %v", kinds)
	}
	if !strings.Contains(text.String(), canary) || !strings.Contains(text.String(), `"type":2`) {
		t.Fatal("the replay lacks the page")
	}
}

// ASVS 8.2.1, 8.2.2, 16.3.2: a customer replays only their own sessions;
// staff need assist:replay; refusals are audited.
func TestReplayPermissions(t *testing.T) {
	f := newFixture(t)
	f.recordingOrg()
	sess := f.active(assist.LevelView)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 1, oneEvent); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Stop(ctx, sess.ID, assist.Actor{AccountID: f.customer}, nil); err != nil {
		t.Fatal(err)
	}
	mai := f.Register("mai@example.com").ID
	_, err := f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: mai})
	wantErr(t, err, assist.ErrNotFound)
	_, err = f.svc.Get(ctx, sess.ID, assist.Actor{AccountID: mai})
	wantErr(t, err, assist.ErrNotFound)
	// The session's own agent holds assist:start, not assist:replay.
	_, err = f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.agent, Staff: true})
	wantErr(t, err, assist.ErrForbidden)
	// A customer cannot pass for staff with a staff member's id.
	_, err = f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.supervisor})
	wantErr(t, err, assist.ErrNotFound)
	if n := f.auditCount("assist.replay", audit.Denied); n != 3 {
		t.Fatalf("%d refused replays audited", n)
	}
	if _, err := f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.supervisor, Staff: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Replay(ctx, sess.ID, assist.Actor{AccountID: f.customer}); err != nil {
		t.Fatal(err)
	}
	// A session that was not recorded has nothing to replay.
	f2 := newFixture(t)
	plain := f2.active(assist.LevelView)
	if err := f2.svc.Share(ctx, plain.ID, f2.customer, 1, oneEvent); err != nil {
		t.Fatal(err)
	}
	_, err = f2.svc.Replay(ctx, plain.ID, assist.Actor{AccountID: f2.customer})
	wantErr(t, err, assist.ErrNoRecording)
}

// The relay seals page content on the bus and reassembles batches larger
// than one bus message.
func TestRelaySealedAndLarge(t *testing.T) {
	f := newFixture(t)
	sess := f.active(assist.LevelView)
	stream := f.follow(sess.ID, assist.ChannelStream)
	raw := make(chan []byte, 16)
	sub, err := f.bus.Subscribe("assist."+sess.ID+".>", func(m bus.Message) { raw <- append([]byte(nil), m.Data...) })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	noise := make([]byte, 900<<10) // incompressible: two parts
	rand.Read(noise)
	big := json.RawMessage(`{"type":2,"data":{"text":"` + canary + `","blob":"` + base64.StdEncoding.EncodeToString(noise) + `"}}`)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 7, []json.RawMessage{big}); err != nil {
		t.Fatal(err)
	}
	var b assist.Batch
	if err := json.Unmarshal(next(t, stream), &b); err != nil || b.Seq != 7 || len(b.Events) != 1 || !bytes.Equal(b.Events[0], big) {
		t.Fatalf("reassembled batch: seq %d, %d events, %v", b.Seq, len(b.Events), err)
	}
	frames := 0
	for frames < 2 {
		p := next(t, raw)
		frames++
		if bytes.Contains(p, []byte(canary)) {
			t.Fatal("page content crossed the bus in clear")
		}
	}
	// A frame bound to another session does not open.
	other := f.svc.NewDecoder("ffffffffffffffffffffffffffffffff", assist.ChannelStream)
	if err := f.svc.Share(ctx, sess.ID, f.customer, 8, oneEvent); err != nil {
		t.Fatal(err)
	}
	for {
		p := next(t, raw)
		if len(p) > 0 && p[0] == 1 {
			if _, err := other.Decode(ctx, p); err == nil {
				t.Fatal("a frame opened for the wrong session")
			}
			break
		}
	}
}

// Join tickets are single-use and short-lived (ASVS 4.4.x, 11.5.1).
func TestJoinTickets(t *testing.T) {
	f := newFixture(t)
	inv := f.invite()
	_, err := f.svc.IssueTicket(ctx, inv.Session.ID, assist.Actor{AccountID: f.supervisor, Staff: true})
	wantErr(t, err, assist.ErrNotFound)
	tk, err := f.svc.IssueTicket(ctx, inv.Session.ID, assist.Actor{AccountID: f.customer})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.RedeemTicket(ctx, tk)
	if err != nil || got.SessionID != inv.Session.ID || got.Party != assist.PartyCustomer || got.AccountID != f.customer {
		t.Fatalf("redeemed %+v %v", got, err)
	}
	_, err = f.svc.RedeemTicket(ctx, tk)
	wantErr(t, err, assist.ErrNotFound)
	tk, err = f.svc.IssueTicket(ctx, inv.Session.ID, assist.Actor{AccountID: f.agent, Staff: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.rawContains(tk, "assist_tickets.ticket_hash") {
		t.Fatal("ticket stored in clear")
	}
	f.Clock.Add(assist.TicketTTL)
	_, err = f.svc.RedeemTicket(ctx, tk)
	wantErr(t, err, assist.ErrNotFound)
}
