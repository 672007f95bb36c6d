package mailin

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := Parse(bytes.NewReader(data), 64<<10)
		switch {
		case errors.Is(err, ErrTooLarge), errors.Is(err, ErrMalformed):
			return
		case err != nil:
			t.Fatalf("unexpected error: %v", err)
		}
		for _, s := range []string{msg.Subject, msg.Text, msg.HTML, msg.From.Name, msg.MessageID} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
		}
		if h := strings.ToLower(msg.HTML); strings.Contains(h, "<script") || strings.Contains(h, "<iframe") {
			t.Fatalf("unsafe HTML survived: %q", msg.HTML)
		}
		if len(msg.Attachments) > maxAttachments {
			t.Fatalf("%d attachments", len(msg.Attachments))
		}
		_ = StripQuoted(msg.Text)
	})
}
