package identity

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// A registration attempt: what one registrant gave, with the code, link and
// secret issued for it (table registrations; see register.go).

// attempt is an attempt's fields in clear.
type attempt struct {
	email, name, phone, locale string
	passwordHash               string
	secret                     string // the registrant's proof, in clear only when issued
}

// attemptRow is a stored attempt.
type attemptRow struct {
	id, accountID                      string
	secretHash, codeHash               []byte
	attempts                           int
	passwordHash                       string
	emailSealed, nameSealed, phoneSeal []byte
	locale                             string
	expiresAt                          time.Time
}

const attemptColumns = `id, account_id, secret_hash, code_hash, attempts, password_hash, email_sealed, name_sealed,
	phone_sealed, locale, expires_at`

func scanAttempt(row interface{ Scan(...any) error }) (*attemptRow, error) {
	var r attemptRow
	err := row.Scan(&r.id, &r.accountID, &r.secretHash, &r.codeHash, &r.attempts, &r.passwordHash, &r.emailSealed,
		&r.nameSealed, &r.phoneSeal, &r.locale, &r.expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// attemptAAD binds a sealed field to its attempt.
func attemptAAD(id, field string) []byte { return []byte("registrations." + field + ":" + id) }

// newAttempt stores an attempt for the pending account accountID, sealed
// with the account's data key, and returns its id and the code and link
// to mail.
func (s *Service) newAttempt(ctx context.Context, tx *db.Tx, accountID string, at attempt) (string, issued, error) {
	key, err := s.keys.DataKey(ctx, tx, subject(accountID))
	if err != nil {
		return "", issued{}, err
	}
	id := newID()
	var ns, ps []byte
	if at.name != "" {
		ns = key.Seal([]byte(at.name), attemptAAD(id, "name"))
	}
	if at.phone != "" {
		ps = key.Seal([]byte(at.phone), attemptAAD(id, "phone"))
	}
	out := issued{code: newCode(), link: newSecret()}
	_, err = tx.Exec(ctx, `INSERT INTO registrations (id, account_id, secret_hash, link_hash, code_hash, password_hash,
		email_sealed, name_sealed, phone_sealed, locale, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, accountID, hashSecret(at.secret), hashSecret(out.link), s.codeHash(id, out.code), at.passwordHash,
		key.Seal([]byte(at.email), attemptAAD(id, "email")), ns, ps, at.locale, tx.Now(), tx.Now().Add(s.policy.VerifyTTL))
	return id, out, err
}

// attemptBy returns the open attempt whose column equals v, or nil when
// there is none or it has expired or used up its guesses. Locks are taken
// account first, then its attempts (verify does), so look-ups before the
// account is known do not lock.
func (s *Service) attemptBy(ctx context.Context, tx *db.Tx, column string, v any, lock bool) (*attemptRow, error) {
	switch column {
	case "id", "secret_hash", "link_hash":
	default:
		return nil, errors.New("identity: attempt look-up by " + column)
	}
	q := "SELECT " + attemptColumns + " FROM registrations WHERE " + column + " = ?"
	if lock {
		q += tx.ForUpdate()
	}
	r, err := scanAttempt(tx.QueryRow(ctx, q, v))
	if err != nil || r == nil || !s.attemptOpen(tx, r) {
		return nil, err
	}
	return r, nil
}

// attemptsOf returns the open attempts for an account, locked.
func (s *Service) attemptsOf(ctx context.Context, tx *db.Tx, accountID string) ([]*attemptRow, error) {
	rows, err := tx.Query(ctx, "SELECT "+attemptColumns+" FROM registrations WHERE account_id = ? ORDER BY created_at"+tx.ForUpdate(), accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*attemptRow
	for rows.Next() {
		r, err := scanAttempt(rows)
		if err != nil {
			return nil, err
		}
		if s.attemptOpen(tx, r) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

func (s *Service) attemptOpen(tx *db.Tx, r *attemptRow) bool {
	return tx.Now().Before(r.expiresAt) && r.attempts < s.policy.CodeAttempts
}

// attemptOf reports whether r is an attempt to register email.
func (s *Service) attemptOf(ctx context.Context, tx *db.Tx, r *attemptRow, email string) (bool, error) {
	var idx []byte
	if err := tx.QueryRow(ctx, "SELECT email_index FROM accounts WHERE id = ?", r.accountID).Scan(&idx); err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(s.emailIndex(email), idx) == 1, nil
}

// codeMatches compares a typed code with the attempt's, in constant time.
func (s *Service) codeMatches(r *attemptRow, code string) bool {
	return len(code) == 6 && subtle.ConstantTimeCompare(s.codeHash(r.id, code), r.codeHash) == 1
}

// countAttempt counts one wrong guess against the attempts whose column
// (id or account_id) is v.
func (s *Service) countAttempt(ctx context.Context, tx *db.Tx, column, v string) error {
	if column != "id" && column != "account_id" {
		return errors.New("identity: attempt count by " + column)
	}
	_, err := tx.Exec(ctx, "UPDATE registrations SET attempts = attempts + 1 WHERE "+column+" = ?", v)
	return err
}

// openAttempt opens an attempt's sealed fields.
func (s *Service) openAttempt(ctx context.Context, tx *db.Tx, r *attemptRow) (attempt, error) {
	at := attempt{locale: r.locale, passwordHash: r.passwordHash}
	for _, f := range []struct {
		name string
		ct   []byte
		dst  *string
	}{{"email", r.emailSealed, &at.email}, {"name", r.nameSealed, &at.name}, {"phone", r.phoneSeal, &at.phone}} {
		if len(f.ct) == 0 {
			continue
		}
		pt, err := s.keys.Open(ctx, tx, f.ct, attemptAAD(r.id, f.name))
		if err != nil {
			return attempt{}, err
		}
		*f.dst = string(pt)
	}
	return at, nil
}

// reissueVerify sends a new code and link to the registrant of a pending
// account who signed in with the password the account row keeps (its first
// attempt's): that attempt is replaced by one with the same fields. An
// account from before attempts had their own records gets one from its
// own fields. It reports false, and issues nothing, past the recipient's
// quota.
func (s *Service) reissueVerify(ctx context.Context, tx *db.Tx, a *accountRow, acct *Account) (outgoing, bool, error) {
	if ok, err := s.mailAllowed(ctx, tx, mailVerify, acct.Email); err != nil || !ok {
		return outgoing{}, false, err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM registrations WHERE account_id = ? AND password_hash = ?", a.id, a.passwordHash); err != nil {
		return outgoing{}, false, err
	}
	// The new attempt's secret is known to nobody: the registrant proves
	// themselves with the password they just typed.
	at := attempt{email: acct.Email, name: acct.Name, phone: acct.Phone, locale: acct.Locale, passwordHash: a.passwordHash, secret: newSecret()}
	_, code, err := s.newAttempt(ctx, tx, a.id, at)
	if err != nil {
		return outgoing{}, false, err
	}
	return s.verifyMail(acct.Email, acct.Name, acct.Locale, code), true, nil
}
