package mailin

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testLimit = 1 << 20

func parseFile(t *testing.T, name string) *Message {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Parse(bytes.NewReader(data), testLimit)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return msg
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file      string
		messageID string
		fromName  string
		fromAddr  string
		subject   string
		text      string // a line the text must contain
		auto      bool
	}{
		{"vi_plain.eml", "CAF=vn.8812@mail.example.vn", "Nguyễn Văn An", "an@example.vn",
			"Không đăng nhập được", "Tôi không đăng nhập được vào tài khoản từ sáng nay.", false},
		{"zh_gb2312.eml", "20250304100500.1234@example.cn", "张伟", "zhang.wei@example.cn",
			"忘记密码", "我忘记密码了，无法登录我的账户。请帮我重置密码。", false},
		{"cp1252_quotes.eml", "cp1252.1@example.ie", "O'Brien, Pat", "pat@example.ie",
			"Re: I can’t log in – help", "I can’t log in “since yesterday” – the page says „error“.", false},
		{"vi_windows1258.eml", "cp1258.7@example.vn", "Trần Bình", "binh@example.vn",
			"Mật khẩu", "Quên mật khẩu.", false},
		{"outlook_reply.eml", "outlook.3@example.cn", "Wang Fang", "wang.fang@example.cn",
			"回复: 忘记密码", "收到，谢谢！现在可以登录了。", false},
		{"autoreply.eml", "ooo.1@example.vn", "Minh Tran", "minh@example.vn",
			"Out of office: Re: [#1043] Refund", "I am out of the office", true},
		{"bounce.eml", "bounce.99@mx.frontdesk.test", "Mail Delivery Subsystem", "MAILER-DAEMON@mx.frontdesk.test",
			"Undelivered Mail Returned to Sender", "<nobody@example.invalid>: host not found", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			msg := parseFile(t, tt.file)
			if msg.MessageID != tt.messageID {
				t.Errorf("MessageID = %q, want %q", msg.MessageID, tt.messageID)
			}
			if msg.From.Name != tt.fromName || msg.From.Address != tt.fromAddr {
				t.Errorf("From = %q <%s>, want %q <%s>", msg.From.Name, msg.From.Address, tt.fromName, tt.fromAddr)
			}
			if msg.Subject != tt.subject {
				t.Errorf("Subject = %q, want %q", msg.Subject, tt.subject)
			}
			if !strings.Contains(msg.Text, tt.text) {
				t.Errorf("Text = %q, want it to contain %q", msg.Text, tt.text)
			}
			if msg.AutoSubmitted != tt.auto {
				t.Errorf("AutoSubmitted = %v, want %v", msg.AutoSubmitted, tt.auto)
			}
			if msg.Date.IsZero() {
				t.Error("Date is zero")
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	msg := parseFile(t, "cp1252_quotes.eml")
	if len(msg.To) != 1 || msg.To[0].Address != "support@frontdesk.test" {
		t.Errorf("To = %v", msg.To)
	}
	if len(msg.Cc) != 2 || msg.Cc[0].Address != "billing@frontdesk.test" || msg.Cc[1].Name != "Sam" {
		t.Errorf("Cc = %v", msg.Cc)
	}
	if want := time.Date(2025, 3, 5, 8, 0, 0, 0, time.UTC); !msg.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", msg.Date, want)
	}
	if !strings.Contains(msg.Text, "Price shown: €50.") {
		t.Errorf("Text = %q, want the euro sign decoded", msg.Text)
	}
}

// Every fixture must give the same result with LF and with CRLF line ends.
func TestParseLineEndings(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lf := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
			crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
			a, errA := Parse(bytes.NewReader(lf), testLimit)
			b, errB := Parse(bytes.NewReader(crlf), testLimit)
			if errA != nil || errB != nil {
				t.Fatalf("Parse: LF %v, CRLF %v", errA, errB)
			}
			if a.Subject != b.Subject || a.Text != b.Text || a.HTML != b.HTML || a.From != b.From {
				t.Errorf("LF and CRLF differ:\nLF   %q %q\nCRLF %q %q", a.Subject, a.Text, b.Subject, b.Text)
			}
			if len(a.Attachments) != len(b.Attachments) {
				t.Fatalf("attachments: LF %d, CRLF %d", len(a.Attachments), len(b.Attachments))
			}
			for i := range a.Attachments {
				if a.Attachments[i].Filename != b.Attachments[i].Filename {
					t.Errorf("attachment %d: LF %q, CRLF %q", i, a.Attachments[i].Filename, b.Attachments[i].Filename)
				}
			}
			if strings.Contains(a.Text, "\r") || strings.Contains(b.Text, "\r") {
				t.Error("Text contains a carriage return")
			}
		})
	}
}

