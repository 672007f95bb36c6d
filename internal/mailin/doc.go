// Package mailin fetches and parses incoming support e-mail.
//
// Parse turns one RFC 5322 message into a Message: decoded headers, a plain
// text body, sanitised HTML, attachments, and a flag that tells the desk not
// to answer automatically (auto-replies, bulk mail, bounces). StripQuoted cuts
// the quoted previous message out of a reply. A Fetcher reads unseen messages
// from an IMAP mailbox and marks each one \Seen only after it was handled.
//
// The package is a shared service: it knows nothing of conversations or
// customers. docs/mail-in.md describes the behaviour for operators.
package mailin
