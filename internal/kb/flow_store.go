package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Flows are stored one row each (kb_flows, migration 0017) with their
// definition as the editor wrote it; every save keeps the previous
// definition in kb_flow_revisions. docs/architecture.md says why.

// Flow is a stored flow.
type Flow struct {
	ID         string    `json:"id"`
	Slug       string    `json:"slug"`
	Status     string    `json:"status"`
	Titles     Texts     `json:"titles"`
	Keywords   string    `json:"keywords"`
	Definition string    `json:"definition"`
	Def        *FlowDef  `json:"-"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Title is the flow's title in locale, or in English.
func (f *Flow) Title(locale string) string { return f.Titles.In(locale) }

// FlowInput is a new flow (ID empty) or an edit.
type FlowInput struct {
	ID         string
	Slug       string // new flows
	Status     string
	Titles     Texts
	Keywords   string // comma-separated words or phrases the widget offers the flow for
	Definition string
	AuthorID   string
}

// SaveFlow checks and stores a flow, keeping its previous definition.
// A refused definition is a *FlowError naming each node at fault; other
// refusals are *InvalidError.
func (s *Service) SaveFlow(ctx context.Context, in FlowInput) (*Flow, error) {
	titles := Texts{}
	for _, l := range Locales {
		titles[l] = strings.TrimSpace(in.Titles[l])
		if utf8.RuneCountInString(titles[l]) > 120 {
			return nil, invalid("title_"+l, "at most 120 characters")
		}
	}
	in.Titles, in.Keywords = titles, strings.TrimSpace(in.Keywords)
	switch {
	case in.Titles[DefaultLocale] == "":
		return nil, invalid("title_en", "an English title is required")
	case utf8.RuneCountInString(in.Keywords) > 500:
		return nil, invalid("keywords", "at most 500 characters")
	case !slices.Contains([]string{StatusDraft, StatusPublished, StatusArchived}, in.Status):
		return nil, invalid("status", "draft, published or archived")
	}
	def, err := ParseFlow(in.Definition)
	if err != nil {
		return nil, err
	}
	var out *Flow
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if ps, err := missingArticles(ctx, tx, def); err != nil || len(ps) > 0 {
			if err == nil {
				err = &FlowError{ps}
			}
			return err
		}
		now := tx.Now()
		if in.ID == "" {
			if !slugRE.MatchString(in.Slug) || len(in.Slug) > 100 {
				return invalid("slug", "lower-case letters and digits joined by -, at most 100")
			}
			in.ID = newID()
			_, err := tx.Exec(ctx, `INSERT INTO kb_flows (id, slug, status, title_en, title_vi, title_zh, keywords, definition, author_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.ID, in.Slug, in.Status, in.Titles["en"], in.Titles["vi"], in.Titles["zh"], in.Keywords, in.Definition, in.AuthorID, now, now)
			if db.IsUniqueViolation(err) {
				return invalid("slug", "another guide has this address")
			}
			if err != nil {
				return err
			}
		} else {
			res, err := tx.Exec(ctx, `UPDATE kb_flows SET status = ?, title_en = ?, title_vi = ?, title_zh = ?, keywords = ?, definition = ?, author_id = ?, updated_at = ? WHERE id = ?`,
				in.Status, in.Titles["en"], in.Titles["vi"], in.Titles["zh"], in.Keywords, in.Definition, in.AuthorID, now, in.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrNotFound
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb_flow_revisions (id, flow_id, status, definition, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			newID(), in.ID, in.Status, in.Definition, in.AuthorID, now); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "kb.flow.save", Target: "flow:" + in.ID,
			Details: map[string]any{"status": in.Status, "nodes": len(def.Nodes)}}); err != nil {
			return err
		}
		out, err = s.flow(ctx, tx, "id = ?", in.ID)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return out, err
}

