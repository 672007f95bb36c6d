package password

// testParams keep tests fast: 64 KiB, one pass.
var testParams = Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// Reference hashes made by other implementations, so that Verify is checked
// against them and not only against Hash.
const (
	// echo -n password | argon2 somesaltsomesalt -id -t 1 -m 6 -p 1 -l 32 -e
	// (the reference argon2 command, Debian package argon2 0~20190702).
	refArgon2id = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM"
	// The same with -i.
	refArgon2i = "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$77X1OtRH9olx3G9mXHJJzKWqXxbc1sXyAxQFftkk7VM"
	// echo -n 'correct horse battery staple' | argon2 saltsaltsaltsalt -id -t 2 -k 19456 -p 1 -l 32 -e
	refArgon2idDefault = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM"
	// passlib 1.7.4: argon2.using(type="ID", memory_cost=64, time_cost=1,
	// parallelism=1).hash("passlib test").
	passlibArgon2id = "$argon2id$v=19$m=64,t=1,p=1$AgDgXEsJgbB2rjUG4Pyf8w$X53OyldgxYRyG3+wsmnlAzqHdrksSO1qDamBYmQ8z8U"

	// htpasswd -bnBC 10 "" 'correct horse battery staple' (Apache 2.4).
	htpasswdBcrypt = "$2y$10$f7jPAhpKRAAOUgWhXDNnNuv0PCvFCP5dZcNpj4IDB6oJwYWHtK4i6"
	// passlib bcrypt.using(rounds=4, ident="2b"|"2a").hash("passlib test").
	passlibBcrypt2b = "$2b$04$5nuDeeacmrmnwDQvjcovCe/doLE4PWBERLYuQ/.LWrsvmR//qzcg6"
	passlibBcrypt2a = "$2a$04$RPnEwnjCwUAswbnTl3TaVuXso35oEAc00LQ4ebXU6KhpPeHdPEg1y"
	// passlib bcrypt (cost 4) of the first 72 bytes of pw80.
	bcryptOfPrefix72 = "$2b$04$9EKXP0I0iOnHnewpWqUBCeaur7Jit4mxpAKp0JEjAIpLrrPVlmWo6"

	// Python hashlib.pbkdf2_hmac("sha256", b"import me", salt, 1000, 32)
	// with salt b"NaCl-salt-16byte" and b"short", padded and unpadded.
	pbkdf2Padded   = "pbkdf2-sha256$1000$TmFDbC1zYWx0LTE2Ynl0ZQ==$kIE9kiKmz364T3V05DY+CCU2IBbn8VzEE3dcsyXmq80="
	pbkdf2Short    = "pbkdf2-sha256$1000$c2hvcnQ=$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk="
	pbkdf2ShortRaw = "pbkdf2-sha256$1000$c2hvcnQ$gQBw0XeaAhpk2xOutsI04IoGejvVfbr1EIFpx1pezdk"
	// RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
	pbkdf2RFC7914 = "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLxJypzM8Xm2RZkWZLOdd+8xfHG4RbHjC9UJESBB06GXgw=="
)

// pw80 is an 80-byte password whose first 72 bytes bcryptOfPrefix72 hashes.
const pw80 = "01234567890123456789012345678901234567890123456789012345678901234567890123456789"
