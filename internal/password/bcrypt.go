package password

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcryptMaxBytes is where bcrypt silently stops reading a password.
const bcryptMaxBytes = 72

// bcryptAlphabet is bcrypt's own base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// bcryptHash is an imported "$2a$", "$2b$" or "$2y$" hash.
type bcryptHash struct {
	encoded []byte
	cost    int
}

// verify rejects passwords longer than 72 bytes instead of letting bcrypt
// truncate them, so that a long password never matches a hash of its
// prefix (ASVS 6.2.8: the whole password is verified).
func (h bcryptHash) verify(pw []byte) bool {
	if len(pw) > bcryptMaxBytes {
		return false
	}
	return bcrypt.CompareHashAndPassword(h.encoded, pw) == nil
}

func (bcryptHash) needsRehash(Params) bool { return true }

// memoryKiB is bcrypt's 4 KiB of S-boxes, rounded up.
func (bcryptHash) memoryKiB() uint32 { return 5 }

// parseBcrypt checks the modular crypt form "$2b$10$" followed by a 22
// character salt and a 31 character hash. Any cost from 4 to 31 is accepted:
// an import keeps weak hashes until the next login replaces them.
func parseBcrypt(s string) (bcryptHash, error) {
	bad := fmt.Errorf("%w: bcrypt", ErrUnknownFormat)
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || !strings.ContainsRune("aby", rune(s[2])) ||
		s[3] != '$' || s[6] != '$' {
		return bcryptHash{}, bad
	}
	cost, err := parseDecimal(strings.TrimPrefix(s[4:6], "0"), 8)
	if err != nil || cost < minBcryptCost || cost > maxBcryptCost {
		return bcryptHash{}, bad
	}
	for i := 7; i < len(s); i++ {
		if strings.IndexByte(bcryptAlphabet, s[i]) < 0 {
			return bcryptHash{}, bad
		}
	}
	return bcryptHash{encoded: []byte(s), cost: int(cost)}, nil
}
