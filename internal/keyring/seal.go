package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Ciphertext layout, version 1:
//
//	[0]      format version (1 = AES-256-GCM, 96-bit random nonce)
//	[1:17]   data key id
//	[17:29]  nonce
//	[29:]    ciphertext and 16-byte tag
//
// The version byte and key id are authenticated as associated data, together
// with whatever context the caller binds the value to (table, column, row).
const (
	formatV1   = 1
	keyIDLen   = 16
	nonceLen   = 12
	headerLen  = 1 + keyIDLen
	overheadV1 = headerLen + nonceLen + 16
)

// Errors from Open.
var (
	ErrMalformed    = errors.New("keyring: malformed ciphertext")
	ErrTampered     = errors.New("keyring: ciphertext failed authentication")
	ErrKeyDestroyed = errors.New("keyring: data key destroyed")
	ErrUnknownKey   = errors.New("keyring: unknown data key")
)

// KeyID identifies a data key inside ciphertexts.
type KeyID [keyIDLen]byte

func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// DataKey is an unwrapped per-subject key. It seals values; opening goes
// through the Keyring, which finds the key named in the ciphertext.
type DataKey struct {
	ID      KeyID
	Subject string
	raw     []byte
	aead    cipher.AEAD
}

func newDataKey(id KeyID, subject string, raw []byte) (*DataKey, error) {
	aead, err := newGCM(raw)
	if err != nil {
		return nil, err
	}
	return &DataKey{ID: id, Subject: subject, raw: raw, aead: aead}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plaintext, binding it to aad (which Open must be given again).
func (k *DataKey) Seal(plaintext, aad []byte) []byte {
	out := make([]byte, headerLen+nonceLen, overheadV1+len(plaintext))
	out[0] = formatV1
	copy(out[1:headerLen], k.ID[:])
	if _, err := rand.Read(out[headerLen:]); err != nil {
		// crypto/rand does not fail on supported platforms; sealing without a
		// fresh nonce would be worse than stopping.
		panic("keyring: crypto/rand failed: " + err.Error())
	}
	return k.aead.Seal(out, out[headerLen:], plaintext, associated(out[:headerLen], aad))
}

// open decrypts a ciphertext known to carry this key's id.
func (k *DataKey) open(ct, aad []byte) ([]byte, error) {
	pt, err := k.aead.Open(nil, ct[headerLen:headerLen+nonceLen], ct[headerLen+nonceLen:], associated(ct[:headerLen], aad))
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}

func associated(header, aad []byte) []byte {
	a := make([]byte, 0, len(header)+len(aad))
	return append(append(a, header...), aad...)
}

// parseHeader returns the key id of a ciphertext after checking its shape.
func parseHeader(ct []byte) (KeyID, error) {
	var id KeyID
	if len(ct) < overheadV1 || ct[0] != formatV1 {
		return id, ErrMalformed
	}
	copy(id[:], ct[1:headerLen])
	return id, nil
}

// CiphertextKeyID reports which data key sealed ct.
func CiphertextKeyID(ct []byte) (KeyID, error) { return parseHeader(ct) }

// wrap seals a data key under a master key, bound to its id and subject.
func wrap(mk masterKey, id KeyID, subject string, raw []byte) ([]byte, error) {
	aead, err := newGCM(mk.key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, nonceLen, nonceLen+len(raw)+16)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, raw, wrapAAD(id, subject)), nil
}

func unwrap(mk masterKey, id KeyID, subject string, wrapped []byte) ([]byte, error) {
	aead, err := newGCM(mk.key)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < nonceLen+16 {
		return nil, ErrMalformed
	}
	raw, err := aead.Open(nil, wrapped[:nonceLen], wrapped[nonceLen:], wrapAAD(id, subject))
	if err != nil {
		return nil, fmt.Errorf("keyring: data key %s does not open with master key %s: %w", id, mk.id, ErrTampered)
	}
	return raw, nil
}

func wrapAAD(id KeyID, subject string) []byte {
	return []byte("frontdesk data key v1\x00" + id.String() + "\x00" + subject)
}

// blindIndexKey derives the HMAC key for blind indexes from a data key, so
// the index key itself is never stored.
func blindIndexKey(raw []byte) []byte {
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("frontdesk blind index v1"))
	return m.Sum(nil)
}

// Open decrypts a ciphertext sealed with this key, checking aad, without
// the database: for long reads (an export) that already hold the key.
// A ciphertext sealed with another key is ErrUnknownKey.
func (k *DataKey) Open(ciphertext, aad []byte) ([]byte, error) {
	id, err := parseHeader(ciphertext)
	if err != nil {
		return nil, err
	}
	if id != k.ID {
		return nil, ErrUnknownKey
	}
	return k.open(ciphertext, aad)
}
