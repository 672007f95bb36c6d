package password

import (
	"fmt"
	"strings"
)

// maxEncodedLen bounds the encoded hashes Verify parses; the longest valid
// one (1 KiB salt and key in base64) is well below it.
const maxEncodedLen = 4096

// storedHash is a decoded hash of any supported format.
type storedHash interface {
	// verify reports, in constant time, whether pw matches.
	verify(pw []byte) bool
	// needsRehash reports whether the hash should be replaced by one with want.
	needsRehash(want Params) bool
	// memoryKiB is the memory one verification needs.
	memoryKiB() uint32
}

var (
	_ storedHash = argon2Hash{}
	_ storedHash = bcryptHash{}
	_ storedHash = pbkdf2Hash{}
)

// decode parses any supported encoded hash.
func decode(encoded string) (storedHash, error) {
	if len(encoded) > maxEncodedLen {
		return nil, fmt.Errorf("%w: too long", ErrUnknownFormat)
	}
	// The base64 decoders skip line breaks; a stored hash has none.
	for i := 0; i < len(encoded); i++ {
		if encoded[i] <= ' ' || encoded[i] > '~' {
			return nil, fmt.Errorf("%w: unexpected character", ErrUnknownFormat)
		}
	}
	switch {
	case strings.HasPrefix(encoded, "$argon2"):
		return parseArgon2(encoded)
	case strings.HasPrefix(encoded, "$2"):
		return parseBcrypt(encoded)
	case strings.HasPrefix(encoded, pbkdf2Prefix):
		return parsePBKDF2(encoded)
	}
	return nil, ErrUnknownFormat
}

// Verify checks pw against an encoded hash: an Argon2id (or Argon2i) PHC
// string, a bcrypt hash ($2a$, $2b$, $2y$) or
// "pbkdf2-sha256$<iterations>$<salt>$<key>" with standard base64, padded or
// not. The comparison is constant-time.
//
// needsRehash is true when the hash is not Argon2id or its parameters differ
// from want; a caller that got ok stores a new Hash of pw. A password longer
// than MaxPasswordBytes is not hashed and does not match, and neither does a
// password longer than 72 bytes against a bcrypt hash, which would otherwise
// match the hash of its first 72 bytes. A hash Verify does not understand
// gives an error wrapping ErrUnknownFormat.
func Verify(pw, encoded string, want Params) (ok, needsRehash bool, err error) {
	h, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	ok, needsRehash = check(h, pw, want)
	return ok, needsRehash, nil
}

// check verifies pw against a decoded hash.
func check(h storedHash, pw string, want Params) (ok, needsRehash bool) {
	if len(pw) > MaxPasswordBytes {
		return false, h.needsRehash(want)
	}
	return h.verify([]byte(pw)), h.needsRehash(want)
}

// IsSupportedHash reports whether encoded is a well-formed hash that Verify
// understands, for validating bulk imports. Weak but well-formed hashes,
// such as bcrypt below cost 10, are accepted; Verify asks for their
// replacement at the next login.
func IsSupportedHash(encoded string) bool {
	_, err := decode(encoded)
	return err == nil
}
