package password

import (
	"errors"
	"fmt"
)

// Params are Argon2id parameters.
type Params struct {
	Memory  uint32 // memory in KiB
	Time    uint32 // number of passes
	Threads uint8  // degree of parallelism
	KeyLen  uint32 // length of the derived key in bytes
	SaltLen uint32 // length of the random salt in bytes
}

// DefaultParams follow the OWASP Password Storage Cheat Sheet and OWASP ASVS 5
// Appendix C: 19 MiB, two passes, one thread.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// Limits on parameters, for new hashes and imported ones alike, so that a
// hostile or corrupt hash cannot make Verify allocate gigabytes or spin for
// minutes.
const (
	// maxMemory is 2 GiB, the memory of RFC 9106's first recommended setting.
	maxMemory     = 2 << 20
	maxTime       = 1000
	minSaltLen    = 8
	maxSaltLen    = 1024
	minKeyLen     = 16
	maxKeyLen     = 1024
	maxPBKDF2Iter = 10_000_000
	maxBcryptCost = 31
	minBcryptCost = 4
)

// MaxPasswordBytes is the longest password Hash accepts and Verify tries.
// It is far above any policy's maximum and only guards against hashing
// megabytes of input.
const MaxPasswordBytes = 4096

var (
	// ErrUnknownFormat means an encoded hash is not one Verify understands,
	// or is malformed.
	ErrUnknownFormat = errors.New("password: unknown or malformed hash format")
	// ErrTooLong means the password is longer than MaxPasswordBytes.
	ErrTooLong = errors.New("password: password too long")
	// ErrInvalidParams means Params are outside what Hash supports.
	ErrInvalidParams = errors.New("password: invalid argon2 parameters")
)

// Validate reports whether Hash can use p: at least one pass and one thread,
// at least 8 KiB of memory per thread (as Argon2 requires), at most 2 GiB,
// a key of at least 16 bytes and a salt of at least 8 bytes.
func (p Params) Validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: time %d", ErrInvalidParams, p.Time)
	case p.Threads < 1:
		return fmt.Errorf("%w: threads %d", ErrInvalidParams, p.Threads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("%w: memory %d KiB", ErrInvalidParams, p.Memory)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key length %d", ErrInvalidParams, p.KeyLen)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d", ErrInvalidParams, p.SaltLen)
	}
	return nil
}

// MemoryKiB reports how much memory one hash with p needs, in KiB.
func MemoryKiB(p Params) uint32 { return p.Memory }

// MemoryKiB reports how much memory one hash with p needs, in KiB; it is the
// same as the function MemoryKiB.
func (p Params) MemoryKiB() uint32 { return p.Memory }
