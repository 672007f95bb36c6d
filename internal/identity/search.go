package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Staff find customers by e-mail, phone, name or id. The personal fields
// are sealed, so the database holds search tokens instead: keyed hashes of
// the e-mail, the phone number, the whole name, each word of the name, and
// each pair and triple of its words (in any order), folded so that
// "nguyen" finds "Nguyễn" and "dang" finds "Đặng". A name search reads the
// accounts of its most selective token — a triple when three words are
// typed — and checks any further word through the primary key, so it is a
// handful of index look-ups whatever the number of accounts: a common
// word alone is shared by 1 account in 10, a triple by about 1 in 4,000.

// foldWord lower-cases a word and strips its diacritics, with đ → d
// (which is a letter of its own, not d with a mark).
func foldWord(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// nameWords splits a name into folded words.
func nameWords(name string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) }) {
		f := foldWord(w)
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

func (s *Service) token(field, v string) []byte { return s.keys.BlindIndex("search:"+field, v) }

// wordsKey names a set of words in any order.
func wordsKey(words ...string) string {
	return strings.Join(slices.Sorted(slices.Values(words)), "|")
}

// index replaces the search tokens of an account.
func (s *Service) index(ctx context.Context, tx *db.Tx, id, email, name, phone string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM account_search WHERE account_id = ?", id); err != nil {
		return err
	}
	toks := searchTokens(email, name, phone)
	for _, t := range toks {
		if _, err := tx.Exec(ctx, "INSERT INTO account_search (token, account_id, field) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			s.token(t.field, t.v), id, t.field); err != nil {
			return err
		}
	}
	return nil
}

// SearchHit is one account found, as a list shows it.
type SearchHit struct {
	Account
	Locked bool `json:"locked"`
}

// Search finds accounts of kind ("" for any) by an exact e-mail, an E.164
// phone number, an account id, or all the words of a name (in any order,
// case and diacritics ignored). At most limit results.
func (s *Service) Search(ctx context.Context, q, kind string, limit int) ([]SearchHit, error) {
	q = strings.TrimSpace(q)
	if q == "" || len(q) > 254 {
		return []SearchHit{}, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	sql, args := s.searchQuery(q, limit, s.searchCurrent(ctx))
	if sql == "" {
		return []SearchHit{}, nil
	}
	out := []SearchHit{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, sql, args...)
		ids, err := db.Collect(rows, err, db.Value[string])
		if err != nil || len(ids) == 0 {
			return err
		}
		// The hits in one query and their data keys in another, rather
		// than two look-ups per hit.
		idArgs := make([]any, len(ids))
		for i, id := range ids {
			idArgs[i] = id
		}
		rows, err = tx.Query(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", idArgs...)
		accounts, err := db.Collect(rows, err, scanAccount)
		if err != nil {
			return err
		}
		found := map[string]*accountRow{}
		var sealed [][]byte
		for _, a := range accounts {
			if kind == "" || a.kind == kind {
				found[a.id] = a
				sealed = append(sealed, a.emailSealed)
			}
		}
		if err := s.keys.Warm(ctx, tx, sealed...); err != nil {
			return err
		}
		for _, id := range ids {
			a := found[id]
			if a == nil {
				continue
			}
			acct, err := s.open(ctx, tx, a)
			if err != nil {
				return err
			}
			out = append(out, SearchHit{Account: *acct, Locked: a.lockedUntil.Valid && tx.Now().Before(a.lockedUntil.Time)})
		}
		return nil
	})
	return out, err
}

// searchQuery returns the query listing the ids of the accounts q finds,
// or "" when q cannot match any.
// triples is false while the index is being brought to the scheme that
// has them (ReindexSearch), when some accounts may still lack them.
func (s *Service) searchQuery(q string, limit int, triples bool) (sql string, args []any) {
	switch {
	case strings.Contains(q, "@"):
		email, err := NormalizeEmail(q)
		if err != nil {
			return "", nil
		}
		return "SELECT account_id FROM account_search WHERE token = ? AND field = 'email' LIMIT ?", []any{s.token("email", emailKey(email)), limit}
	case strings.HasPrefix(q, "+"):
		phone, err := NormalizePhone(q)
		if err != nil || phone == "" {
			return "", nil
		}
		return "SELECT account_id FROM account_search WHERE token = ? AND field = 'phone' LIMIT ?", []any{s.token("phone", phone), limit}
	}
	words := nameWords(q)
	if len(words) == 0 {
		return "", nil
	}
	if len(words) > 6 {
		words = words[:6]
	}
	// An account id, or the whole name in order, is one look-up;
	// otherwise every word must match: drive from the first triple of
	// words (or pair, or the only word), and probe the others through the
	// primary key, stopping at the limit.
	args = []any{q, s.token("fullname", strings.Join(words, " "))}
	field, first, rest := "name", s.token("name", words[0]), words[1:]
	switch {
	case len(words) > 2 && triples:
		field, first, rest = "triple", s.token("triple", wordsKey(words[:3]...)), words[3:]
	case len(words) > 1:
		field, first, rest = "pair", s.token("pair", wordsKey(words[0], words[1])), words[2:]
	}
	join := ""
	for i, w := range rest {
		join += fmt.Sprintf(" JOIN account_search t%d ON t%d.token = ? AND t%d.account_id = t0.account_id AND t%d.field = 'name'", i+1, i+1, i+1, i+1)
		args = append(args, s.token("name", w))
	}
	args = append(args, first, field, limit)
	return `SELECT id FROM accounts WHERE id = ?
		UNION SELECT account_id FROM account_search WHERE token = ? AND field = 'fullname'
		UNION SELECT * FROM (SELECT t0.account_id FROM account_search t0` + join + `
		WHERE t0.token = ? AND t0.field = ? LIMIT ?) AS words`, args
}
