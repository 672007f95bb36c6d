package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/db"
)

const (
	// keyTTL is how long a node trusts its copy of the key table.
	keyTTL = time.Minute
	// keySubject owns the data key that seals the private halves.
	keySubject = "system:oidc-signing-keys"
	// keyOverlap is how long a retired key stays published: longer than
	// any token it signed can live (lifetimes are capped at 24 hours).
	keyOverlap = 24*time.Hour + 10*time.Minute
)

// SigningAlgs are the algorithms the provider can sign ID tokens, JWT
// access tokens and logout tokens with: RS256 (the default, which every
// client library verifies) or ES256 (ECDSA P-256: a signature costs a
// small fraction of an RSA-2048 one).
var SigningAlgs = []string{"RS256", "ES256"}

// signingKey is one key (RSA 2048 for RS256, ECDSA P-256 for ES256),
// usable by the op package for signing and for the JWKS.
type signingKey struct {
	id        string
	alg       jose.SignatureAlgorithm
	priv      crypto.Signer
	createdAt time.Time
	retired   bool
}

func (k *signingKey) ID() string                                  { return k.id }
func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Algorithm() jose.SignatureAlgorithm          { return k.alg }
func (k *signingKey) Use() string                                 { return "sig" }

// Key is the private key for signing; the op package calls the same
// method on op.Key for the JWKS, where the public half is wanted, so the
// key set wraps it in publicKey.
func (k *signingKey) Key() any { return k.priv }

type publicKey struct{ *signingKey }

func (k publicKey) Key() any { return k.priv.Public() }

// newPrivateKey makes a key for alg and its sealed form's plaintext: PKCS
// #1 for RSA (as every key made before ES256 existed), PKCS #8 for ECDSA.
func newPrivateKey(alg string) (crypto.Signer, []byte, error) {
	if alg == string(jose.ES256) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		return k, der, err
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	return k, x509.MarshalPKCS1PrivateKey(k), nil
}

// parsePrivateKey reads a stored key of alg.
func parsePrivateKey(alg string, der []byte) (crypto.Signer, error) {
	if alg == string(jose.ES256) {
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, err
		}
		ec, ok := k.(*ecdsa.PrivateKey)
		if !ok || ec.Curve != elliptic.P256() {
			return nil, fmt.Errorf("not an ECDSA P-256 key")
		}
		return ec, nil
	}
	return x509.ParsePKCS1PrivateKey(der)
}

var (
	_ op.SigningKey = (*signingKey)(nil)
	_ op.Key        = publicKey{}
)

// keySet is the keys currently published, the newest unretired one signs.
// jwks is the published set as served (public halves), etag its hash.
type keySet struct {
	active *signingKey
	all    []*signingKey
	jwks   []byte
	etag   string
}

// publish fills the set's JWKS document and its ETag.
func (ks *keySet) publish() error {
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, len(ks.all))}
	for i, k := range ks.all {
		set.Keys[i] = jose.JSONWebKey{KeyID: k.id, Algorithm: string(k.alg), Use: "sig", Key: k.priv.Public()}
	}
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	h := sha256.Sum256(b)
	ks.jwks, ks.etag = b, `"`+base64.RawURLEncoding.EncodeToString(h[:16])+`"`
	return nil
}

// algs are the algorithms of the published keys, the signing key's first.
func (ks *keySet) algs() []jose.SignatureAlgorithm {
	out := []jose.SignatureAlgorithm{ks.active.alg}
	for _, k := range ks.all {
		if !slices.Contains(out, k.alg) {
			out = append(out, k.alg)
		}
	}
	return out
}

