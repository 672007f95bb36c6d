package argon2

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	xargon2 "golang.org/x/crypto/argon2"
)

// The RFC 9106 test vectors (section 5): password 32×0x01, salt 16×0x02,
// secret 8×0x03, associated data 12×0x04, t=3, m=32 KiB, p=4, tag 32 bytes.
// They use a secret and associated data, which only this package's internal
// deriveKey takes.
func TestRFC9106Vectors(t *testing.T) {
	password := bytes.Repeat([]byte{1}, 32)
	salt := bytes.Repeat([]byte{2}, 16)
	secret := bytes.Repeat([]byte{3}, 8)
	ad := bytes.Repeat([]byte{4}, 12)
	for _, v := range []struct {
		mode int
		want string
	}{
		{argon2d, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"},
		{argon2i, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8"},
		{argon2id, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"},
	} {
		for _, sse4 := range []bool{useSSE4, false} {
			useSSE4Was := useSSE4
			useSSE4 = sse4
			// Twice through one pool: the second hash runs in the first's
			// leftover area.
			pool := NewPool(32, 4)
			for range 2 {
				got := hex.EncodeToString(pool.deriveKey(v.mode, password, salt, secret, ad, 3, 32, 4, 32))
				if got != v.want {
					t.Errorf("mode %d (sse4 %v): %s, want %s", v.mode, sse4, got, v.want)
				}
			}
			useSSE4 = useSSE4Was
		}
	}
}

// Every result equals x/crypto's, for a fresh area and for an area another
// hash with other inputs has just filled.
func TestSameAsXCrypto(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	params := []struct {
		time, memory uint32
		threads      uint8
	}{
		{1, 8, 1}, {2, 64, 1}, {3, 256, 2}, {2, 1024, 4}, {1, 19456, 1}, {2, 19456, 1}, {3, 12288, 1}, {2, 100, 3},
	}
	for _, p := range params {
		t.Run(fmt.Sprintf("t=%d,m=%d,p=%d", p.time, p.memory, p.threads), func(t *testing.T) {
			pool := NewPool(p.memory, p.threads)
			for i := range 3 {
				pw := make([]byte, rng.IntN(40))
				salt := make([]byte, 8+rng.IntN(24))
				for j := range pw {
					pw[j] = byte(rng.Uint32())
				}
				for j := range salt {
					salt[j] = byte(rng.Uint32())
				}
				keyLen := uint32(16 + rng.IntN(64))
				if want, got := xargon2.IDKey(pw, salt, p.time, p.memory, p.threads, keyLen), pool.IDKey(pw, salt, p.time, p.memory, p.threads, keyLen); !bytes.Equal(got, want) {
					t.Fatalf("argon2id, hash %d: %x, want %x", i, got, want)
				}
				if want, got := xargon2.Key(pw, salt, p.time, p.memory, p.threads, keyLen), pool.Key(pw, salt, p.time, p.memory, p.threads, keyLen); !bytes.Equal(got, want) {
					t.Fatalf("argon2i, hash %d: %x, want %x", i, got, want)
				}
			}
			// Without a pool, and with a pool made for other parameters.
			pw, salt := []byte("correct horse"), []byte("saltsaltsalt")
			want := xargon2.IDKey(pw, salt, p.time, p.memory, p.threads, 32)
			if got := IDKey(pw, salt, p.time, p.memory, p.threads, 32); !bytes.Equal(got, want) {
				t.Errorf("no pool: %x, want %x", got, want)
			}
			if got := NewPool(p.memory*2+8, p.threads).IDKey(pw, salt, p.time, p.memory, p.threads, 32); !bytes.Equal(got, want) {
				t.Errorf("pool of another size: %x, want %x", got, want)
			}
		})
	}
}

// A pooled hash allocates no work area once the pool holds one. (A
// garbage collection may empty the pool, so four hashes may allocate one
// area, not two.)
func TestPoolReusesItsArea(t *testing.T) {
	pool := NewPool(19456, 1)
	pw, salt := []byte("password"), []byte("somesaltsomesalt")
	pool.IDKey(pw, salt, 2, 19456, 1, 32)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 4 {
		pool.IDKey(pw, salt, 2, 19456, 1, 32)
	}
	runtime.ReadMemStats(&after)
	const area = 19456 * 1024
	if got := after.TotalAlloc - before.TotalAlloc; got >= 2*area {
		t.Errorf("four pooled hashes allocated %d bytes: the %d-byte area was not reused", got, area)
	}
}

func BenchmarkIDKey(b *testing.B) {
	pw, salt := []byte("password"), []byte("somesaltsomesalt")
	b.Run("x/crypto", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			xargon2.IDKey(pw, salt, 2, 19456, 1, 32)
		}
	})
	b.Run("pool", func(b *testing.B) {
		pool := NewPool(19456, 1)
		b.ReportAllocs()
		for b.Loop() {
			pool.IDKey(pw, salt, 2, 19456, 1, 32)
		}
	})
}
