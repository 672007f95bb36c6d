package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/access"
)

// brandPNG is a w×h PNG in one colour.
func brandPNG(t *testing.T, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postBranding sends the branding form as a browser does (multipart), with
// the session cookie, and returns the status and page.
func (i *Instance) postBranding(t *testing.T, token string, fields map[string]string, files map[string][]byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for k, v := range files {
		fw, _ := mw.CreateFormFile(k, k+".png")
		fw.Write(v)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", i.URL+"/console/branding", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "__Host-fd_session", Value: token})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(page)
}

// computed returns a computed style property of the first element matching sel.
func computed(t *testing.T, ctx context.Context, sel, prop string) string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(`+jsString(sel)+`)).`+prop))
	if err != nil {
		t.Fatalf("%s %s: %v", sel, prop, err)
	}
	return got
}

// Branding (settings:manage): the business sets its colour, logo and
// favicon in the console; the portal, the help centre, the console header
// and the chat widget (in its shadow root, under the portal's CSP) show
// them, read from the browser's computed styles. Refusals — a colour under
// which white text fails WCAG AA, an SVG logo, HTML posing as an image, a
// favicon that is not square — say why and change nothing; an agent may
// not open the page. ASVS 5.2.2 (uploads checked by content), 5.2.6 (SVG
// refused), 8.2.1 (deny by default).
func TestBranding(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "boss@acme.example", access.RoleAdministrator)
	admin := fd.signInAPI(t, "boss@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, admin)
	fd.createStaff(t, "agent@acme.example", access.RoleAgent)
	agent := fd.signInAPI(t, "agent@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, agent)
	if s := fd.page(t, "GET", "/console/branding", agent); s != http.StatusForbidden {
		t.Fatalf("an agent opens Branding: %d", s)
	}
	if s, _ := fd.postBranding(t, agent, map[string]string{"colour": "#14532d"}, nil); s != http.StatusForbidden {
		t.Fatalf("an agent saves Branding: %d", s)
	}

	// The default look: today's colours, no logo, no favicon.
	ctx := fd.staffBrowser(t, admin)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(fd.URL+"/contact?lang=en"), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	checkWidgetLook(t, ctx, "contact page before branding", "Chat with us")
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](widgetJS(`return r.querySelectorAll('img').length;`))); n != 0 {
		t.Errorf("the widget shows %d images before a logo is set", n)
	}
	if got := computed(t, ctx, ".top .brand", "color"); got != "rgb(29, 36, 48)" {
		t.Errorf("header name before branding: %s", got)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.brand img, link[rel=icon], link[href^="/brand.css"]').length`)); n != 0 {
		t.Errorf("a fresh install links %d brand files", n)
	}

	// Refusals: nothing changes.
	logo := brandPNG(t, 240, 60, color.RGBA{0x14, 0x53, 0x2d, 0xff})
	fav := brandPNG(t, 32, 32, color.RGBA{0x14, 0x53, 0x2d, 0xff})
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`)
	for _, c := range []struct {
		name   string
		fields map[string]string
		files  map[string][]byte
		want   string
	}{
		{"light colour", map[string]string{"colour": "#7fb0ff"}, map[string][]byte{"logo": logo}, "White text on this colour has a contrast of only 2."},
		{"not a colour", map[string]string{"colour": "green"}, nil, "Write the colour as #"},
		{"svg logo", map[string]string{"colour": "#14532d"}, map[string][]byte{"logo": svg}, "SVG images are not accepted"},
		{"html logo", nil, map[string][]byte{"logo": []byte("<html><body>hi</body></html>")}, "The logo must be a PNG, JPEG or WebP image"},
		{"oblong favicon", nil, map[string][]byte{"favicon": logo}, "The favicon must be square"},
	} {
		status, page := fd.postBranding(t, admin, c.fields, c.files)
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, c.want) || !strings.Contains(page, "Nothing was changed") {
			t.Errorf("%s: %d, want 422 with %q", c.name, status, c.want)
		}
	}
	if status, page := fd.postBranding(t, admin, map[string]string{"colour": "#7fb0ff"}, nil); !strings.Contains(page, "for example #") {
		t.Errorf("the contrast refusal names no darker shade: %d", status)
	}
	if res := fd.Get(t, "/brand.css"); res.StatusCode != http.StatusOK {
		t.Fatalf("/brand.css: %d", res.StatusCode)
	} else if b, _ := io.ReadAll(res.Body); strings.Contains(string(b), "--accent") {
		t.Fatalf("a refused colour is in /brand.css:\n%s", b)
	}
	if res := fd.Get(t, "/brand/logo"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a refused logo is served: %d", res.StatusCode)
	}

	// Set in the browser: the colour typed, the images chosen.
	dir := t.TempDir()
	logoFile, favFile := filepath.Join(dir, "logo.png"), filepath.Join(dir, "favicon.png")
	os.WriteFile(logoFile, logo, 0o644)
	os.WriteFile(favFile, fav, 0o644)
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/branding?lang=en"), chromedp.WaitVisible(css("#brand-form")),
		chromedp.SendKeys(css("#colour"), "#14532D"),
		chromedp.SetUploadFiles(css("#logo"), []string{logoFile}),
		chromedp.SetUploadFiles(css("#favicon"), []string{favFile}),
		chromedp.Click(css("#brand-save")),
		chromedp.WaitVisible(css("#notice"))); err != nil {
		t.Fatal(err)
	}
	green := "rgb(20, 83, 45)"
	if got, _ := chromedp.Run(ctx, chromedp.Text(css("#brand-colour-now"))); !strings.Contains(got, "#14532d") {
		t.Errorf("the page shows the colour as %q", got)
	}
	// The console: its buttons, the sidebar's current page, the header's logo.
	if got := computed(t, ctx, "#brand-save", "backgroundColor"); got != green {
		t.Errorf("the console's button is %s, want %s", got, green)
	}
	if got := computed(t, ctx, "#sidebar a[aria-current=page]", "borderLeftColor"); got != green {
		t.Errorf("the sidebar's current page is %s, want %s", got, green)
	}
	checkLogo(t, ctx, "console")

	// The portal and the help centre, and the widget in its shadow root.
	for _, p := range []string{"/contact", "/help", "/signin"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+p+"?lang=en"), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, `document.readyState === 'complete'`)
		checkLogo(t, ctx, p)
		if got := computed(t, ctx, "main a, main .button", "color"); got != green && computed(t, ctx, "main .button", "backgroundColor") != green {
			t.Errorf("%s: links and buttons are not in the brand colour (%s)", p, got)
		}
		href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('link[rel=icon]') || {}).href || ''`))
		if !strings.Contains(href, "/brand/favicon?v=") {
			t.Errorf("%s: favicon link %q", p, href)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/contact?lang=en"), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `!!document.querySelector('#frontdesk-chat') && !document.querySelector('#frontdesk-chat').hidden`)
	launcher, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(function(){ var r = document.querySelector('#frontdesk-chat').shadowRoot;
		var l = getComputedStyle(r.querySelector('#fd-open')), h = getComputedStyle(r.querySelector('.head'));
		return [l.backgroundColor, l.position, h.backgroundColor]; })()`))
	if len(launcher) != 3 || launcher[0] != green || launcher[1] != "fixed" || launcher[2] != green {
		t.Errorf("the widget's launcher and header: %v, want %s and fixed", launcher, green)
	}
	// The widget's header shows the logo beside its title, loaded from
	// this origin with the brand's version, inside the panel's bounds.
	chromedp.Run(ctx, chromedp.Evaluate[any](widgetJS(`if ($('.panel').hidden) { $('#fd-open').click(); } return true;`)))
	waitFor(t, ctx, widgetJS(`var i = $('.head .title img.logo'); return !$('.panel').hidden && !!i && i.complete && i.naturalWidth === 240;`))
	logoBox, _ := chromedp.Run(ctx, chromedp.Evaluate[[]float64](widgetJS(`var i = $('.head img.logo').getBoundingClientRect(), p = $('.panel').getBoundingClientRect();
		return [i.height, i.left - p.left, p.right - i.right, $('.head img.logo').src.indexOf(location.origin + '/brand/logo?v=') === 0 ? 1 : 0];`)))
	if len(logoBox) != 4 || logoBox[0] < 20 || logoBox[0] > 40 || logoBox[1] < 0 || logoBox[2] < 0 || logoBox[3] != 1 {
		t.Errorf("the widget's logo: height, left and right margins, own origin: %v", logoBox)
	}
	// The contact page with the widget open, its logo in: seen in en, vi
	// and zh at both widths (the panel is the whole screen on a phone).
	checkShown(t, ctx, "contact-widget-branded", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Navigate(fd.URL+"/contact?lang="+lang),
			chromedp.Poll[chromedp.Void](`!!document.querySelector('#frontdesk-chat') && !document.querySelector('#frontdesk-chat').hidden`),
			chromedp.Evaluate[chromedp.Void](widgetJS(`if ($('.panel').hidden) { $('#fd-open').click(); } return true;`)),
			chromedp.Poll[chromedp.Void](widgetJS(`var i = $('.head img.logo'); return !$('.panel').hidden && !!i && i.complete && i.naturalWidth > 0 &&
				r.getAnimations().every(function (a) { return a.playState === 'finished'; });`)))
	})
	chromedp.Run(ctx, chromedp.Evaluate[any](widgetJS(`$('#fd-close').click(); return true;`)))

	// The files themselves: the sniffed type, nosniff, the favicon where
	// browsers look for it.
	for _, p := range []struct{ path, ctype string }{{"/brand/logo", "image/png"}, {"/favicon.ico", "image/png"}, {"/brand.css", "text/css; charset=utf-8"}} {
		res := fd.Get(t, p.path)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != p.ctype || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %q", p.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	if res := fd.Get(t, "/brand/other"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/brand/other: %d", res.StatusCode)
	}

	// The pages as seen, branded: Branding itself (also with a refusal
	// shown), and the portal's and help centre's homes with the logo.
	checkPage(t, ctx, fd.URL+"/console/branding", "branding")
	checkShown(t, ctx, "branding-refused", func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Navigate(fd.URL+"/console/branding?lang="+lang), chromedp.WaitVisible(css("#colour")),
			chromedp.SetValue(css("#colour"), "#ffcc00"), chromedp.Click(css("#brand-save")), chromedp.WaitVisible(css("#colour-error")))
	})
	checkPage(t, ctx, fd.URL+"/", "home-branded")
	checkPage(t, ctx, fd.URL+"/help", "help-branded")
	checkPage(t, ctx, fd.URL+"/console", "console-branded")

	// Back to the default colours and no logo.
	if status, _ := fd.postBranding(t, admin, map[string]string{"colour": "", "remove_logo": "on", "remove_favicon": "on"}, nil); status != http.StatusSeeOther {
		t.Fatalf("back to the default: %d", status)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+"/console/branding?lang=en"), chromedp.WaitVisible(css("#brand-form"))); err != nil {
		t.Fatal(err)
	}
	if got := computed(t, ctx, "#brand-save", "backgroundColor"); got != "rgb(31, 95, 191)" {
		t.Errorf("after going back to the default the button is %s", got)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.top .brand img, link[rel=icon]').length`)); n != 0 {
		t.Errorf("after removing them, %d logo or favicon links remain", n)
	}
	if res := fd.Get(t, "/brand.css"); res.StatusCode != http.StatusOK {
		t.Errorf("/brand.css: %d", res.StatusCode)
	} else if b, _ := io.ReadAll(res.Body); strings.Contains(string(b), "--fd-logo") {
		t.Errorf("a removed logo is still named for the widget:\n%s", b)
	}
}

// checkLogo fails unless the header shows the logo, loaded, named by the
// business's name, and no wider than the window.
func checkLogo(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	waitFor(t, ctx, `(function(){ var i = document.querySelector('.top .brand img.logo'); return !!i && i.complete && i.naturalWidth === 240; })()`)
	alt, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.top .brand img.logo').alt`))
	if alt == "" {
		t.Errorf("%s: the logo has no text", where)
	}
}