// CheckFlow checks a definition as SaveFlow would, saving nothing: for
// the editor's preview.
func (s *Service) CheckFlow(ctx context.Context, src string) (*FlowDef, error) {
	def, err := ParseFlow(src)
	if err != nil {
		return nil, err
	}
	err = s.db.Read(ctx, func(tx *db.Tx) error {
		ps, err := missingArticles(ctx, tx, def)
		if err == nil && len(ps) > 0 {
			err = &FlowError{ps}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return def, nil
}

// missingArticles names the article ends whose article does not exist.
func missingArticles(ctx context.Context, tx *db.Tx, def *FlowDef) ([]FlowProblem, error) {
	var ps []FlowProblem
	for _, n := range def.Nodes {
		if n.Kind != NodeArticle {
			continue
		}
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM kb_articles WHERE slug = ?", n.Article).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			ps = append(ps, FlowProblem{n.ID, fmt.Sprintf("there is no article at /help/%s", n.Article)})
		} else if err != nil {
			return nil, err
		}
	}
	return ps, nil
}

const flowColumns = "id, slug, status, title_en, title_vi, title_zh, keywords, definition, updated_at"

func scanFlow(sc interface{ Scan(...any) error }) (*Flow, error) {
	f := Flow{Titles: Texts{}}
	var en, vi, zh string
	if err := sc.Scan(&f.ID, &f.Slug, &f.Status, &en, &vi, &zh, &f.Keywords, &f.Definition, &f.UpdatedAt); err != nil {
		return nil, err
	}
	f.Titles["en"], f.Titles["vi"], f.Titles["zh"], f.UpdatedAt = en, vi, zh, f.UpdatedAt.UTC()
	def, err := ParseFlow(f.Definition)
	if err != nil {
		return nil, fmt.Errorf("kb: stored flow %s: %w", f.Slug, err)
	}
	f.Def = def
	return &f, nil
}

func (s *Service) flow(ctx context.Context, tx *db.Tx, where string, arg any) (*Flow, error) {
	f, err := scanFlow(tx.QueryRow(ctx, "SELECT "+flowColumns+" FROM kb_flows WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return f, err
}

// FlowByID returns any flow (drafts too, for editors).
func (s *Service) FlowByID(ctx context.Context, id string) (*Flow, error) {
	return s.readFlow(ctx, "id = ?", id)
}

// PublishedFlow returns a published flow by slug.
func (s *Service) PublishedFlow(ctx context.Context, slug string) (*Flow, error) {
	return s.readFlow(ctx, "slug = ? AND status = 'published'", slug)
}

func (s *Service) readFlow(ctx context.Context, where string, arg any) (*Flow, error) {
	var out *Flow
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.flow(ctx, tx, where, arg)
		return err
	})
	return out, err
}

// Flows lists the flows by address: only the published ones, or all.
func (s *Service) Flows(ctx context.Context, publishedOnly bool) ([]*Flow, error) {
	var out []*Flow
	q := "SELECT " + flowColumns + " FROM kb_flows"
	if publishedOnly {
		q += " WHERE status = 'published'"
	}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, q+" ORDER BY slug")
		out, err = db.Collect(rows, err, scanFlow)
		return err
	})
	return out, err
}

// MatchFlows returns the published flows a customer's message is about:
// every word of the flow's title (in any language) or of one of its
// keywords is in the message, compared as search terms are (accents,
// word forms and Chinese without spaces, terms.go).
func (s *Service) MatchFlows(ctx context.Context, message string) ([]*Flow, error) {
	flows, err := s.Flows(ctx, true)
	if err != nil {
		return nil, err
	}
	have := strings.Fields(indexTerms(message))
	var out []*Flow
	for _, f := range flows {
		phrases := append([]string{f.Titles["en"], f.Titles["vi"], f.Titles["zh"]}, strings.Split(f.Keywords, ",")...)
		for _, p := range phrases {
			terms := queryTerms(p)
			if len(terms) > 0 && !slices.ContainsFunc(terms, func(t string) bool { return !slices.Contains(have, t) }) {
				out = append(out, f)
				break
			}
		}
	}
	return out, nil
}
