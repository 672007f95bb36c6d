package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/web"
)

// Guided troubleshooting flows in the console (kb:edit): the list, a form
// with the guide as a list of steps (console_kb_steps.go; the JSON it
// makes is shown too, docs/knowledge-base.md) whose preview checks it and
// draws its outline, and "try it", which walks the saved flow — a draft
// too — as a customer would.

// kbFlowView is the flow editor's data.
type kbFlowView struct {
	New      bool
	ID       string
	Slug     string
	Status   string
	Problems []kb.FlowProblem
	Outline  []outlineNode // the checked definition, in the editor's language
	Rows     []flowRow     // the steps, and an empty one to add a step
}

// Kinds and Actions are the choices of the steps' selects.
func (*kbFlowView) Kinds() []string {
	return []string{kb.NodeQuestion, kb.NodeStep, kb.NodeArticle, kb.NodeAction, kb.NodeHandover, kb.NodeSolved}
}

// Actions lists the self-service actions an action end may take.
func (*kbFlowView) Actions() []string { return kb.FlowActions }

// Choices are the numbers of a question's answers, for the form.
func (*kbFlowView) Choices() []int { return []int{0, 1, 2, 3, 4, 5} }

// outlineNode is a node in the preview's outline.
type outlineNode struct {
	ID, Kind, Text, Target string
	Answers                []outlineAnswer
}

// outlineAnswer is an answer and the node it leads to.
type outlineAnswer struct{ Label, Next string }

var flowFields = []string{"slug", "status", "title_en", "title_vi", "title_zh", "keywords", "definition"}

func (s *Handler) consoleKBFlows(w http.ResponseWriter, r *http.Request) error {
	flows, err := s.deps.KB.Flows(r.Context(), false)
	if err != nil {
		return err
	}
	f := web.NewForm(r)
	web.DoneNotice(r, f)
	return s.renderConsole(w, r, http.StatusOK, "console_kb_flows", f, flows)
}

func (s *Handler) consoleKBFlowNew(w http.ResponseWriter, r *http.Request) error {
	f := web.NewForm(r)
	rows := skeletonRows()
	f.Values["status"], f.Values["definition"] = kb.StatusDraft, definitionOf(rows)
	return s.renderConsole(w, r, http.StatusOK, "console_kb_flow", f, &kbFlowView{New: true, Rows: withBlankRow(rows)})
}

func (s *Handler) consoleKBFlow(w http.ResponseWriter, r *http.Request) error {
	fl, err := s.deps.KB.FlowByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return web.KBError(err)
	}
	f := web.NewForm(r)
	f.Values["slug"], f.Values["status"], f.Values["keywords"], f.Values["definition"] = fl.Slug, fl.Status, fl.Keywords, fl.Definition
	for _, l := range kb.Locales {
		f.Values["title_"+l] = fl.Titles[l]
	}
	web.DoneNotice(r, f)
	v := &kbFlowView{ID: fl.ID, Slug: fl.Slug, Status: fl.Status, Outline: outline(fl.Def, web.Info(r.Context()).Lang), Rows: withBlankRow(rowsOf(fl.Def))}
	return s.renderConsole(w, r, http.StatusOK, "console_kb_flow", f, v)
}

// consoleKBFlowSave creates (no {id}) or saves a flow; action=preview
// checks it and draws its outline without saving.
func (s *Handler) consoleKBFlowSave(w http.ResponseWriter, r *http.Request) error {
	ctx, id := r.Context(), r.PathValue("id")
	f := web.NewForm(r, flowFields...)
	v := &kbFlowView{New: id == "", ID: id, Slug: f.Values["slug"]}
	if id != "" {
		fl, err := s.deps.KB.FlowByID(ctx, id)
		if err != nil {
			return web.KBError(err)
		}
		v.Slug, v.Status = fl.Slug, fl.Status
	}
	rows, fromRows := rowsFromForm(r)
	if fromRows {
		f.Values["definition"] = definitionOf(rows)
		for i := range rows {
			rows[i] = rows[i].withBlankChoice()
		}
		v.Rows = withBlankRow(rows)
	}
	var def *kb.FlowDef
	var err error
	if r.PostFormValue("action") == "add" {
		// Another empty step; nothing is checked or saved.
		return s.renderConsole(w, r, http.StatusOK, "console_kb_flow", f, v)
	}
	if r.PostFormValue("action") == "preview" {
		if def, err = s.deps.KB.CheckFlow(ctx, f.Values["definition"]); err == nil {
			f.Notice = "kb.flow.preview_ok"
		}
	} else {
		var fl *kb.Flow
		fl, err = s.deps.KB.SaveFlow(ctx, kb.FlowInput{ID: id, Slug: f.Values["slug"], Status: f.Values["status"], Keywords: f.Values["keywords"],
			Titles:     kb.Texts{"en": f.Values["title_en"], "vi": f.Values["title_vi"], "zh": f.Values["title_zh"]},
			Definition: f.Values["definition"], AuthorID: web.Principal(ctx).AccountID})
		if err == nil {
			http.Redirect(w, r, "/console/kb/flows/"+fl.ID+"?done=saved", http.StatusSeeOther)
			return nil
		}
	}
	status := http.StatusOK
	var fe *kb.FlowError
	if errors.As(err, &fe) {
		status, v.Problems = http.StatusBadRequest, fe.Problems
	} else if err != nil {
		if status, err = web.FormError(f, err, flowFields...); err != nil {
			return err
		}
	}
	if def != nil {
		v.Outline = outline(def, web.Info(ctx).Lang)
		if !fromRows {
			v.Rows = withBlankRow(rowsOf(def))
		}
	}
	return s.renderConsole(w, r, status, "console_kb_flow", f, v)
}

// outline lists a definition's nodes as the editor reads them.
func outline(d *kb.FlowDef, lang string) []outlineNode {
	var out []outlineNode
	for _, n := range d.Nodes {
		o := outlineNode{ID: n.ID, Kind: n.Kind, Text: n.Text.In(lang), Target: n.Article + n.Action}
		for _, c := range n.Choices {
			o.Answers = append(o.Answers, outlineAnswer{c.Label.In(lang), c.Next})
		}
		if n.Kind == kb.NodeStep {
			o.Answers = []outlineAnswer{{"✓", n.Worked}, {"✗", n.Stuck}}
		}
		out = append(out, o)
	}
	return out
}

// kbTryView is the console's walk of a flow.
type kbTryView struct {
	Flow  *kb.Flow
	Guide web.GuidePage
}

func (s *Handler) consoleKBFlowTry(w http.ResponseWriter, r *http.Request) error {
	fl, err := s.deps.KB.FlowByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return web.KBError(err)
	}
	status, f, g, err := s.guides().At(r, fl, "/console/kb/flows/"+url.PathEscape(fl.ID)+"/try")
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, status, "console_kb_flow_try", f, kbTryView{Flow: fl, Guide: g})
}
