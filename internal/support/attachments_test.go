package support_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/frontdesk/frontdesk/internal/support"
)

// Uploads are accepted by what they are, not what they claim: a PNG named
// .exe is a PNG; HTML or SVG named .png is refused. Files come back as
// stored, sealed at rest.
func TestUploads(t *testing.T) {
	f := newFixture(t)
	c := f.start(support.Who{Email: "v@example.com"}, "see the screenshot")
	png := append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, bytes.Repeat([]byte{0}, 64)...)
	msg, att, err := f.svc.Upload(ctx, c.ID, support.KindCustomer, "", "u1", `..\..\shot.exe`, png)
	if err != nil || att.ContentType != "image/png" || att.Filename != "shot.exe" || att.DownloadName() != "shot.exe.png" {
		t.Fatalf("png: %+v %v", att, err)
	}
	if again, _, err := f.svc.Upload(ctx, c.ID, support.KindCustomer, "", "u1", "shot.exe", png); err != nil || again.ID != msg.ID {
		t.Fatalf("re-sent upload stored twice: %v", err)
	}
	for name, data := range map[string][]byte{
		"page.png":  []byte("<!doctype html><script>alert(1)</script>"),
		"image.png": []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`),
		"run.pdf":   []byte("MZ\x90\x00\x03\x00\x00\x00"),
	} {
		if _, _, err := f.svc.Upload(ctx, c.ID, support.KindCustomer, "", "", name, data); !errors.Is(err, support.ErrUploadType) {
			t.Errorf("%s accepted: %v", name, err)
		}
	}
	if _, _, err := f.svc.Upload(ctx, c.ID, support.KindCustomer, "", "", "big.txt", bytes.Repeat([]byte("a"), support.MaxUploadBytes+1)); !errors.Is(err, support.ErrInvalid) {
		t.Fatalf("11 MB accepted: %v", err)
	}
	got, data, err := f.svc.AttachmentData(ctx, att.ID)
	if err != nil || !bytes.Equal(data, png) || got.MessageID != msg.ID {
		t.Fatalf("download: %v", err)
	}
	list, _ := f.svc.Attachments(ctx, c.ID)
	if len(list) != 1 {
		t.Fatalf("%d attachments", len(list))
	}
}
