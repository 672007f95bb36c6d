// Package notify sends Frontdesk's outgoing e-mail.
//
// A [Mailer] renders a message from embedded, localised templates (en, vi,
// zh) into a multipart/alternative MIME message and delivers it either to an
// SMTP submission server (STARTTLS or implicit TLS, AUTH PLAIN or LOGIN) or,
// when no server is configured, to the outbox directory as one RFC 5322 file
// per message. The outbox is a public contract: development tools and tests
// read codes and links from it.
//
// Every header value is checked for control characters before anything is
// sent or written, so data from users cannot add headers or recipients.
package notify
