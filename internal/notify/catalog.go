package notify

import (
	"embed"
	"fmt"
	htemplate "html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	ttemplate "text/template"
)

// templateFiles holds the message templates:
//
//	templates/<name>.<locale>.subject.txt  subject line (text/template)
//	templates/<name>.<locale>.txt          plain-text body (text/template)
//	templates/<name>.<locale>.html         HTML body (html/template)
//	templates/layout/layout.{txt,html}     shared frame around every body
//	templates/layout/footer.<locale>.{txt,html}
//
// A family of templates may have its own frame: the templates named
// <family>_<name> use templates/layout/<family>.{txt,html} and
// templates/layout/<family>_footer.<locale>.{txt,html} when those files
// exist (the support desk's mail, "desk_…", is written as a conversation
// that customers answer, not as a notice they must not reply to).
//
//go:embed templates
var templateFiles embed.FS

// fallbackLocale is used when a template has no file for the asked locale.
const fallbackLocale = "en"

// entry is one template in one locale, parsed and ready to execute.
type entry struct {
	subject *ttemplate.Template
	text    *ttemplate.Template
	html    *htemplate.Template
}

// catalog maps template name, then locale, to a parsed entry. It is built
// once and never changed, so it is safe for concurrent use.
type catalog map[string]map[string]*entry

// templateFuncs are available in every template.
var templateFuncs = map[string]any{
	"required":   required,
	"paragraphs": paragraphs,
}

// loadCatalog parses every template under templates/ in fsys and checks
// that each name has all three files per locale and an English version.
func loadCatalog(fsys fs.FS) (catalog, error) {
	read := func(name string) (string, error) {
		b, err := fs.ReadFile(fsys, path.Join("templates", name))
		return string(b), err
	}
	layoutText, err := read("layout/layout.txt")
	if err != nil {
		return nil, err
	}
	layoutHTML, err := read("layout/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(fsys, "templates/*.*")
	if err != nil {
		return nil, err
	}
	sources := map[[3]string]string{} // name, locale, kind
	for _, f := range files {
		base := path.Base(f)
		parts := strings.Split(base, ".")
		var key [3]string
		switch {
		case len(parts) == 4 && parts[2] == "subject" && parts[3] == "txt":
			key = [3]string{parts[0], parts[1], "subject"}
		case len(parts) == 3 && (parts[2] == "txt" || parts[2] == "html"):
			key = [3]string{parts[0], parts[1], parts[2]}
		default:
			return nil, fmt.Errorf("unexpected template file %s", base)
		}
		if sources[key], err = read(base); err != nil {
			return nil, err
		}
	}
	c := catalog{}
	for key := range sources {
		name, locale := key[0], key[1]
		if c[name] == nil {
			c[name] = map[string]*entry{}
		}
		if c[name][locale] != nil {
			continue
		}
		frame := frameFor(read, name, layoutText, layoutHTML)
		e, err := parseEntry(read, sources, name, locale, frame)
		if err != nil {
			return nil, err
		}
		c[name][locale] = e
	}
	for name, locales := range c {
		if locales[fallbackLocale] == nil {
			return nil, fmt.Errorf("template %s has no %s version", name, fallbackLocale)
		}
	}
	return c, nil
}

// frame is the layout and footer files a template is framed with.
type frame struct {
	text, html string // the layout's sources
	footer     string // the footer files' prefix under layout/
}

// frameFor returns the family frame of name (see the package comment
// above), or the shared one.
func frameFor(read func(string) (string, error), name, layoutText, layoutHTML string) frame {
	if family, _, ok := strings.Cut(name, "_"); ok {
		t, errT := read("layout/" + family + ".txt")
		h, errH := read("layout/" + family + ".html")
		if errT == nil && errH == nil {
			return frame{text: t, html: h, footer: family + "_footer"}
		}
	}
	return frame{text: layoutText, html: layoutHTML, footer: "footer"}
}

// parseEntry parses the three templates of one name and locale together
// with its frame's layout and the locale's footer (English if it has none).
func parseEntry(read func(string) (string, error), sources map[[3]string]string, name, locale string, fr frame) (*entry, error) {
	id := name + "." + locale
	var src [3]string
	for i, kind := range []string{"subject", "txt", "html"} {
		s, ok := sources[[3]string{name, locale, kind}]
		if !ok {
			return nil, fmt.Errorf("template %s has no %s file", id, kind)
		}
		src[i] = s
	}
	var footer [2]string
	for i, ext := range []string{"txt", "html"} {
		s, err := read("layout/" + fr.footer + "." + locale + "." + ext)
		if err != nil {
			s, err = read("layout/" + fr.footer + "." + fallbackLocale + "." + ext)
		}
		if err != nil {
			return nil, err
		}
		footer[i] = s
	}

	var e entry
	var err error
	if e.subject, err = ttemplate.New(id + ".subject").Funcs(templateFuncs).Parse(src[0]); err != nil {
		return nil, fmt.Errorf("parse %s subject: %w", id, err)
	}
	e.text = ttemplate.New(id + ".txt").Funcs(templateFuncs)
	for _, p := range [][2]string{{"layout", fr.text}, {"content", src[1]}, {"footer", footer[0]}} {
		if _, err := e.text.New(p[0]).Parse(p[1]); err != nil {
			return nil, fmt.Errorf("parse %s text %s: %w", id, p[0], err)
		}
	}
	e.html = htemplate.New(id + ".html").Funcs(templateFuncs)
	for _, p := range [][2]string{{"layout", fr.html}, {"content", src[2]}, {"footer", footer[1]}} {
		if _, err := e.html.New(p[0]).Parse(p[1]); err != nil {
			return nil, fmt.Errorf("parse %s html %s: %w", id, p[0], err)
		}
	}
	return &e, nil
}

// lookup finds a template for a locale such as "vi", "vi-VN" or
// "zh-Hans-CN" (matched by its base language), falling back to English.
// It returns the locale actually used.
func (c catalog) lookup(name, locale string) (*entry, string, error) {
	locales, ok := c[name]
	if !ok {
		return nil, "", fmt.Errorf("%w: %q", ErrUnknownTemplate, name)
	}
	base := baseLocale(locale)
	if e, ok := locales[base]; ok {
		return e, base, nil
	}
	return locales[fallbackLocale], fallbackLocale, nil
}

// baseLocale returns the lower-case primary language subtag of a BCP 47
// tag ("zh-Hans-CN" → "zh"); POSIX forms like "vi_VN.UTF-8" work too.
func baseLocale(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_.@"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

// names lists the template names, sorted.
func (c catalog) names() []string {
	out := make([]string, 0, len(c))
	for n := range c {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// required returns v, or an ErrMissingField error when v is absent or an
// empty string. Templates use it as {{required "Title" .Title}}.
func required(field string, v any) (any, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: %s", ErrMissingField, field)
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: %s", ErrMissingField, field)
	}
	return v, nil
}

// paragraphs splits text at blank lines so HTML templates can wrap each
// part in <p>.
func paragraphs(v any) []string {
	s := strings.ReplaceAll(fmt.Sprint(v), "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
