package password

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
)

// pbkdf2Prefix starts an imported PBKDF2-HMAC-SHA256 hash,
// "pbkdf2-sha256$<iterations>$<salt>$<key>".
const pbkdf2Prefix = "pbkdf2-sha256$"

// pbkdf2Hash is an imported PBKDF2-HMAC-SHA256 hash.
type pbkdf2Hash struct {
	iter int
	salt []byte
	key  []byte
}

func (h pbkdf2Hash) verify(pw []byte) bool {
	key, err := pbkdf2.Key(sha256.New, string(pw), h.salt, h.iter, len(h.key))
	return err == nil && subtle.ConstantTimeCompare(key, h.key) == 1
}

func (pbkdf2Hash) needsRehash(Params) bool { return true }

func (pbkdf2Hash) memoryKiB() uint32 { return 1 }

// parsePBKDF2 decodes "pbkdf2-sha256$<iter>$<salt>$<key>" with salt and key
// in standard base64, padded or not.
func parsePBKDF2(s string) (pbkdf2Hash, error) {
	var h pbkdf2Hash
	rest, ok := strings.CutPrefix(s, pbkdf2Prefix)
	parts := strings.Split(rest, "$")
	if !ok || len(parts) != 3 {
		return h, fmt.Errorf("%w: pbkdf2: wrong number of fields", ErrUnknownFormat)
	}
	iter, err := parseDecimal(parts[0], 32)
	if err != nil || iter < 1 || iter > maxPBKDF2Iter {
		return h, fmt.Errorf("%w: pbkdf2: iterations", ErrUnknownFormat)
	}
	h.iter = int(iter)
	if h.salt, err = decodeBase64(parts[1]); err != nil || len(h.salt) == 0 || len(h.salt) > maxSaltLen {
		return h, fmt.Errorf("%w: pbkdf2: salt", ErrUnknownFormat)
	}
	if h.key, err = decodeBase64(parts[2]); err != nil || len(h.key) < minKeyLen || len(h.key) > maxKeyLen {
		return h, fmt.Errorf("%w: pbkdf2: key", ErrUnknownFormat)
	}
	return h, nil
}

// decodeBase64 accepts standard base64 with or without padding.
func decodeBase64(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") || len(s)%4 == 0 {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
