package consent

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Record is one row of the ledger: a choice about a purpose under one
// version of its notice.
type Record struct {
	ID         string    `json:"id"`
	AccountID  string    `json:"-"`
	Seq        int64     `json:"seq"`
	Purpose    string    `json:"purpose"`
	NoticeID   string    `json:"-"`
	Version    int       `json:"notice_version"`
	Choice     string    `json:"choice"`
	Channel    string    `json:"channel"`
	RecordedBy string    `json:"-"`
	At         time.Time `json:"recorded_at"`
	Prev       string    `json:"-"`
	Hash       string    `json:"receipt_hash"`
	Signature  string    `json:"-"`
}

// Choice is a choice to record.
type Choice struct {
	AccountID string
	Purpose   string
	Choice    string // Given, Withdrawn; Acknowledged for the privacy policy
	Channel   string
	// Version is the notice version the customer was shown; 0 means the
	// current one. A choice on an older version is ErrStale.
	Version int
	// RecordedBy is the staff account that recorded a choice the customer
	// made by phone or in a conversation (ChannelSupport); the customer
	// otherwise.
	RecordedBy string
	// IP and UserAgent are kept as evidence, sealed with the customer's key.
	IP, UserAgent string
	// Note is what the staff member wrote about a choice recorded for the
	// customer (RecordForCustomer), kept in the audit entry sealed with
	// the customer's key.
	Note string
}

func (c *Choice) check() error {
	switch {
	case !IsPurpose(c.Purpose):
		return invalid("purpose", "choose one of "+strings.Join(Purposes, ", "))
	case !slices.Contains(Channels, c.Channel):
		return invalid("channel", "choose one of "+strings.Join(Channels, ", "))
	case c.Purpose == PrivacyPolicy && c.Choice != Acknowledged:
		return invalid("choice", "the privacy policy is acknowledged, not consented to")
	case c.Purpose != PrivacyPolicy && c.Choice != Given && c.Choice != Withdrawn:
		return invalid("choice", "choose given or withdrawn")
	case c.Version < 0:
		return invalid("version", "give the notice version that was shown")
	}
	return nil
}

// Choose records a customer's choice, with an audit entry in the same
// transaction, and returns the ledger's latest record of the purpose and
// whether this call added it. A choice that changes nothing (consent given
// again under the same version, a withdrawal of what was not given) adds
// no row. // GDPR 7(1), 7(3)
func (s *Service) Choose(ctx context.Context, c Choice) (*Record, bool, error) {
	if err := c.check(); err != nil {
		return nil, false, fmt.Errorf("consent: %w", err)
	}
	if c.Purpose == Analytics && c.Choice == Given && GPC(ctx) {
		return nil, false, ErrGPC
	}
	if c.RecordedBy == "" {
		c.RecordedBy = c.AccountID
	}
	var out *Record
	var added bool
	err := s.write(ctx, func(tx *db.Tx) error {
		out, added = nil, false
		n, err := s.currentIn(ctx, tx, c.Purpose)
		if err != nil {
			return err
		}
		if c.Version != 0 && c.Version != n.Version {
			return ErrStale
		}
		last, err := s.latestIn(ctx, tx, c.AccountID, c.Purpose)
		if err != nil {
			return err
		}
		switch {
		case last != nil && last.Choice == c.Choice && last.Version == n.Version,
			c.Choice == Withdrawn && (last == nil || last.Choice != Given):
			out = last
			return nil
		}
		out, err = s.append(ctx, tx, c, n, tx.Now())
		added = err == nil
		return err
	})
	return out, added, err
}

// write runs fn in a write transaction, again when a concurrent append of
// the same customer took the sequence number first.
func (s *Service) write(ctx context.Context, fn func(tx *db.Tx) error) error {
	var err error
	for range 3 {
		if err = s.o.DB.Write(ctx, fn); !db.IsUniqueViolation(err) {
			return err
		}
	}
	return err
}

