package password

import (
	"errors"
	"strings"
	"testing"
)

func TestVerifyImported(t *testing.T) {
	// ASVS 11.4.2: hashes imported from other systems verify, and are marked
	// for replacement by Argon2id with the current parameters.
	tests := []struct {
		name    string
		pw      string
		encoded string
		ok      bool
		rehash  bool
	}{
		{"argon2id reference", "password", refArgon2id, true, false},
		{"argon2id reference wrong", "Password", refArgon2id, false, false},
		{"argon2id passlib", "passlib test", passlibArgon2id, true, false},
		{"argon2i reference", "password", refArgon2i, true, true},
		{"bcrypt 2y htpasswd", "correct horse battery staple", htpasswdBcrypt, true, true},
		{"bcrypt 2y wrong", "correct horse battery stapl", htpasswdBcrypt, false, true},
		{"bcrypt 2b passlib", "passlib test", passlibBcrypt2b, true, true},
		{"bcrypt 2a passlib", "passlib test", passlibBcrypt2a, true, true},
		{"bcrypt case flipped", "PASSLIB TEST", passlibBcrypt2b, false, true},
		// ASVS 6.2.8: bcrypt reads only 72 bytes; a longer password must not
		// match the hash of its prefix.
		{"bcrypt 72-byte prefix", pw80[:72], bcryptOfPrefix72, true, true},
		{"bcrypt 80 bytes vs hash of first 72", pw80, bcryptOfPrefix72, false, true},
		{"bcrypt 73 bytes vs hash of first 72", pw80[:73], bcryptOfPrefix72, false, true},
		{"pbkdf2 padded", "import me", pbkdf2Padded, true, true},
		{"pbkdf2 padded wrong", "import me!", pbkdf2Padded, false, true},
		{"pbkdf2 short salt padded", "import me", pbkdf2Short, true, true},
		{"pbkdf2 unpadded", "import me", pbkdf2ShortRaw, true, true},
		{"pbkdf2 RFC 7914 vector", "passwd", pbkdf2RFC7914, true, true},
		{"too long is not hashed", strings.Repeat("p", MaxPasswordBytes+1), refArgon2id, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := Verify(tt.pw, tt.encoded, testParams)
			if err != nil || ok != tt.ok || rehash != tt.rehash {
				t.Errorf("Verify = %v, %v, %v; want %v, %v, nil", ok, rehash, err, tt.ok, tt.rehash)
			}
			if !IsSupportedHash(tt.encoded) {
				t.Errorf("IsSupportedHash(%q) = false", tt.encoded)
			}
		})
	}
}

// malformed are encodings Verify must refuse with ErrUnknownFormat; the fuzz
// target starts from them too.
var malformed = []string{
	"",
	"password",
	"$",
	"$argon2id$",
	"$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=64,t=1,p=1,keyid=x$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=64,t=1,p=256$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=7,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=+64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZQ$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA==$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PW",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRz\nb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM$",
	"$2x$04$5nuDeeacmrmnwDQvjcovCe/doLE4PWBERLYuQ/.LWrsvmR//qzcg6",
	"$2b$03$5nuDeeacmrmnwDQvjcovCe/doLE4PWBERLYuQ/.LWrsvmR//qzcg6",
	"$2b$32$5nuDeeacmrmnwDQvjcovCe/doLE4PWBERLYuQ/.LWrsvmR//qzcg6",
	"$2b$4$5nuDeeacmrmnwDQvjcovCe/doLE4PWBERLYuQ/.LWrsvmR//qzcg6A",
	"$2b$04$5nuDeeacmrmnwDQvjcovCe/doLE4PWBERLYuQ/.LWrsvmR//qzcg",
	"$2b$04$5nuDeeacmrmnwDQvjcovCe/doLE4PWBERLYuQ/.LWrsvmR//qzcg+",
	"$2$04$5nuDeeacmrmnwDQvjcovCe/doLE4PWBERLYuQ/.LWrsvmR//qzcg6",
	"pbkdf2-sha256$",
	"pbkdf2-sha256$1000$c2hvcnQ=",
	"pbkdf2-sha256$0$c2hvcnQ=$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk=",
	"pbkdf2-sha256$-1$c2hvcnQ=$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk=",
	"pbkdf2-sha256$99999999999$c2hvcnQ=$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk=",
	"pbkdf2-sha256$1000$$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk=",
	"pbkdf2-sha256$1000$c2hvcnQ=$gQBw",
	"pbkdf2-sha256$1000$c2h*cnQ=$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk=",
	"pbkdf2-sha256$1000$c2hvcnQ=$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk=$",
	"pbkdf2_sha256$1000$c2hvcnQ=$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk=",
	"$pbkdf2-sha256$1000$c2hvcnQ$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk",
	"pbkdf2-sha1$1000$c2hvcnQ=$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk=",
	"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
	"$6$saltsalt$qjXMvbEw8oaL.CzflDugX/",
	"{SSHA}qjXMvbEw8oaL",
	strings.Repeat("$argon2id", 1000),
}

func TestVerifyMalformed(t *testing.T) {
	for _, enc := range malformed {
		ok, rehash, err := Verify("password", enc, testParams)
		if !errors.Is(err, ErrUnknownFormat) || ok || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, ErrUnknownFormat", enc, ok, rehash, err)
		}
		if IsSupportedHash(enc) {
			t.Errorf("IsSupportedHash(%q) = true", enc)
		}
	}
}
