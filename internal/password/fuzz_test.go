package password

import (
	"errors"
	"testing"
)

// FuzzVerify checks that Verify and IsSupportedHash never panic and agree
// on what is well-formed.
func FuzzVerify(f *testing.F) {
	for _, enc := range append(malformed, refArgon2id, refArgon2i, passlibArgon2id,
		passlibBcrypt2b, htpasswdBcrypt, pbkdf2Padded, pbkdf2ShortRaw, pbkdf2RFC7914) {
		f.Add("password", enc)
	}
	f.Fuzz(func(t *testing.T, pw, encoded string) {
		h, err := decode(encoded)
		if IsSupportedHash(encoded) != (err == nil) {
			t.Fatalf("IsSupportedHash disagrees with decode: %v", err)
		}
		if err != nil {
			if !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("decode error %v does not wrap ErrUnknownFormat", err)
			}
			if ok, rehash, err := Verify(pw, encoded, testParams); ok || rehash || err == nil {
				t.Fatalf("Verify = %v, %v, %v for a malformed hash", ok, rehash, err)
			}
			return
		}
		if expensive(h) {
			// Well-formed but slow: parsing is what is under test.
			return
		}
		if _, _, err := Verify(pw, encoded, testParams); err != nil {
			t.Fatalf("Verify error %v for a hash decode accepted", err)
		}
	})
}

// expensive reports whether verifying h would slow fuzzing down.
func expensive(h storedHash) bool {
	switch h := h.(type) {
	case argon2Hash:
		return uint64(h.params.Memory)*uint64(h.params.Time) > 4096
	case bcryptHash:
		return h.cost > 6
	case pbkdf2Hash:
		return h.iter > 10000
	}
	return true
}
