package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// The page check of STYLE.md habit 15: every page a change touches is
// looked at in each language at a desktop and a phone width, for
// horizontal overflow, raw translation keys and axe-core violations, and
// a full-page screenshot is left for a person to look at.

// checkLangs and checkWidths are the languages and viewport widths every
// checked page is seen in.
var (
	checkLangs  = []string{"en", "vi", "zh"}
	checkWidths = []int64{1280, 390}
)

// axeRun runs the axe-core rules tagged: WCAG 2.1 A and AA.
const axeRun = `axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help,
	nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')), count: v.nodes.length})))`

// overflowers lists the elements reaching furthest past the right edge of
// the window, widest first, for the message of an overflow failure.
const overflowers = `(() => {
	const w = window.innerWidth, out = [];
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if (r.right > w + 0.5) {
			let name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
				(typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
			out.push({name: name, right: Math.round(r.right), text: (el.innerText || '').trim().slice(0, 40)});
		}
	}
	out.sort((a, b) => b.right - a.right);
	return out.slice(0, 5);
})()`

// shownText is what a person reads or hears on the page: the visible text
// and the attributes read out or shown in place of text.
const shownText = `(() => {
	const parts = [document.title, document.body.innerText];
	for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], img[alt]')) {
		for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
			if (el.hasAttribute(a)) parts.push(el.getAttribute(a));
		}
	}
	return parts.join('\n');
})()`

// checkPage loads url (with ?lang= for each language) and checks it as
// checkShown does.
func checkPage(t *testing.T, ctx context.Context, pageURL, name string) {
	t.Helper()
	checkShown(t, ctx, name, func(lang string) chromedp.Action[chromedp.Void] {
		return chromedp.Navigate(withLang(t, pageURL, lang))
	})
}

// checkShown checks a page that show brings up in the given language (a
// navigation, or a form submitted after one): in each language it is
// shown once, then seen at each width without horizontal overflow, with
// no key of the English catalog in its text, with no axe-core violation
// of WCAG 2.1 A/AA, and saved as a full-page screenshot.
func checkShown(t *testing.T, ctx context.Context, name string, show func(lang string) chromedp.Action[chromedp.Void]) {
	t.Helper()
	axe := axeSource(t)
	keys := catalogKeys(t)
	dir := screenshotDir(t)
	for _, lang := range checkLangs {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(checkWidths[0], 900), show(lang)); err != nil {
			t.Fatalf("%s (%s): showing the page: %v", name, lang, err)
		}
		waitFor(t, ctx, `document.readyState === 'complete'`)
		if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
			t.Errorf("%s (%s): the page is in %q", name, lang, got)
		}
		for _, width := range checkWidths {
			where := fmt.Sprintf("%s (%s, %d px)", name, lang, width)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
				t.Fatalf("%s: viewport: %v", where, err)
			}
			problems, err := pageProblems(ctx, axe, keys)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			for _, p := range problems {
				t.Errorf("%s: %s", where, p)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("%s: screenshot: %v", where, err)
			}
			file := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.png", fileName(name), lang, width))
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%s: screenshots in %s", name, dir)
}

// glancePage is the quick look at a page that checkPage has already seen
// in full from another account (the console as another role): in one
// language at 390 px, no overflow and no raw key. The parts that differ
// between roles, the sidebar and the actions offered, are what it is for.
func glancePage(t *testing.T, ctx context.Context, pageURL, name, lang string) {
	t.Helper()
	where := fmt.Sprintf("%s (%s, %d px)", name, lang, checkWidths[len(checkWidths)-1])
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(checkWidths[len(checkWidths)-1], 900), chromedp.Navigate(withLang(t, pageURL, lang))); err != nil {
		t.Fatalf("%s: showing the page: %v", where, err)
	}
	waitFor(t, ctx, `document.readyState === 'complete'`)
	problems, err := layoutProblems(ctx, catalogKeys(t))
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", where, p)
	}
}

// pageProblems checks the page as it is now: overflow, raw keys, axe-core.
func pageProblems(ctx context.Context, axe string, keys []string) ([]string, error) {
	problems, err := layoutProblems(ctx, keys)
	if err != nil {
		return nil, err
	}
	more, err := axeProblems(ctx, axe)
	if err != nil {
		return nil, err
	}
	return append(problems, more...), nil
}

