package identity

import (
	"context"
	"errors"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
	"github.com/frontdesk/frontdesk/internal/keyring"
)

// ExportRow is one account as a bulk file holds it: what ImportAccounts
// reads back, and never a secret (no password hash, no token, no factor).
type ExportRow struct {
	Email  string
	Name   string
	Phone  string
	Locale string
	Roles  []string // staff roles; none for a customer
}

// ExportSink receives the exported accounts in order; bulkfile.Writer is
// one. It is an interface so that identity does not depend on the file
// formats, which depend on identity's normalisation.
type ExportSink interface {
	Write(ExportRow) error
}

// ExportOptions adjust ExportAccounts.
type ExportOptions struct {
	// Roles lists a staff account's roles (the access package's RolesOf).
	// Without it, staff accounts are left out of the export.
	Roles func(ctx context.Context, accountID string) ([]string, error)
	// By and Format are recorded in the audit entry, e.g. "cli" and "csv".
	By, Format string
}

// ExportResult counts an export.
type ExportResult struct {
	Exported int
	// LeftOut counts accounts not written: registrations never verified
	// (their address was never proven), erased accounts, and staff
	// accounts without a role (which would come back as customers).
	LeftOut int
}

const exportPage = 500

// ExportAccounts writes every account to sink, oldest id first, a page of
// accounts at a time, with its personal fields opened. The export is an
// audit entry (success or failure, with the count): it hands personal
// data of every customer to whoever runs it.
func (s *Service) ExportAccounts(ctx context.Context, sink ExportSink, o ExportOptions) (ExportResult, error) {
	var res ExportResult
	err := s.exportPages(ctx, sink, o, &res)
	outcome := audit.Success
	if err != nil {
		outcome = audit.Failure
	}
	details := map[string]any{"exported": res.Exported, "left_out": res.LeftOut}
	if o.By != "" {
		details["by"] = o.By
	}
	if o.Format != "" {
		details["format"] = o.Format
	}
	actx := context.WithoutCancel(ctx)
	recErr := s.db.Write(actx, func(tx *db.Tx) error {
		return s.audit.Record(actx, tx, audit.Event{Action: "accounts.export", Target: "accounts", Outcome: outcome, Details: details})
	})
	if err != nil {
		return res, err
	}
	return res, recErr
}

func (s *Service) exportPages(ctx context.Context, sink ExportSink, o ExportOptions, res *ExportResult) error {
	after := ""
	for {
		var page []Account
		var last string
		err := s.db.Read(ctx, func(tx *db.Tx) error {
			page, last = nil, ""
			rows, err := tx.Query(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id > ? ORDER BY id LIMIT ?", after, exportPage)
			rs, err := db.Collect(rows, err, scanAccount)
			if err != nil {
				return err
			}
			for _, a := range rs {
				last = a.id
				if a.status == StatusPending {
					res.LeftOut++
					continue
				}
				acct, ok := s.openCached(a)
				if !ok {
					if acct, err = s.open(ctx, tx, a); errors.Is(err, keyring.ErrKeyDestroyed) {
						res.LeftOut++
						continue
					} else if err != nil {
						return err
					}
				}
				page = append(page, *acct)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if last == "" {
			return nil
		}
		after = last
		for _, a := range page {
			row := ExportRow{Email: a.Email, Name: a.Name, Phone: a.Phone, Locale: a.Locale}
			if a.Kind == KindStaff {
				if o.Roles != nil {
					if row.Roles, err = o.Roles(ctx, a.ID); err != nil {
						return err
					}
				}
				if len(row.Roles) == 0 {
					res.LeftOut++
					continue
				}
			}
			if err := sink.Write(row); err != nil {
				return err
			}
			res.Exported++
		}
	}
}
