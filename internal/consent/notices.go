package consent

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Limits of a notice's text, per language.
const (
	MaxTitle = 200
	MaxBody  = 20000
)

// Notice is one published version of a purpose's notice, in every
// language. A version never changes; an edit publishes the next one.
type Notice struct {
	ID        string            `json:"id"`
	Purpose   string            `json:"purpose"`
	Version   int               `json:"version"`
	Title     map[string]string `json:"title"`
	Body      map[string]string `json:"body"`
	Reconsent bool              `json:"reconsent"`
	Digest    string            `json:"digest"`
	CreatedBy string            `json:"-"`
	CreatedAt time.Time         `json:"published_at"`
}

// In returns the notice's title and body in lang, English when lang is
// not one of Languages.
func (n *Notice) In(lang string) (title, body string) {
	if _, ok := n.Title[lang]; !ok {
		lang = "en"
	}
	return n.Title[lang], n.Body[lang]
}

// Paragraphs returns the body in lang cut at blank lines, for pages.
func (n *Notice) Paragraphs(lang string) []string {
	_, body := n.In(lang)
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Draft is the text of a new version, as the console's editor sends it.
type Draft struct {
	Purpose string
	Title   map[string]string
	Body    map[string]string
	// Reconsent: the change is material, so consents given under earlier
	// versions stop counting and customers are asked again (see
	// docs/privacy.md, "Consent").
	Reconsent bool
	// Base is the version the editor started from; when another version
	// was published since, Publish refuses the draft (field "base")
	// rather than overwrite what it did not show. 0 skips the check.
	Base int
}

// check validates a draft: a known purpose, a title and a body in every
// language within the limits.
func (d *Draft) check() error {
	if !IsPurpose(d.Purpose) {
		return invalid("purpose", "choose one of "+strings.Join(Purposes, ", "))
	}
	for _, l := range Languages {
		t := strings.TrimSpace(d.Title[l])
		b := strings.TrimSpace(d.Body[l])
		switch {
		case t == "":
			return invalid("title_"+l, "write the title in every language")
		case utf8.RuneCountInString(t) > MaxTitle || strings.ContainsAny(t, "\r\n"):
			return invalid("title_"+l, fmt.Sprintf("write a title of at most %d characters on one line", MaxTitle))
		case b == "":
			return invalid("body_"+l, "write the notice in every language")
		case utf8.RuneCountInString(b) > MaxBody:
			return invalid("body_"+l, fmt.Sprintf("write a notice of at most %d characters", MaxBody))
		case !utf8.ValidString(t) || !utf8.ValidString(b):
			return invalid("body_"+l, "the text is not valid UTF-8")
		}
		d.Title[l], d.Body[l] = t, b
	}
	return nil
}

// digest fingerprints a version's text, so that a receipt names exactly
// what the customer was shown.
func digest(purpose string, version int, title, body map[string]string) []byte {
	b, _ := json.Marshal(struct {
		Purpose string            `json:"purpose"`
		Version int               `json:"version"`
		Title   map[string]string `json:"title"`
		Body    map[string]string `json:"body"`
	}{purpose, version, title, body})
	h := sha256.Sum256(b)
	return h[:]
}

const noticeColumns = `id, purpose, version, title_en, title_vi, title_zh, body_en, body_vi, body_zh, reconsent, digest, created_by, created_at`

func scanNotice(r db.Scanner) (*Notice, error) {
	n := &Notice{Title: map[string]string{}, Body: map[string]string{}}
	var te, tv, tz, be, bv, bz string
	var d []byte
	if err := r.Scan(&n.ID, &n.Purpose, &n.Version, &te, &tv, &tz, &be, &bv, &bz, &n.Reconsent, &d, &n.CreatedBy, &n.CreatedAt); err != nil {
		return nil, err
	}
	n.Title["en"], n.Title["vi"], n.Title["zh"] = te, tv, tz
	n.Body["en"], n.Body["vi"], n.Body["zh"] = be, bv, bz
	n.Digest, n.CreatedAt = hex.EncodeToString(d), n.CreatedAt.UTC()
	return n, nil
}

// Publish adds the next version of a purpose's notice, written by staff
// (staffID), with an audit entry in the same transaction. A published
// version is never edited: the ledger's receipts point at it.
func (s *Service) Publish(ctx context.Context, staffID string, d Draft) (*Notice, error) {
	d.Title, d.Body = copyMap(d.Title), copyMap(d.Body)
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	var n *Notice
	err := s.o.DB.Write(ctx, func(tx *db.Tx) error {
		var err error
		n, err = s.publish(ctx, tx, staffID, d)
		if err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "consent.notice_publish", Target: "notice:" + n.ID,
			Details: map[string]any{"purpose": n.Purpose, "version": n.Version, "reconsent": n.Reconsent, "digest": n.Digest}})
	})
	if db.IsUniqueViolation(err) {
		return nil, fmt.Errorf("consent: %w", invalid("base", "another version was published at the same time; reload and try again"))
	}
	return n, err
}

