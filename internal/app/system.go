package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"time"

	"github.com/frontdesk/frontdesk/internal/access"
	"github.com/frontdesk/frontdesk/internal/assist"
	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/automation"
	"github.com/frontdesk/frontdesk/internal/bus"
	"github.com/frontdesk/frontdesk/internal/consent"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/kb"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/mfa"
	"github.com/frontdesk/frontdesk/internal/notify"
	"github.com/frontdesk/frontdesk/internal/oidc"
	"github.com/frontdesk/frontdesk/internal/password"
	"github.com/frontdesk/frontdesk/internal/privacy"
	"github.com/frontdesk/frontdesk/internal/risk"
	"github.com/frontdesk/frontdesk/internal/support"
)

// system is the set of shared services every command works with.
type system struct {
	cfg     Config
	log     *slog.Logger
	db      *db.DB
	keys    *keyring.Keyring
	signer  *audit.Signer
	audit   *audit.Log
	mail    *notify.Mailer
	id      *identity.Service
	mfa     *mfa.Service
	access  *access.Service
	apiKeys *automation.Service
	desk    *support.Service
	kb      *kb.Service
	assist  *assist.Service
	oidc    *oidc.Service
	privacy *privacy.Service
	consent *consent.Service
	risk    *risk.Engine // sign-in risk (when --risk-engine) and staff monitoring
	bus     bus.Bus

	migratedFrom, migratedTo int // set when this process changed the schema
}

// openMode says how a command treats the schema.
type openMode int

const (
	// needCurrent refuses an outdated PostgreSQL schema; SQLite migrates itself.
	needCurrent openMode = iota
	// migrateAlways applies migrations on either database.
	migrateAlways
)

