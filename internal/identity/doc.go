// Package identity owns accounts and how their owners prove who they are:
// registration and e-mail verification, passwords and their policy,
// sign-in with lockout and throttling, sessions, password reset, sign-in
// history and the e-mails that tell owners what happened.
//
// Every change runs in one transaction with its audit entry. Personal
// fields (e-mail, name, phone, IP addresses) are sealed with the account's
// data key; the e-mail is found through its blind index. Secrets that only
// need checking (passwords, session tokens, codes, links) are stored as
// hashes.
package identity
