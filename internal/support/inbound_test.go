package support_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/support"
)

func fixtureMail(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "mailin", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var messageIDHeader = regexp.MustCompile(`(?m)^Message-ID: <([^>]+)>`)

// E-mail in and out: a new e-mail starts a conversation in the writer's
// language; the agent's reply is threaded; the customer's answer to it
// lands in the same conversation without the quoted text; the same
// e-mail twice is stored once; automatic mail is never a conversation.
func TestEmailThread(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.SaveAgent(ctx, support.Agent{AccountID: "a1", DisplayName: "Bình"}); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.IngestEmail(ctx, fixtureMail(t, "vi_plain.eml"))
	if err != nil || !res.Started {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	c, _ := f.svc.Get(ctx, res.ConversationID, true)
	if c.Channel != support.ChannelEmail || c.Language != "vi" || c.Subject != "Không đăng nhập được" || c.Contact.Email != "an@example.vn" || c.Contact.AccountID != "" {
		t.Fatalf("conversation: %+v", c)
	}
	if again, err := f.svc.IngestEmail(ctx, fixtureMail(t, "vi_plain.eml")); err != nil || !again.Duplicate || again.ConversationID != c.ID {
		t.Fatalf("the same e-mail twice: %+v %v", again, err)
	}
	// The agent answers; the reply goes out threaded under the e-mail.
	if _, _, err := f.svc.Post(ctx, c.ID, support.NewMessage{Kind: support.KindAgent, AuthorID: "a1", Body: "Chào anh An, anh thử đặt lại mật khẩu nhé."}); err != nil {
		t.Fatal(err)
	}
	f.svc.WaitMail()
	eml := f.lastEML(t)
	if !strings.Contains(eml, "In-Reply-To: <CAF=vn.8812@mail.example.vn>") {
		t.Fatalf("reply not threaded:\n%s", eml[:min(len(eml), 600)])
	}
	ours := messageIDHeader.FindStringSubmatch(eml)[1]
	// The customer answers our reply, quoting it.
	reply := "From: An <an@example.vn>\r\nTo: support@frontdesk.test\r\nSubject: Re: Không đăng nhập được\r\nMessage-ID: <r2@example.vn>\r\n" +
		"In-Reply-To: <" + ours + ">\r\nReferences: <CAF=vn.8812@mail.example.vn> <" + ours + ">\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
		"Được rồi, cảm ơn em!\r\n\r\nVào 10:00 ngày 3/3/2025, Hỗ trợ đã viết:\r\n> Chào anh An, anh thử đặt lại mật khẩu nhé.\r\n"
	res2, err := f.svc.IngestEmail(ctx, []byte(reply))
	if err != nil || res2.Started || res2.ConversationID != c.ID {
		t.Fatalf("reply: %+v %v", res2, err)
	}
	got, _ := f.svc.Get(ctx, c.ID, true)
	last := got.Messages[len(got.Messages)-1]
	if last.Kind != support.KindCustomer || strings.TrimSpace(last.Body) != "Được rồi, cảm ơn em!" {
		t.Fatalf("last message %q", last.Body)
	}
	// An out-of-office answer to our reply: a system note, no new conversation.
	ooo := "From: An <an@example.vn>\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\nMessage-ID: <ooo@example.vn>\r\nIn-Reply-To: <" + ours + ">\r\n\r\nI am away.\r\n"
	if r, err := f.svc.IngestEmail(ctx, []byte(ooo)); err != nil || r.ConversationID != c.ID || r.Started {
		t.Fatalf("auto-reply in the thread: %+v %v", r, err)
	}
	if r, err := f.svc.IngestEmail(ctx, fixtureMail(t, "autoreply.eml")); err != nil || !r.Ignored {
		t.Fatalf("auto-reply outside any thread: %+v %v", r, err)
	}
	if list, _ := f.svc.List(ctx, support.Filter{}); len(list) != 1 {
		t.Fatalf("%d conversations", len(list))
	}
	// Attachments are kept, sealed.
	f.Clock.Add(time.Minute)
	ra, err := f.svc.IngestEmail(ctx, fixtureMail(t, "attachment_pdf.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var sealed []byte
	err = f.D.Read(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM conversation_attachments WHERE conversation_id = ?", ra.ConversationID).Scan(&n); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT filename_sealed FROM conversation_attachments WHERE conversation_id = ?", ra.ConversationID).Scan(&sealed)
	})
	if err != nil || n != 2 || strings.Contains(string(sealed), ".pdf") {
		t.Fatalf("attachments: %d %v", n, err)
	}
}
