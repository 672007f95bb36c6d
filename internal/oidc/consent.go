package oidc

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

// NeedsConsent reports whether the customer must be asked before the
// client gets scopes: never for a first-party client, otherwise unless an
// earlier consent covers every scope.
func (s *Service) NeedsConsent(ctx context.Context, accountID string, c *Client, scopes []string) (bool, error) {
	if c.FirstParty {
		return false, nil
	}
	var granted string
	err := s.db.QueryRowOnce(ctx, "SELECT scopes FROM oidc_consents WHERE account_id = ? AND client_id = ?", accountID, c.ID).Scan(&granted)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	have := strings.Fields(granted)
	for _, sc := range scopes {
		if !slices.Contains(have, sc) {
			return true, nil
		}
	}
	return false, nil
}

// GrantConsent remembers that the customer let the client have scopes
// (added to what it had).
func (s *Service) GrantConsent(ctx context.Context, accountID, clientID string, scopes []string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		var granted string
		err := tx.QueryRow(ctx, "SELECT scopes FROM oidc_consents WHERE account_id = ? AND client_id = ?", accountID, clientID).Scan(&granted)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		all := strings.Fields(granted)
		for _, sc := range scopes {
			if !slices.Contains(all, sc) {
				all = append(all, sc)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO oidc_consents (account_id, client_id, scopes, granted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at`,
			accountID, clientID, strings.Join(all, " "), tx.Now())
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.consent.grant", Target: "oidc_client:" + clientID, Subject: subject(accountID),
			Details: map[string]any{"scopes": all}})
	})
}

// App is a client with access to a customer's account, for the account
// page.
type App struct {
	ClientID  string
	Name      string
	LogoURL   string
	Scopes    []string
	GrantedAt time.Time
}

// Apps lists the clients that hold the customer's consent or a live
// token, by name.
func (s *Service) Apps(ctx context.Context, accountID string) ([]App, error) {
	var out []App
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.id, c.name, c.logo_url, k.scopes, k.granted_at FROM oidc_consents k
			JOIN oidc_clients c ON c.id = k.client_id WHERE k.account_id = ?`, accountID)
		out, err = db.Collect(rows, err, func(r db.Scanner) (a App, err error) {
			var scopes string
			err = r.Scan(&a.ClientID, &a.Name, &a.LogoURL, &scopes, &a.GrantedAt)
			a.Scopes, a.GrantedAt = strings.Fields(scopes), a.GrantedAt.UTC()
			return a, err
		})
		if err != nil {
			return err
		}
		// Clients without a consent (first-party ones) that hold live tokens.
		rows, err = tx.Query(ctx, `SELECT c.id, c.name, c.logo_url, t.scopes, t.created_at FROM oidc_tokens t
			JOIN oidc_clients c ON c.id = t.client_id
			WHERE t.account_id = ? AND t.revoked_at IS NULL AND t.expires_at > ? ORDER BY t.created_at`, accountID, tx.Now())
		live, err := db.Collect(rows, err, func(r db.Scanner) (a App, err error) {
			var scopes string
			err = r.Scan(&a.ClientID, &a.Name, &a.LogoURL, &scopes, &a.GrantedAt)
			a.Scopes, a.GrantedAt = strings.Fields(scopes), a.GrantedAt.UTC()
			return a, err
		})
		if err != nil {
			return err
		}
		for _, a := range live {
			if !slices.ContainsFunc(out, func(b App) bool { return b.ClientID == a.ClientID }) {
				out = append(out, a)
			}
		}
		slices.SortFunc(out, func(a, b App) int { return strings.Compare(a.Name+a.ClientID, b.Name+b.ClientID) })
		return nil
	})
	return out, err
}

// RevokeApp withdraws a client's access to the customer's account: the
// consent is forgotten and every token it holds is revoked.
func (s *Service) RevokeApp(ctx context.Context, accountID, clientID string) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM oidc_consents WHERE account_id = ? AND client_id = ?", accountID, clientID)
		if err != nil {
			return err
		}
		consents, _ := res.RowsAffected()
		tokens, err := s.revokeWhere(ctx, tx, "account_id = ? AND client_id = ?", accountID, clientID)
		if err != nil {
			return err
		}
		if consents == 0 && tokens == 0 {
			return ErrClientNotFound
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.consent.revoke", Target: "oidc_client:" + clientID, Subject: subject(accountID),
			Details: map[string]any{"tokens_revoked": tokens}})
	})
}
