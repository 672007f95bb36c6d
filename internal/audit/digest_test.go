package audit

import (
	"bytes"
	"testing"
	"time"
)

// An entry written before digests (version 1) hashes its sealed personal
// details; one with a digest (version 2) hashes the digest instead, so
// dropping the details when their retention ends leaves its hash as it
// was, and the two versions never hash alike. // ASVS 16.4.2
func TestPersonalDigestHash(t *testing.T) {
	e := Entry{Seq: 7, At: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), Action: "account.create", Outcome: Success,
		Subject: "account:x", Personal: []byte("sealed bytes"), PrevHash: make([]byte, 32)}
	v1 := e.computeHash()
	e.PersonalDigest = personalDigest(e.Personal)
	v2 := e.computeHash()
	if bytes.Equal(v1, v2) {
		t.Fatal("versions 1 and 2 of the same entry hash alike")
	}
	e.Personal = nil
	if !bytes.Equal(e.computeHash(), v2) {
		t.Fatal("dropping the personal details changed the entry's hash")
	}
	e.PersonalDigest = nil
	if bytes.Equal(e.computeHash(), v2) {
		t.Fatal("an entry without its digest still hashes as version 2")
	}
	e.Personal, e.PersonalDigest = []byte("other bytes"), personalDigest([]byte("sealed bytes"))
	if !bytes.Equal(e.computeHash(), v2) || bytes.Equal(personalDigest(e.Personal), e.PersonalDigest) {
		t.Fatal("the digest check cannot tell altered details (Verify compares them)")
	}
}
