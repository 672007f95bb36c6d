package identity

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// touchEvery is how stale last_seen_at may get before a request writes it
// again. Checking a session is one indexed read; writing on every request
// would make the hottest path a write. The idle timeout is measured from
// the last write, so a session may end up to this much earlier than the
// idle timeout, never later.
const touchEvery = time.Minute

// Session is a signed-in session as its owner sees it.
type Session struct {
	ID            string    `json:"id"`
	Client        string    `json:"client"`
	Device        string    `json:"device"`
	IP            string    `json:"ip,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	AuthAt        time.Time `json:"authenticated_at"`
	LastSeenAt    time.Time `json:"last_seen_at"`
	ExpiresAt     time.Time `json:"expires_at"`      // absolute limit
	IdleExpiresAt time.Time `json:"idle_expires_at"` // if not used before then
	Current       bool      `json:"current"`
	// AAL is 1 after a password alone, 2 after a second factor or a
	// passkey; Methods lists what was used ("pwd", "totp", "passkey", …).
	AAL     int      `json:"aal"`
	Methods []string `json:"methods"`
	// MustEnrol marks a session that may only enrol a second factor.
	MustEnrol bool `json:"must_enrol,omitempty"`
}

// grant is what a sign-in proved, written on the session it opens.
type grant struct {
	aal       int
	amr       string // comma-separated methods
	mustEnrol bool
	risk      *RiskVerdict // the risk engine's verdict, stored with the sign-in event
}

// Principal is who a valid session token belongs to: what every
// authenticated request needs, read in one indexed look-up.
type Principal struct {
	AccountID string
	Kind      string
	Locale    string
	Session   Session

	account accountRow // the sealed fields, read with the session
}

// createSession opens a session for a with a fresh 256-bit token, ending
// the account's least recently used sessions beyond MaxSessions.
func (s *Service) createSession(ctx context.Context, tx *db.Tx, a *accountRow, in SignIn, g grant) (string, *Session, error) {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE account_id = ?", a.id).Scan(&n); err != nil {
		return "", nil, err
	}
	if extra := n - (s.policy.MaxSessions - 1); extra > 0 {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE account_id = ?
			ORDER BY last_seen_at, created_at LIMIT ?)`, a.id, extra)
		if err != nil {
			return "", nil, err
		}
		if err := s.audit.Record(ctx, tx, audit.Event{Action: "session.evict", Target: "account:" + a.id, Subject: subject(a.id),
			Details: map[string]any{"ended": extra, "limit": s.policy.MaxSessions}}); err != nil {
			return "", nil, err
		}
	}
	client := in.Client
	if client != ClientBrowser {
		client = ClientAPI
	}
	token := newSecret()
	now := tx.Now()
	sess := &Session{ID: newID(), Client: client, Device: DeviceName(in.UserAgent), IP: in.IP, CreatedAt: now, AuthAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(s.policy.AbsoluteTimeout), Current: true,
		AAL: g.aal, Methods: strings.Split(g.amr, ","), MustEnrol: g.mustEnrol}
	sess.IdleExpiresAt = s.idleExpiry(a.kind, sess)
	ip, err := s.sealFor(ctx, tx, a.id, "sessions.ip", []byte(in.IP))
	if err != nil {
		return "", nil, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO sessions (id, token_hash, account_id, client, device, ip_sealed, created_at, auth_at, last_seen_at, expires_at, aal, amr, must_enrol)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, sess.ID, hashSecret(token), a.id, client, sess.Device, ip, now, now, now, sess.ExpiresAt, g.aal, g.amr, g.mustEnrol)
	return token, sess, err
}

func (s *Service) idleExpiry(kind string, sess *Session) time.Time {
	t := sess.LastSeenAt.Add(s.policy.idleFor(kind))
	if t.After(sess.ExpiresAt) {
		return sess.ExpiresAt
	}
	return t
}

// Authenticate returns the principal of a session token, or
// ErrUnauthenticated when the token is unknown, ended, idle too long, past
// its absolute lifetime, or its account is not active (ASVS 7.2.1).
func (s *Service) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrUnauthenticated
	}
	var p Principal
	var status, amr string
	th := hashSecret(token)
	a := &p.account
	err := s.db.QueryRowOnce(ctx, `SELECT s.id, s.account_id, s.client, s.device, s.created_at, s.auth_at, s.last_seen_at, s.expires_at,
		s.aal, s.amr, s.must_enrol, a.kind, a.status, a.locale, a.email_sealed, a.name_sealed, a.phone_sealed, a.email_verified_at, a.created_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?`, th).Scan(
		&p.Session.ID, &p.AccountID, &p.Session.Client, &p.Session.Device, &p.Session.CreatedAt, &p.Session.AuthAt,
		&p.Session.LastSeenAt, &p.Session.ExpiresAt, &p.Session.AAL, &amr, &p.Session.MustEnrol, &p.Kind, &status, &p.Locale,
		&a.emailSealed, &a.nameSealed, &a.phoneSealed, &a.verifiedAt, &a.createdAt)
	p.Session.Methods = strings.Split(amr, ",")
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	a.id, a.kind, a.status, a.locale = p.AccountID, p.Kind, status, p.Locale
	now := s.db.Now()
	sess := &p.Session
	sess.IdleExpiresAt = s.idleExpiry(p.Kind, sess)
	if status != StatusActive || !now.Before(sess.ExpiresAt) || !now.Before(sess.IdleExpiresAt) {
		// Ended for good: remove it now rather than at the next purge.
		s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", th)
			return err
		})
		return nil, ErrUnauthenticated
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		err := s.db.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", tx.Now(), th)
			return err
		})
		if err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
		sess.IdleExpiresAt = s.idleExpiry(p.Kind, sess)
	}
	sess.Current = true
	normalizeTimes(sess)
	return &p, nil
}

