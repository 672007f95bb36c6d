package e2e

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/internal/access"
)

// The console shows times in the reader's own time zone, named, as the
// portal does: a browser in Ho Chi Minh City (UTC+7) sees the audit trail,
// an audit entry, a customer's sign-ins and an access review's dates in
// its local time, with the UTC time on hover and in <time datetime>; the
// page's HTML (what a browser without scripts shows) stays in UTC.
func TestConsoleLocalTimes(t *testing.T) {
	fd := Start(t, fastHashing)
	fd.createStaff(t, "sec@acme.example", access.RoleSecurityOfficer)
	token := fd.signInAPI(t, "sec@acme.example", apiPassword)
	fd.enrolTOTPAPI(t, token)
	fd.registerAPI(t, "lan@example.com")
	fd.signInAPI(t, "lan@example.com", apiPassword) // a session and a sign-in on the customer's page
	if status := fd.postForm(t, "/console/reviews", token, nil); status != http.StatusSeeOther {
		t.Fatalf("start a review: %d", status)
	}
	customer := fd.firstMatch(t, token, "/console/customers?q=lan@example.com", regexp.MustCompile(`href="(/console/customers/[0-9a-f]+)"`))
	review := fd.firstMatch(t, token, "/console/reviews", regexp.MustCompile(`href="(/console/reviews/[0-9a-f]+)"`))
	entry := fd.firstMatch(t, token, "/console/audit", regexp.MustCompile(`href="(/console/audit/[0-9]+)"`))
	if status, body := fd.consoleRequest(t, "GET", "/console/audit", token, nil); status != http.StatusOK ||
		!regexp.MustCompile(`<time datetime="[0-9T:.-]+Z" data-precision="s">[0-9-]{10} [0-9:]{8} UTC</time>`).Match(body) {
		t.Fatalf("the audit trail's HTML has no UTC time: %d", status)
	}

	ctx := fd.staffBrowser(t, token)
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Ho_Chi_Minh"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ path, precision string }{
		{"/console/audit", "s"},
		{entry, "s"},
		{customer, "m"},
		{"/console/reviews", "d"},
		{review, "m"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(fd.URL+p.path+"?lang=en")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, `document.readyState === 'complete'`)
		shown := localTimes(t, ctx)
		if len(shown) == 0 {
			t.Errorf("%s: no time shown in local time", p.path)
			continue
		}
		found := false
		for _, s := range shown {
			if s.Precision != p.precision {
				continue
			}
			found = true
			at, err := time.Parse(time.RFC3339Nano, s.Datetime)
			if err != nil {
				t.Fatalf("%s: datetime %q: %v", p.path, s.Datetime, err)
			}
			local := at.In(hcm)
			utc := at.UTC().Format("2006-01-02 15:04") + " UTC"
			switch p.precision {
			case "d":
				// The local date, the UTC time on hover.
				if s.Title != utc || !strings.Contains(s.Text, local.Format("Jan 2, 2006")) {
					t.Errorf("%s: %+v, want %s shown and %q on hover", p.path, s, local.Format("Jan 2, 2006"), utc)
				}
			default:
				clock := local.Format(":04")
				if p.precision == "s" {
					clock = local.Format(":04:05")
				}
				if !strings.Contains(s.Text, "GMT+7") || !strings.Contains(s.Text, clock) || !strings.Contains(s.Text, local.Format("Jan 2, 2006")) ||
					!strings.HasPrefix(s.Title, utc[:16]) || !strings.HasSuffix(s.Title, " UTC") {
					t.Errorf("%s: %+v, want the time in UTC+7 (%s) with %q on hover", p.path, s, local.Format("Jan 2, 2006 15"+clock), utc)
				}
			}
		}
		if !found {
			t.Errorf("%s: no time of precision %q among %+v", p.path, p.precision, shown)
		}
		// No time is left in UTC text on the page.
		if left, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('main time[datetime]')].filter(e => / UTC$/.test(e.textContent.trim())).length`)); left != 0 {
			t.Errorf("%s: %d times still shown in UTC", p.path, left)
		}
	}
}

type localTime struct {
	Text, Title, Datetime, Precision string
}

// localTimes returns the times of the page the script rewrote.
func localTimes(t *testing.T, ctx context.Context) []localTime {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]localTime](`[...document.querySelectorAll('time[data-local]')].map(e => ({
		Text: e.textContent, Title: e.title, Datetime: e.getAttribute('datetime'), Precision: e.getAttribute('data-precision') || 'm'}))`))
	if err != nil {
		t.Fatal(err)
	}
	return got
}
