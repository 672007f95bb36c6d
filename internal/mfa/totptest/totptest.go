// Package totptest computes TOTP codes for tests with an implementation
// independent of the one under test (pquerna/otp): HOTP (RFC 4226) over
// the 30-second time step, HMAC-SHA-1, six digits (RFC 6238).
package totptest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Code returns the code of key at t.
func Code(key []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}

// Key decodes a base32 secret as shown to people: any case, spaces
// allowed, no padding.
func Key(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
}
