// Package kb is the knowledge base: articles in categories, written in
// Markdown, with one translation per locale (English, Tiếng Việt, 简体中文),
// draft, published or archived, with the history of every edit, files,
// "was this helpful?" votes, and full-text search that works for
// Vietnamese typed without accents and Chinese without spaces (terms.go).
// Articles are written for everyone: they are not personal data and are
// stored in clear, unlike the support desk's conversations.
package kb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/locale"
)

// Locales articles are written in; DefaultLocale is the fallback.
var Locales = locale.Supported

// DefaultLocale is shown when an article has no translation in the
// reader's language.
const DefaultLocale = locale.Default

// ParseLocale reads a BCP 47 language tag ("zh-Hans", "vi-VN", "en-GB")
// into one of Locales (locale.Parse); anything else is an InvalidError of
// the field locale.
func ParseLocale(tag string) (string, error) {
	l, err := locale.Parse(tag)
	if err != nil {
		if strings.TrimSpace(tag) == "" {
			return "", invalid("locale", "a language is required: en, vi or zh (a BCP 47 tag such as en-US, vi-VN or zh-Hans)")
		}
		return "", invalid("locale", fmt.Sprintf("%q is not a supported language: use en, vi or zh (a BCP 47 tag such as en-US, vi-VN or zh-Hans)", tag))
	}
	return l, nil
}

// Statuses of an article.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusArchived  = "archived"
)

// Errors.
var (
	ErrNotFound = fault.New(fault.ErrNotFound, "kb: no such article")
	ErrInvalid  = fault.ErrInvalid // every *InvalidError is one
)

// InvalidError names the field at fault: the kind that every feature
// package shares.
type InvalidError = fault.Invalid

// invalid is input refused; its text starts with the package's name.
func invalid(field, reason string) error {
	return fmt.Errorf("kb: %w", &InvalidError{Field: field, Reason: reason})
}

// Service is the knowledge base.
type Service struct {
	db    *db.DB
	audit *audit.Log
	log   *slog.Logger
}

