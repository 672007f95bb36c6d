package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/frontdesk/frontdesk/internal/password/argon2"
)

// argon2Version is the only Argon2 version golang.org/x/crypto implements
// (0x13).
const argon2Version = argon2.Version

// Hash returns an Argon2id hash of pw as a PHC string,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>" with salt and key in
// unpadded standard base64, as written by the reference argon2 command and
// passlib. The password is hashed exactly as given; callers normalise it with
// Normalize first.
func Hash(pw string, p Params) (string, error) {
	if len(pw) > MaxPasswordBytes {
		return "", ErrTooLong
	}
	if err := p.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	// crypto/rand.Read never returns an error since Go 1.24.
	_, _ = rand.Read(salt)
	h := argon2Hash{id: true, params: p, salt: salt}
	h.key = h.derive([]byte(pw))
	return h.String(), nil
}

// argon2Hash is a decoded Argon2 PHC string. Params.KeyLen and SaltLen hold
// the lengths found in the string.
type argon2Hash struct {
	id     bool // argon2id; otherwise argon2i
	params Params
	salt   []byte
	key    []byte
}

// derive computes the key for pw with h's variant, parameters and salt, in
// a work area reused from earlier hashes of the same memory and lanes (see
// package argon2 for why).
func (h argon2Hash) derive(pw []byte) []byte {
	p := h.params
	pool := workAreas(p.Memory, p.Threads)
	if h.id {
		return pool.IDKey(pw, h.salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	}
	return pool.Key(pw, h.salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// pools holds an argon2.Pool per memory size and lane count. How many areas
// each keeps is bounded by how many hashes run at once, which the Hasher's
// memory budget bounds; unused areas go to the garbage collector.
var pools sync.Map // poolKey → *argon2.Pool

type poolKey struct {
	memory  uint32
	threads uint8
}

func workAreas(memory uint32, threads uint8) *argon2.Pool {
	k := poolKey{memory, threads}
	if p, ok := pools.Load(k); ok {
		return p.(*argon2.Pool)
	}
	p, _ := pools.LoadOrStore(k, argon2.NewPool(memory, threads))
	return p.(*argon2.Pool)
}

func (h argon2Hash) verify(pw []byte) bool {
	return subtle.ConstantTimeCompare(h.derive(pw), h.key) == 1
}

func (h argon2Hash) needsRehash(want Params) bool { return !h.id || h.params != want }

func (h argon2Hash) memoryKiB() uint32 { return h.params.Memory }

// String encodes h in the PHC string format.
func (h argon2Hash) String() string {
	variant := "argon2i"
	if h.id {
		variant = "argon2id"
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s", variant, argon2Version,
		h.params.Memory, h.params.Time, h.params.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// parseArgon2 decodes "$argon2id$v=19$m=..,t=..,p=..$salt$key" (or argon2i).
// It accepts only version 19 and exactly the m, t and p parameters, in that
// order, within the limits of Params.Validate.
func parseArgon2(s string) (argon2Hash, error) {
	var h argon2Hash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return h, fmt.Errorf("%w: argon2: wrong number of fields", ErrUnknownFormat)
	}
	switch parts[1] {
	case "argon2id":
		h.id = true
	case "argon2i":
	default:
		return h, fmt.Errorf("%w: argon2: variant %q", ErrUnknownFormat, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2Version) {
		return h, fmt.Errorf("%w: argon2: version", ErrUnknownFormat)
	}
	var err error
	if h.params, err = parseArgon2Params(parts[3]); err != nil {
		return h, err
	}
	b64 := base64.RawStdEncoding
	if h.salt, err = b64.DecodeString(parts[4]); err != nil {
		return h, fmt.Errorf("%w: argon2: salt", ErrUnknownFormat)
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil {
		return h, fmt.Errorf("%w: argon2: key", ErrUnknownFormat)
	}
	h.params.SaltLen, h.params.KeyLen = uint32(len(h.salt)), uint32(len(h.key))
	if err := h.params.Validate(); err != nil {
		return h, fmt.Errorf("%w: argon2: %w", ErrUnknownFormat, err)
	}
	return h, nil
}

// parseArgon2Params decodes "m=19456,t=2,p=1".
func parseArgon2Params(s string) (Params, error) {
	var p Params
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return p, fmt.Errorf("%w: argon2: parameters", ErrUnknownFormat)
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		digits, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return p, fmt.Errorf("%w: argon2: parameters", ErrUnknownFormat)
		}
		v, err := parseDecimal(digits, 32)
		if err != nil {
			return p, fmt.Errorf("%w: argon2: parameter %s", ErrUnknownFormat, name)
		}
		vals[i] = v
	}
	if vals[2] > 255 {
		return p, fmt.Errorf("%w: argon2: parallelism", ErrUnknownFormat)
	}
	return Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}, nil
}

// parseDecimal parses an unsigned decimal number of at most bits bits,
// without sign, spaces or redundant leading zeros.
func parseDecimal(s string, bits int) (uint64, error) {
	if len(s) > 1 && s[0] == '0' {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseUint(s, 10, bits)
}