func normalizeTimes(s *Session) {
	s.CreatedAt, s.AuthAt, s.LastSeenAt = s.CreatedAt.UTC(), s.AuthAt.UTC(), s.LastSeenAt.UTC()
	s.ExpiresAt, s.IdleExpiresAt = s.ExpiresAt.UTC(), s.IdleExpiresAt.UTC()
}

// Account returns the principal's account as read with its session,
// personal fields opened: no second look-up of the account.
func (s *Service) Account(ctx context.Context, p *Principal) (*Account, error) {
	if a, ok := s.openCached(&p.account); ok {
		return a, nil
	}
	var out *Account
	err := s.db.Read(ctx, func(tx *db.Tx) (err error) {
		out, err = s.open(ctx, tx, &p.account)
		return err
	})
	return out, err
}

// SignOut ends the session of token (ASVS 7.4.1).
func (s *Service) SignOut(ctx context.Context, p *Principal) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE id = ? AND account_id = ?", p.Session.ID, p.AccountID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "session.end", Target: "session:" + p.Session.ID, Subject: subject(p.AccountID)})
	})
}

// Sessions lists the account's open sessions, most recently used first,
// marking the caller's own.
func (s *Service) Sessions(ctx context.Context, p *Principal) ([]Session, error) {
	var out []Session
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT id, client, device, ip_sealed, created_at, auth_at, last_seen_at, expires_at, aal, amr, must_enrol
			FROM sessions WHERE account_id = ? ORDER BY last_seen_at DESC, id`, p.AccountID)
		type sealedSession struct {
			Session
			ip []byte
		}
		all, err := db.Collect(rows, err, func(row db.Scanner) (x sealedSession, err error) {
			var amr string
			err = row.Scan(&x.ID, &x.Client, &x.Device, &x.ip, &x.CreatedAt, &x.AuthAt, &x.LastSeenAt, &x.ExpiresAt, &x.AAL, &amr, &x.MustEnrol)
			x.Methods = strings.Split(amr, ",")
			return x, err
		})
		if err != nil {
			return err
		}
		now := tx.Now()
		for _, sx := range all {
			x := sx.Session
			x.IdleExpiresAt = s.idleExpiry(p.Kind, &x)
			if !now.Before(x.ExpiresAt) || !now.Before(x.IdleExpiresAt) {
				continue
			}
			if pt, err := s.openFor(ctx, tx, p.AccountID, "sessions.ip", sx.ip); err == nil {
				x.IP = string(pt)
			}
			x.Current = x.ID == p.Session.ID
			normalizeTimes(&x)
			out = append(out, x)
		}
		return nil
	})
	return out, err
}

// EndSession ends one of the caller's own sessions; another account's
// session id is ErrNotFound, like one that does not exist (ASVS 8.2.2).
func (s *Service) EndSession(ctx context.Context, p *Principal, sessionID string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE id = ? AND account_id = ?", sessionID, p.AccountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "session.end", Target: "session:" + sessionID, Subject: subject(p.AccountID)})
	})
}

// EndOtherSessions ends every session of the caller's account but the
// current one ("sign out everywhere else").
func (s *Service) EndOtherSessions(ctx context.Context, p *Principal) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		n, err = s.endSessions(ctx, tx, p.AccountID, p.Session.ID, "signed_out_everywhere")
		return err
	})
	return int(n), err
}

// endSessions deletes the account's sessions except keep, with an audit
// entry.
func (s *Service) endSessions(ctx context.Context, tx *db.Tx, accountID, keep, reason string) (int64, error) {
	res, err := tx.Exec(ctx, "DELETE FROM sessions WHERE account_id = ? AND id <> ?", accountID, keep)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, s.audit.Record(ctx, tx, audit.Event{Action: "session.end_all", Target: "account:" + accountID, Subject: subject(accountID),
		Details: map[string]any{"ended": n, "reason": reason}})
}

// SetDisabled disables or re-enables an account. Disabling ends all its
// sessions in the same transaction (ASVS 7.4.2).
func (s *Service) SetDisabled(ctx context.Context, accountID string, disabled bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		a, err := s.byID(ctx, tx, accountID, true)
		if err != nil {
			return err
		}
		if a == nil {
			return ErrNotFound
		}
		status, action := StatusActive, "account.enable"
		if disabled {
			status, action = StatusDisabled, "account.disable"
		} else if !a.verifiedAt.Valid {
			status = StatusPending
		}
		if _, err := tx.Exec(ctx, "UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?", status, tx.Now(), accountID); err != nil {
			return err
		}
		if disabled {
			if _, err := s.endSessions(ctx, tx, accountID, "", "account_disabled"); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: action, Target: "account:" + accountID, Subject: subject(accountID)})
	})
}

// LiveSessions reports which of the given sessions are still open: not
// ended, not past their absolute or idle limits, of an active account.
// The OpenID provider asks it to end the relying-party sessions of the
// ones that are not.
func (s *Service) LiveSessions(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT s.id, a.kind, a.status, s.last_seen_at, s.expires_at FROM sessions s
			JOIN accounts a ON a.id = s.account_id WHERE s.id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		now := tx.Now()
		for rows.Next() {
			var id, kind, status string
			var sess Session
			if err := rows.Scan(&id, &kind, &status, &sess.LastSeenAt, &sess.ExpiresAt); err != nil {
				return err
			}
			out[id] = status == StatusActive && now.Before(sess.ExpiresAt) && now.Before(s.idleExpiry(kind, &sess))
		}
		return rows.Err()
	})
	return out, err
}
