package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/support"
)

const password = "Plum orbit lantern velvet 7!"

func email(i int) string { return fmt.Sprintf("customer%07d@example.com", i) }

var (
	family  = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Smith", "Wang", "Li", "Zhang"}
	given   = []string{"An", "Bình", "Chi", "Dũng", "Hà", "Lan", "Mai", "Emma", "Wei", "Fang"}
	locales = []string{"vi", "en", "zh", "vi"}
	lines   = []string{"I cannot sign in since this morning, the code never arrives.", "Tôi không nhận được mã xác minh qua SMS.",
		"我的账户被锁定了，请帮忙解锁。", "Please close my account and send me a copy of my data.", "The card payment failed twice today."}
)

func name(i int) string   { return family[i%len(family)] + " " + given[(i/7)%len(given)] }
func phone(i int) string  { return fmt.Sprintf("+8491%07d", i) }
func locale(i int) string { return locales[i%len(locales)] }

// ref is the mark of conversation k's first message that the restore
// check looks for on the customer's page.
func ref(k int) string { return fmt.Sprintf("(ref %d)", k) }

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// seeder writes an installation's customers and conversations straight
// into the database: multi-row inserts, thousands of rows a transaction,
// instead of the import's and the desk's per-row work (an audit entry per
// account, a transaction per conversation). What it writes is what the
// product writes: each account's data key from the keyring (created in
// bulk), e-mail, name and phone sealed and indexed by identity's
// SealAccount, contacts, subjects and messages sealed with the customer's
// key by the desk's own helpers, the search tokens of both. Only the audit
// entries of the import are left out. The restore check signs seeded
// customers in and opens their conversations, so a seeder that wrote
// something the product cannot read fails the run.
type seeder struct {
	d     *db.DB
	keys  *keyring.Keyring
	ids   *identity.Service
	desk  *support.Service
	hash  string   // bcrypt, as imported from another system; rehashed to Argon2id at the first sign-in
	accts []string // account ids, by index
	convs []string // conversation ids, by index
}

func openSeeder(ctx context.Context, vars map[string]string) (*seeder, error) {
	d, err := db.Open(ctx, db.Options{URL: vars["FRONTDESK_DATABASE_URL"], DataDir: vars["FRONTDESK_DATA_DIR"]})
	if err != nil {
		return nil, err
	}
	keys, err := keyring.New(ctx, d, keyring.Options{MasterKeyFile: filepath.Join(vars["FRONTDESK_DATA_DIR"], "keys", "master.key")})
	if err != nil {
		d.Close()
		return nil, err
	}
	signer, err := audit.LoadSigner(filepath.Join(vars["FRONTDESK_DATA_DIR"], "keys", "audit-ed25519.key"))
	if err != nil {
		d.Close()
		return nil, err
	}
	log := audit.New(keys, signer, audit.Options{})
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		d.Close()
		return nil, err
	}
	if d.Dialect() == db.SQLite {
		// As `accounts import` does: a 128 MiB page cache for the writer,
		// whose inserts go into indexes with random keys.
		if err := d.Write(ctx, func(tx *db.Tx) error { _, err := tx.Exec(ctx, "PRAGMA cache_size = -131072"); return err }); err != nil {
			d.Close()
			return nil, err
		}
	}
	return &seeder{d: d, keys: keys, ids: identity.New(identity.Options{DB: d, Keys: keys, Audit: log}),
		desk: support.New(support.Options{DB: d, Keys: keys, Audit: log}), hash: string(hash)}, nil
}

func (s *seeder) Close() error { return s.d.Close() }

// progress logs a phase's rate every 10 seconds.
type progress struct {
	what       string
	total      int
	start, at  time.Time
	done, last int
}

func newProgress(what string, total int) *progress {
	now := time.Now()
	return &progress{what: what, total: total, start: now, at: now}
}

func (p *progress) add(n int) {
	p.done += n
	if time.Since(p.at) >= 10*time.Second || p.done == p.total {
		benchkit.Logf("%s: %d of %d (%.0f/s)", p.what, p.done, p.total, float64(p.done)/time.Since(p.start).Seconds())
		p.at = time.Now()
	}
}

