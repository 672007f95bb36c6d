package console

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/internal/kb"
)

// A guide edited as a list of steps: each node of the definition is one
// row of the form (its id, kind, text in each language, and what it leads
// to), and the server turns the rows back into the definition that kb
// checks on every preview and save, exactly as it checks JSON. A form
// without rows (an older page, a script) may still post the JSON.

// maxChoices is how many answers a question has at most (kb checks 2–6).
const maxChoices = 6

// maxSteps bounds the rows one form may post.
const maxSteps = 200

// flowRow is one node as the form shows it.
type flowRow struct {
	Index                       int
	ID, Kind                    string
	Text                        kb.Texts
	Choices                     []flowChoiceRow
	Worked, Stuck, Article, Act string
}

// flowChoiceRow is one answer of a question.
type flowChoiceRow struct {
	Index int
	Label kb.Texts
	Next  string
}

// rowsOf lists a definition's nodes as rows, with one empty answer more
// on each question (up to maxChoices) to add one.
func rowsOf(d *kb.FlowDef) []flowRow {
	var out []flowRow
	for i, n := range d.Nodes {
		r := flowRow{Index: i, ID: n.ID, Kind: n.Kind, Text: n.Text, Worked: n.Worked, Stuck: n.Stuck, Article: n.Article, Act: n.Action}
		for j, c := range n.Choices {
			r.Choices = append(r.Choices, flowChoiceRow{Index: j, Label: c.Label, Next: c.Next})
		}
		out = append(out, r.withBlankChoice())
	}
	return out
}

// withBlankChoice adds the empty answer a question's form offers.
func (r flowRow) withBlankChoice() flowRow {
	if len(r.Choices) < maxChoices {
		r.Choices = append(r.Choices, flowChoiceRow{Index: len(r.Choices), Label: kb.Texts{}})
	}
	return r
}

// rowsFromForm reads the rows a form posted; ok is false when it posted
// none (then its "definition" is the JSON).
func rowsFromForm(r *http.Request) (rows []flowRow, ok bool) {
	n, err := strconv.Atoi(r.PostFormValue("steps"))
	if err != nil || n < 0 {
		return nil, false
	}
	n = min(n, maxSteps)
	get := func(k string, i int) string { return strings.TrimSpace(r.PostFormValue(k + "_" + strconv.Itoa(i))) }
	texts := func(prefix string) kb.Texts {
		t := kb.Texts{}
		for _, l := range kb.Locales {
			if v := strings.TrimSpace(r.PostFormValue(prefix + "_" + l)); v != "" {
				t[l] = v
			}
		}
		return t
	}
	for i := range n {
		if r.PostFormValue("remove_"+strconv.Itoa(i)) != "" {
			continue
		}
		row := flowRow{Index: len(rows), ID: get("id", i), Kind: get("kind", i), Text: texts("text_" + strconv.Itoa(i)),
			Worked: get("worked", i), Stuck: get("stuck", i), Article: get("article", i), Act: get("act", i)}
		for j := range maxChoices {
			p := "choice_" + strconv.Itoa(i) + "_" + strconv.Itoa(j)
			c := flowChoiceRow{Label: texts(p), Next: strings.TrimSpace(r.PostFormValue(p + "_next"))}
			if len(c.Label) > 0 || c.Next != "" {
				c.Index = len(row.Choices)
				row.Choices = append(row.Choices, c)
			}
		}
		if row.ID == "" && len(row.Text) == 0 && len(row.Choices) == 0 {
			continue // the empty row offered to add a step
		}
		rows = append(rows, row)
	}
	return rows, true
}

// definitionOf writes rows as the JSON definition kb reads, each node
// with the fields of its kind only.
func definitionOf(rows []flowRow) string {
	type choice struct {
		Label kb.Texts `json:"label"`
		Next  string   `json:"next"`
	}
	type node struct {
		ID      string   `json:"id"`
		Kind    string   `json:"kind"`
		Text    kb.Texts `json:"text,omitempty"`
		Choices []choice `json:"choices,omitempty"`
		Worked  string   `json:"worked,omitempty"`
		Stuck   string   `json:"stuck,omitempty"`
		Article string   `json:"article,omitempty"`
		Action  string   `json:"action,omitempty"`
	}
	def := struct {
		Nodes []node `json:"nodes"`
	}{Nodes: []node{}}
	for _, r := range rows {
		n := node{ID: r.ID, Kind: r.Kind, Text: r.Text}
		switch r.Kind {
		case kb.NodeQuestion:
			for _, c := range r.Choices {
				n.Choices = append(n.Choices, choice{c.Label, c.Next})
			}
		case kb.NodeStep:
			n.Worked, n.Stuck = r.Worked, r.Stuck
		case kb.NodeArticle:
			n.Article = r.Article
		case kb.NodeAction:
			n.Action = r.Act
		}
		def.Nodes = append(def.Nodes, n)
	}
	b, _ := json.MarshalIndent(def, "", "  ") // maps and strings: cannot fail
	return string(b)
}

// skeletonRows start a new guide: a question, a step and the ends.
func skeletonRows() []flowRow {
	rows := []flowRow{
		{ID: "start", Kind: kb.NodeQuestion, Text: kb.Texts{"en": "What happens?"}, Choices: []flowChoiceRow{
			{Label: kb.Texts{"en": "This"}, Next: "step"}, {Index: 1, Label: kb.Texts{"en": "Something else"}, Next: "talk"}}},
		{ID: "step", Kind: kb.NodeStep, Text: kb.Texts{"en": "Try this first."}, Worked: "done", Stuck: "talk"},
		{ID: "done", Kind: kb.NodeSolved, Text: kb.Texts{}},
		{ID: "talk", Kind: kb.NodeHandover, Text: kb.Texts{}},
	}
	for i := range rows {
		rows[i].Index = i
		rows[i] = rows[i].withBlankChoice()
	}
	return rows
}

// withBlankRow adds the empty row that adds a step.
func withBlankRow(rows []flowRow) []flowRow {
	return append(rows, flowRow{Index: len(rows), Kind: kb.NodeStep, Text: kb.Texts{}}.withBlankChoice())
}

// Number is the answer's number as editors count, from 1.
func (c flowChoiceRow) Number() int { return c.Index + 1 }
