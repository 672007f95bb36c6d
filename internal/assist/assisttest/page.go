// Package assisttest makes rrweb event streams of a typical portal page for
// the tests of remote assistance and for the benchmarks under bench/: a
// full snapshot (a header, a menu, an account summary, a form with a
// password and a card number field, a table of recent activity), then the
// incremental events of someone using it — mouse moves, clicks, scrolls,
// typing (masked, as the customer's script sends it) and small mutations.
// The stream is deterministic for a seed.
package assisttest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Page is a synthetic portal page.
type Page struct {
	rng    *rand.Rand
	nextID int
	inputs []int // ids of the form's inputs
	masked []int // ids of the password and card number inputs
	cells  []int // text nodes of the activity table
	// Canary, when set, is written into the page's visible text (as a
	// customer's name would be), so a test can look for it where the
	// stream must not appear in clear.
	Canary string
}

// NewPage returns a page whose events depend only on seed.
func NewPage(seed uint64) *Page {
	return &Page{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// MaskedIDs are the rrweb node ids of the masked inputs in the snapshot, as
// the customer's script reports them.
func (p *Page) MaskedIDs() []int { return append([]int(nil), p.masked...) }

// InputIDs are the rrweb node ids of all the form's inputs.
func (p *Page) InputIDs() []int { return append([]int(nil), p.inputs...) }

type node map[string]any

func (p *Page) id() int { p.nextID++; return p.nextID }

func (p *Page) el(tag string, attrs map[string]string, children ...node) node {
	if attrs == nil {
		attrs = map[string]string{}
	}
	if children == nil {
		children = []node{}
	}
	return node{"type": 2, "tagName": tag, "attributes": attrs, "childNodes": children, "id": p.id()}
}

func (p *Page) text(s string) node { return node{"type": 3, "textContent": s, "id": p.id()} }

var words = strings.Fields("account balance transfer savings card limit statement payment pending settled " +
	"security devices notifications profile address phone language help contact invoice monthly")

func (p *Page) phrase(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[p.rng.IntN(len(words))]
	}
	return strings.Join(w, " ")
}

// Snapshot returns the Meta and FullSnapshot events of the page at t.
func (p *Page) Snapshot(t time.Time) []json.RawMessage {
	p.nextID, p.inputs, p.masked, p.cells = 0, nil, nil, nil
	doc := node{"type": 0, "id": p.id()}
	var menu []node
	for range 8 {
		menu = append(menu, p.el("li", nil, p.el("a", map[string]string{"href": "/" + words[p.rng.IntN(len(words))]}, p.text(p.phrase(2)))))
	}
	greeting := "Welcome back, Lan Nguyen"
	if p.Canary != "" {
		greeting += " " + p.Canary
	}
	var fields []node
	for i, f := range []struct{ typ, name string }{{"text", "name"}, {"email", "email"}, {"tel", "phone"}, {"password", "password"}, {"text", "card_number"}, {"text", "city"}} {
		in := p.el("input", map[string]string{"type": f.typ, "name": f.name, "value": "", "class": "field"})
		id := in["id"].(int)
		p.inputs = append(p.inputs, id)
		if i == 3 || i == 4 {
			in["attributes"].(map[string]string)["data-fd-mask"] = ""
			p.masked = append(p.masked, id)
		}
		fields = append(fields, p.el("label", nil, p.text(f.name)), in)
	}
	var rows []node
	for range 25 {
		var cells []node
		for range 4 {
			tx := p.text(p.phrase(2))
			p.cells = append(p.cells, tx["id"].(int))
			cells = append(cells, p.el("td", nil, tx))
		}
		rows = append(rows, p.el("tr", nil, cells...))
	}
	body := p.el("body", nil,
		p.el("header", map[string]string{"class": "top"}, p.el("h1", nil, p.text("Acme Bank")), p.el("ul", map[string]string{"class": "menu"}, menu...)),
		p.el("main", nil,
			p.el("section", map[string]string{"class": "card"}, p.el("h2", nil, p.text(greeting)), p.el("p", nil, p.text(p.phrase(30)))),
			p.el("form", map[string]string{"method": "post", "action": "/account/profile"}, fields...),
			p.el("table", map[string]string{"class": "activity"}, rows...)))
	head := p.el("head", nil, p.el("style", nil, p.text(strings.Repeat(".card{border:1px solid #ddd;padding:12px} ", 40))))
	doc["childNodes"] = []node{{"type": 1, "name": "html", "publicId": "", "systemId": "", "id": p.id()}, p.el("html", map[string]string{"lang": "en"}, head, body)}
	ms := t.UnixMilli()
	return []json.RawMessage{
		mustJSON(node{"type": 4, "data": node{"href": "https://bank.example/account", "width": 1280, "height": 800}, "timestamp": ms}),
		mustJSON(node{"type": 2, "data": node{"node": doc, "initialOffset": node{"left": 0, "top": 0}}, "timestamp": ms}),
	}
}

// Activity returns n incremental events from t on, spread over the
// following second: mostly mouse moves, then scrolls, clicks, masked
// typing and mutations of the activity table.
func (p *Page) Activity(t time.Time, n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		ms := t.UnixMilli() + int64(i*1000/max(n, 1))
		var data node
		switch r := p.rng.IntN(100); {
		case r < 60:
			var pos []node
			for j := range 3 {
				pos = append(pos, node{"x": p.rng.IntN(1280), "y": p.rng.IntN(800), "id": 1 + p.rng.IntN(p.nextID), "timeOffset": -50 * j})
			}
			data = node{"source": 1, "positions": pos}
		case r < 72:
			data = node{"source": 3, "id": 1, "x": 0, "y": p.rng.IntN(1600)}
		case r < 82:
			data = node{"source": 2, "type": 2, "id": 1 + p.rng.IntN(p.nextID), "x": p.rng.IntN(1280), "y": p.rng.IntN(800)}
		case r < 92 && len(p.inputs) > 0:
			data = node{"source": 5, "text": strings.Repeat("*", 1+p.rng.IntN(12)), "isChecked": false, "id": p.inputs[p.rng.IntN(len(p.inputs))]}
		default:
			id := 0
			if len(p.cells) > 0 {
				id = p.cells[p.rng.IntN(len(p.cells))]
			}
			data = node{"source": 0, "texts": []node{{"id": id, "value": p.phrase(2)}}, "attributes": []node{}, "removes": []node{}, "adds": []node{}}
		}
		out[i] = mustJSON(node{"type": 3, "data": data, "timestamp": ms})
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("assisttest: %v", err))
	}
	return b
}
