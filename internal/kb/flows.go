package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Guided troubleshooting flows: small decision trees that editors write
// in the console and customers walk on the help centre and in the chat
// widget. A flow's definition is JSON (docs/knowledge-base.md):
//
//	{"nodes": [
//	  {"id": "start", "kind": "question", "text": {"en": "Do you see “account locked”?"},
//	   "choices": [{"label": {"en": "Yes"}, "next": "locked"}, {"label": {"en": "No"}, "next": "reset"}]},
//	  {"id": "locked", "kind": "step", "text": {"en": "Open our e-mail and press Unlock."}, "worked": "done", "stuck": "talk"},
//	  {"id": "reset", "kind": "action", "action": "reset_password"},
//	  {"id": "done", "kind": "solved"},
//	  {"id": "talk", "kind": "handover"}
//	]}
//
// The first node is where the flow starts. Texts are per locale, English
// required, the others falling back to it.

// Node kinds.
const (
	NodeQuestion = "question" // text and 2–6 choices, each leading on
	NodeStep     = "step"     // an instruction; "it worked" or "still stuck" lead on
	NodeArticle  = "article"  // end: a help-centre article, by slug
	NodeAction   = "action"   // end: a self-service action (FlowActions)
	NodeHandover = "handover" // end: talk to a person
	NodeSolved   = "solved"   // end: the problem is solved
)

// Self-service actions an action node may offer.
const (
	ActionResetPassword = "reset_password"
	ActionResendUnlock  = "resend_unlock"
)

// FlowActions lists the actions.
var FlowActions = []string{ActionResetPassword, ActionResendUnlock}

// Limits of a flow.
const (
	MaxFlowNodes   = 100
	MaxFlowDepth   = 20 // answers from the start to the farthest end
	MinFlowChoices = 2
	MaxFlowChoices = 6
	maxFlowText    = 1000
	maxFlowLabel   = 120
	maxFlowBytes   = 256 << 10
)

// Texts holds one text per locale.
type Texts map[string]string

// In returns the text in locale, or in DefaultLocale when it has none.
func (t Texts) In(locale string) string {
	if s := strings.TrimSpace(t[locale]); s != "" {
		return s
	}
	return strings.TrimSpace(t[DefaultLocale])
}

// FlowNode is one node of a flow.
type FlowNode struct {
	ID      string       `json:"id"`
	Kind    string       `json:"kind"`
	Text    Texts        `json:"text,omitempty"`
	Choices []FlowChoice `json:"choices,omitempty"` // question
	Worked  string       `json:"worked,omitempty"`  // step: "it worked" leads here
	Stuck   string       `json:"stuck,omitempty"`   // step: "still stuck" leads here
	Article string       `json:"article,omitempty"` // article: its slug
	Action  string       `json:"action,omitempty"`  // action: one of FlowActions
}

// FlowChoice is an answer to a question.
type FlowChoice struct {
	Label Texts  `json:"label"`
	Next  string `json:"next"`
}

// End reports whether the node ends the flow.
func (n *FlowNode) End() bool { return n.Kind != NodeQuestion && n.Kind != NodeStep }

// Next returns the node answer i leads to: a choice of a question, or 0
// (it worked) and 1 (still stuck) for a step.
func (n *FlowNode) Next(i int) (string, bool) {
	switch {
	case n.Kind == NodeQuestion && i >= 0 && i < len(n.Choices):
		return n.Choices[i].Next, true
	case n.Kind == NodeStep && i == 0:
		return n.Worked, true
	case n.Kind == NodeStep && i == 1:
		return n.Stuck, true
	}
	return "", false
}

// FlowDef is a parsed and checked definition.
type FlowDef struct {
	Nodes []*FlowNode `json:"nodes"`
	byID  map[string]*FlowNode
}

// Root is the node the flow starts at.
func (d *FlowDef) Root() *FlowNode { return d.Nodes[0] }

// Node returns a node by id.
func (d *FlowDef) Node(id string) *FlowNode { return d.byID[id] }

// Articles lists the slugs the flow's article ends name.
func (d *FlowDef) Articles() []string {
	var out []string
	for _, n := range d.Nodes {
		if n.Kind == NodeArticle && !slices.Contains(out, n.Article) {
			out = append(out, n.Article)
		}
	}
	return out
}

