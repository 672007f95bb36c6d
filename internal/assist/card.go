package assist

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// Profile is what an agent's identity card shows beyond the desk's
// display name.
type Profile struct {
	AccountID   string `json:"account_id"`
	StaffNumber string `json:"staff_number"`
	Department  string `json:"department"`
	// Photo is an https URL, a path on this server ("/…"), or a data: URL
	// of a PNG, JPEG or WebP picture of at most 96 KiB.
	Photo string `json:"photo,omitempty"`
}

var staffNumberRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$`)

// MaxPhotoDataURL bounds a photo given inline.
const MaxPhotoDataURL = 96 << 10

func checkProfile(p *Profile) error {
	p.StaffNumber, p.Department, p.Photo = strings.TrimSpace(p.StaffNumber), strings.TrimSpace(p.Department), strings.TrimSpace(p.Photo)
	if !staffNumberRe.MatchString(p.StaffNumber) {
		return invalid("staff_number", "1 to 32 letters, digits, . _ / or -")
	}
	if p.Department == "" || utf8.RuneCountInString(p.Department) > 80 || !utf8.ValidString(p.Department) || strings.ContainsAny(p.Department, "\r\n") {
		return invalid("department", "1 to 80 characters on one line")
	}
	return checkPhoto(p.Photo)
}

func checkPhoto(photo string) error {
	switch {
	case photo == "":
		return nil
	case strings.HasPrefix(photo, "data:"):
		for _, prefix := range []string{"data:image/png;base64,", "data:image/jpeg;base64,", "data:image/webp;base64,"} {
			if rest, ok := strings.CutPrefix(photo, prefix); ok {
				if len(photo) > MaxPhotoDataURL {
					return invalid("photo", "an inline picture of at most 96 KiB")
				}
				if _, err := base64.StdEncoding.DecodeString(rest); err != nil {
					return invalid("photo", "the picture is not valid base64")
				}
				return nil
			}
		}
		return invalid("photo", "a PNG, JPEG or WebP picture")
	case strings.HasPrefix(photo, "/") && !strings.HasPrefix(photo, "//"):
		if len(photo) > 500 || strings.ContainsAny(photo, "\\\"'<> \r\n") {
			return invalid("photo", "a plain path on this server")
		}
		return nil
	}
	u, err := url.Parse(photo)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(photo) > 500 {
		return invalid("photo", "an https URL, a path on this server or an inline picture")
	}
	return nil
}

// SaveProfile sets an agent's staff number, department and photo. Staff
// only: the web layer checks staff:manage (or the agent's own profile).
func (s *Service) SaveProfile(ctx context.Context, p Profile) error {
	if err := checkProfile(&p); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO assist_agent_profiles (account_id, staff_number, department, photo, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET staff_number = excluded.staff_number, department = excluded.department,
			photo = excluded.photo, updated_at = excluded.updated_at`, p.AccountID, p.StaffNumber, p.Department, p.Photo, tx.Now())
		if db.IsForeignKeyViolation(err) {
			return invalid("account_id", "not an account")
		}
		if err != nil {
			return err
		}
		return s.o.Audit.Record(ctx, tx, audit.Event{Action: "assist.profile_save", Target: "account:" + p.AccountID,
			Details: map[string]any{"staff_number": p.StaffNumber, "department": p.Department, "photo": p.Photo != ""}})
	})
}

// ProfileOf returns an agent's profile, or ErrNoProfile.
func (s *Service) ProfileOf(ctx context.Context, accountID string) (*Profile, error) {
	var p *Profile
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var err error
		p, err = s.profile(ctx, tx, accountID)
		return err
	})
	return p, err
}

func (s *Service) profile(ctx context.Context, tx *db.Tx, accountID string) (*Profile, error) {
	p := Profile{AccountID: accountID}
	err := tx.QueryRow(ctx, "SELECT staff_number, department, photo FROM assist_agent_profiles WHERE account_id = ?", accountID).
		Scan(&p.StaffNumber, &p.Department, &p.Photo)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoProfile
	}
	return &p, err
}

// Card is an agent's identity card for one session, as the customer sees
// it before consenting.
type Card struct {
	Version     int       `json:"v"`
	SessionID   string    `json:"session_id"`
	AgentID     string    `json:"agent_id"`
	Name        string    `json:"name"`
	StaffNumber string    `json:"staff_number"`
	Department  string    `json:"department"`
	Photo       string    `json:"photo,omitempty"`
	IssuedAt    time.Time `json:"issued_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// SignedCard is a card with the server's signature: HMAC-SHA-256 under a
// key derived from the keyring (the blind-index key with its own purpose),
// over the card's JSON encoding. The card names its session, so a card
// cannot be shown for another session, and expires with it.
type SignedCard struct {
	Card      Card   `json:"card"`
	Signature string `json:"signature"` // base64url, no padding
}

const cardPurpose = "assist-card-v1"

func (s *Service) cardMAC(c Card) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return s.keys.BlindIndex(cardPurpose, string(b)), nil
}

func (s *Service) signCard(c Card) (SignedCard, error) {
	mac, err := s.cardMAC(c)
	if err != nil {
		return SignedCard{}, err
	}
	return SignedCard{Card: c, Signature: base64.RawURLEncoding.EncodeToString(mac)}, nil
}

// VerifyCard checks a card's signature and that it has not expired; the
// portal and the widget show a card only after it verifies.
func (s *Service) VerifyCard(sc SignedCard) error {
	if !s.signatureValid(sc) {
		return ErrBadCard
	}
	if !s.now().Before(sc.Card.ExpiresAt) {
		return fmt.Errorf("%w: expired", ErrBadCard)
	}
	return nil
}

func (s *Service) signatureValid(sc SignedCard) bool {
	got, err := base64.RawURLEncoding.DecodeString(sc.Signature)
	if err != nil {
		return false
	}
	want, err := s.cardMAC(sc.Card)
	return err == nil && hmac.Equal(got, want)
}

// The verification code: six digits both sides read out to each other. It
// is never stored: it is derived from the session id and a random salt
// with a keyed HMAC, and only its keyed hash is kept, for CheckCode.
const (
	codeDerivePurpose = "assist-code-v1"
	codeHashPurpose   = "assist-code-hash-v1"
)

func newSalt() []byte {
	b := make([]byte, 16)
	rand.Read(b)
	return b
}

func (s *Service) deriveCode(sessionID string, salt []byte) string {
	mac := s.keys.BlindIndex(codeDerivePurpose, sessionID+"\x00"+string(salt))
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(mac[:8])%1_000_000)
}

func (s *Service) codeHash(sessionID, code string) []byte {
	return s.keys.BlindIndex(codeHashPurpose, sessionID+"\x00"+code)
}
