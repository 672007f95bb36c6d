package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"path/filepath"
	"strings"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/notify"
)

// newMailer builds the mailer every command shares: SMTP when an SMTP URL is
// configured, otherwise one .eml file per message under DATA_DIR/outbox.
func newMailer(cfg Config, log *slog.Logger) (*notify.Mailer, error) {
	return notify.NewMailer(notify.Config{
		SMTPURL:    cfg.SMTPURL,
		From:       cfg.MailFrom,
		OutboxDir:  filepath.Join(cfg.DataDir, "outbox"),
		SupportURL: cfg.BaseURL + "/contact",
	}, log)
}

// runMailTest sends the "test" template to one address, so an operator can
// check the SMTP settings before customers depend on them.
func runMailTest(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("mail test", env)
	to := fs.String("to", "", "recipient address (required)")
	locale := fs.String("locale", "en", "language of the message: en, vi or zh")
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	if *to == "" {
		fmt.Fprintln(env.Stderr, "frontdesk mail test: --to is required")
		return errUsage
	}
	addr, err := mail.ParseAddress(*to)
	if err != nil {
		fmt.Fprintf(env.Stderr, "frontdesk mail test: --to %q is not an e-mail address\n", *to)
		return errUsage
	}
	sys, err := openSystem(ctx, cfg, newLogger(cfg, env.Stderr), needCurrent)
	if err != nil {
		return err
	}
	defer sys.close()
	id, err := sys.mail.Send(ctx, notify.Message{
		To:       *addr,
		Template: "test",
		Locale:   *locale,
		Data:     map[string]any{"OrgName": cfg.OrgName},
	})
	if err != nil {
		return fmt.Errorf("test e-mail not sent via %s: %w", sys.mail.Destination(), err)
	}
	// The address may be personal data and belongs to no account, so only
	// its domain is kept.
	domain := addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
	if err := sys.record(ctx, audit.Event{Action: "mail.test", Target: "message:" + id,
		Details: map[string]any{"destination": sys.mail.Destination(), "to_domain": domain}}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "test e-mail %s sent via %s\n", id, sys.mail.Destination())
	return nil
}
