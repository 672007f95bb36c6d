package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/locale"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/brand"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/support"

	"golang.org/x/text/language"
)

//go:embed templates static i18n
var assets embed.FS

// Languages the pages speak, in the order the language menu lists them.
var languages = []struct{ Code, Name string }{
	{"en", "English"}, {"vi", "Tiếng Việt"}, {"zh", "简体中文"},
}

// Pages holds the parsed templates, message catalogs and static files.
type Pages struct {
	// Brand returns the business's brand for a page (nil: the default
	// look). Set once, before the server takes requests.
	Brand    func(context.Context) brand.Brand
	tmpl     map[string]*template.Template
	catalogs map[string]map[string]string
	static   map[string]staticFile
	// rolesWith lists every role, custom ones included, that carries a
	// permission (SetRolesWith); without it a 403 names the built-in ones.
	rolesWith func(ctx context.Context, perm string) ([]string, error)
}

// SetRolesWith tells the error pages where to read which roles carry a
// permission, so that a staff member's 403 names the business's own roles
// too. Call it once, before serving.
func (p *Pages) SetRolesWith(f func(ctx context.Context, perm string) ([]string, error)) {
	p.rolesWith = f
}

type staticFile struct {
	body  []byte
	etag  string
	ctype string
}

func LoadPages() (*Pages, error) {
	p := &Pages{tmpl: map[string]*template.Template{}, catalogs: map[string]map[string]string{}, static: map[string]staticFile{}}
	for _, l := range languages {
		m, err := loadCatalog(l.Code)
		if err != nil {
			return nil, err
		}
		p.catalogs[l.Code] = m
	}
	layout, err := template.New("layout.html").Funcs(template.FuncMap{"langs": func() any { return languages }, "dict": dict, "list": func(v ...string) []string { return v }, "permissions": func() []string { return access.Permissions },
		"inboxViews": func() []string { return InboxViews }, "channels": func() []string { return support.Channels },
		"statuses": func() []string { return support.Statuses }, "nonceID": func() string { return NewID(12) },
		"json":           func(v any) (string, error) { b, err := json.Marshal(v); return string(b), err },
		"deref":          func(b *bool) bool { return b != nil && *b },
		"duration":       ShortDuration,
		"photo":          CardPhotoURL,
		"percent":        func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
		"callDirections": func() []string { return support.CallDirections }, "callOutcomes": func() []string { return support.CallOutcomes }, "priorities": func() []string { return support.Priorities },
		"reference": support.Reference, "when": When, "whenExact": WhenExact, "day": Day}).
		ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, name)
		if err != nil {
			return nil, err
		}
		p.tmpl[strings.TrimSuffix(base, ".html")] = t
	}
	statics, _ := fs.Glob(assets, "static/*")
	for _, name := range statics {
		b, _ := assets.ReadFile(name)
		sum := sha256.Sum256(b)
		ctype := "application/octet-stream"
		switch path.Ext(name) {
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		p.static[path.Base(name)] = staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
	}
	return p, nil
}

// loadCatalog reads a language's messages: i18n/<lang>.json and its
// parts i18n/<lang>.<area>.json (en.console.json), so that an area keeps
// its messages in a file of its own. A key defined twice is an error.
func loadCatalog(lang string) (map[string]string, error) {
	parts, err := fs.Glob(assets, "i18n/"+lang+".*json")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, name := range parts {
		b, err := assets.ReadFile(name)
		if err != nil {
			return nil, err
		}
		part := map[string]string{}
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("web: %s: %w", name, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("web: %s: %q is defined twice", name, k)
			}
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("web: no messages for %q", lang)
	}
	return m, nil
}

