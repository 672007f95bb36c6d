package mfa

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
)

// Codes sent by SMS or e-mail: six digits from crypto/rand, valid for the
// policy's ChallengeTTL (10 minutes, 5 in pci), bound to one sign-in
// challenge, re-authentication or enrolment (ASVS 6.6.2), stored as a
// keyed hash. Asking for a new code replaces the old one but not the
// failure count, which lives on the challenge (ASVS 6.6.3). Sending is
// limited per account, per phone number and per source address (SMS
// pumping, ASVS 2.4.1).

// RateLimitedError says how long to wait before asking for another code.
type RateLimitedError = identity.RateLimitedError

// smsTexts are the SMS bodies; the last line lets browsers offer the code
// for autofill (WebOTP) on this host only.
var smsTexts = map[string]string{
	"en": "{code} is your {org} code. It expires in {minutes} min. Never share it, not even with us.",
	"vi": "{code} là mã {org} của bạn, hết hạn sau {minutes} phút. Không chia sẻ mã này với bất kỳ ai, kể cả chúng tôi.",
	"zh": "{code} 是您的 {org} 验证码，{minutes} 分钟内有效。请勿告诉任何人，包括我们。",
}

func (s *Service) smsText(locale, code string) string {
	t, ok := smsTexts[locale]
	if !ok {
		t = smsTexts["en"]
	}
	minutes := strconv.Itoa(int(s.policy.ChallengeTTL / time.Minute))
	body := strings.NewReplacer("{code}", code, "{org}", s.issuer, "{minutes}", minutes).Replace(t)
	if u, err := url.Parse(s.base); err == nil && u.Hostname() != "" {
		body += "\n\n@" + u.Hostname() + " #" + code
	}
	return body
}

func newCode() string {
	for {
		var b [4]byte
		rand.Read(b[:])
		n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		if n < 4_294_000_000 { // reject the biased tail
			return strconv.Itoa(int(n%1_000_000) + 1_000_000)[1:]
		}
	}
}

func (s *Service) codeHash(id, code string) []byte { return s.keys.BlindIndex("mfa-code:"+id, code) }

// delivery is a code to hand over once its transaction commits.
type delivery struct {
	channel string
	to      string // phone number, for SMS
	text    string
	notice  identity.Notice
}

func (s *Service) deliver(ctx context.Context, d *delivery) error {
	if d == nil {
		return nil
	}
	if d.channel == kindEmail {
		s.id.Send(ctx, []identity.Notice{d.notice})
		return nil
	}
	if err := s.sms.SendSMS(ctx, d.to, d.text); err != nil {
		// Fail closed: the code was not delivered, nothing is granted.
		s.log.ErrorContext(ctx, "SMS code not sent", "error", err)
		return ErrNotSent
	}
	return nil
}