// keySet returns the current keys, making the first key, or the next one
// when the active key is older than the rotation period or signs with
// another algorithm than the configured one.
func (s *Service) keySet(ctx context.Context) (*keySet, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	now := s.db.Now()
	if s.keyCache != nil && now.Sub(s.keyLoaded) < keyTTL && now.Sub(s.keyCache.active.createdAt) < s.rotation {
		return s.keyCache, nil
	}
	ks, err := s.loadKeys(ctx)
	if err != nil {
		return nil, err
	}
	if ks.active == nil || now.Sub(ks.active.createdAt) >= s.rotation || string(ks.active.alg) != s.alg {
		if err := s.rotate(ctx, false); err != nil {
			return nil, err
		}
		if ks, err = s.loadKeys(ctx); err != nil {
			return nil, err
		}
		if ks.active == nil {
			return nil, fmt.Errorf("oidc: no signing key after rotation")
		}
	}
	if err := ks.publish(); err != nil {
		return nil, err
	}
	s.keyCache, s.keyLoaded = ks, now
	return ks, nil
}

func (s *Service) loadKeys(ctx context.Context) (*keySet, error) {
	ks := &keySet{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		ks.active, ks.all = nil, nil
		type row struct {
			id, alg string
			sealed  []byte
			created time.Time
			retired bool
		}
		rows, err := tx.Query(ctx, `SELECT id, alg, private_sealed, created_at, retired_at IS NOT NULL FROM oidc_keys
			WHERE expires_at IS NULL OR expires_at > ? ORDER BY created_at DESC, id`, tx.Now())
		list, err := db.Collect(rows, err, func(r db.Scanner) (x row, err error) {
			err = r.Scan(&x.id, &x.alg, &x.sealed, &x.created, &x.retired)
			return x, err
		})
		if err != nil {
			return err
		}
		for _, r := range list {
			der, err := s.keys.Open(ctx, tx, r.sealed, []byte("oidc_keys:"+r.id))
			if err != nil {
				return fmt.Errorf("oidc: open signing key %s: %w", r.id, err)
			}
			if r.alg != string(jose.ES256) {
				r.alg = string(jose.RS256)
			}
			priv, err := parsePrivateKey(r.alg, der)
			if err != nil {
				return fmt.Errorf("oidc: parse signing key %s: %w", r.id, err)
			}
			k := &signingKey{id: r.id, alg: jose.SignatureAlgorithm(r.alg), priv: priv, createdAt: r.created.UTC(), retired: r.retired}
			if ks.active == nil && !r.retired {
				ks.active = k
			}
			ks.all = append(ks.all, k)
		}
		return nil
	})
	return ks, err
}

// RotateKeys makes a new signing key now; the previous ones stay published
// until every token they signed has expired.
func (s *Service) RotateKeys(ctx context.Context) error {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	s.keyCache = nil
	return s.rotate(ctx, true)
}

// rotate retires the active key and adds a new one of the configured
// algorithm. Unless forced it does nothing when another node has just
// rotated (to a key of that algorithm).
func (s *Service) rotate(ctx context.Context, force bool) error {
	_, der, err := newPrivateKey(s.alg)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		now := tx.Now()
		if !force {
			var n int
			err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM oidc_keys WHERE retired_at IS NULL AND created_at > ? AND alg = ?",
				now.Add(-s.rotation), s.alg).Scan(&n)
			if err != nil || n > 0 {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE oidc_keys SET retired_at = ?, expires_at = ? WHERE retired_at IS NULL", now, now.Add(keyOverlap)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM oidc_keys WHERE expires_at <= ?", now); err != nil {
			return err
		}
		id := newID()
		dk, err := s.keys.DataKey(ctx, tx, keySubject)
		if err != nil {
			return err
		}
		sealed := dk.Seal(der, []byte("oidc_keys:"+id))
		if _, err := tx.Exec(ctx, "INSERT INTO oidc_keys (id, alg, private_sealed, created_at) VALUES (?, ?, ?, ?)", id, s.alg, sealed, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Event{Action: "oidc.key.rotate", Target: "oidc_key:" + id, Details: map[string]any{"alg": s.alg}})
	})
}