const (
	accountBatch      = 2000 // accounts a transaction
	conversationBatch = 1000 // conversations a transaction
)

// seedAccounts writes n customer accounts, active and verified as an
// import leaves them, each with its data key and search tokens.
func (s *seeder) seedAccounts(ctx context.Context, n int) error {
	s.accts = make([]string, n)
	for i := range s.accts {
		s.accts[i] = newID()
	}
	p := newProgress("accounts", n)
	for start := 0; start < n; start += accountBatch {
		end := min(start+accountBatch, n)
		err := s.d.Write(ctx, func(tx *db.Tx) error {
			subjects := make([]string, 0, end-start)
			for i := start; i < end; i++ {
				subjects = append(subjects, identity.AccountKeySubject(s.accts[i]))
			}
			keys, err := s.keys.DataKeys(ctx, tx, subjects)
			if err != nil {
				return err
			}
			now := tx.Now()
			accounts := make([]any, 0, 13*(end-start))
			var search []any
			for i := start; i < end; i++ {
				id := s.accts[i]
				a := s.ids.SealAccount(keys[identity.AccountKeySubject(id)], id, email(i), name(i), phone(i))
				accounts = append(accounts, id, identity.KindCustomer, identity.StatusActive, a.EmailIndex, a.EmailSealed, a.NameSealed, a.PhoneSealed,
					locale(i), s.hash, now, now, now, now)
				for _, t := range a.Search {
					search = append(search, t.Token, id, t.Field)
				}
			}
			if err := tx.InsertRows(ctx, `INSERT INTO accounts (id, kind, status, email_index, email_sealed, name_sealed, phone_sealed,
				locale, password_hash, password_changed_at, email_verified_at, created_at, updated_at) VALUES `, 13, accounts, ""); err != nil {
				return err
			}
			return tx.InsertRows(ctx, "INSERT INTO account_search (token, account_id, field) VALUES ", 3, search, " ON CONFLICT DO NOTHING")
		})
		if err != nil {
			return fmt.Errorf("seed accounts %d-%d: %w", start, end-1, err)
		}
		p.add(end - start)
	}
	return nil
}