// issueCode stores a new code bound to boundTo (replacing the one before)
// after the sending quotas allow it, and prepares its delivery.
func (s *Service) issueCode(ctx context.Context, tx *db.Tx, accountID, boundTo, channel, phone, locale, ip string) (*delivery, error) {
	limits := map[string]int{"otp:account:" + accountID: s.policy.OTPSendsPerAccount}
	if ip != "" {
		limits["otp:ip:"+ip] = s.policy.OTPSendsPerIP
	}
	if phone != "" {
		limits["otp:number:"+strings.TrimPrefix(phone, "+")] = s.policy.OTPSendsPerNumber
	}
	wait, err := identity.Quota(ctx, tx, s.policy.ThrottleWindow, limits)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		err := s.audit.Record(ctx, tx, audit.Event{Action: "mfa.code.throttled", Target: "account:" + accountID, Subject: subject(accountID),
			Outcome: audit.Denied, Details: map[string]any{"channel": channel}})
		if err != nil {
			return nil, err
		}
		return nil, &RateLimitedError{RetryAfter: wait, Reason: "otp"}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM mfa_codes WHERE bound_to = ? AND account_id = ?", boundTo, accountID); err != nil {
		return nil, err
	}
	id, code := newID(), newCode()
	_, err = tx.Exec(ctx, `INSERT INTO mfa_codes (id, bound_to, account_id, channel, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, boundTo, accountID, channel, s.codeHash(id, code), tx.Now(), tx.Now().Add(s.policy.ChallengeTTL))
	if err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, tx, audit.Event{Action: "mfa.code.send", Target: "account:" + accountID, Subject: subject(accountID),
		Details: map[string]any{"channel": channel, "for": strings.SplitN(boundTo, ":", 2)[0]}}); err != nil {
		return nil, err
	}
	d := &delivery{channel: channel, to: phone}
	if channel == kindEmail {
		d.notice, err = s.id.NoticeFor(ctx, tx, accountID, "email_code", identity.NoticeArgs{Code: code, Minutes: int(s.policy.ChallengeTTL / time.Minute)})
		return d, err
	}
	d.text = s.smsText(locale, code)
	return d, nil
}

// checkSent compares code with the latest code sent for boundTo on
// channel. A wrong code counts on the code too; it dies after
// CodeAttempts.
func (s *Service) checkSent(ctx context.Context, tx *db.Tx, accountID, boundTo, channel, code string) error {
	var id string
	var hash []byte
	var expires time.Time
	var used sql.NullTime
	var attempts int
	err := tx.QueryRow(ctx, `SELECT id, code_hash, expires_at, used_at, attempts FROM mfa_codes
		WHERE bound_to = ? AND account_id = ? AND channel = ? ORDER BY created_at DESC LIMIT 1`+tx.ForUpdate(),
		boundTo, accountID, channel).Scan(&id, &hash, &expires, &used, &attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrInvalidCode
	}
	if err != nil {
		return err
	}
	if used.Valid || !tx.Now().Before(expires) || attempts >= s.policy.CodeAttempts {
		return ErrInvalidCode
	}
	code = strings.TrimSpace(code)
	if len(code) != 6 || subtle.ConstantTimeCompare(s.codeHash(id, code), hash) != 1 {
		if _, err := tx.Exec(ctx, "UPDATE mfa_codes SET attempts = attempts + 1 WHERE id = ?", id); err != nil {
			return err
		}
		return ErrInvalidCode
	}
	if _, err := tx.Exec(ctx, "UPDATE mfa_codes SET used_at = ? WHERE id = ?", tx.Now(), id); err != nil {
		return err
	}
	if channel == kindSMS {
		if _, err := tx.Exec(ctx, "UPDATE mfa_factors SET last_used_at = ? WHERE account_id = ? AND kind = 'sms' AND confirmed_at IS NOT NULL", tx.Now(), accountID); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, tx, audit.Event{Action: "mfa." + channel + ".use", Target: "account:" + accountID, Subject: subject(accountID)})
}

// available reports whether codes can go out on channel at all.
func (s *Service) available(channel string) bool {
	switch channel {
	case kindSMS:
		return s.sms != nil
	case kindEmail:
		return s.policy.EmailOTPFactor
	}
	return false
}

// phoneOf returns the verified number of the account's most recently used
// SMS factor.
func (s *Service) phoneOf(ctx context.Context, tx *db.Tx, accountID string) (string, error) {
	var id string
	var sealed []byte
	err := tx.QueryRow(ctx, `SELECT id, secret_sealed FROM mfa_factors WHERE account_id = ? AND kind = 'sms' AND confirmed_at IS NOT NULL
		ORDER BY last_used_at DESC, created_at DESC LIMIT 1`, accountID).Scan(&id, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrUnavailable
	}
	if err != nil {
		return "", err
	}
	phone, err := s.keys.Open(ctx, tx, sealed, seedAAD(id))
	return string(phone), err
}

// SendCode sends a code for a sign-in challenge by SMS (to the account's
// verified phone, ASVS 6.6.1) or e-mail. It reports where it went,
// masked.
// A risk step-up offers an e-mailed code to an account without factors,
// whether or not e-mail codes may be enrolled as a factor.
func (s *Service) SendCode(ctx context.Context, challenge, channel, ip string) (string, error) {
	var d *delivery
	var dest string
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		d, dest = nil, ""
		c, err := s.id.Challenge(ctx, tx, challenge)
		if err != nil {
			return err
		}
		methods := c.Offered
		if methods == nil {
			if !s.available(channel) {
				return ErrUnavailable
			}
			if methods, err = s.Methods(ctx, tx, c.AccountID); err != nil {
				return err
			}
		} else if channel == kindSMS && !s.available(channel) {
			return ErrUnavailable
		}
		if !contains(methods, channel) {
			return ErrUnavailable
		}
		d, dest, err = s.codeFor(ctx, tx, c.AccountID, c.ID, channel, c.Locale, ip)
		return err
	})
	if err != nil {
		return "", err
	}
	return dest, s.deliver(ctx, d)
}

// SendReauthCode sends a code to confirm the principal again before a
// sensitive change.
func (s *Service) SendReauthCode(ctx context.Context, p *identity.Principal, channel, ip string) (string, error) {
	if !s.available(channel) {
		return "", ErrUnavailable
	}
	var d *delivery
	var dest string
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		d, dest = nil, ""
		methods, err := s.Methods(ctx, tx, p.AccountID)
		if err != nil {
			return err
		}
		if !contains(methods, channel) {
			return ErrUnavailable
		}
		d, dest, err = s.codeFor(ctx, tx, p.AccountID, "reauth:"+p.Session.ID, channel, p.Locale, ip)
		return err
	})
	if err != nil {
		return "", err
	}
	return dest, s.deliver(ctx, d)
}

func (s *Service) codeFor(ctx context.Context, tx *db.Tx, accountID, boundTo, channel, locale, ip string) (*delivery, string, error) {
	phone, dest := "", "e-mail"
	if channel == kindSMS {
		var err error
		if phone, err = s.phoneOf(ctx, tx, accountID); err != nil {
			return nil, "", err
		}
		dest = identity.MaskPhone(phone)
	}
	d, err := s.issueCode(ctx, tx, accountID, boundTo, channel, phone, locale, ip)
	return d, dest, err
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// StartPhone begins adding a phone for SMS codes: it sends a code to the
// number, which ConfirmSent checks. It needs a recent sign-in.
func (s *Service) StartPhone(ctx context.Context, p *identity.Principal, phone, ip string) (string, error) {
	if !s.available(kindSMS) {
		return "", ErrUnavailable
	}
	phone, err := identity.NormalizePhone(phone)
	if err != nil {
		return "", err
	}
	if phone == "" {
		return "", &identity.FieldError{Field: "phone", Code: "required", Message: "Enter the phone number to send codes to."}
	}
	return s.startSent(ctx, p, kindSMS, phone, ip)
}

// StartEmailCodes begins adding e-mail codes as a second factor, where
// the configuration allows it.
func (s *Service) StartEmailCodes(ctx context.Context, p *identity.Principal, ip string) (string, error) {
	if !s.available(kindEmail) {
		return "", ErrUnavailable
	}
	return s.startSent(ctx, p, kindEmail, "", ip)
}

func (s *Service) startSent(ctx context.Context, p *identity.Principal, channel, phone, ip string) (string, error) {
	if err := s.id.RequireFresh(p); err != nil {
		return "", err
	}
	var d *delivery
	factorID := newID()
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM mfa_factors WHERE account_id = ? AND kind IN ('sms', 'email') AND confirmed_at IS NULL", p.AccountID); err != nil {
			return err
		}
		var sealed []byte
		name := "E-mail codes"
		if channel == kindSMS {
			dk, err := s.keys.DataKey(ctx, tx, subject(p.AccountID))
			if err != nil {
				return err
			}
			sealed, name = dk.Seal([]byte(phone), seedAAD(factorID)), "Phone "+identity.MaskPhone(phone)
		}
		_, err := tx.Exec(ctx, `INSERT INTO mfa_factors (id, account_id, kind, name, secret_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			factorID, p.AccountID, channel, name, sealed, tx.Now())
		if err != nil {
			return err
		}
		d, err = s.issueCode(ctx, tx, p.AccountID, "enrol:"+factorID, channel, phone, p.Locale, ip)
		return err
	})
	if err != nil {
		return "", err
	}
	return factorID, s.deliver(ctx, d)
}

