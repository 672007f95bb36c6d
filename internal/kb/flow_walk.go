package kb

import (
	"strconv"
	"strings"
)

// Walking a flow. The reader's position is the path of answers taken from
// the start — "0.1" is the first choice of the first question, then the
// second answer of the next node (for a step: 0 it worked, 1 still
// stuck) — so the help centre walks it with plain links, Back is the path
// without its last answer, and the chat widget sends the path with each
// answer: the server keeps no state about a walk.

// ErrPath refuses a path the flow does not have (an answer out of range,
// past an end, or a flow edited since).
var ErrPath = invalid("path", "this answer is not part of the guide (it may have changed): start again")

// ParsePath reads a path written "0.1.2" ("" is the start).
func ParsePath(s string) ([]int, error) {
	if s == "" {
		return []int{}, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) > MaxFlowDepth {
		return nil, ErrPath
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n >= MaxFlowChoices || len(p) > 1 {
			return nil, ErrPath
		}
		out[i] = n
	}
	return out, nil
}

// FormatPath writes a path for ParsePath.
func FormatPath(path []int) string {
	parts := make([]string, len(path))
	for i, n := range path {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// Walk is where a path leads.
type Walk struct {
	Path  []int
	Steps []WalkStep // the nodes passed, with the answer given at each
	Node  *FlowNode  // where the path ends
}

// WalkStep is a node passed and the answer given there.
type WalkStep struct {
	Node   *FlowNode
	Answer int
}

// Walk follows path from the start.
func (d *FlowDef) Walk(path []int) (*Walk, error) {
	if len(path) > MaxFlowDepth {
		return nil, ErrPath
	}
	w := &Walk{Path: path, Node: d.Root()}
	for _, a := range path {
		next, ok := w.Node.Next(a)
		if !ok {
			return nil, ErrPath
		}
		w.Steps = append(w.Steps, WalkStep{Node: w.Node, Answer: a})
		w.Node = d.byID[next]
	}
	return w, nil
}

// Back is the path one answer earlier, and false at the start.
func (w *Walk) Back() ([]int, bool) {
	if len(w.Path) == 0 {
		return nil, false
	}
	return w.Path[:len(w.Path)-1], true
}

// Then is the path after answer i at the current node.
func (w *Walk) Then(i int) []int {
	return append(append(make([]int, 0, len(w.Path)+1), w.Path...), i)
}
