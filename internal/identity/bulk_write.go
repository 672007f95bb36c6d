package identity

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// batchOut is what one committed batch did.
type batchOut struct {
	created, skipped int
	mails            []outgoing
}

// write creates the batch's new accounts in one transaction: one look-up
// of the existing e-mails, then multi-row inserts of the data keys, the
// accounts, their search tokens and invitation links, the role grants and
// one audit entry per account.
func (imp *importer) write(ctx context.Context, rows []ImportRow, idx [][]byte) (batchOut, error) {
	s := imp.s
	var out batchOut
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		out = batchOut{}
		exists, err := existingEmails(ctx, tx, idx)
		if err != nil {
			return err
		}
		now := tx.Now()
		var accounts, search, tokens []any
		type grant struct {
			i       int
			id      string
			roles   []string
			hashAlg string
		}
		var created []grant
		// The new accounts' ids and data keys first: the keyring creates
		// the batch's keys in a few multi-row inserts.
		ids := make([]string, len(rows))
		var subjects []string
		for i := range rows {
			if !exists[string(idx[i])] {
				ids[i] = newID()
				subjects = append(subjects, subject(ids[i]))
			}
		}
		keys, err := s.keys.DataKeys(ctx, tx, subjects)
		if err != nil {
			return err
		}
		for i, r := range rows {
			if exists[string(idx[i])] {
				out.skipped++
				continue
			}
			id, key := ids[i], keys[subject(ids[i])]
			sealed := s.SealAccount(key, id, r.Email, r.Name, r.Phone)
			kind, hash := KindCustomer, r.PasswordHash
			if r.Staff() {
				kind = KindStaff
			}
			if hash == "" {
				hash = imp.inviteHash
			}
			accounts = append(accounts, id, kind, StatusActive, idx[i], sealed.EmailSealed, sealed.NameSealed, sealed.PhoneSealed, r.Locale, hash, now, now, now, now)
			for _, t := range sealed.Search {
				search = append(search, t.Token, id, t.Field)
			}
			if r.Invite() {
				link := newSecret()
				tokens = append(tokens, newID(), id, purposeReset, hashSecret(link), now, now.Add(InviteTTL))
				out.mails = append(out.mails, s.inviteMail(r, link))
			}
			created = append(created, grant{i: i, id: id, roles: r.Roles, hashAlg: hashAlgorithm(r.PasswordHash)})
		}
		if len(created) == 0 {
			return nil
		}
		if err := tx.InsertRows(ctx, `INSERT INTO accounts (id, kind, status, email_index, email_sealed, name_sealed, phone_sealed,
			locale, password_hash, password_changed_at, email_verified_at, created_at, updated_at) VALUES `, 13, accounts, ""); err != nil {
			return err
		}
		if err := tx.InsertRows(ctx, "INSERT INTO account_search (token, account_id, field) VALUES ", 3, search, " ON CONFLICT DO NOTHING"); err != nil {
			return err
		}
		if err := tx.InsertRows(ctx, "INSERT INTO account_tokens (id, account_id, purpose, link_hash, created_at, expires_at) VALUES ", 6, tokens, ""); err != nil {
			return err
		}
		for _, c := range created {
			r := rows[c.i]
			for _, role := range c.roles {
				if err := imp.o.Grant(tx, c.id, role); err != nil {
					return &badRow{i: c.i, reason: fmt.Sprintf("role %q cannot be granted (%v)", role, err)}
				}
			}
			details := map[string]any{"kind": KindCustomer, "password": c.hashAlg, "invited": r.Invite()}
			if r.Staff() {
				details["kind"] = KindStaff
			}
			if err := s.audit.Record(ctx, tx, audit.Event{Action: "account.import", Target: "account:" + c.id, Subject: subject(c.id),
				Details: details, Personal: map[string]any{"email": r.Email}}); err != nil {
				return err
			}
		}
		out.created = len(created)
		return nil
	})
	return out, err
}

// searchTok is one search token of an account, before hashing.
type searchTok struct{ field, v string }

// searchTokens are the tokens index writes for these fields; the bulk
// import inserts them for many accounts at once.
func searchTokens(email, name, phone string) []searchTok {
	toks := []searchTok{{"email", emailKey(email)}}
	if phone != "" {
		toks = append(toks, searchTok{"phone", phone})
	}
	words := nameWords(name)
	for _, w := range words {
		toks = append(toks, searchTok{"name", w})
	}
	if len(words) > 1 {
		toks = append(toks, searchTok{"fullname", strings.Join(words, " ")})
	}
	for i := 0; i < len(words) && i < 8; i++ {
		for j := i + 1; j < len(words) && j < 8; j++ {
			toks = append(toks, searchTok{"pair", wordsKey(words[i], words[j])})
		}
	}
	for i := 0; i < len(words) && i < 6; i++ {
		for j := i + 1; j < len(words) && j < 6; j++ {
			for k := j + 1; k < len(words) && k < 6; k++ {
				toks = append(toks, searchTok{"triple", wordsKey(words[i], words[j], words[k])})
			}
		}
	}
	return toks
}

// hashAlgorithm names an imported hash's algorithm for the audit trail.
func hashAlgorithm(encoded string) string {
	switch {
	case encoded == "":
		return "none"
	case strings.HasPrefix(encoded, "$argon2"):
		return "argon2"
	case strings.HasPrefix(encoded, "$2"):
		return "bcrypt"
	case strings.HasPrefix(encoded, "pbkdf2-sha256$"):
		return "pbkdf2-sha256"
	}
	return "other"
}

// importMail sends an import's invitations in the background with a few
// workers, so that neither the import waits for the mail server between
// batches nor does a large import open hundreds of SMTP connections.
type importMail struct {
	s      *Service
	ch     chan outgoing
	wg     sync.WaitGroup
	mu     sync.Mutex
	failed int
}

const importMailWorkers = 4

func (s *Service) startImportMail(ctx context.Context) *importMail {
	m := &importMail{s: s, ch: make(chan outgoing, 1024)}
	ctx = context.WithoutCancel(ctx)
	for range importMailWorkers {
		m.wg.Add(1)
		s.mailWG.Add(1)
		go func() {
			defer m.wg.Done()
			defer s.mailWG.Done()
			for o := range m.ch {
				if s.mail == nil {
					continue
				}
				sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
				_, err := s.mail.Send(sctx, s.composeMail(o))
				cancel()
				if err != nil {
					s.log.WarnContext(ctx, "account e-mail not sent", "kind", o.kind, "error", err)
					m.mu.Lock()
					m.failed++
					m.mu.Unlock()
				}
			}
		}()
	}
	return m
}

// queue hands mails to the workers; it blocks while they are behind.
func (m *importMail) queue(mails []outgoing) {
	for _, o := range mails {
		m.ch <- o
	}
}

// wait closes the queue, waits for every mail and returns how many failed.
func (m *importMail) wait() int {
	close(m.ch)
	m.wg.Wait()
	return m.failed
}
