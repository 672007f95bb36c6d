package e2e

import (
	"context"
	"image/color"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/access"
)

// The screenshots of docs/console.md and docs/support.md, taken of a seeded
// desk (three conversations, an agent, the help centre's starter
// articles, a brand colour and logo): the console's home, the inbox with a
// conversation open, the help centre's home and the chat widget open on
// the contact page (once its fade-in has finished, with the logo in its
// header), in English at 1,280 px and, for the inbox, help centre and
// widget, at 390. They are written where the page check leaves its
// screenshots; to refresh docs/img, copy them from there (docs/testing.md).
func TestDocsScreenshots(t *testing.T) {
	fd, sup, ids := deskWithConversations(t)
	fd.createStaff(t, "owner@acme.example", access.RoleAdministrator)
	owner := fd.signInAPI(t, "owner@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, owner)
	logo := brandPNG(t, 240, 60, color.RGBA{0x14, 0x53, 0x2d, 0xff})
	if status, _ := fd.postBranding(t, owner, map[string]string{"colour": "#14532d"}, map[string][]byte{"logo": logo}); status != http.StatusSeeOther {
		t.Fatalf("branding: %d", status)
	}
	staff := fd.browserAs(t, sup)
	visitor := Browser(t)
	dir := screenshotDir(t)
	shot := func(ctx context.Context, name string, width int64, path, ready string, then ...func()) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(fd.URL+path), chromedp.WaitVisible(css(ready))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		waitFor(t, ctx, `document.readyState === 'complete'`)
		for _, f := range then {
			f()
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot(staff, "console-home-1280", 1280, "/console?lang=en", "#sidebar")
	shot(staff, "inbox-1280", 1280, "/console/conversations/"+ids[2]+"?view=all&lang=en", "#inbox")
	shot(staff, "inbox-390", 390, "/console/inbox?view=all&lang=en", "#inbox")
	shot(visitor, "help-1280", 1280, "/help?lang=en", "main")
	shot(visitor, "help-390", 390, "/help?lang=en", "main")
	for _, w := range []int64{1280, 390} {
		name := "widget-1280"
		if w == 390 {
			name = "widget-390"
		}
		shot(visitor, name, w, "/contact?lang=en", "main", func() {
			waitFor(t, visitor, `!!document.querySelector('#frontdesk-chat') && !document.querySelector('#frontdesk-chat').hidden`)
			chromedp.Run(visitor, chromedp.Evaluate[any](widgetJS(`if ($('.panel').hidden) { $('#fd-open').click(); } return true;`)))
			// The panel fades in (widget.css, fd-rise): the picture is
			// taken once its animation has finished, not halfway.
			waitFor(t, visitor, widgetJS(`var i = $('.head img.logo'); return !$('.panel').hidden && !!i && i.complete && i.naturalWidth > 0 &&
				r.getAnimations().every(function (a) { return a.playState === 'finished'; });`))
		})
	}
	t.Logf("screenshots in %s", dir)
}
