package kb_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/kb"
)

// A 1×1 PNG.
var png1 = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// ASVS 5.2.1/5.2.2: files are checked by content (a page named .png is
// refused) and size; ASVS 5.3.2: stored names are cleaned by the server.
func TestArticleFiles(t *testing.T) {
	s := newKB(t)
	a := save(t, s, kb.Input{Slug: "guide", Locale: "en", Title: "Guide", BodyMD: "Steps.", Status: kb.StatusDraft})
	f, err := s.AddFile(ctx, a.ID, `..\..\screen "one".PNG`, png1)
	if err != nil {
		t.Fatal(err)
	}
	if f.ContentType != "image/png" || f.Filename != `screen _one_.PNG` || f.Published || f.URL() != "/help/files/"+f.ID {
		t.Fatalf("file %+v", f)
	}
	pdf, err := s.AddFile(ctx, a.ID, "manual", []byte("%PDF-1.4\n%…\n"))
	if err != nil || pdf.ContentType != "application/pdf" || pdf.Filename != "manual.pdf" {
		t.Fatalf("pdf %+v %v", pdf, err)
	}
	for name, data := range map[string][]byte{
		"page.png":  []byte("<!doctype html><html><script>alert(1)</script></html>"),
		"image.svg": []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`),
		"notes.txt": []byte("just text"),
		"run.exe":   append([]byte("MZ"), bytes.Repeat([]byte{0}, 100)...),
	} {
		if _, err := s.AddFile(ctx, a.ID, name, data); !errors.Is(err, kb.ErrFileType) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := s.AddFile(ctx, a.ID, "big.png", append(png1, make([]byte, kb.MaxFileBytes)...)); !errors.Is(err, kb.ErrFileTooLarge) {
		t.Errorf("too large: %v", err)
	}
	if _, err := s.AddFile(ctx, "0123456789abcdef0123456789abcdef", "x.png", png1); !errors.Is(err, kb.ErrNotFound) {
		t.Errorf("no article: %v", err)
	}
	list, _ := s.Files(ctx, a.ID)
	if len(list) != 2 || list[0].Size != len(png1) {
		t.Fatalf("files %+v", list)
	}
	// Published with its article.
	save(t, s, kb.Input{ID: a.ID, Locale: "en", Title: "Guide", BodyMD: "![step 1](" + f.URL() + ")", Status: kb.StatusPublished})
	got, data, err := s.FileData(ctx, f.ID)
	if err != nil || !got.Published || !bytes.Equal(data, png1) {
		t.Fatalf("data %+v %v", got, err)
	}
	if art, _ := s.Get(ctx, a.ID, "en"); !strings.Contains(art.BodyHTML, `<img src="`+f.URL()+`" alt="step 1">`) {
		t.Fatalf("image not kept: %s", art.BodyHTML)
	}
	// Import keeps an exported id, once.
	again, err := s.ImportFile(ctx, a.ID, f.ID, "other.png", png1)
	if err != nil || again.Filename != f.Filename {
		t.Fatalf("import of an existing file: %+v %v", again, err)
	}
	if _, err := s.ImportFile(ctx, a.ID, "../etc", "x.png", png1); !errors.Is(err, kb.ErrInvalid) {
		t.Fatalf("bad id: %v", err)
	}
	if id, err := s.DeleteFile(ctx, f.ID); err != nil || id != a.ID {
		t.Fatalf("delete: %q %v", id, err)
	}
	if _, _, err := s.FileData(ctx, f.ID); !errors.Is(err, kb.ErrNotFound) {
		t.Fatalf("deleted file: %v", err)
	}
}

// ASVS 1.2.2: images only from the article's files or https; javascript:
// and data: URLs never survive, in links or images.
func TestMarkdownURLs(t *testing.T) {
	for _, tc := range []struct{ md, bad, good string }{
		{"[x](javascript:alert(1))", "javascript:", ""},
		{"[x](JaVaScRiPt:alert(1))", "alert", ""},
		{"[x](data:text/html;base64,PHNjcmlwdD4=)", "data:", ""},
		{"![x](data:image/png;base64,iVBORw0KGgo=)", "data:", ""},
		{"![x](javascript:alert(1))", "javascript:", ""},
		{"![x](/help/files/../../console)", "console", ""},
		{"![x](/help/files/0123456789abcdef0123456789abcdef)", "", `src="/help/files/0123456789abcdef0123456789abcdef"`},
		{"[manual](/help/files/0123456789abcdef0123456789abcdef)", "", `href="/help/files/0123456789abcdef0123456789abcdef"`},
		// Videos are plain links: no player, no iframe.
		{"[Watch](https://www.youtube.com/watch?v=abc) <iframe src=\"https://www.youtube.com/embed/abc\"></iframe>", "<iframe", `href="https://www.youtube.com/watch?v=abc"`},
	} {
		h, err := kb.Preview(tc.md)
		if err != nil {
			t.Fatal(err)
		}
		if tc.bad != "" && strings.Contains(h, tc.bad) || !strings.Contains(h, tc.good) {
			t.Errorf("%s → %s", tc.md, h)
		}
	}
}
