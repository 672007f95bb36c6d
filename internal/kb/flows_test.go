package kb_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/kb"
)

// A definition from nodes written compactly: "id kind next…", where a
// question's nexts are its choices and a step's are worked and stuck.
func def(nodes ...string) string {
	var parts []string
	for _, n := range nodes {
		f := strings.Fields(n)
		id, kind, next := f[0], f[1], f[2:]
		s := fmt.Sprintf(`{"id":%q,"kind":%q,"text":{"en":"Text of %s"}`, id, kind, id)
		switch kind {
		case kb.NodeQuestion:
			var cs []string
			for i, to := range next {
				cs = append(cs, fmt.Sprintf(`{"label":{"en":"Answer %d","vi":"Trả lời %d"},"next":%q}`, i+1, i+1, to))
			}
			s += `,"choices":[` + strings.Join(cs, ",") + `]`
		case kb.NodeStep:
			next = append(next, "", "")
			s += fmt.Sprintf(`,"worked":%q,"stuck":%q`, next[0], next[1])
		case kb.NodeAction:
			s += `,"action":"reset_password"`
		case kb.NodeArticle:
			s += fmt.Sprintf(`,"article":%q`, next[0])
		}
		parts = append(parts, s+"}")
	}
	return `{"nodes":[` + strings.Join(parts, ",\n") + `]}`
}

