// Package password hashes and verifies passwords and checks new ones against
// a password policy.
//
// New hashes are Argon2id in the PHC string format used by the reference
// argon2 command and passlib. Verify also accepts imported bcrypt and
// PBKDF2-SHA256 hashes and reports when a hash should be replaced. A Hasher
// bounds how many hashes run at once so that a burst of logins cannot
// exhaust memory.
//
// Profile.Check applies a NIST SP 800-63B / OWASP ASVS 5 style policy:
// length in code points, optional composition rules, a list of common
// passwords and words taken from the account (e-mail, name, organisation).
// The common-password list comes from the npm package
// @zxcvbn-ts/language-common (MIT licence, see common.LICENSE) and is
// rebuilt with "go generate".
package password