// New returns the service.
func New(d *db.DB, a *audit.Log, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, audit: a, log: log}
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Article is one article in one locale.
type Article struct {
	ID         string    `json:"id"`
	Slug       string    `json:"slug"`
	CategoryID string    `json:"category_id,omitempty"`
	Status     string    `json:"status"`
	Locale     string    `json:"locale"`
	Title      string    `json:"title"`
	Summary    string    `json:"summary,omitempty"`
	BodyMD     string    `json:"body_markdown"`
	BodyHTML   string    `json:"-"`        // sanitised
	Locales    []string  `json:"locales"`  // the translations that exist
	Fallback   bool      `json:"fallback"` // shown in DefaultLocale: none in the asked locale
	HelpfulYes int       `json:"helpful_yes"`
	HelpfulNo  int       `json:"helpful_no"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Input is an edit of one translation of an article (a new article when
// ID is empty).
type Input struct {
	ID string
	// Slug is the address, lower-case words joined by "-": made from the
	// title when a new article has none; a changed one keeps the old as
	// a former address that redirects.
	Slug       string
	CategoryID string
	Status     string
	Locale     string
	Title      string
	Summary    string
	BodyMD     string
	AuthorID   string
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// reservedSlugs are help-centre addresses that are not articles
// (/help/guides, /help/files/…).
var reservedSlugs = []string{"guides", "files"}

// Save creates or edits an article's translation, keeping the previous
// version in the history, and re-indexes it.
func (s *Service) Save(ctx context.Context, in Input) (*Article, error) {
	in.Title, in.Summary = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary)
	var err error
	if in.Locale, err = ParseLocale(in.Locale); err != nil {
		return nil, err
	}
	switch {
	case in.Title == "" || utf8.RuneCountInString(in.Title) > 200:
		return nil, invalid("title", "a title of 1 to 200 characters")
	case utf8.RuneCountInString(in.Summary) > 500:
		return nil, invalid("summary", "at most 500 characters")
	case strings.TrimSpace(in.BodyMD) == "" || len(in.BodyMD) > 200_000 || !utf8.ValidString(in.BodyMD):
		return nil, invalid("body", "a text of at most 200,000 bytes")
	case in.Status != "" && !slices.Contains([]string{StatusDraft, StatusPublished, StatusArchived}, in.Status):
		return nil, invalid("status", "draft, published or archived")
	}
	bodyHTML, plain, err := render(in.BodyMD)
	if err != nil {
		return nil, invalid("body", "not Markdown this renderer reads")
	}
	var out *Article
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		if in.CategoryID != "" && in.CategoryID != "-" {
			var one int
			if err := tx.QueryRow(ctx, "SELECT 1 FROM kb_categories WHERE id = ?", in.CategoryID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return invalid("category", "unknown category")
			} else if err != nil {
				return err
			}
		}
		details := map[string]any{"locale": in.Locale}
		if in.ID == "" {
			in.ID = newID()
			if in.Slug == "" {
				// From the title; a title without Latin letters (Chinese)
				// gets a neutral address the editor can change.
				if in.Slug = Slugify(in.Title); in.Slug == "" {
					in.Slug = "article-" + in.ID[:8]
				}
			}
			if err := checkSlug(ctx, tx, in.Slug, in.ID); err != nil {
				return err
			}
			if in.Status == "" {
				in.Status = StatusDraft
			}
			if _, err := tx.Exec(ctx, `INSERT INTO kb_articles (id, slug, category_id, status, author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				in.ID, in.Slug, nullable(in.CategoryID), in.Status, in.AuthorID, now, now); err != nil {
				return err
			}
		} else {
			set, args := []string{"updated_at = ?"}, []any{now}
			if in.Status != "" {
				set, args = append(set, "status = ?"), append(args, in.Status)
			}
			if in.CategoryID == "-" {
				set = append(set, "category_id = NULL")
			} else if in.CategoryID != "" {
				set, args = append(set, "category_id = ?"), append(args, in.CategoryID)
			}
			res, err := tx.Exec(ctx, "UPDATE kb_articles SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, in.ID)...)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrNotFound
			}
			if in.Slug != "" {
				var old string
				if err := tx.QueryRow(ctx, "SELECT slug FROM kb_articles WHERE id = ?", in.ID).Scan(&old); err != nil {
					return err
				}
				if old != in.Slug {
					if err := renameSlug(ctx, tx, in.ID, old, in.Slug); err != nil {
						return err
					}
					details["slug"] = []string{old, in.Slug}
				}
			}
		}
		if err := s.saveTranslation(ctx, tx, in, bodyHTML, plain); err != nil {
			return err
		}
		var status string
		if err := tx.QueryRow(ctx, "SELECT status FROM kb_articles WHERE id = ?", in.ID).Scan(&status); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb_revisions (id, article_id, locale, title, body_md, status, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			newID(), in.ID, in.Locale, in.Title, in.BodyMD, status, in.AuthorID, now); err != nil {
			return err
		}
		details["status"] = status
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "kb.save", Target: "article:" + in.ID, Details: details}); err != nil {
			return err
		}
		out, err = s.article(ctx, tx, "a.id = ?", in.ID, in.Locale, true)
		return err
	})
	return out, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// saveTranslation writes a translation and its vocabulary entries; the