// ConfirmSent completes a phone or e-mail-code enrolment with the code
// sent. It returns recovery codes when the account had none.
func (s *Service) ConfirmSent(ctx context.Context, p *identity.Principal, code, name string) ([]string, error) {
	var codes []string
	var notices []identity.Notice
	var bad bool
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		codes, notices, bad = nil, nil, false
		var id, kind, defName string
		err := tx.QueryRow(ctx, `SELECT id, kind, name FROM mfa_factors WHERE account_id = ? AND kind IN ('sms', 'email') AND confirmed_at IS NULL
			ORDER BY created_at DESC LIMIT 1`+tx.ForUpdate(), p.AccountID).Scan(&id, &kind, &defName)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoEnrolment
		}
		if err != nil {
			return err
		}
		if err := s.checkSent(ctx, tx, p.AccountID, "enrol:"+id, kind, code); errors.Is(err, ErrInvalidCode) {
			bad = true
			return nil
		} else if err != nil {
			return err
		}
		if name == "" {
			name = defName
		}
		if name, err = factorName(name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE mfa_factors SET name = ?, confirmed_at = ?, last_used_at = ? WHERE id = ?", name, tx.Now(), tx.Now(), id); err != nil {
			return err
		}
		codes, notices, err = s.enrolled(ctx, tx, p, id, kind, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if bad {
		return nil, ErrInvalidCode
	}
	s.id.Send(ctx, notices)
	return codes, nil
}