// Language picks the page language: ?lang= (remembered in a cookie), then
// the cookie, then Accept-Language, then English. Tags are read by
// locale.Parse (?lang=zh-CN is zh); an unsupported one is passed over.
func (p *Pages) Language(w http.ResponseWriter, r *http.Request) string {
	if l, err := locale.Parse(r.URL.Query().Get("lang")); err == nil && p.catalogs[l] != nil {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		if l, err := locale.Parse(c.Value); err == nil && p.catalogs[l] != nil {
			return l
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	return locale.Match(tags...)
}

// Translator returns the message for key in lang, falling back to English.
func (p *Pages) Translator(lang string) func(string, ...any) string {
	return func(key string, args ...any) string {
		msg, ok := p.catalogs[lang][key]
		if !ok {
			msg, ok = p.catalogs["en"][key]
		}
		if !ok {
			return key
		}
		if len(args) > 0 {
			return fmt.Sprintf(msg, args...)
		}
		return msg
	}
}

// View is what every page template gets.
type View struct {
	Lang      string
	Nonce     string
	RequestID string
	Org       string
	Path      string
	Data      any
	// SignedIn is true when the visitor has a valid session: the header
	// then offers the security page and a sign-out button (ASVS 7.4.4).
	SignedIn bool
	// Staff is true for a staff session past its second factor: the
	// header links to the console.
	Staff bool
	// StaffAccount is true for any staff session, even one that is still
	// enrolling its second factor: where it goes next is the console.
	StaffAccount bool
	// OldBrowser is true when the user agent is known to lack what the
	// pages rely on (SameSite cookies, WebCrypto).
	OldBrowser bool
	// Brand is the business's colour, logo and favicon (internal/brand).
	Brand brand.Brand
	t     func(string, ...any) string
	cat   map[string]string // the page language's catalog
	en    map[string]string
}

// Strings returns the messages whose keys start with prefix, in the page's
// language (English where missing), for a script to show.
func (v View) Strings(prefix string) map[string]string {
	out := map[string]string{}
	for _, c := range []map[string]string{v.en, v.cat} {
		for k, m := range c {
			if strings.HasPrefix(k, prefix) {
				out[strings.TrimPrefix(k, prefix)] = m
			}
		}
	}
	return out
}

// T translates key into the page's language.
func (v View) T(key string, args ...any) string { return v.t(key, args...) }

func (p *Pages) Render(w http.ResponseWriter, r *http.Request, status int, name, org string, data any) error {
	t, ok := p.tmpl[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	ri := Info(r.Context())
	v := View{Lang: ri.Lang, Nonce: ri.Nonce, RequestID: ri.ID, Org: org, Path: r.URL.Path, t: p.Translator(ri.Lang), Data: data,
		cat: p.catalogs[ri.Lang], en: p.catalogs["en"],
		SignedIn: Principal(r.Context()) != nil, OldBrowser: OldBrowser(r.UserAgent())}
	if p.Brand != nil {
		v.Brand = p.Brand(r.Context())
	}
	if p := Principal(r.Context()); p != nil && p.Kind == identity.KindStaff {
		v.StaffAccount = true
		v.Staff = !p.Session.MustEnrol
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", ri.Lang)
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// errorView is the data of the error page.
type errorView struct {
	Status  int
	Page    int // the status whose title and text are shown: Status, or 400/500 when the catalog has none for it
	Code    string
	Message string
	// For a staff member refused a page: the permission it needs and
	// every role that carries it, built-in and custom.
	Permission string
	Roles      []string
}

func (p *Pages) RenderError(w http.ResponseWriter, r *http.Request, e *Error, org string) {
	ri := Info(r.Context())
	if ri.Lang == "" {
		ri.Lang = "en"
	}
	w.Header().Set("Cache-Control", "no-store")
	page := e.Status
	if _, ok := p.catalogs["en"][fmt.Sprintf("error.%d.title", page)]; !ok {
		// A status without its own words (a new one) is shown in the words
		// of its class, never as a raw key.
		page = 400
		if e.Status >= 500 {
			page = 500
		}
	}
	v := errorView{Status: e.Status, Page: page, Code: e.Code, Message: e.Message}
	if pr := Principal(r.Context()); pr != nil && pr.Kind == identity.KindStaff && e.Permission != "" {
		v.Permission, v.Roles = e.Permission, RolesWith(e.Permission)
		if p.rolesWith != nil {
			// The built-in list stands when the database cannot answer.
			if roles, err := p.rolesWith(r.Context(), e.Permission); err == nil {
				v.Roles = roles
			}
		}
	}
	if err := p.Render(w, r, e.Status, "error", org, v); err != nil {
		http.Error(w, "Something went wrong. Reference: "+ri.ID, http.StatusInternalServerError)
	}
}

// ServeStatic sends the embedded file name (static/) with cacheControl;
// a file that is not there is ErrNotFound.
func (p *Pages) ServeStatic(w http.ResponseWriter, r *http.Request, name, cacheControl string) error {
	f, ok := p.static[name]
	if !ok {
		return ErrNotFound
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", cacheControl)
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, "", StartTime, bytes.NewReader(f.body))
	return nil
}

// StartTime is when the program started: the modification time of the
// embedded files.
var StartTime = time.Now()

// ShortDuration writes a duration as people read it: 45s, 12m, 3h 5m, 2d 4h.
func ShortDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h " + strconv.Itoa(int(d.Minutes())%60) + "m"
	}
	return strconv.Itoa(int(d.Hours())/24) + "d " + strconv.Itoa(int(d.Hours())%24) + "h"
}

// OldBrowser recognises browsers too old for the portal's security
// features: Internet Explorer, and Chrome, Firefox and Safari versions from
// before SameSite cookies and WebCrypto were dependable (Chrome 80,
// Firefox 79, Safari 14). Browsers it does not know are assumed modern;
// a script on every page double-checks WebCrypto.
func OldBrowser(ua string) bool {
	if strings.Contains(ua, "MSIE ") || strings.Contains(ua, "Trident/") {
		return true
	}
	for _, b := range []struct {
		token string
		min   int
	}{{"Edg/", 80}, {"Chrome/", 80}, {"Firefox/", 79}, {"Version/", 14}} {
		i := strings.Index(ua, b.token)
		if i < 0 {
			continue
		}
		if b.token == "Version/" && !strings.Contains(ua, "Safari/") {
			return false
		}
		v := ua[i+len(b.token):]
		n := 0
		for j := 0; j < len(v) && v[j] >= '0' && v[j] <= '9'; j++ {
			n = n*10 + int(v[j]-'0')
		}
		return n > 0 && n < b.min
	}
	return false
}

// dict builds a map for passing several values to a partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("web: dict needs key and value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("web: dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