// database keeps the full-text index in step (migration 0016: triggers on
// SQLite, generated columns on PostgreSQL).
func (s *Service) saveTranslation(ctx context.Context, tx *db.Tx, in Input, bodyHTML, plain string) error {
	title := indexTerms(in.Title)
	body := indexTerms(in.Summary + " " + plain)
	var rid int64
	var oldTitle, oldBody string
	err := tx.QueryRow(ctx, "SELECT rid, search_title, search_body FROM kb_translations WHERE article_id = ? AND locale = ?", in.ID, in.Locale).Scan(&rid, &oldTitle, &oldBody)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.QueryRow(ctx, `INSERT INTO kb_translations (article_id, locale, title, summary, body_md, body_html, search_title, search_body, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rid`, in.ID, in.Locale, in.Title, in.Summary, in.BodyMD, bodyHTML, title, body, in.AuthorID, tx.Now()).Scan(&rid); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if _, err := tx.Exec(ctx, `UPDATE kb_translations SET title = ?, summary = ?, body_md = ?, body_html = ?, search_title = ?, search_body = ?, updated_by = ?, updated_at = ?
			WHERE rid = ?`, in.Title, in.Summary, in.BodyMD, bodyHTML, title, body, in.AuthorID, tx.Now(), rid); err != nil {
			return err
		}
		if err := s.vocab(ctx, tx, oldTitle+" "+oldBody, -1); err != nil {
			return err
		}
	}
	return s.vocab(ctx, tx, title+" "+body, +1)
}

// vocab counts the terms of a translation in (or out of) the vocabulary
// used for typo tolerance.
func (s *Service) vocab(ctx context.Context, tx *db.Tx, terms string, delta int) error {
	var list []string
	seen := map[string]bool{}
	for _, t := range strings.Fields(terms) {
		if seen[t] || utf8.RuneCountInString(t) < 4 || !isLatinWord(t) {
			continue // typos are corrected for Latin words of four letters or more
		}
		seen[t] = true
		list = append(list, t)
	}
	// A few statements per translation rather than one per term (a
	// translation has hundreds); sorted, so that concurrent saves lock the
	// rows they share in the same order.
	slices.Sort(list)
	for len(list) > 0 {
		chunk := list[:min(len(list), 500)]
		list = list[len(chunk):]
		args := make([]any, len(chunk))
		for i, t := range chunk {
			args[i] = t
		}
		if delta > 0 {
			if _, err := tx.Exec(ctx, "INSERT INTO kb_vocab (term, df) VALUES "+strings.Repeat("(?, 1), ", len(chunk)-1)+"(?, 1) ON CONFLICT (term) DO UPDATE SET df = kb_vocab.df + 1", args...); err != nil {
				return err
			}
			continue
		}
		in := strings.Repeat("?, ", len(chunk)-1) + "?"
		if _, err := tx.Exec(ctx, "UPDATE kb_vocab SET df = df - 1 WHERE term IN ("+in+")", args...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM kb_vocab WHERE df <= 0 AND term IN ("+in+")", args...); err != nil {
			return err
		}
	}
	return nil
}

// article reads an article in locale, or in DefaultLocale when it has no
// such translation (fallback allowed).
func (s *Service) article(ctx context.Context, tx *db.Tx, where string, arg any, locale string, drafts bool) (*Article, error) {
	q := `SELECT a.id, a.slug, a.category_id, a.status, a.helpful_yes, a.helpful_no, t.locale, t.title, t.summary, t.body_md, t.body_html, t.updated_at
		FROM kb_articles a JOIN kb_translations t ON t.article_id = a.id WHERE ` + where + ` AND t.locale = ?`
	if !drafts {
		q += " AND a.status = 'published'"
	}
	scan := func(loc string) (*Article, error) {
		var a Article
		var cat sql.NullString
		err := tx.QueryRow(ctx, q, arg, loc).Scan(&a.ID, &a.Slug, &cat, &a.Status, &a.HelpfulYes, &a.HelpfulNo, &a.Locale, &a.Title, &a.Summary, &a.BodyMD, &a.BodyHTML, &a.UpdatedAt)
		a.CategoryID, a.UpdatedAt = cat.String, a.UpdatedAt.UTC()
		return &a, err
	}
	a, err := scan(locale)
	if errors.Is(err, sql.ErrNoRows) && locale != DefaultLocale {
		a, err = scan(DefaultLocale)
		a.Fallback = true
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, "SELECT locale FROM kb_translations WHERE article_id = ? ORDER BY locale", a.ID)
	if a.Locales, err = db.Collect(rows, err, db.Value[string]); err != nil {
		return nil, err
	}
	return a, nil
}