func TestParseAttachments(t *testing.T) {
	msg := parseFile(t, "attachment_pdf.eml")
	if msg.Subject != "Hóa đơn tháng 2" {
		t.Errorf("Subject = %q", msg.Subject)
	}
	if msg.Text != "Tôi gửi kèm hóa đơn tháng 2." {
		t.Errorf("Text = %q", msg.Text)
	}
	if len(msg.Attachments) != 2 {
		t.Fatalf("got %d attachments, want 2", len(msg.Attachments))
	}
	pdf := msg.Attachments[0]
	if pdf.Filename != "hóa đơn.pdf" || pdf.ContentType != "application/pdf" || pdf.Inline {
		t.Errorf("pdf = %q %q inline=%v", pdf.Filename, pdf.ContentType, pdf.Inline)
	}
	if !bytes.HasPrefix(pdf.Data, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf.Data, []byte("%%EOF\n")) {
		t.Errorf("pdf data = %q", pdf.Data)
	}
	// The same name as an RFC 2047 encoded word inside a quoted parameter.
	if other := msg.Attachments[1]; other.Filename != "hóa đơn.pdf" || string(other.Data) != "hello" {
		t.Errorf("second attachment = %q %q", other.Filename, other.Data)
	}
	if len(msg.Skipped) != 0 {
		t.Errorf("Skipped = %v", msg.Skipped)
	}
}

func TestParseInlineImage(t *testing.T) {
	msg := parseFile(t, "related_inline.eml")
	if msg.Subject != "截图" {
		t.Errorf("Subject = %q", msg.Subject)
	}
	if msg.Text != "See the screenshot." {
		t.Errorf("Text = %q, want the text/plain alternative", msg.Text)
	}
	if !strings.Contains(msg.HTML, `<img src="cid:shot1@example.cn" alt="screenshot">`) {
		t.Errorf("HTML = %q, want the cid: image kept", msg.HTML)
	}
	if len(msg.Attachments) != 1 {
		t.Fatalf("got %d attachments, want 1", len(msg.Attachments))
	}
	img := msg.Attachments[0]
	if !img.Inline || img.ContentID != "shot1@example.cn" || img.ContentType != "image/png" {
		t.Errorf("image = inline %v, cid %q, type %q", img.Inline, img.ContentID, img.ContentType)
	}
	if !bytes.HasPrefix(img.Data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("image data is not a PNG: %q", img.Data[:8])
	}
}

func TestParseReply(t *testing.T) {
	msg := parseFile(t, "reply_quoted.eml")
	if msg.InReplyTo != "ticket-1042.agent-5@frontdesk.test" {
		t.Errorf("InReplyTo = %q", msg.InReplyTo)
	}
	want := []string{"CAF=vn.8812@mail.example.vn", "ticket-1042.agent-5@frontdesk.test"}
	if strings.Join(msg.References, " ") != strings.Join(want, " ") {
		t.Errorf("References = %q, want %q", msg.References, want)
	}
	if msg.Subject != "Re: [#1042] Không đăng nhập được" {
		t.Errorf("Subject = %q", msg.Subject)
	}
	if got := StripQuoted(msg.Text); got != "Thanks, the reset link worked and I can sign in again." {
		t.Errorf("StripQuoted(Text) = %q", got)
	}
}

func TestParseBounce(t *testing.T) {
	msg := parseFile(t, "bounce.eml")
	var types []string
	for _, a := range msg.Attachments {
		types = append(types, a.ContentType)
	}
	if strings.Join(types, ",") != "message/delivery-status,message/rfc822" {
		t.Errorf("attachment types = %v", types)
	}
	if strings.Contains(msg.Text, "Card blocked") {
		t.Error("the returned message leaked into Text")
	}
}

func TestParseTooLarge(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "attachment_pdf.eml"))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Parse(bytes.NewReader(data), int64(len(data)-1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if msg == nil || msg.From.Address != "an@example.vn" || msg.Subject != "Hóa đơn tháng 2" {
		t.Fatalf("msg = %+v, want the header of the message", msg)
	}
	if msg.Text != "" || len(msg.Attachments) != 0 {
		t.Error("a too large message must not carry a truncated body")
	}
	if _, err := Parse(bytes.NewReader(data), int64(len(data))); err != nil {
		t.Errorf("Parse at exactly the limit: %v", err)
	}
}
