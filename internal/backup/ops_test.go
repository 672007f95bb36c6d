package backup

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// An item's chunk list survives encoding with every kind of op: runs of
// the parent's list (in place and moved), runs of the backup's own index,
// and ids written out (a chunk an older backup of the chain stored).
func TestOpsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	id := func() (c chunkID) {
		for i := range c {
			c[i] = byte(r.UintN(256))
		}
		return c
	}
	var parent []chunkID
	for range 500 {
		parent = append(parent, id())
	}
	older := id() // in the chain, not in the parent's list of this path
	own := map[chunkID]int{}
	var ownList []chunkID
	var ids []chunkID
	for i, p := range parent {
		switch {
		case i%97 == 0: // changed in place
			n := id()
			own[n] = len(ownList)
			ownList = append(ownList, n)
			ids = append(ids, n)
		case i%131 == 0:
			ids = append(ids, older)
		default:
			ids = append(ids, p)
		}
	}
	ids = append(ids, parent[10:40]...) // moved
	for range 20 {                      // appended
		n := id()
		own[n] = len(ownList)
		ownList = append(ownList, n)
		ids = append(ids, n)
	}
	ops := encodeOps(ids, parent, own)
	got, err := decodeOps(ops, parent, ownList, len(ids))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ids {
		if !bytes.Equal(got[i][:], ids[i][:]) {
			t.Fatalf("chunk %d differs after decoding", i)
		}
	}
	if len(ops) > 2*idLen*30 {
		t.Errorf("the ops take %d bytes for %d chunks of which ~30 are written out", len(ops), len(ids))
	}
	// A list longer than its count, or a run past the parent, is refused.
	if _, err := decodeOps(ops, parent, ownList, len(ids)-1); err == nil {
		t.Error("ops decoded into more chunks than the item's count")
	}
	if _, err := decodeOps(ops, parent[:100], ownList, len(ids)); err == nil {
		t.Error("ops decoded with runs past the parent's list")
	}
}