// openSystem connects to the database, brings or checks the schema, and
// loads the keys.
func openSystem(ctx context.Context, cfg Config, log *slog.Logger, mode openMode) (*system, error) {
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Clock: cfg.clock})
	if err != nil {
		return nil, err
	}
	s := &system{cfg: cfg, log: log, db: d}
	if err := s.prepareSchema(ctx, mode); err != nil {
		d.Close()
		return nil, err
	}
	s.keys, err = keyring.New(ctx, d, keyring.Options{
		MasterKeyFile: cfg.MasterKeyFile,
		Create:        cfg.MasterKeyFile == filepath.Join(cfg.DataDir, "keys", "master.key"),
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	s.signer, err = audit.LoadSigner(cfg.AuditSigningKeyFile)
	if err != nil {
		d.Close()
		return nil, err
	}
	s.mail, err = newMailer(cfg, log)
	if err != nil {
		d.Close()
		return nil, err
	}
	s.audit = audit.New(s.keys, s.signer, audit.Options{CheckpointEvery: cfg.AuditCheckpointEvery})
	policy, err := identity.PolicyByName(cfg.PolicyProfile)
	if err != nil {
		d.Close()
		return nil, err
	}
	params, strong := cfg.argon2Params()
	if !strong {
		log.Warn("Argon2id parameters are below the OWASP minimum (19MiB with 2 passes); use them for tests only",
			"memory_kib", params.Memory, "time", params.Time)
	}
	if cfg.CustomerMFA != "" {
		policy.CustomerMFA = cfg.CustomerMFA
	}
	policy.EmailOTPFactor = cfg.EmailOTPFactor
	policy.RecoveryCoolOff = cfg.RecoveryCoolOff
	s.id = identity.New(identity.Options{DB: d, Keys: s.keys, Audit: s.audit, Mail: s.mail, Policy: policy,
		Hasher: password.NewHasher(password.HasherOptions{Params: params, MemoryBudget: cfg.HashMemoryBudget,
			MaxConcurrent: runtime.GOMAXPROCS(0)}),
		BaseURL: cfg.BaseURL, OrgName: cfg.OrgName, Logger: log})
	sms, err := notify.NewSMS(notify.SMSConfig{Provider: cfg.SMSProvider, OutboxDir: filepath.Join(cfg.DataDir, "outbox"),
		URL: cfg.SMSURL, AccountSID: cfg.SMSAccountSID, AuthToken: cfg.SMSAuthToken, From: cfg.SMSFrom})
	if err != nil {
		d.Close()
		return nil, err
	}
	s.mfa, err = mfa.New(mfa.Options{DB: d, Keys: s.keys, Audit: s.audit, Identity: s.id, SMS: sms, Issuer: cfg.OrgName,
		BaseURL: cfg.BaseURL, Logger: log})
	if err != nil {
		d.Close()
		return nil, err
	}
	s.access = access.New(d, s.audit)
	s.apiKeys = automation.New(d, s.audit, s.access, automation.Options{Rate: cfg.APIKeyRate})
	if s.risk, err = newRiskEngine(cfg, log, d, s.keys, s.audit, s.mail); err != nil {
		d.Close()
		return nil, err
	}
	if cfg.RiskEngine {
		s.id.SetRisk(s.risk)
	}
	// Staff monitoring watches the audit trail whatever the sign-in switch.
	s.audit.Observe(s.risk.Observe)
	s.access.SetRevealGuard(s.risk)
	if cfg.NATSURL != "" {
		n, err := bus.ConnectNATS(bus.NATSConfig{URL: cfg.NATSURL, Name: "frontdesk", Prefix: cfg.NATSPrefix, Logger: log})
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("live updates: %w", err)
		}
		s.bus = n
	} else {
		s.bus = bus.NewLocal()
	}
	var bridge *support.WebhookSender
	if cfg.MessagingOutboundURL != "" {
		if len(cfg.MessagingSecrets) == 0 {
			d.Close()
			return nil, errors.New("configuration: --messaging-outbound-url needs --messaging-secrets to sign with")
		}
		if bridge, err = support.NewWebhookSender(cfg.MessagingOutboundURL, cfg.MessagingSecrets[0]); err != nil {
			d.Close()
			return nil, err
		}
	}
	s.consent = consent.New(consent.Options{DB: d, Keys: s.keys, Audit: s.audit, Logger: log})
	if err := s.consent.Seed(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("consent notices: %w", err)
	}
	s.id.SetVerified(s.consent.Apply)
	s.kb = kb.New(d, s.audit, log)
	s.desk = support.New(support.Options{DB: d, Keys: s.keys, Audit: s.audit, Bus: s.bus, Mail: s.mail, Messaging: bridge, Bot: support.KBBot(s.kb), BaseURL: cfg.BaseURL, Org: cfg.OrgName, SupportEmail: cfg.SupportEmail,
		FollowUpAfter: cfg.SupportFollowUp, Logger: log})
	s.assist = assist.New(assist.Options{DB: d, Keys: s.keys, Audit: s.audit, Bus: s.bus, Desk: s.desk, Permissions: s.access, Accounts: s.id, Consents: s.consent, Logger: log,
		MaxDuration: cfg.AssistMaxDuration, IdleTimeout: cfg.AssistIdleTimeout, Recording: cfg.AssistRecording, DefaultPlan: cfg.AssistDefaultPlan,
		Retention: cfg.AssistRetention, ArchiveDir: cfg.AssistArchiveDir})
	s.oidc = oidc.New(oidc.Options{DB: d, Keys: s.keys, Audit: s.audit, Accounts: s.id, Issuer: cfg.BaseURL, Logger: log,
		SigningAlg: cfg.OIDCSigningAlg, JWKSAllowLoopback: cfg.OIDCJWKSAllowLoopback})
	registry, err := Registry()
	if err != nil {
		d.Close()
		return nil, err
	}
	s.privacy = privacy.New(privacy.Options{DB: d, Keys: s.keys, Audit: s.audit, Registry: registry, Accounts: s.id,
		Participants: []privacy.Participant{s.assist}, DataDir: cfg.DataDir, BaseURL: cfg.BaseURL,
		CoolOff: time.Duration(cfg.ClosureCoolOffDays) * 24 * time.Hour, ExportTTL: time.Duration(cfg.ExportTTLDays) * 24 * time.Hour,
		Retention: retentionConfig(cfg), Logger: log, Mail: s.mail, Staff: s.access, Regime: cfg.PrivacyRegime, NoticeRate: cfg.IncidentNoticeRate,
		Org: cfg.OrgName, Contact: cfg.PrivacyContact, RecordSettings: recordSettings(cfg, registry)})
	if s.migratedTo != 0 {
		err := s.record(ctx, audit.Event{Action: "schema.migrate", Target: "database",
			Details: map[string]any{"from": s.migratedFrom, "to": s.migratedTo, "dialect": d.Dialect().String()}})
		if err != nil {
			d.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *system) prepareSchema(ctx context.Context, mode openMode) error {
	if mode == migrateAlways || s.db.Dialect() == db.SQLite || s.cfg.Migrate {
		return s.migrate(ctx)
	}
	err := s.db.CheckSchema(ctx)
	if errors.Is(err, db.ErrSchemaOutdated) {
		return fmt.Errorf("%w; run 'frontdesk migrate' first, or start with --migrate", err)
	}
	return err
}

func (s *system) migrate(ctx context.Context) error {
	from, _, err := s.db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	err = s.db.Migrate(ctx, func(m db.Migration) {
		s.log.Info("migration applied", "version", m.Version, "name", m.Name, "database", s.db.Dialect().String())
	})
	if err != nil {
		return err
	}
	to, _, err := s.db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if to != from {
		// Audited in openSystem once the keys are loaded.
		s.migratedFrom, s.migratedTo = from, to
	}
	return nil
}

// close seals this node's recording buffers, waits for queued e-mails and
// releases the database.
func (s *system) close() error {
	if err := s.assist.Flush(context.Background(), true); err != nil {
		s.log.Error("remote-assistance recordings not flushed", "error", err.Error())
	}
	s.privacy.Wait()
	s.id.WaitMail()
	s.desk.WaitMail()
	if s.bus != nil {
		if err := s.bus.Close(); err != nil {
			s.log.Warn("closing the live-update bus", "error", err.Error())
		}
	}
	return s.db.Close()
}

// record appends one audit entry in a transaction of its own, for events
// that change nothing else (start, stop, a CLI job).
func (s *system) record(ctx context.Context, ev audit.Event) error {
	return s.db.Write(ctx, func(tx *db.Tx) error { return s.audit.Record(ctx, tx, ev) })
}