// FlowProblem is one reason a definition was refused, at a node (Node is
// "" for the definition as a whole).
type FlowProblem struct {
	Node   string `json:"node,omitempty"`
	Reason string `json:"reason"`
}

func (p FlowProblem) String() string {
	if p.Node == "" {
		return p.Reason
	}
	return "node “" + p.Node + "”: " + p.Reason
}

// FlowError lists every problem of a refused definition.
type FlowError struct{ Problems []FlowProblem }

func (e *FlowError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "kb: flow: " + strings.Join(parts, "; ")
}

// Unwrap makes a FlowError an ErrInvalid.
func (e *FlowError) Unwrap() error { return ErrInvalid }

var nodeIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// ParseFlow reads and checks a definition: the JSON is well formed, every
// node is complete, every answer leads to a node that exists, every node
// is reachable from the start, there is no loop, the farthest end is at
// most MaxFlowDepth answers away, and there are at most MaxFlowNodes
// nodes. Whether article ends name existing articles is for the caller
// (SaveFlow) to check. The error is a *FlowError naming each node at
// fault.
func ParseFlow(src string) (*FlowDef, error) {
	if len(src) > maxFlowBytes {
		return nil, &FlowError{[]FlowProblem{{Reason: "the definition is longer than 256 KiB"}}}
	}
	var d FlowDef
	dec := json.NewDecoder(strings.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, &FlowError{[]FlowProblem{{Reason: jsonProblem(src, err)}}}
	}
	if dec.More() {
		return nil, &FlowError{[]FlowProblem{{Reason: "text after the end of the definition"}}}
	}
	var ps []FlowProblem
	add := func(node, format string, args ...any) {
		ps = append(ps, FlowProblem{node, fmt.Sprintf(format, args...)})
	}
	switch {
	case len(d.Nodes) == 0:
		return nil, &FlowError{[]FlowProblem{{Reason: `no nodes: the definition is {"nodes": [...]}, the first node is the start`}}}
	case len(d.Nodes) > MaxFlowNodes:
		return nil, &FlowError{[]FlowProblem{{Reason: fmt.Sprintf("%d nodes: a flow has at most %d", len(d.Nodes), MaxFlowNodes)}}}
	}
	d.byID = map[string]*FlowNode{}
	for i, n := range d.Nodes {
		if n == nil {
			add("", "node %d is empty", i+1)
			continue
		}
		if !nodeIDRE.MatchString(n.ID) {
			add(n.ID, "an id is 1 to 40 lower-case letters, digits, - or _ (node %d)", i+1)
			continue
		}
		if d.byID[n.ID] != nil {
			add(n.ID, "two nodes have this id")
			continue
		}
		d.byID[n.ID] = n
	}
	for _, n := range d.Nodes {
		if n != nil && d.byID[n.ID] == n {
			ps = append(ps, checkNode(n, d.byID)...)
		}
	}
	if len(ps) > 0 {
		return nil, &FlowError{ps}
	}
	if ps = checkShape(&d); len(ps) > 0 {
		return nil, &FlowError{ps}
	}
	return &d, nil
}

// checkNode checks one node on its own: its kind, texts and where its
// answers lead.
func checkNode(n *FlowNode, byID map[string]*FlowNode) []FlowProblem {
	var ps []FlowProblem
	add := func(format string, args ...any) { ps = append(ps, FlowProblem{n.ID, fmt.Sprintf(format, args...)}) }
	ps = append(ps, checkTexts(n.ID, "text", n.Text, maxFlowText, !n.End())...)
	leads := func(what, to string) {
		switch {
		case to == "":
			add("%s leads nowhere: name the next node", what)
		case byID[to] == nil:
			add("%s leads to “%s”, which is not a node of this flow", what, to)
		case to == n.ID:
			add("%s leads back to the node itself", what)
		}
	}
	extra := func(what string, set bool) {
		if set {
			add("a %s node takes no %s", n.Kind, what)
		}
	}
	switch n.Kind {
	case NodeQuestion:
		if len(n.Choices) < MinFlowChoices || len(n.Choices) > MaxFlowChoices {
			add("a question has %d to %d choices, not %d", MinFlowChoices, MaxFlowChoices, len(n.Choices))
		}
		for i, c := range n.Choices {
			ps = append(ps, checkTexts(n.ID, fmt.Sprintf("choice %d label", i+1), c.Label, maxFlowLabel, true)...)
			leads(fmt.Sprintf("choice %d", i+1), c.Next)
		}
		extra("worked/stuck", n.Worked != "" || n.Stuck != "")
	case NodeStep:
		leads("“it worked”", n.Worked)
		leads("“still stuck”", n.Stuck)
		extra("choices", len(n.Choices) > 0)
	case NodeArticle:
		if !slugRE.MatchString(n.Article) {
			add("an article node names an article by its address (slug)")
		}
	case NodeAction:
		if !slices.Contains(FlowActions, n.Action) {
			add("action %q is unknown: %s", n.Action, strings.Join(FlowActions, " or "))
		}
	case NodeHandover, NodeSolved:
	default:
		add("kind %q is unknown: question, step, article, action, handover or solved", n.Kind)
		return ps
	}
	if n.End() {
		extra("choices", len(n.Choices) > 0)
		extra("worked/stuck", n.Worked != "" || n.Stuck != "")
	}
	if n.Kind != NodeArticle && n.Article != "" || n.Kind != NodeAction && n.Action != "" {
		add("only article nodes name an article and only action nodes an action")
	}
	return ps
}