// seedConversations writes n conversations, the k-th by account k modulo
// the accounts: the customer's contact (made on their first conversation,
// sealed with their key, as the portal makes it), the conversation with
// its subject and SLA deadlines, one to three of the customer's messages,
// and the inbox's search tokens.
func (s *seeder) seedConversations(ctx context.Context, n int) error {
	s.convs = make([]string, n)
	p := newProgress("conversations", n)
	for start := 0; start < n; start += conversationBatch {
		end := min(start+conversationBatch, n)
		err := s.d.Write(ctx, func(tx *db.Tx) error {
			// The contacts the batch's customers already have.
			contact := map[string]string{} // account id → contact id
			var accounts []any
			for k := start; k < end; k++ {
				accounts = append(accounts, s.accts[k%len(s.accts)])
			}
			for c := 0; c < len(accounts); c += 500 {
				chunk := accounts[c:min(c+500, len(accounts))]
				rows, err := tx.Query(ctx, "SELECT account_id, id FROM support_contacts WHERE account_id IN (?"+strings.Repeat(", ?", len(chunk)-1)+")", chunk...)
				if err != nil {
					return err
				}
				for rows.Next() {
					var a, id string
					if err := rows.Scan(&a, &id); err != nil {
						rows.Close()
						return err
					}
					contact[a] = id
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
			subjects := make([]string, 0, len(accounts))
			for _, a := range accounts {
				subjects = append(subjects, identity.AccountKeySubject(a.(string)))
			}
			keys, err := s.keys.DataKeys(ctx, tx, subjects)
			if err != nil {
				return err
			}
			now := tx.Now()
			firstDue, resolveDue, err := s.desk.DueTimes(ctx, tx, support.PriorityNormal, now)
			if err != nil {
				return err
			}
			var contacts, convs, msgs, search []any
			for k := start; k < end; k++ {
				i := k % len(s.accts)
				a := s.accts[i]
				key := keys[identity.AccountKeySubject(a)]
				cid, ok := contact[a]
				if !ok {
					cid = newID()
					contact[a] = cid
					es, ns := support.SealContact(key, cid, email(i), name(i))
					contacts = append(contacts, cid, a, es, ns, identity.AccountKeySubject(a), locale(i), now)
				}
				id := newID()
				s.convs[k] = id
				subject := fmt.Sprintf("Request %d", k)
				count := 1 + k%3
				convs = append(convs, id, cid, support.ChannelPortal, support.StatusOpen, support.PriorityNormal, locale(i),
					support.SealSubject(key, id, subject), now, now, now, firstDue, resolveDue, count)
				seen := map[string]bool{}
				index := func(text string) {
					for _, t := range s.desk.SearchTokens(text) {
						if !seen[string(t)] {
							seen[string(t)] = true
							search = append(search, t, id)
						}
					}
				}
				index(subject)
				for seq := 1; seq <= count; seq++ {
					body := lines[(k+seq-1)%len(lines)]
					if seq == 1 {
						body += " " + ref(k)
					}
					mid := newID()
					msgs = append(msgs, id, seq, mid, support.KindCustomer, support.SealBody(key, mid, body), now)
					index(body)
				}
			}
			if err := tx.InsertRows(ctx, `INSERT INTO support_contacts (id, account_id, email_sealed, name_sealed, key_subject, locale, created_at) VALUES `,
				7, contacts, ""); err != nil {
				return err
			}
			if err := tx.InsertRows(ctx, `INSERT INTO conversations (id, contact_id, channel, status, priority, language, subject_sealed,
				created_at, updated_at, last_message_at, first_response_due, resolution_due, message_count) VALUES `, 13, convs, ""); err != nil {
				return err
			}
			if err := tx.InsertRows(ctx, `INSERT INTO conversation_messages (conversation_id, seq, id, kind, body_sealed, created_at) VALUES `,
				6, msgs, ""); err != nil {
				return err
			}
			return tx.InsertRows(ctx, "INSERT INTO conversation_search (token, conversation_id) VALUES ", 2, search, " ON CONFLICT DO NOTHING")
		})
		if err != nil {
			return fmt.Errorf("seed conversations %d-%d: %w", start, end-1, err)
		}
		p.add(end - start)
	}
	return nil
}

// startConversations starts n more conversations through the desk's own
// Start, each by a signed-in customer in the portal (accounts from k
// modulo the accounts): the "1,000 conversations added" go in
// through the product's path, one transaction each.
func (s *seeder) startConversations(ctx context.Context, from, n int) error {
	for len(s.convs) < from+n {
		s.convs = append(s.convs, "")
	}
	return benchkit.Parallel(n, 4, func(j int) error {
		k := from + j
		i := k % len(s.accts)
		c, err := s.desk.Start(ctx, support.NewConversation{Who: support.Who{AccountID: s.accts[i], Email: email(i), Name: name(i), Locale: locale(i)},
			Channel: support.ChannelPortal, Subject: fmt.Sprintf("Request %d", k), Body: lines[k%len(lines)] + " " + ref(k)})
		if err != nil {
			return err
		}
		s.convs[k] = c.ID
		return nil
	})
}

// changeAccounts changes 1% of the accounts, spread over the table, the
// way a profile edit does (one column and the update time).
func (s *seeder) changeAccounts(ctx context.Context) error {
	return s.d.Write(ctx, func(tx *db.Tx) error {
		// Every 100th account by id: spread over the table's pages as
		// random edits are.
		_, err := tx.Exec(ctx, `UPDATE accounts SET locale = CASE locale WHEN 'vi' THEN 'en' ELSE 'vi' END, updated_at = ?
			WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM accounts) AS t WHERE r % 100 = 0)`, tx.Now())
		return err
	})
}
