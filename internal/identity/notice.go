package identity

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Notice is an e-mail to an account's owner, decided inside a transaction
// and sent by Send after it commits.
type Notice struct{ out outgoing }

// NoticeArgs fill a notice's placeholders.
type NoticeArgs struct {
	URL     string
	What    string // {device}: what the notice is about (a device, a factor)
	Code    string // {code}: a one-time code (e-mail codes only)
	Minutes int
	Count   int
	When    time.Time
}

// NoticeFor prepares the notice of kind (a key of the mail texts) for the
// account, addressed to its e-mail.
func (s *Service) NoticeFor(ctx context.Context, tx *db.Tx, accountID, kind string, args NoticeArgs) (Notice, error) {
	a, err := s.byID(ctx, tx, accountID, false)
	if err != nil {
		return Notice{}, err
	}
	if a == nil {
		return Notice{}, ErrNotFound
	}
	when := ""
	if !args.When.IsZero() {
		when = stamp(args.When)
	}
	m, err := s.notice(ctx, tx, a, kind, mailArgs{URL: args.URL, Device: args.What, Code: args.Code, Minutes: args.Minutes, Count: args.Count, When: when})
	return Notice{m}, err
}

// Send hands notices to the mailer in the background.
func (s *Service) Send(ctx context.Context, ns []Notice) {
	out := make([]outgoing, len(ns))
	for i, n := range ns {
		out[i] = n.out
	}
	s.send(ctx, out)
}

func (s *Service) notice(ctx context.Context, tx *db.Tx, a *accountRow, kind string, args mailArgs) (outgoing, error) {
	acct, err := s.open(ctx, tx, a)
	if err != nil {
		return outgoing{}, err
	}
	if args.Help == "" {
		args.Help = s.base + "/contact"
	}
	return outgoing{to: acct.Email, name: acct.Name, locale: acct.Locale, kind: kind, args: args}, nil
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