// checkTexts checks a per-locale text: known locales, a length limit, and
// English when required.
func checkTexts(node, what string, t Texts, max int, required bool) []FlowProblem {
	var ps []FlowProblem
	if required && strings.TrimSpace(t[DefaultLocale]) == "" {
		ps = append(ps, FlowProblem{node, what + " needs an English (en) text"})
	}
	for l, s := range t {
		switch {
		case !slices.Contains(Locales, l):
			ps = append(ps, FlowProblem{node, fmt.Sprintf("%s: locale %q is not en, vi or zh", what, l)})
		case utf8.RuneCountInString(s) > max || !utf8.ValidString(s):
			ps = append(ps, FlowProblem{node, fmt.Sprintf("%s (%s) is longer than %d characters", what, l, max)})
		}
	}
	return ps
}

// checkShape checks the graph: reachable from the start, no loop, not too
// deep. Answers may share a node (two choices ending in the same
// hand-over), so a flow is a tree in what readers see and a directed
// acyclic graph in storage.
func checkShape(d *FlowDef) []FlowProblem {
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	depth := map[string]int{} // answers from the node to its farthest end
	var ps []FlowProblem
	var visit func(n *FlowNode) int
	visit = func(n *FlowNode) int {
		switch state[n.ID] {
		case open:
			return -1
		case done:
			return depth[n.ID]
		}
		state[n.ID] = open
		deepest := 0
		for i := 0; ; i++ {
			next, ok := n.Next(i)
			if !ok {
				break
			}
			m := d.byID[next]
			if state[m.ID] == open {
				ps = append(ps, FlowProblem{n.ID, fmt.Sprintf("answer %d leads back to “%s”: a flow has no loops", i+1, m.ID)})
				continue
			}
			if dm := visit(m); dm >= 0 {
				deepest = max(deepest, dm+1)
			}
		}
		state[n.ID], depth[n.ID] = done, deepest
		return deepest
	}
	if dd := visit(d.Root()); dd > MaxFlowDepth {
		ps = append(ps, FlowProblem{d.Root().ID, fmt.Sprintf("the farthest end is %d answers away: at most %d", dd, MaxFlowDepth)})
	}
	for _, n := range d.Nodes {
		if state[n.ID] == unseen {
			ps = append(ps, FlowProblem{n.ID, "no answer leads here from the start (" + d.Root().ID + ")"})
		}
	}
	return ps
}

// jsonProblem describes a JSON error with its line and column.
func jsonProblem(src string, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	at := func(off int64) string {
		before := []byte(src[:min(int(off), len(src))])
		line := bytes.Count(before, []byte("\n")) + 1
		col := len(before) - bytes.LastIndexByte(before, '\n')
		return fmt.Sprintf("line %d, column %d", line, col)
	}
	switch {
	case errors.As(err, &se):
		return "not valid JSON at " + at(se.Offset) + ": " + strings.TrimPrefix(se.Error(), "invalid character ")
	case errors.As(err, &te):
		return fmt.Sprintf("%s at %s should be %s", te.Field, at(te.Offset), te.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + " (id, kind, text, choices, label, next, worked, stuck, article, action)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the definition is empty or ends too early"
	}
	return "not a definition: " + err.Error()
}