// Published returns a published article by slug in locale (or its
// fallback).
func (s *Service) Published(ctx context.Context, slug, locale string) (*Article, error) {
	var out *Article
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.article(ctx, tx, "a.slug = ?", slug, locale, false)
		return err
	})
	return out, err
}

// Get returns any article (drafts too, for editors) by id.
func (s *Service) Get(ctx context.Context, id, locale string) (*Article, error) {
	var out *Article
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.article(ctx, tx, "a.id = ?", id, locale, true)
		return err
	})
	return out, err
}

// Vote records a reader's "was this helpful?".
func (s *Service) Vote(ctx context.Context, id string, helpful bool) error {
	col := "helpful_no"
	if helpful {
		col = "helpful_yes"
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE kb_articles SET "+col+" = "+col+" + 1 WHERE id = ? AND status = 'published'", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// Revision is one saved version of a translation.
type Revision struct {
	Locale    string    `json:"locale"`
	Title     string    `json:"title"`
	BodyMD    string    `json:"body_markdown"`
	Status    string    `json:"status"`
	AuthorID  string    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
}

// History lists an article's versions, newest first.
func (s *Service) History(ctx context.Context, id string) ([]Revision, error) {
	out := []Revision{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT locale, title, body_md, status, author_id, created_at FROM kb_revisions WHERE article_id = ? ORDER BY created_at DESC, id", id)
		out, err = db.Collect(rows, err, func(row db.Scanner) (r Revision, err error) {
			err = row.Scan(&r.Locale, &r.Title, &r.BodyMD, &r.Status, &r.AuthorID, &r.CreatedAt)
			r.CreatedAt = r.CreatedAt.UTC()
			return r, err
		})
		return err
	})
	return out, err
}

// Category is a group of articles, named per locale.
type Category struct {
	ID    string            `json:"id"`
	Names map[string]string `json:"names"`
}

// SaveCategory creates or renames a category.
func (s *Service) SaveCategory(ctx context.Context, c Category) error {
	if !slugRE.MatchString(c.ID) || len(c.ID) > 60 {
		return invalid("id", "lower-case letters and digits joined by -")
	}
	for _, l := range Locales {
		if n := strings.TrimSpace(c.Names[l]); n == "" || utf8.RuneCountInString(n) > 80 {
			return invalid("name_"+l, "a name of 1 to 80 characters in each language")
		}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO kb_categories (id, position, name_en, name_vi, name_zh)
			VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM kb_categories), ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name_en = excluded.name_en, name_vi = excluded.name_vi, name_zh = excluded.name_zh`,
			c.ID, strings.TrimSpace(c.Names["en"]), strings.TrimSpace(c.Names["vi"]), strings.TrimSpace(c.Names["zh"]))
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "kb.category.save", Target: "category:" + c.ID})
	})
}

// IDBySlug returns the id of the article at slug, or "" when there is none.
func (s *Service) IDBySlug(ctx context.Context, slug string) (string, error) {
	var id string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT id FROM kb_articles WHERE slug = ?", slug).Scan(&id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// CategoryExists reports whether a category id exists.
func (s *Service) CategoryExists(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT 1 FROM kb_categories WHERE id = ?", id).Scan(&one)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Exported is one translation as files hold it.
type Exported struct {
	Slug, Locale, Category, Status, Title, Summary, BodyMD string
}

// All returns every translation of every article, for export.
func (s *Service) All(ctx context.Context) ([]Exported, error) {
	var out []Exported
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT a.slug, t.locale, COALESCE(a.category_id, ''), a.status, t.title, t.summary, t.body_md
			FROM kb_articles a JOIN kb_translations t ON t.article_id = a.id ORDER BY a.slug, t.locale`)
		out, err = db.Collect(rows, err, func(row db.Scanner) (e Exported, err error) {
			err = row.Scan(&e.Slug, &e.Locale, &e.Category, &e.Status, &e.Title, &e.Summary, &e.BodyMD)
			return e, err
		})
		return err
	})
	return out, err
}
