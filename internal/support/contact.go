package support

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// Contact is who a conversation is with: a customer account, or a visitor
// known by e-mail address (or by nothing yet, in a chat).
type Contact struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id,omitempty"`
	Email     string `json:"email,omitempty"`
	Name      string `json:"name,omitempty"`
	Locale    string `json:"locale"`
}

// Who identifies the person writing in. AccountID wins; otherwise Email
// (a visitor, found again by the same address); otherwise an anonymous
// chat visitor, a new contact each time.
type Who struct {
	AccountID string
	Email     string
	Name      string
	Locale    string
}

func normalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s, "@") {
		return "", invalid("email", "not a valid e-mail address")
	}
	local, domain, _ := strings.Cut(s, "@")
	return local + "@" + strings.ToLower(domain), nil
}

func normalizeLocale(l string) string {
	switch l = strings.ToLower(l); {
	case strings.HasPrefix(l, "vi"):
		return "vi"
	case strings.HasPrefix(l, "zh"):
		return "zh"
	}
	return "en"
}

func (s *Service) emailIndex(email string) []byte {
	return s.keys.BlindIndex("support-email", strings.ToLower(email))
}

// contact finds or creates the contact of w inside tx.
func (s *Service) contact(ctx context.Context, tx *db.Tx, w Who) (*Contact, string, error) {
	w.Locale = normalizeLocale(w.Locale)
	if len([]rune(w.Name)) > 200 {
		return nil, "", invalid("name", "at most 200 characters")
	}
	var (
		id, subject string
		err         error
	)
	switch {
	case w.AccountID != "":
		err = tx.QueryRow(ctx, "SELECT id, key_subject FROM support_contacts WHERE account_id = ?", w.AccountID).Scan(&id, &subject)
	case w.Email != "":
		if w.Email, err = normalizeEmail(w.Email); err != nil {
			return nil, "", err
		}
		err = tx.QueryRow(ctx, "SELECT id, key_subject FROM support_contacts WHERE email_index = ?", s.emailIndex(w.Email)).Scan(&id, &subject)
	default:
		err = sql.ErrNoRows
	}
	if err == nil {
		c, err := s.contactByID(ctx, tx, id)
		return c, subject, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, "", err
	}
	id = newID()
	subject = "contact:" + id
	if w.AccountID != "" {
		subject = "account:" + w.AccountID // the customer's own key
	}
	key, err := s.keys.DataKey(ctx, tx, subject)
	if err != nil {
		return nil, "", err
	}
	var emailIdx []byte
	emailSealed, nameSealed := SealContact(key, id, w.Email, w.Name)
	if w.Email != "" && w.AccountID == "" {
		emailIdx = s.emailIndex(w.Email)
	}
	var account any
	if w.AccountID != "" {
		account = w.AccountID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO support_contacts (id, account_id, email_index, email_sealed, name_sealed, key_subject, locale, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, account, emailIdx, emailSealed, nameSealed, subject, w.Locale, tx.Now()); err != nil {
		return nil, "", err
	}
	return &Contact{ID: id, AccountID: w.AccountID, Email: w.Email, Name: w.Name, Locale: w.Locale}, subject, nil
}

func (s *Service) contactByID(ctx context.Context, tx *db.Tx, id string) (*Contact, error) {
	m, err := s.contactsByID(ctx, tx, []any{id})
	if err != nil {
		return nil, err
	}
	if m[id] == nil {
		return nil, sql.ErrNoRows
	}
	return m[id], nil
}

// contactsByID reads contacts with their e-mail and name opened, their
// data keys loaded in one query.
func (s *Service) contactsByID(ctx context.Context, tx *db.Tx, ids []any) (map[string]*Contact, error) {
	type row struct {
		c           Contact
		email, name []byte
	}
	rows, err := tx.Query(ctx, "SELECT id, account_id, email_sealed, name_sealed, locale FROM support_contacts WHERE id IN ("+placeholders(len(ids))+")", ids...)
	list, err := db.Collect(rows, err, func(sc db.Scanner) (r row, err error) {
		var account sql.NullString
		err = sc.Scan(&r.c.ID, &account, &r.email, &r.name, &r.c.Locale)
		r.c.AccountID = account.String
		return r, err
	})
	if err != nil {
		return nil, err
	}
	sealed := make([][]byte, 0, 2*len(list))
	for _, r := range list {
		sealed = append(sealed, r.email, r.name)
	}
	if err := s.keys.Warm(ctx, tx, sealed...); err != nil {
		return nil, err
	}
	out := make(map[string]*Contact, len(list))
	for _, r := range list {
		c := r.c
		for _, f := range []struct {
			ct  []byte
			aad string
			dst *string
		}{{r.email, "support_contacts.email:", &c.Email}, {r.name, "support_contacts.name:", &c.Name}} {
			if len(f.ct) == 0 {
				continue
			}
			pt, err := s.keys.Open(ctx, tx, f.ct, []byte(f.aad+c.ID))
			if errors.Is(err, keyring.ErrKeyDestroyed) {
				continue // erased: the contact is shown without name or address
			}
			if err != nil {
				return nil, err
			}
			*f.dst = string(pt)
		}
		out[c.ID] = &c
	}
	return out, nil
}