// layoutProblems checks the page as it is now for overflow and raw keys.
func layoutProblems(ctx context.Context, keys []string) ([]string, error) {
	var problems []string
	over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		return nil, fmt.Errorf("overflow: %w", err)
	}
	if over {
		type elem struct {
			Name  string `json:"name"`
			Right int    `json:"right"`
			Text  string `json:"text"`
		}
		els, _ := chromedp.Run(ctx, chromedp.Evaluate[[]elem](overflowers))
		var b strings.Builder
		for _, e := range els {
			fmt.Fprintf(&b, "\n  %s reaches %d px %q", e.Name, e.Right, e.Text)
		}
		problems = append(problems, "the page is wider than the window; furthest out:"+b.String())
	}

	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](shownText))
	if err != nil {
		return nil, fmt.Errorf("text: %w", err)
	}
	if raw := rawKeys(text, keys); len(raw) > 0 {
		problems = append(problems, "raw translation keys shown: "+strings.Join(raw, ", "))
	}
	return problems, nil
}

// axeProblems runs axe-core on the page as it is now.
func axeProblems(ctx context.Context, axe string) ([]string, error) {
	var problems []string
	// Runtime.evaluate is the DevTools protocol's, which the pages' nonce
	// CSP does not govern: no script element is added to the page.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		return nil, fmt.Errorf("loading axe-core: %w", err)
	}
	type violation struct {
		ID     string   `json:"id"`
		Impact string   `json:"impact"`
		Help   string   `json:"help"`
		Nodes  []string `json:"nodes"`
		Count  int      `json:"count"`
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe-core: %w", err)
	}
	for _, v := range vs {
		problems = append(problems, fmt.Sprintf("axe %s (%s): %s — %d element(s), first: %s", v.ID, v.Impact, v.Help, v.Count, strings.Join(v.Nodes, " | ")))
	}
	return problems, nil
}

// rawKeys returns the keys that occur in text as whole words: not as part
// of a longer dotted name (verify.title in verify.titles or x.verify.title).
func rawKeys(text string, keys []string) []string {
	var found []string
	for _, k := range keys {
		for at := 0; ; {
			i := strings.Index(text[at:], k)
			if i < 0 {
				break
			}
			i += at
			end := i + len(k)
			if (i == 0 || !keyChar(text[i-1])) && (end == len(text) || !keyChar(text[end])) {
				found = append(found, k)
				break
			}
			at = i + 1
		}
	}
	return found
}

func keyChar(c byte) bool {
	return c == '.' || c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// withLang returns u with ?lang=lang set, keeping its other parameters.
func withLang(t *testing.T, u, lang string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set("lang", lang)
	p.RawQuery = q.Encode()
	return p.String()
}

var axeOnce = sync.OnceValues(func() ([]byte, error) {
	return os.ReadFile(filepath.Join("axe", "node_modules", "axe-core", "axe.min.js"))
})

// axeSource returns axe-core's browser build. A missing copy fails the
// test: a page check that silently did not run must not pass.
func axeSource(t *testing.T) string {
	t.Helper()
	src, err := axeOnce()
	if err != nil {
		t.Fatalf("axe-core is not installed (run 'make deps-test', which installs it from e2e/axe/package-lock.json): %v", err)
	}
	return string(src)
}

var keysOnce = sync.OnceValues(func() ([]string, error) {
	// en.json and its parts (en.console.json), as the pages load them.
	files, err := filepath.Glob(filepath.Join("..", "internal", "web", "i18n", "en.*json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no English catalog: %v", err)
	}
	cat := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &cat); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	var keys []string
	for k := range cat {
		// A key without a dot ("Help") may well be a word of the page.
		if strings.Contains(k, ".") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys, nil
})

// catalogKeys returns the dotted keys of the English catalog.
func catalogKeys(t *testing.T) []string {
	t.Helper()
	keys, err := keysOnce()
	if err != nil {
		t.Fatalf("translation keys: %v", err)
	}
	return keys
}

// screenshotDir is $FRONTDESK_SCREENSHOTS/<test>, or frontdesk-screenshots/<test>
// in the temporary directory; it outlives the test, for a person to open.
func screenshotDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("FRONTDESK_SCREENSHOTS")
	if base == "" {
		base = filepath.Join(os.TempDir(), "frontdesk-screenshots")
	}
	dir := filepath.Join(base, fileName(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string {
	return strings.Trim(unsafeName.ReplaceAllString(s, "-"), "-")
}
