package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/kb"
)

// Guides shows the help centre's troubleshooting flows: on the help
// centre's pages, in the chat widget and in the console's preview.
type Guides struct {
	Pages *Pages
	KB    *kb.Service
}

// Guide is a walk ready to show, in one language.
type Guide struct {
	Slug   string
	Title  string
	Path   []int
	Passed []guidePassed // the nodes passed and the answers given
	Node   GuideNode     // where the path leads
}

// guidePassed is a node passed and the answer given there.
type guidePassed struct{ Text, Answer string }

// GuideNode is the node shown.
type GuideNode struct {
	ID      string     `json:"-"`
	Kind    string     `json:"kind"`
	Text    string     `json:"text"`
	Answers []string   `json:"answers,omitempty"` // a question's choices; a step's "it worked", "still stuck"
	Link    *guideLink `json:"link,omitempty"`    // an end's article or self-service page
	Talk    bool       `json:"handover"`          // offer to talk to a person
}

// guideLink is where an end sends the reader.
type guideLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// guideOf shows walk w of flow f in lang.
func (gs Guides) Of(ctx context.Context, f *kb.Flow, w *kb.Walk, lang string) (Guide, error) {
	t := gs.Pages.Translator(lang)
	g := Guide{Slug: f.Slug, Title: f.Title(lang), Path: w.Path}
	for _, st := range w.Steps {
		g.Passed = append(g.Passed, guidePassed{Text: st.Node.Text.In(lang), Answer: AnswerLabels(st.Node, lang, t)[st.Answer]})
	}
	n := w.Node
	g.Node = GuideNode{ID: n.ID, Kind: n.Kind, Text: n.Text.In(lang), Answers: AnswerLabels(n, lang, t), Talk: n.End() && n.Kind != kb.NodeSolved}
	switch n.Kind {
	case kb.NodeArticle:
		a, err := gs.KB.Published(ctx, n.Article, lang)
		switch {
		case errors.Is(err, kb.ErrNotFound): // unpublished since the flow was saved
			g.Node.Link = &guideLink{Label: t("guide.article_missing"), URL: "/help"}
		case err != nil:
			return g, err
		default:
			g.Node.Link = &guideLink{Label: a.Title, URL: "/help/" + url.PathEscape(a.Slug) + "?lang=" + a.Locale}
		}
		if g.Node.Text == "" {
			g.Node.Text = t("guide.article.text")
		}
	case kb.NodeAction:
		// Both actions lead to the portal's password reset: identity has no
		// "send the unlock e-mail again", and a reset proves the mailbox and
		// lifts a lock (docs/knowledge-base.md).
		g.Node.Link = &guideLink{Label: t("guide.action." + n.Action), URL: "/forgot"}
	case kb.NodeHandover:
		if g.Node.Text == "" {
			g.Node.Text = t("guide.handover.text")
		}
	case kb.NodeSolved:
		if g.Node.Text == "" {
			g.Node.Text = t("guide.solved.text")
		}
	}
	return g, nil
}

// AnswerLabels are a node's answers in lang.
func AnswerLabels(n *kb.FlowNode, lang string, t func(string, ...any) string) []string {
	switch n.Kind {
	case kb.NodeQuestion:
		out := make([]string, len(n.Choices))
		for i, c := range n.Choices {
			out[i] = c.Label.In(lang)
		}
		return out
	case kb.NodeStep:
		return []string{t("guide.worked"), t("guide.stuck")}
	}
	return nil
}

// Transcript is the path taken, for the agent who takes over.
func (g Guide) Transcript(t func(string, ...any) string) string {
	var b strings.Builder
	b.WriteString(t("guide.transcript", g.Title, g.Slug, kb.FormatPath(g.Path)))
	for _, p := range g.Passed {
		b.WriteString("\n• " + clip(p.Text, 200) + " → " + p.Answer)
	}
	end := g.Node.Text
	if g.Node.Link != nil {
		end += " (" + g.Node.Link.Label + ")"
	}
	b.WriteString("\n" + t("guide.transcript.end", clip(end, 200)))
	b.WriteString("\n" + t("guide.transcript.asked"))
	return b.String()
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// WalkFlow follows a path written "0.1" in a flow.
func WalkFlow(f *kb.Flow, path string) (*kb.Walk, error) {
	p, err := kb.ParsePath(path)
	if err != nil {
		return nil, err
	}
	return f.Def.Walk(p)
}

// GuidePage is a walk as a page: Base is the page's address without the
// path.
type GuidePage struct {
	Guide
	Base string
}

// Answer is the address after answer i.
func (g GuidePage) Answer(i int) string {
	return g.Base + "?path=" + kb.FormatPath(append(slices.Clone(g.Path), i))
}

// Back is the address one answer earlier, "" at the start.
func (g GuidePage) Back() string {
	switch len(g.Path) {
	case 0:
		return ""
	case 1:
		return g.Base
	}
	return g.Base + "?path=" + kb.FormatPath(g.Path[:len(g.Path)-1])
}

// guideAt walks flow f to the path of the request; a path the flow does
// not have shows the start, with a notice on the form and 400.
func (gs Guides) At(r *http.Request, f *kb.Flow, base string) (int, *Form, GuidePage, error) {
	ctx, lang := r.Context(), Info(r.Context()).Lang
	fm := NewForm(r)
	status := http.StatusOK
	walk, err := WalkFlow(f, r.URL.Query().Get("path"))
	if errors.Is(err, kb.ErrInvalid) {
		status, fm.Error = http.StatusBadRequest, gs.Pages.Translator(lang)("guide.bad_path")
		walk, err = f.Def.Walk(nil)
	}
	if err != nil {
		return 0, nil, GuidePage{}, err
	}
	g, err := gs.Of(ctx, f, walk, lang)
	return status, fm, GuidePage{Guide: g, Base: base}, err
}

// GuideItem is a flow in a list.
type GuideItem struct{ Slug, Title string }

func (gs Guides) Items(ctx context.Context, lang string) ([]GuideItem, error) {
	flows, err := gs.KB.Flows(ctx, true)
	if err != nil {
		return nil, err
	}
	out := []GuideItem{}
	for _, f := range flows {
		out = append(out, GuideItem{Slug: f.Slug, Title: f.Title(lang)})
	}
	return out, nil
}
