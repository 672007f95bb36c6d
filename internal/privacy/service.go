package privacy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/fault"
	"github.com/frontdesk/frontdesk/internal/identity"
	"github.com/frontdesk/frontdesk/internal/keyring"
	"github.com/frontdesk/frontdesk/internal/notify"
)

// Errors for expected outcomes.
var (
	ErrNotFound      = fault.New(fault.ErrNotFound, "privacy: not found")
	ErrNotReady      = errors.New("privacy: the export is not ready")
	ErrGone          = errors.New("privacy: the export was downloaded already or has expired")
	ErrExportRunning = errors.New("privacy: an export is already being prepared")
	ErrClosing       = errors.New("privacy: the account is already closing")
	ErrNotClosing    = errors.New("privacy: the account is not closing")
	ErrStaffAccount  = errors.New("privacy: staff accounts are closed by an administrator")
)

// Accounts is what privacy needs of identity: the account behind an id or
// an e-mail address, and notices to its owner.
type Accounts interface {
	AccountIn(ctx context.Context, tx *db.Tx, id string) (*identity.Account, error)
	FindByEmail(ctx context.Context, tx *db.Tx, email string) (*identity.Account, error)
	NoticeFor(ctx context.Context, tx *db.Tx, accountID, kind string, args identity.NoticeArgs) (identity.Notice, error)
	Send(ctx context.Context, ns []identity.Notice)
}

// Participant is a feature package's part in export and erasure beyond its
// declared rows: files it keeps outside the database (recording archives).
type Participant interface {
	// ExportFiles adds the customer's files to the export under names of
	// its choosing (a relative slash path).
	ExportFiles(ctx context.Context, accountID string, add func(name string, r io.Reader) error) error
	// EraseFiles deletes the customer's files; it runs before their rows
	// are deleted, so the rows may say where the files are.
	EraseFiles(ctx context.Context, accountID string) error
}

// Options configure New.
type Options struct {
	DB       *db.DB
	Keys     *keyring.Keyring
	Audit    *audit.Log
	Registry *Registry
	Accounts Accounts
	// Participants are the packages with files of their own.
	Participants []Participant
	// DataDir holds exports/ and outbox/.
	DataDir string
	BaseURL string
	// CoolOff is how long a closing account can still be cancelled
	// (default 14 days); ExportTTL how long a built export can be
	// downloaded (default 7 days).
	CoolOff   time.Duration
	ExportTTL time.Duration
	// Retention configures the retention policies.
	Retention RetentionConfig
	Logger    *slog.Logger
	// Mail sends the answers to requests, the deadline reminders to
	// privacy staff and the incident notices; nil sends nothing.
	Mail Mailer
	// Staff lists who holds privacy:manage, to remind them of deadlines.
	Staff StaffDirectory
	// Regime is the default legal regime of a request: RegimeGDPR (the
	// default) or RegimeCCPA.
	Regime string
	// Org and Contact name the controller and its data protection
	// officer in the notice to the supervisory authority.
	Org, Contact string
	// RecordSettings (name, value) describe the configuration in force at
	// the head of the record of processing.
	RecordSettings [][2]string
	// NoticeRate caps the incident notices mailed to customers per minute
	// (default 60).
	NoticeRate int
	// SweepBatch is how many due closures the sweep reads at a time
	// (default 100); it goes on until none is due.
	SweepBatch int
	// EraseBatch is how many accounts EraseMany erases in one transaction
	// (default: 25 on SQLite, 100 on PostgreSQL; see EraseMany).
	EraseBatch int
	// EraseYield is how long EraseMany waits after each batch, as a
	// multiple of the time the batch took, so that sign-ins have the
	// database's one writer and the cores between batches (default: 0.5 on
	// SQLite, 0 on PostgreSQL; a negative value is 0).
	EraseYield float64
}

// Mailer sends one e-mail; *notify.Mailer is the real one.
type Mailer interface {
	Send(ctx context.Context, msg notify.Message) (string, error)
}

// StaffDirectory is what privacy needs of access: the staff who hold a
// permission.
type StaffDirectory interface {
	HolderIDs(ctx context.Context, tx *db.Tx, perm string) ([]string, error)
}

// Service runs exports, closures and erasures.
type Service struct {
	o   Options
	log *slog.Logger
	// building limits concurrent export builds on this node: each holds a
	// bounded buffer, and two are plenty for the machines we run on.
	building chan struct{}
	wg       sync.WaitGroup
}

// New returns the service.
func New(o Options) *Service {
	if o.CoolOff <= 0 {
		o.CoolOff = 14 * 24 * time.Hour
	}
	if o.ExportTTL <= 0 {
		o.ExportTTL = 7 * 24 * time.Hour
	}
	if o.NoticeRate <= 0 {
		o.NoticeRate = 60
	}
	if o.EraseBatch <= 0 && o.DB != nil {
		o.EraseBatch = 100
		if o.DB.Dialect() == db.SQLite {
			o.EraseBatch = 25
		}
	}
	if o.EraseYield == 0 && o.DB != nil && o.DB.Dialect() == db.SQLite {
		o.EraseYield = 0.5
	}
	o.EraseYield = max(0, o.EraseYield)
	if o.SweepBatch <= 0 {
		o.SweepBatch = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o, log: o.Logger, building: make(chan struct{}, 2)}
}

// CoolOff returns how long a closure can be cancelled.
func (s *Service) CoolOff() time.Duration { return s.o.CoolOff }

// Wait waits for the exports this process is building.
func (s *Service) Wait() { s.wg.Wait() }

func (s *Service) exportDir() string { return filepath.Join(s.o.DataDir, "exports") }

// subject is the data-key subject of a customer.
func subject(accountID string) string { return "account:" + accountID }

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("privacy: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}
