package consent

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Signup is what a sign-up form chose: the optional purposes ticked (none
// by default) and the notice versions that were shown.
type Signup struct {
	Given    []string       `json:"given"`
	Versions map[string]int `json:"versions"`
	Channel  string         `json:"channel"`
	// GPC: the browser sent the Global Privacy Control signal; analytics
	// cannot be ticked then, and the objection is recorded.
	GPC           bool   `json:"gpc"`
	IP, UserAgent string `json:"-"`
}

// Check validates the choices before the registration is attempted, so
// that a refused form changes nothing: known optional purposes, each
// once, versions that are the current ones.
func (s *Service) Check(ctx context.Context, c *Signup) error {
	if c.Channel == "" {
		c.Channel = ChannelPortal
	}
	if c.Channel != ChannelPortal && c.Channel != ChannelAPI {
		return fmt.Errorf("consent: %w", invalid("channel", "portal or api"))
	}
	for i, p := range c.Given {
		if !IsOptional(p) || slices.Contains(c.Given[:i], p) {
			return fmt.Errorf("consent: %w", invalid("consent", "choose among "+fmt.Sprint(Optional)))
		}
		if p == Analytics && c.GPC {
			return ErrGPC
		}
	}
	cur, err := s.Current(ctx)
	if err != nil {
		return err
	}
	if c.Versions == nil {
		c.Versions = map[string]int{}
	}
	for _, n := range cur {
		v, shown := c.Versions[n.Purpose]
		switch {
		case !shown || v == 0:
			c.Versions[n.Purpose] = n.Version
		case v != n.Version:
			return ErrStale
		}
	}
	for p := range c.Versions {
		if !IsPurpose(p) {
			return fmt.Errorf("consent: %w", invalid("consent", "unknown purpose "+p))
		}
	}
	return nil
}

// Pend returns the hook identity runs in a registration attempt's
// transaction: the choices wait with that attempt until it is verified
// (Apply), so another attempt at the same address never speaks for the
// account. c must have passed Check.
func (s *Service) Pend(c Signup) func(ctx context.Context, tx *db.Tx, accountID, registrationID string) error {
	return func(ctx context.Context, tx *db.Tx, accountID, registrationID string) error {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		var device []byte
		if c.IP != "" || c.UserAgent != "" {
			key, err := s.o.Keys.DataKey(ctx, tx, subject(accountID))
			if err != nil {
				return err
			}
			d, _ := json.Marshal(map[string]string{"ip": c.IP, "user_agent": truncate(c.UserAgent, 512)})
			device = key.Seal(d, []byte("consent_signups.device:"+registrationID))
		}
		_, err = tx.Exec(ctx, `INSERT INTO consent_signups (registration_id, account_id, choices, device_sealed, created_at) VALUES (?, ?, ?, ?, ?)`,
			registrationID, accountID, string(b), device, tx.Now())
		return err
	}
}

// Apply is the hook identity runs when a registration attempt is
// verified, in that transaction: the attempt's choices enter the ledger,
// dated when they were made, under the versions that were shown.
func (s *Service) Apply(ctx context.Context, tx *db.Tx, accountID, registrationID string) error {
	var raw string
	var device []byte
	var at time.Time
	err := tx.QueryRow(ctx, `SELECT choices, device_sealed, created_at FROM consent_signups WHERE registration_id = ? AND account_id = ?`,
		registrationID, accountID).Scan(&raw, &device, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // registered without the form (the API, an import)
	}
	if err != nil {
		return err
	}
	var c Signup
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return fmt.Errorf("consent: sign-up choices: %w", err)
	}
	if device != nil {
		key, err := s.o.Keys.DataKey(ctx, tx, subject(accountID))
		if err != nil {
			return err
		}
		if pt, err := key.Open(device, []byte("consent_signups.device:"+registrationID)); err == nil {
			var d map[string]string
			if json.Unmarshal(pt, &d) == nil {
				c.IP, c.UserAgent = d["ip"], d["user_agent"]
			}
		}
	}
	add := func(purpose, choice, channel string) error {
		n, err := s.versionIn(ctx, tx, purpose, c.Versions[purpose])
		if err != nil {
			return err
		}
		_, err = s.append(ctx, tx, Choice{AccountID: accountID, Purpose: purpose, Choice: choice, Channel: channel,
			RecordedBy: accountID, IP: c.IP, UserAgent: c.UserAgent}, n, at)
		return err
	}
	if err := add(PrivacyPolicy, Acknowledged, c.Channel); err != nil {
		return err
	}
	for _, p := range Optional {
		if slices.Contains(c.Given, p) {
			if err := add(p, Given, c.Channel); err != nil {
				return err
			}
		}
	}
	if c.GPC {
		if err := add(Analytics, Withdrawn, ChannelGPC); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `DELETE FROM consent_signups WHERE account_id = ?`, accountID)
	return err
}

// versionIn returns one version of a purpose's notice (the current one for
// version 0).
func (s *Service) versionIn(ctx context.Context, tx *db.Tx, purpose string, version int) (*Notice, error) {
	if version == 0 {
		return s.currentIn(ctx, tx, purpose)
	}
	n, err := scanNotice(tx.QueryRow(ctx, `SELECT `+noticeColumns+` FROM consent_notices WHERE purpose = ? AND version = ?`, purpose, version))
	if errors.Is(err, sql.ErrNoRows) {
		return s.currentIn(ctx, tx, purpose)
	}
	return n, err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
