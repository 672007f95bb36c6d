package password

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestHashFormat(t *testing.T) {
	// PHC string format as written by the reference argon2 command.
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	a, err := Hash("correct horse battery staple", testParams)
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(a) {
		t.Errorf("Hash = %q, not a PHC argon2id string", a)
	}
	b, err := Hash("correct horse battery staple", testParams)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
}

func TestHashDefaultParamsMatchReference(t *testing.T) {
	// ASVS 11.4.2: Argon2id with the OWASP parameters; the prefix must be what
	// the reference implementation writes for them.
	enc, err := Hash("x", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
	if !strings.HasPrefix(enc, prefix) || !strings.HasPrefix(refArgon2idDefault, prefix) {
		t.Errorf("Hash = %q, want prefix %q", enc, prefix)
	}
	ok, rehash, err := Verify("correct horse battery staple", refArgon2idDefault, DefaultParams)
	if err != nil || !ok || rehash {
		t.Errorf("Verify(reference) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashErrors(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		p    Params
		want error
	}{
		{"longest accepted", strings.Repeat("a", MaxPasswordBytes), testParams, nil},
		{"too long", strings.Repeat("a", MaxPasswordBytes+1), testParams, ErrTooLong},
		{"zero params", "pw", Params{}, ErrInvalidParams},
		{"no passes", "pw", Params{Memory: 64, Threads: 1, KeyLen: 32, SaltLen: 16}, ErrInvalidParams},
		{"memory below 8 KiB per thread", "pw", Params{Memory: 31, Time: 1, Threads: 4, KeyLen: 32, SaltLen: 16}, ErrInvalidParams},
		{"memory above 2 GiB", "pw", Params{Memory: 2<<20 + 1, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, ErrInvalidParams},
		{"short key", "pw", Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 8, SaltLen: 16}, ErrInvalidParams},
		{"short salt", "pw", Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 4}, ErrInvalidParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Hash(tt.pw, tt.p)
			if !errors.Is(err, tt.want) {
				t.Errorf("Hash error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHashVerifyRoundTrip(t *testing.T) {
	enc, err := Hash(pw80, testParams)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"same password", pw80, true},
		// ASVS 6.2.8: the whole password is verified, not a prefix.
		{"first 72 bytes", pw80[:72], false},
		{"one byte more", pw80 + "0", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := Verify(tt.pw, enc, testParams)
			if err != nil || ok != tt.want || rehash {
				t.Errorf("Verify = %v, %v, %v; want %v, false, nil", ok, rehash, err, tt.want)
			}
		})
	}
}

func TestVerifyIsCaseSensitive(t *testing.T) {
	// ASVS 6.2.8: passwords are verified exactly as typed.
	const pw = "Correct Horse Battery Staple"
	enc, err := Hash(pw, testParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, variant := range []string{"cORRECT hORSE bATTERY sTAPLE", strings.ToLower(pw), strings.ToUpper(pw)} {
		if ok, _, _ := Verify(variant, enc, testParams); ok {
			t.Errorf("Verify(%q) matched the hash of %q", variant, pw)
		}
	}
}

func TestVerifyArgon2NeedsRehash(t *testing.T) {
	// ASVS 11.4.2: hashes with parameters other than the current ones are
	// upgraded at the next login.
	enc, err := Hash("pw", testParams)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want Params
		re   bool
	}{
		{"same", testParams, false},
		{"more memory", Params{Memory: 128, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, true},
		{"more passes", Params{Memory: 64, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}, true},
		{"more threads", Params{Memory: 64, Time: 1, Threads: 2, KeyLen: 32, SaltLen: 16}, true},
		{"longer key", Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 64, SaltLen: 16}, true},
		{"longer salt", Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 32}, true},
		{"default", DefaultParams, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := Verify("pw", enc, tt.want)
			if err != nil || !ok || rehash != tt.re {
				t.Errorf("Verify = %v, %v, %v; want true, %v, nil", ok, rehash, err, tt.re)
			}
		})
	}
}

func TestMemoryKiB(t *testing.T) {
	if got := MemoryKiB(DefaultParams); got != 19456 {
		t.Errorf("MemoryKiB(DefaultParams) = %d, want 19456", got)
	}
	if got := testParams.MemoryKiB(); got != 64 {
		t.Errorf("testParams.MemoryKiB() = %d, want 64", got)
	}
}
