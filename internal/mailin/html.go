package mailin

import (
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// htmlPolicy is built once; a bluemonday policy is safe for concurrent use.
var htmlPolicy = sync.OnceValue(newHTMLPolicy)

// newHTMLPolicy is bluemonday's UGCPolicy narrowed for e-mail shown to
// agents: no id or class (they could clash with the console's own), no
// relative links, and images only from the message itself (cid:) or inline
// data: URLs, because a remote image tells the sender when and where the
// message was read.
func newHTMLPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()

	p.AllowElements("article", "aside", "section", "figure", "figcaption", "details", "summary",
		"h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "address", "center",
		"blockquote", "br", "div", "hr", "p", "span", "wbr", "pre",
		"abbr", "acronym", "cite", "code", "dfn", "em", "mark", "q", "s", "samp", "strong",
		"sub", "sup", "var", "b", "i", "small", "strike", "tt", "u",
		"bdi", "bdo", "rp", "rt", "ruby", "del", "ins")
	p.AllowLists()
	p.AllowTables()

	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto", "cid")
	p.AllowDataURIImages()
	p.AllowAttrs("href").Matching(regexp.MustCompile(`(?i)^\s*(https?|mailto):`)).OnElements("a")
	p.AllowAttrs("src").Matching(regexp.MustCompile(`(?i)^\s*(cid:|data:image/)`)).OnElements("img")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.NumberOrPercent).OnElements("img")

	// rel="nofollow noreferrer" on every link; target="_blank" with
	// rel="noopener" on links that leave for another site.
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// sanitizeHTML removes everything from an HTML body that could run code,
// submit data or load remote content, and returns a fragment.
func sanitizeHTML(s string) string {
	return strings.TrimSpace(htmlPolicy().Sanitize(s))
}

// htmlToText renders sanitised HTML as plain text: tags dropped, entities
// decoded, block elements turned into line and paragraph breaks.
func htmlToText(s string) string {
	var b strings.Builder
	ends := func(suffix string) bool { return b.Len() == 0 || strings.HasSuffix(b.String(), suffix) }
	// space separates words unless a line has just begun.
	space := func() {
		if !ends("\n") && !ends(" ") {
			b.WriteByte(' ')
		}
	}
	// newline ends the current line, if any; paragraph leaves a blank line.
	newline := func() {
		if !ends("\n") {
			b.WriteByte('\n')
		}
	}
	paragraph := func() {
		newline()
		if !ends("\n\n") {
			b.WriteByte('\n')
		}
	}
	z := html.NewTokenizer(strings.NewReader(s))
	pre := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidyText(b.String())
		case html.TextToken:
			if pre > 0 {
				b.Write(z.Text())
				continue
			}
			raw := z.Raw()
			words := strings.Fields(string(z.Text()))
			if len(words) == 0 {
				if len(raw) > 0 {
					space()
				}
				continue
			}
			if isSpace(raw[0]) {
				space()
			}
			b.WriteString(strings.Join(words, " "))
			if isSpace(raw[len(raw)-1]) {
				b.WriteByte(' ')
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "br":
				b.WriteString("\n")
			case "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "dl", "hr":
				paragraph()
			case "pre":
				paragraph()
				if tt == html.StartTagToken {
					pre++
				} else if tt == html.EndTagToken && pre > 0 {
					pre--
				}
			case "div", "tr", "section", "article", "dt", "dd", "caption":
				newline()
			case "li":
				newline()
				if tt == html.StartTagToken {
					b.WriteString("- ")
				}
			case "td", "th":
				space()
			}
		}
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// tidyText drops trailing spaces and keeps at most one empty line in a row.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}
