package mailin

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseMalformed(t *testing.T) {
	var deep strings.Builder
	for i := range maxDepth + 2 {
		fmt.Fprintf(&deep, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
	}
	deep.WriteString("Content-Type: text/plain\n\ndeep\n")
	for i := maxDepth + 1; i >= 0; i-- {
		fmt.Fprintf(&deep, "--b%d--\n", i)
	}
	var many strings.Builder
	many.WriteString("Content-Type: multipart/mixed; boundary=b\n\n")
	for range maxParts + 10 {
		many.WriteString("--b\nContent-Type: multipart/mixed; boundary=c\n\n--c--\n")
	}
	many.WriteString("--b--\n")

	tests := []struct {
		name    string
		raw     string
		text    string // wanted Text
		skipped string // wanted reason of the first skipped part, if any
	}{
		{"empty", "", "", ""},
		{"header only", "Subject: hi\n", "", ""},
		{"no blank line", "Subject: hi\nFrom: a@example.com", "", ""},
		{"body without header", "\nhello\n", "hello", ""},
		{"unclosed multipart",
			"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nfirst part\n--b\nContent-Type: text/plain\n\nsecond part, cut off",
			"first part\n\nsecond part, cut off", reasonPartialDecoded},
		{"missing boundary", "Content-Type: multipart/mixed\n\n--b\nContent-Type: text/plain\n\nx\n", "", reasonBadMultipart},
		{"bad base64 attachment",
			"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nbody\n--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n--b--\n",
			"body", reasonBadEncoding},
		{"bad base64 text", "Content-Transfer-Encoding: base64\n\naGVsbG8gd29ybGQ=!!!\n", "hello world", reasonPartialDecoded},
		{"unknown transfer encoding", "Content-Transfer-Encoding: x-weird\n\nas sent\n", "as sent", ""},
		{"bad content type", "Content-Type: text/plain; ;;charset\n\nstill text\n", "still text", ""},
		{"broken addresses", "From: <<<\nTo: ,,, \"unterminated\nCc: a@example.com, ???\n\nx\n", "x", ""},
		{"too deep", deep.String(), "", reasonTooDeep},
		{"too many parts", many.String(), "", reasonTooManyParts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := Parse(strings.NewReader(tt.raw), testLimit)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if msg.Text != tt.text {
				t.Errorf("Text = %q, want %q", msg.Text, tt.text)
			}
			switch {
			case tt.skipped == "" && len(msg.Skipped) > 0:
				t.Errorf("Skipped = %v, want none", msg.Skipped)
			case tt.skipped != "" && (len(msg.Skipped) == 0 || msg.Skipped[0].Reason != tt.skipped):
				t.Errorf("Skipped = %v, want %q", msg.Skipped, tt.skipped)
			}
		})
	}
}

func TestParseMalformedHeader(t *testing.T) {
	secret := "this line has no colon and holds a secret"
	_, err := Parse(strings.NewReader("Subject: hi\n"+secret+"\n\nbody\n"), testLimit)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q quotes the message", err)
	}
}

func TestParseAttachmentLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nbody\n")
	for i := range maxAttachments + 3 {
		fmt.Fprintf(&b, "--b\nContent-Type: image/png\nContent-Disposition: attachment; filename=\"f%d.png\"\n\nx\n", i)
	}
	b.WriteString("--b--\n")
	msg, err := Parse(strings.NewReader(b.String()), testLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Attachments) != maxAttachments || len(msg.Skipped) != 3 {
		t.Fatalf("got %d attachments and %d skipped, want %d and 3", len(msg.Attachments), len(msg.Skipped), maxAttachments)
	}
	if s := msg.Skipped[0]; s.Filename != fmt.Sprintf("f%d.png", maxAttachments) || s.Reason != reasonTooManyAttach {
		t.Errorf("Skipped[0] = %+v", s)
	}
}

func TestCleanFilename(t *testing.T) {
	tests := map[string]string{
		"../../etc/passwd":       "passwd",
		`C:\Users\me\report.pdf`: "report.pdf",
		"a\x00b\r\nc.txt":        "ab c.txt",
		"..":                     "",
		"  hóa   đơn.pdf ":       "hóa đơn.pdf",
	}
	for in, want := range tests {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMsgIDs(t *testing.T) {
	tests := map[string][]string{
		"<a@b>":                  {"a@b"},
		" <a@b> (comment) <c@d>": {"a@b", "c@d"},
		"<a@b>,<c@d>":            {"a@b", "c@d"},
		"a@b c@d":                {"a@b", "c@d"},
		"<a @ b>":                {"a@b"},
		"<>":                     nil,
		"":                       nil,
	}
	for in, want := range tests {
		if got := msgIDs(in); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("msgIDs(%q) = %q, want %q", in, got, want)
		}
	}
}
