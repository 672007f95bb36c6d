package kb

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/net/html"
)

// Articles are written in Markdown and rendered once, when saved, to HTML
// that is then sanitised: whatever an editor (or an imported file) writes,
// no script, event handler, style, frame, form or javascript: URL reaches a
// reader. Images may come from the article's own files (/help/files/{id},
// uploads.go) or https — never data: or javascript: URLs; links are
// http(s), mailto or relative, and get rel="nofollow noopener". A video
// (YouTube, Vimeo) is a link like any other: no iframe or player is
// embedded, so no third party's script runs on the help centre and the
// page's strict CSP stays as it is.

var md = goldmark.New(goldmark.WithExtensions(extension.GFM))

var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "del", "code", "pre",
		"blockquote", "table", "thead", "tbody", "tr", "th", "td", "a", "img")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^(https://|/help/files/[0-9a-f]{32}$)`)).OnElements("img")
	p.AllowAttrs("alt", "title").OnElements("img", "a")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("th", "td")
	return p
}()

// Preview renders Markdown as a save would, for an editor to look at.
func Preview(src string) (string, error) {
	h, _, err := render(src)
	return h, err
}

// render turns Markdown into sanitised HTML and its plain text (for search
// and snippets).
func render(src string) (htmlOut, plain string, err error) {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return "", "", err
	}
	htmlOut = policy.Sanitize(buf.String())
	return htmlOut, textOf(htmlOut), nil
}

// blocks separate words; inline elements (strong, a, code…) do not.
var blocks = map[string]bool{"p": true, "br": true, "li": true, "ul": true, "ol": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "tr": true, "td": true, "th": true, "blockquote": true, "pre": true, "hr": true, "img": true}

// textOf extracts the text of sanitised HTML, a space between blocks.
func textOf(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			if name, _ := z.TagName(); blocks[string(name)] {
				b.WriteByte(' ')
			}
		}
	}
}
