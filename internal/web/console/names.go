package console

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Staff read people by name, not by id: a staff member by their e-mail
// address, a customer by their masked one (the 360° page reveals it with
// a reason). The id stays in the hover text and the detail views.

// person is an account as a console page names it.
type person struct {
	ID   string
	Name string // "" when the account is gone or unknown
}

// names resolves account ids for one page, each once.
type names struct {
	ctx   context.Context
	id    *identity.Service
	cache map[string]string
}

func (s *Handler) names(ctx context.Context) *names {
	return &names{ctx: ctx, id: s.deps.Identity, cache: map[string]string{}}
}

// of returns the account id's name.
func (n *names) of(id string) person {
	if id == "" || n.id == nil {
		return person{ID: id}
	}
	if name, ok := n.cache[id]; ok {
		return person{ID: id, Name: name}
	}
	name := ""
	if a, err := n.id.AccountByID(n.ctx, id); err == nil && a != nil {
		name = a.Email
		if a.Kind == identity.KindCustomer {
			name = access.MaskEmail(a.Email)
		}
	}
	n.cache[id] = name
	return person{ID: id, Name: name}
}

// target is an audit entry's target as the viewer reads it.
type target struct {
	Raw  string // "account:3f2a…", for the hover text
	Kind string // "account"; a translation key console.target.<kind> names it
	Name string // the account's or role's name, else a shortened id
}

// targetOf names an audit target "kind:id".
func (n *names) targetOf(raw string) target {
	kind, id, ok := strings.Cut(raw, ":")
	if !ok {
		return target{Raw: raw, Name: raw}
	}
	t := target{Raw: raw, Kind: kind, Name: shortID(id)}
	switch kind {
	case "account":
		if p := n.of(id); p.Name != "" {
			t.Name = p.Name
		}
	case "role":
		t.Name = id
	}
	return t
}

// shortID is the first eight characters of a long id: enough to tell
// entries apart, with the whole id in the hover text.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:8] + "…"
	}
	return id
}

// Short is the person's id shortened, for an account whose name is gone.
func (p person) Short() string { return shortID(p.ID) }
