package mailin

import (
	"net/mail"
	"strings"

	"github.com/emersion/go-message"
)

// isAutoSubmitted reports whether a message was sent by a program rather than
// a person, following RFC 3834 and the conventions that predate it. Answering
// such a message automatically risks a mail loop or a reply to a list.
func isAutoSubmitted(h message.Header, from mail.Address) bool {
	// RFC 3834: "no" is the only value a person's message may carry.
	if v := headerToken(h, "Auto-Submitted"); v != "" && v != "no" {
		return true
	}
	switch headerToken(h, "Precedence") {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	// Non-standard markers used by vacation responders and mailing lists.
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe"} {
		if h.Has(k) {
			return true
		}
	}
	// A null reverse path is what bounces and other notifications use.
	if strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return true
	}
	// Bounces and read receipts.
	if t, _ := contentType(h); t == "multipart/report" {
		return true
	}
	local, _, _ := strings.Cut(from.Address, "@")
	switch strings.ToLower(local) {
	case "mailer-daemon", "postmaster":
		return true
	}
	return false
}

// headerToken returns the first word of a header field, lower-cased, with
// any parameters (after ';') or comments dropped.
func headerToken(h message.Header, key string) string {
	v, _, _ := strings.Cut(h.Get(key), ";")
	v, _, _ = strings.Cut(v, "(")
	return strings.ToLower(strings.TrimSpace(v))
}