func (s *Service) publish(ctx context.Context, tx *db.Tx, by string, d Draft) (*Notice, error) {
	var v int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM consent_notices WHERE purpose = ?`, d.Purpose).Scan(&v); err != nil {
		return nil, err
	}
	if d.Base != 0 && d.Base != v {
		return nil, fmt.Errorf("consent: %w", invalid("base", fmt.Sprintf("version %d was published since version %d was shown", v, d.Base)))
	}
	if v > 0 {
		cur, err := s.currentIn(ctx, tx, d.Purpose)
		if err != nil {
			return nil, err
		}
		if sameText(cur, d) {
			return nil, fmt.Errorf("consent: %w", invalid("same", fmt.Sprintf("the text is the same as version %d", v)))
		}
	}
	v++
	n := &Notice{ID: newID(), Purpose: d.Purpose, Version: v, Title: d.Title, Body: d.Body, Reconsent: d.Reconsent,
		CreatedBy: by, CreatedAt: tx.Now()}
	dg := digest(n.Purpose, v, n.Title, n.Body)
	n.Digest = hex.EncodeToString(dg)
	_, err := tx.Exec(ctx, `INSERT INTO consent_notices (`+noticeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.Purpose, v, n.Title["en"], n.Title["vi"], n.Title["zh"], n.Body["en"], n.Body["vi"], n.Body["zh"],
		n.Reconsent, dg, by, n.CreatedAt)
	return n, err
}

// Current returns the latest version of every purpose's notice, in the
// order of Purposes.
func (s *Service) Current(ctx context.Context) ([]*Notice, error) {
	var out []*Notice
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		out = nil
		for _, p := range Purposes {
			n, err := s.currentIn(ctx, tx, p)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// CurrentOf returns the latest version of one purpose's notice.
func (s *Service) CurrentOf(ctx context.Context, purpose string) (*Notice, error) {
	if !IsPurpose(purpose) {
		return nil, ErrNotFound
	}
	var n *Notice
	err := s.o.DB.Read(ctx, func(tx *db.Tx) (err error) {
		n, err = s.currentIn(ctx, tx, purpose)
		return err
	})
	return n, err
}

func (s *Service) currentIn(ctx context.Context, tx *db.Tx, purpose string) (*Notice, error) {
	n, err := scanNotice(tx.QueryRow(ctx, `SELECT `+noticeColumns+` FROM consent_notices WHERE purpose = ? ORDER BY version DESC LIMIT 1`, purpose))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("consent: no notice for %s (the defaults are seeded at start): %w", purpose, ErrNotFound)
	}
	return n, err
}

// Versions returns every version of a purpose's notice, newest first.
func (s *Service) Versions(ctx context.Context, purpose string) ([]*Notice, error) {
	if !IsPurpose(purpose) {
		return nil, ErrNotFound
	}
	var out []*Notice
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+noticeColumns+` FROM consent_notices WHERE purpose = ? ORDER BY version DESC`, purpose)
		out, err = db.Collect(rows, err, scanNotice)
		return err
	})
	return out, err
}

// Seed publishes the default notice (version 1) of every purpose that has
// none yet; safe to run on every start of every node. The defaults are
// part of the release, like a migration's seed rows, so they get no audit
// entry of their own; every version staff publish does.
func (s *Service) Seed(ctx context.Context) error {
	return s.o.DB.Write(ctx, func(tx *db.Tx) error {
		for _, p := range Purposes {
			d := defaultNotice(p)
			if err := d.check(); err != nil {
				return fmt.Errorf("consent: default notice of %s: %w", p, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO consent_notices (`+noticeColumns+`) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, FALSE, ?, 'system', ?)
				ON CONFLICT DO NOTHING`, "default-"+p, p, d.Title["en"], d.Title["vi"], d.Title["zh"], d.Body["en"], d.Body["vi"], d.Body["zh"],
				digest(p, 1, d.Title, d.Body), tx.Now())
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// sameText reports whether a draft's text is exactly a published
// version's, in every language.
func sameText(n *Notice, d Draft) bool {
	for _, l := range Languages {
		if n.Title[l] != d.Title[l] || n.Body[l] != d.Body[l] {
			return false
		}
	}
	return true
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
