package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"time"
)

// transport delivers one finished message.
type transport interface {
	deliver(ctx context.Context, from, to string, msg []byte) error
	String() string
}

// Mailer renders and sends e-mail. It is safe for concurrent use; each Send
// opens its own SMTP connection or writes its own outbox file.
type Mailer struct {
	from        mail.Address
	fromHeader  string
	supportURL  string
	catalog     catalog
	transport   transport
	destination string
	clock       func() time.Time
	log         *slog.Logger
	health      healthLog
}

// NewMailer validates cfg, parses the embedded templates and returns a
// Mailer. With an empty SMTPURL it creates OutboxDir (mode 0700). A nil
// logger discards logs. Errors wrap ErrInvalidConfig and never contain the
// SMTP password.
func NewMailer(cfg Config, logger *slog.Logger) (*Mailer, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	from, err := parseFrom(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	cat, err := loadCatalog(templateFiles)
	if err != nil {
		return nil, fmt.Errorf("notify: load templates: %w", err)
	}
	m := &Mailer{
		from:       from,
		fromHeader: formatAddress(from),
		supportURL: cfg.SupportURL,
		catalog:    cat,
		clock:      cfg.Clock,
		log:        logger,
	}
	if m.clock == nil {
		m.clock = time.Now
	}
	if cfg.SMTPURL == "" {
		if cfg.OutboxDir == "" {
			return nil, fmt.Errorf("notify: %w: set an SMTP URL or an outbox directory", ErrInvalidConfig)
		}
		if err := (&outbox{dir: cfg.OutboxDir}).prepare(); err != nil {
			return nil, err
		}
		m.transport = &outbox{dir: cfg.OutboxDir, clock: m.clock}
		m.destination = "outbox " + cfg.OutboxDir
		return m, nil
	}
	target, err := parseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	relay := &smtpRelay{
		target:      target,
		tlsConfig:   tlsConfigFor(cfg.TLSConfig, target.host),
		dialTimeout: cfg.DialTimeout,
		sendTimeout: cfg.SendTimeout,
	}
	if relay.dialTimeout <= 0 {
		relay.dialTimeout = DefaultDialTimeout
	}
	if relay.sendTimeout <= 0 {
		relay.sendTimeout = DefaultSendTimeout
	}
	m.transport = relay
	m.destination = target.redacted
	return m, nil
}

// Destination describes where mail goes, safe to print: the SMTP URL with
// its password masked, or "outbox <dir>".
func (m *Mailer) Destination() string { return m.destination }

// Send renders msg, builds the MIME message and delivers it. It returns the
// Message-ID in angle brackets (for In-Reply-To of later messages). A
// refused header (ErrHeaderInjection, ErrInvalidAddress,
// ErrInvalidMessageID) or a rendering error means nothing was sent or
// written. The log records only template, locale, recipient domain,
// Message-ID and outcome — never addresses, bodies, codes or links.
func (m *Mailer) Send(ctx context.Context, msg Message) (string, error) {
	attrs := []any{
		slog.String("template", msg.Template),
		slog.String("to_domain", addressDomain(msg.To.Address)),
		slog.String("transport", m.transport.String()),
	}
	if checkAddress("To", msg.To) != nil {
		attrs[1] = slog.String("to_domain", "")
	}
	id, err := m.send(ctx, msg, &attrs)
	m.health.note(m.clock(), err)
	if err != nil {
		m.log.WarnContext(ctx, "mail not sent", append(attrs, slog.String("outcome", "failed"), slog.Any("error", err))...)
		return "", err
	}
	m.log.InfoContext(ctx, "mail sent", append(attrs, slog.String("outcome", "sent"))...)
	return id, nil
}

func (m *Mailer) send(ctx context.Context, msg Message, attrs *[]any) (string, error) {
	r, err := m.Render(msg)
	if err != nil {
		return "", err
	}
	*attrs = append(*attrs, slog.String("locale", r.Locale))
	raw, id, err := m.compose(msg, r, m.clock())
	if err != nil {
		return "", fmt.Errorf("notify: %w", err)
	}
	*attrs = append(*attrs, slog.String("message_id", id))
	if err := m.transport.deliver(ctx, m.from.Address, msg.To.Address, raw); err != nil {
		return "", err
	}
	return id, nil
}
