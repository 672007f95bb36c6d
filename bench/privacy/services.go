package main

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/frontdesk/frontdesk/internal/app"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/support"
)

// services are the product's own services on the bench's database, built
// as the server builds them (internal/app/system.go) minus what the
// measured paths do not use: the support desk seeds conversations and
// uploads, the privacy service exports and erases. Recording archives are
// not configured (no remote-assistance participant), so erasure has no
// archive files to delete, as in a deployment without recordings.
type services struct {
	db      *db.DB
	keys    *keyring.Keyring
	id      *identity.Service
	desk    *support.Service
	privacy *privacy.Service
}

// eraseBatch and eraseYield set privacy.Options.EraseBatch and EraseYield
// (0: the service's defaults).
func openServices(ctx context.Context, cfg app.Config, eraseBatch int, eraseYield float64) (*services, error) {
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	s := &services{db: d}
	if s.keys, err = keyring.New(ctx, d, keyring.Options{MasterKeyFile: cfg.MasterKeyFile}); err != nil {
		d.Close()
		return nil, err
	}
	signer, err := audit.LoadSigner(cfg.AuditSigningKeyFile)
	if err != nil {
		d.Close()
		return nil, err
	}
	log := audit.New(s.keys, signer, audit.Options{})
	mail, err := notify.NewMailer(notify.Config{From: cfg.MailFrom, OutboxDir: filepath.Join(cfg.DataDir, "outbox"),
		SupportURL: cfg.BaseURL + "/contact"}, nil)
	if err != nil {
		d.Close()
		return nil, err
	}
	policy, err := identity.PolicyByName(cfg.PolicyProfile)
	if err != nil {
		d.Close()
		return nil, err
	}
	s.id = identity.New(identity.Options{DB: d, Keys: s.keys, Audit: log, Mail: mail, Policy: policy, BaseURL: cfg.BaseURL, OrgName: cfg.OrgName})
	s.desk = support.New(support.Options{DB: d, Keys: s.keys, Audit: log, BaseURL: cfg.BaseURL, Org: cfg.OrgName})
	reg, err := app.Registry()
	if err != nil {
		d.Close()
		return nil, err
	}
	s.privacy = privacy.New(privacy.Options{DB: d, Keys: s.keys, Audit: log, Registry: reg, Accounts: s.id, DataDir: cfg.DataDir,
		BaseURL: cfg.BaseURL, EraseBatch: eraseBatch, EraseYield: eraseYield})
	return s, nil
}

func (s *services) close() error {
	s.privacy.Wait()
	s.id.WaitMail()
	return errors.Join(s.db.Close())
}

// accountID is the id of the account with that e-mail address.
func (s *services) accountID(ctx context.Context, email string) (string, error) {
	var id string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		a, err := s.id.FindByEmail(ctx, tx, email)
		if err == nil {
			id = a.ID
		}
		return err
	})
	return id, err
}