// receiptBody is what a receipt's hash covers, in a fixed order.
type receiptBody struct {
	ID           string `json:"id"`
	AccountID    string `json:"account_id"`
	Seq          int64  `json:"seq"`
	Purpose      string `json:"purpose"`
	Version      int    `json:"notice_version"`
	NoticeDigest string `json:"notice_digest"`
	Choice       string `json:"choice"`
	Channel      string `json:"channel"`
	At           string `json:"recorded_at"`
	Previous     string `json:"previous"`
}

func (b receiptBody) hash() []byte {
	j, _ := json.Marshal(b)
	h := sha256.Sum256(j)
	return h[:]
}

// sign is the service's signature of a receipt's hash: an HMAC under the
// keyring's keyed-hash key, which only the service holds.
func (s *Service) sign(hash []byte) []byte {
	return s.o.Keys.BlindIndex("consent-receipt", hex.EncodeToString(hash))
}

// append writes one record at the end of the customer's chain, and its
// audit entry.
func (s *Service) append(ctx context.Context, tx *db.Tx, c Choice, n *Notice, at time.Time) (*Record, error) {
	var seq int64
	var prev []byte
	err := tx.QueryRow(ctx, `SELECT seq, receipt_hash FROM consent_records WHERE account_id = ? ORDER BY seq DESC LIMIT 1`, c.AccountID).
		Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	r := &Record{ID: newID(), AccountID: c.AccountID, Seq: seq + 1, Purpose: c.Purpose, NoticeID: n.ID, Version: n.Version,
		Choice: c.Choice, Channel: c.Channel, RecordedBy: c.RecordedBy, At: at, Prev: hex.EncodeToString(prev)}
	h := receiptBody{ID: r.ID, AccountID: r.AccountID, Seq: r.Seq, Purpose: r.Purpose, Version: r.Version, NoticeDigest: n.Digest,
		Choice: r.Choice, Channel: r.Channel, At: at.Format(time.RFC3339Nano), Previous: r.Prev}.hash()
	sig := s.sign(h)
	r.Hash, r.Signature = hex.EncodeToString(h), hex.EncodeToString(sig)
	var device []byte
	if c.IP != "" || c.UserAgent != "" {
		key, err := s.o.Keys.DataKey(ctx, tx, subject(c.AccountID))
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(map[string]string{"ip": c.IP, "user_agent": truncate(c.UserAgent, 512)})
		device = key.Seal(b, []byte("consent_records.device:"+r.ID))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO consent_records (id, account_id, seq, purpose, notice_id, version, choice, channel, recorded_by,
		device_sealed, created_at, prev_hash, receipt_hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.AccountID, r.Seq, r.Purpose, r.NoticeID, r.Version, r.Choice, r.Channel, r.RecordedBy, device, at, nullable(prev), h, sig); err != nil {
		return nil, err
	}
	ev := audit.Event{Action: "consent." + r.Choice, Target: "account:" + r.AccountID, Subject: subject(r.AccountID),
		Details: map[string]any{"purpose": r.Purpose, "version": r.Version, "channel": r.Channel, "record": r.ID, "receipt": r.Hash}}
	if c.Note != "" {
		ev.Details["recorded_by"] = r.RecordedBy
		ev.Personal = map[string]any{"note": c.Note}
	}
	if c.Channel == ChannelGPC {
		ev.Actor = &audit.Actor{ID: r.AccountID, Kind: audit.ActorCustomer}
	}
	if err := s.o.Audit.Record(ctx, tx, ev); err != nil {
		return nil, err
	}
	return r, nil
}

func nullable(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

const recordColumns = `id, account_id, seq, purpose, notice_id, version, choice, channel, recorded_by, created_at, prev_hash, receipt_hash, signature`

func scanRecord(r db.Scanner) (*Record, error) {
	var rec Record
	var prev, h, sig []byte
	if err := r.Scan(&rec.ID, &rec.AccountID, &rec.Seq, &rec.Purpose, &rec.NoticeID, &rec.Version, &rec.Choice, &rec.Channel,
		&rec.RecordedBy, &rec.At, &prev, &h, &sig); err != nil {
		return nil, err
	}
	rec.At = rec.At.UTC()
	rec.Prev, rec.Hash, rec.Signature = hex.EncodeToString(prev), hex.EncodeToString(h), hex.EncodeToString(sig)
	return &rec, nil
}

func (s *Service) latestIn(ctx context.Context, tx *db.Tx, accountID, purpose string) (*Record, error) {
	r, err := scanRecord(tx.QueryRow(ctx, `SELECT `+recordColumns+` FROM consent_records WHERE account_id = ? AND purpose = ?
		ORDER BY seq DESC LIMIT 1`, accountID, purpose))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// Has reports whether the customer consents to purpose now: their latest
// choice is a consent, given under a version at least as new as the last
// version that asked everyone again. A request carrying the Global
// Privacy Control signal never has analytics. Features call it before
// they use data for a purpose that needs consent.
func (s *Service) Has(ctx context.Context, accountID, purpose string) (bool, error) {
	var ok bool
	err := s.o.DB.Read(ctx, func(tx *db.Tx) (err error) {
		ok, err = s.HasIn(ctx, tx, accountID, purpose)
		return err
	})
	return ok, err
}

// HasIn is Has inside the caller's transaction.
func (s *Service) HasIn(ctx context.Context, tx *db.Tx, accountID, purpose string) (bool, error) {
	if !IsOptional(purpose) {
		return false, fmt.Errorf("consent: %s is not a purpose that needs consent", purpose)
	}
	if accountID == "" || purpose == Analytics && GPC(ctx) {
		return false, nil
	}
	last, err := s.latestIn(ctx, tx, accountID, purpose)
	if err != nil || last == nil || last.Choice != Given {
		return false, err
	}
	floor, err := s.floorIn(ctx, tx, purpose)
	if err != nil {
		return false, err
	}
	return last.Version >= floor, nil
}

// floorIn is the last version of a purpose's notice that asked everyone
// again (a material change), 0 when none did: choices made under an
// earlier version no longer count.
func (s *Service) floorIn(ctx context.Context, tx *db.Tx, purpose string) (int, error) {
	var floor int
	err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM consent_notices WHERE purpose = ? AND reconsent`, purpose).Scan(&floor)
	return floor, err
}

// HonourGPC records the Global Privacy Control signal of a signed-in
// customer's request as a withdrawal of analytics (channel gpc), when
// their consent stands; it reports whether it added a record.
func (s *Service) HonourGPC(ctx context.Context, accountID, ip, userAgent string) (bool, error) {
	if accountID == "" {
		return false, nil
	}
	var added bool
	err := s.write(ctx, func(tx *db.Tx) error {
		added = false
		last, err := s.latestIn(ctx, tx, accountID, Analytics)
		if err != nil || last == nil || last.Choice != Given {
			return err
		}
		n, err := s.currentIn(ctx, tx, Analytics)
		if err != nil {
			return err
		}
		_, err = s.append(ctx, tx, Choice{AccountID: accountID, Purpose: Analytics, Choice: Withdrawn, Channel: ChannelGPC,
			RecordedBy: accountID, IP: ip, UserAgent: userAgent}, n, tx.Now())
		added = err == nil
		return err
	})
	return added, err
}

// History returns the customer's records, newest first.
func (s *Service) History(ctx context.Context, accountID string) ([]*Record, error) {
	var out []*Record
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+recordColumns+` FROM consent_records WHERE account_id = ? ORDER BY seq DESC`, accountID)
		out, err = db.Collect(rows, err, scanRecord)
		return err
	})
	return out, err
}

// Status is where a customer stands on one purpose.
type Status struct {
	Notice *Notice `json:"-"`
	// Last is the latest record, nil when the customer never chose.
	Last *Record `json:"last,omitempty"`
	// Active: the consent counts now (Has, without the request's GPC).
	Active bool `json:"active"`
	// Outdated: the customer chose under an older version of the notice.
	Outdated bool `json:"outdated"`
	// AskAgain: a version published since the customer's choice changed
	// the notice materially (published with "ask everyone again"), so the
	// customer is asked again: a consent they gave no longer counts until
	// they agree to the new version, and the privacy notice they read is
	// to be read again. A withdrawal or a refusal is not asked again.
	AskAgain bool `json:"ask_again"`
}

// State returns where the customer stands on every purpose, in the order
// of Purposes.
func (s *Service) State(ctx context.Context, accountID string) ([]Status, error) {
	var out []Status
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		out = nil
		for _, p := range Purposes {
			n, err := s.currentIn(ctx, tx, p)
			if err != nil {
				return err
			}
			last, err := s.latestIn(ctx, tx, accountID, p)
			if err != nil {
				return err
			}
			st := Status{Notice: n, Last: last, Outdated: last != nil && last.Version < n.Version}
			if st.Outdated && last.Choice != Withdrawn {
				floor, err := s.floorIn(ctx, tx, p)
				if err != nil {
					return err
				}
				st.AskAgain = last.Version < floor
			}
			if IsOptional(p) {
				if st.Active, err = s.HasIn(withoutGPC(ctx), tx, accountID, p); err != nil {
					return err
				}
			}
			out = append(out, st)
		}
		return nil
	})
	return out, err
}

// withoutGPC hides the request's GPC signal (State reports the ledger).
func withoutGPC(ctx context.Context) context.Context { return context.WithValue(ctx, gpcKey{}, false) }

// Receipt is what a customer can download to prove a choice: the record,
// the notice it was made under, the receipt's hash and the service's
// signature.
type Receipt struct {
	Body      receiptBody `json:"receipt"`
	Hash      string      `json:"hash"`
	Signature string      `json:"signature"`
	Algorithm string      `json:"algorithm"`
}

// ReceiptOf returns the receipt of one of the customer's records; another
// customer's record is ErrNotFound.
func (s *Service) ReceiptOf(ctx context.Context, accountID, recordID string) (*Receipt, error) {
	var out *Receipt
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		r, err := scanRecord(tx.QueryRow(ctx, `SELECT `+recordColumns+` FROM consent_records WHERE id = ? AND account_id = ?`, recordID, accountID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var dg []byte
		if err := tx.QueryRow(ctx, `SELECT digest FROM consent_notices WHERE id = ?`, r.NoticeID).Scan(&dg); err != nil {
			return err
		}
		out = &Receipt{Body: receiptBody{ID: r.ID, AccountID: r.AccountID, Seq: r.Seq, Purpose: r.Purpose, Version: r.Version,
			NoticeDigest: hex.EncodeToString(dg), Choice: r.Choice, Channel: r.Channel, At: r.At.Format(time.RFC3339Nano), Previous: r.Prev},
			Hash: r.Hash, Signature: r.Signature, Algorithm: "hash: SHA-256 of the receipt as JSON; signature: HMAC-SHA-256 by the service"}
		return nil
	})
	return out, err
}

// Verify reports whether a receipt is intact and was signed by this
// service.
func (s *Service) Verify(r *Receipt) bool {
	h := r.Body.hash()
	sig, err := hex.DecodeString(r.Signature)
	return err == nil && hex.EncodeToString(h) == r.Hash && hmac.Equal(sig, s.sign(h))
}

// Errors of CheckReceipt.
var (
	ErrReceiptForged  = errors.New("consent: the receipt was changed after it was issued, or was not signed by this service")
	ErrReceiptUnknown = errors.New("consent: the receipt is signed by this service but its ledger holds no such record")
)

// CheckReceipt verifies a receipt a customer kept: its hash covers what it says,
// the signature is this service's (Verify), and the ledger still holds
// the record, for that customer, with that hash. It returns the record.
func (s *Service) CheckReceipt(ctx context.Context, r *Receipt) (*Record, error) {
	if !s.Verify(r) {
		return nil, ErrReceiptForged
	}
	var out *Record
	err := s.o.DB.Read(ctx, func(tx *db.Tx) error {
		rec, err := scanRecord(tx.QueryRow(ctx, `SELECT `+recordColumns+` FROM consent_records WHERE id = ? AND account_id = ?`,
			r.Body.ID, r.Body.AccountID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrReceiptUnknown
		}
		if err != nil {
			return err
		}
		if rec.Hash != r.Hash {
			return ErrReceiptUnknown
		}
		out = rec
		return nil
	})
	return out, err
}