// Flow validation: every answer leads to a node that exists, every node is
// reachable from the start, no loops, limits on depth, nodes and choices;
// each problem names its node.
func TestFlowValidation(t *testing.T) {
	good := def("start question step talk", "step step done reset", "reset action", "talk handover", "done solved")
	d, err := kb.ParseFlow(good)
	if err != nil {
		t.Fatalf("a good flow refused: %v", err)
	}
	if d.Root().ID != "start" || len(d.Nodes) != 5 {
		t.Fatalf("parsed %+v", d)
	}
	deep := []string{}
	for i := range kb.MaxFlowDepth + 1 {
		deep = append(deep, fmt.Sprintf("n%d question n%d talk", i, i+1))
	}
	deep = append(deep, fmt.Sprintf("n%d solved", kb.MaxFlowDepth+1), "talk handover")
	many := []string{"start question a0 talk"}
	for i := range kb.MaxFlowNodes {
		many = append(many, fmt.Sprintf("a%d question a%d talk", i, i+1))
	}
	for _, tc := range []struct {
		name, src, node, reason string
	}{
		{"dangling choice", def("start question talk nowhere", "talk handover"), "start", "“nowhere”, which is not a node"},
		{"dangling step", def("start step talk", "talk handover"), "start", "leads nowhere"},
		{"unreachable", def("start question talk done", "talk handover", "done solved", "lost handover"), "lost", "no answer leads here"},
		{"cycle", def("start question a talk", "a question b talk", "b step start talk", "talk handover"), "b", "no loops"},
		{"self", def("start question start talk", "talk handover"), "start", "back to the node itself"},
		{"one choice", def("start question talk", "talk handover"), "start", "2 to 6 choices"},
		{"seven choices", def("start question a a a a a a a", "a handover"), "start", "2 to 6 choices"},
		{"too deep", def(deep...), "n0", "at most 20"},
		{"too many", def(many...), "", "at most 100"},
		{"duplicate id", def("start question a a", "a handover", "a solved"), "a", "two nodes"},
		{"bad id", def("Start question a b", "a handover", "b solved"), "Start", "an id is"},
		{"unknown kind", def("start question a b", "a maybe", "b solved"), "a", "kind \"maybe\" is unknown"},
		{"unknown action", strings.Replace(good, "reset_password", "format_disk", 1), "reset", "action \"format_disk\" is unknown"},
		{"no English text", strings.Replace(good, `"text":{"en":"Text of start"}`, `"text":{"vi":"Câu hỏi"}`, 1), "start", "needs an English"},
		{"unknown locale", strings.Replace(good, `"text":{"en":"Text of talk"}`, `"text":{"en":"x","fr":"y"}`, 1), "talk", `"fr"`},
		{"unknown field", strings.Replace(good, `"kind":"solved"`, `"kind":"solved","colour":"red"`, 1), "", `unknown field "colour"`},
		{"bad JSON", "{\n  \"nodes\": [\n    {\"id\": \"start\",,}\n  ]\n}", "", "line 3, column"},
		{"empty", "", "", "empty"},
		{"no nodes", `{"nodes":[]}`, "", "no nodes"},
		{"trailing", good + " {}", "", "after the end"},
	} {
		_, err := kb.ParseFlow(tc.src)
		var fe *kb.FlowError
		if !errors.As(err, &fe) || !errors.Is(err, kb.ErrInvalid) {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		found := false
		for _, p := range fe.Problems {
			if p.Node == tc.node && strings.Contains(p.Reason, tc.reason) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want node %q %q in %v", tc.name, tc.node, tc.reason, fe.Problems)
		}
	}
	// Two answers may lead to the same node: a shared end is no loop.
	if _, err := kb.ParseFlow(def("start question a talk", "a step talk talk", "talk handover")); err != nil {
		t.Fatalf("shared end refused: %v", err)
	}
}

// Walking: paths of answers, Back, and paths the flow does not have.
func TestFlowWalk(t *testing.T) {
	d, err := kb.ParseFlow(def("start question step talk", "step step done reset", "reset action", "talk handover", "done solved"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, node string
	}{{"", "start"}, {"0", "step"}, {"1", "talk"}, {"0.0", "done"}, {"0.1", "reset"}} {
		p, err := kb.ParsePath(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		w, err := d.Walk(p)
		if err != nil || w.Node.ID != tc.node || len(w.Steps) != len(p) || kb.FormatPath(w.Path) != tc.path {
			t.Errorf("path %q: %+v %v", tc.path, w, err)
		}
	}
	w, _ := d.Walk([]int{0, 1})
	if back, ok := w.Back(); !ok || kb.FormatPath(back) != "0" || kb.FormatPath(w.Then(3)) != "0.1.3" {
		t.Errorf("back %v then %v", back, w.Then(3))
	}
	if w.Steps[0].Node.Choices[w.Steps[0].Answer].Label.In("zh") != "Answer 1" || w.Steps[0].Node.Choices[0].Label.In("vi") != "Trả lời 1" {
		t.Errorf("labels: fallback to English")
	}
	for _, bad := range []string{"2", "0.0.0", "0.2", "x", "-1", "01", "9", strings.Repeat("0.", 20) + "0"} {
		p, err := kb.ParsePath(bad)
		if err == nil {
			_, err = d.Walk(p)
		}
		if !errors.Is(err, kb.ErrInvalid) {
			t.Errorf("path %q: %v", bad, err)
		}
	}
}

// Storing flows: article ends name existing articles, refusals change
// nothing, saves are audited with history; the migration's example flow
// is valid and published; a customer's words find a flow by its title or
// keywords in any of the three languages.
func TestFlowStore(t *testing.T) {
	s := newKB(t)
	seeded, err := s.PublishedFlow(ctx, "cant-sign-in")
	if err != nil {
		t.Fatalf("the example flow: %v", err)
	}
	if seeded.Title("vi") != "Không đăng nhập được" || seeded.Title("zh") != "无法登录" || len(seeded.Def.Nodes) < 5 {
		t.Fatalf("example flow: %+v", seeded)
	}
	for _, n := range seeded.Def.Nodes {
		for _, l := range kb.Locales {
			if n.Text[l] == "" {
				t.Errorf("example node %s lacks %s", n.ID, l)
			}
		}
	}
	in := kb.FlowInput{Slug: "card-blocked", Status: kb.StatusDraft, Titles: kb.Texts{"en": "My card is blocked", "vi": "Thẻ bị khóa"},
		Keywords: "card, thẻ ngân hàng", Definition: def("start question art talk", "art article card-help", "talk handover"), AuthorID: "editor1"}
	var fe *kb.FlowError
	if _, err := s.SaveFlow(ctx, in); !errors.As(err, &fe) || fe.Problems[0].Node != "art" {
		t.Fatalf("a missing article: %v", err)
	}
	save(t, s, kb.Input{Slug: "card-help", Locale: "en", Title: "Card help", BodyMD: "Call us."})
	f, err := s.SaveFlow(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != kb.StatusDraft || f.Def.Node("art").Article != "card-help" {
		t.Fatalf("saved %+v", f)
	}
	if _, err := s.PublishedFlow(ctx, "card-blocked"); !errors.Is(err, kb.ErrNotFound) {
		t.Fatalf("a draft is public: %v", err)
	}
	for _, bad := range []kb.FlowInput{
		{Slug: "card-blocked", Status: kb.StatusDraft, Titles: kb.Texts{"en": "Dup"}, Definition: in.Definition},
		{Slug: "Bad Slug", Status: kb.StatusDraft, Titles: kb.Texts{"en": "x"}, Definition: in.Definition},
		{Slug: "no-title", Status: kb.StatusDraft, Titles: kb.Texts{"vi": "x"}, Definition: in.Definition},
		{Slug: "bad-status", Status: "live", Titles: kb.Texts{"en": "x"}, Definition: in.Definition},
		{ID: f.ID, Status: kb.StatusPublished, Titles: kb.Texts{"en": "x"}, Definition: def("start question start talk", "talk handover")},
	} {
		if _, err := s.SaveFlow(ctx, bad); !errors.Is(err, kb.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if got, _ := s.FlowByID(ctx, f.ID); got.Status != kb.StatusDraft || got.Title("en") != "My card is blocked" {
		t.Fatalf("a refused edit changed the flow: %+v", got)
	}
	in.ID, in.Status = f.ID, kb.StatusPublished
	if _, err := s.SaveFlow(ctx, in); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Flows(ctx, true)
	if len(all) != 2 {
		t.Fatalf("published flows: %d", len(all))
	}
	for _, tc := range []struct{ msg, want string }{
		{"I can't sign in to my account", "cant-sign-in"},
		{"toi khong the dang nhap", "cant-sign-in"}, // Vietnamese without accents
		{"我无法登录了", "cant-sign-in"},
		{"Help, my card is blocked!", "card-blocked"},
		{"the weather is nice", ""},
	} {
		got, err := s.MatchFlows(ctx, tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, f := range got {
			slugs = append(slugs, f.Slug)
		}
		if strings.Join(slugs, ",") != tc.want {
			t.Errorf("%q matches %v, want %q", tc.msg, slugs, tc.want)
		}
	}
}
