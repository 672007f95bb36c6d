package notify

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one e-mail to send: a template, its data and threading headers.
type Message struct {
	// To is the single recipient. Name may be any language; Address must
	// be a plain ASCII addr-spec.
	To mail.Address
	// Template names the template set, e.g. "notice" or "test".
	Template string
	// Locale is a BCP 47 tag such as "vi", "vi-VN" or "zh-Hans-CN"; only
	// its base language is used and unknown languages fall back to "en".
	Locale string
	// Data is passed to the templates. The keys "Locale" and "Subject" are
	// set by the renderer; "SupportURL" defaults to Config.SupportURL.
	Data map[string]any
	// MessageID, if set, is used instead of a generated one. Angle
	// brackets are optional.
	MessageID string
	// InReplyTo and References thread the message (e.g. a ticket reply).
	InReplyTo  string
	References []string
	// From, if set, replaces the configured sender in the From header
	// (the support desk writes as its own mailbox); the envelope sender
	// stays the configured one. ReplyTo, if set, is the Reply-To header.
	From    *mail.Address
	ReplyTo *mail.Address
}

// Rendered is a message rendered from its templates, before MIME encoding.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	// Locale is the locale actually used after fallback, e.g. "en".
	Locale string
}

// Templates lists the names of the available templates.
func (m *Mailer) Templates() []string { return m.catalog.names() }

// Render executes the message's templates without sending anything, for
// previews. It fails with ErrUnknownTemplate, ErrMissingField or
// ErrHeaderInjection (a subject made multi-line by its data) and never
// returns a partly rendered message.
func (m *Mailer) Render(msg Message) (Rendered, error) {
	e, locale, err := m.catalog.lookup(msg.Template, msg.Locale)
	if err != nil {
		return Rendered{}, fmt.Errorf("notify: render: %w", err)
	}
	data := make(map[string]any, len(msg.Data)+3)
	data["SupportURL"] = m.supportURL
	for k, v := range msg.Data {
		data[k] = v
	}
	data["Locale"] = locale

	id := msg.Template + "." + locale
	var b bytes.Buffer
	if err := e.subject.Execute(&b, data); err != nil {
		return Rendered{}, fmt.Errorf("notify: render %s subject: %w", id, err)
	}
	subject := strings.TrimSpace(b.String())
	if subject == "" {
		return Rendered{}, fmt.Errorf("notify: render %s: empty subject", id)
	}
	if err := checkHeaderValue("Subject", subject); err != nil {
		return Rendered{}, fmt.Errorf("notify: render %s: %w", id, err)
	}
	data["Subject"] = subject

	b.Reset()
	if err := e.text.ExecuteTemplate(&b, "layout", data); err != nil {
		return Rendered{}, fmt.Errorf("notify: render %s text: %w", id, err)
	}
	text := tidyText(b.String())

	b.Reset()
	if err := e.html.ExecuteTemplate(&b, "layout", data); err != nil {
		return Rendered{}, fmt.Errorf("notify: render %s html: %w", id, err)
	}
	return Rendered{Subject: subject, Text: text, HTML: b.String(), Locale: locale}, nil
}

// tidyText normalises line ends, strips trailing blanks (except the "-- "
// signature separator) and collapses runs of blank lines left by template
// actions.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l != "-- " {
			l = strings.TrimRight(l, " \t")
		}
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
