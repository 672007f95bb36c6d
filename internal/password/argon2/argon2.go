// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package argon2 is golang.org/x/crypto/argon2 (v0.58.0, BSD licence in
// LICENSE) with one change: the work area, the memory the hash fills, can be
// reused from one hash to the next through a Pool.
//
// x/crypto allocates a fresh work area for every hash (19 MiB at Frontdesk's
// parameters). In a server that hashes all day, that allocation is where a
// sign-in's CPU beyond the hash itself went: the garbage collector runs
// every other hash because of it and marks the whole heap each time, the
// runtime zeroes the area again, and the scavenger hands its pages back to
// the kernel only for the next hash to fault them in (docs/benchmarks.md).
// With a Pool the areas stay resident while hashing goes on, and are
// released by the garbage collector once hashing stops.
//
// The first pass over memory writes each block instead of XORing into it, as
// the Argon2 specification (RFC 9106, section 3.2) has it; x/crypto XORs into
// freshly zeroed memory, which is the same. The blocks kernels, BLAKE2b and
// the index function are x/crypto's unchanged, and the tests check every
// result against x/crypto and the RFC's test vectors.
package argon2

import (
	"encoding/binary"
	"sync"

	"golang.org/x/crypto/blake2b"
)

// Version is the Argon2 version implemented by this package (0x13).
const Version = 0x13

const (
	argon2d = iota
	argon2i
	argon2id
)

// Pool keeps work areas of one size for reuse. The zero value is not usable;
// call NewPool. A Pool is safe for concurrent use; it holds at most as many
// areas as hashes ran at once, and the garbage collector frees them when
// they are not used (sync.Pool).
type Pool struct {
	blocks uint32 // work area size in blocks, as deriveKey rounds it
	pool   sync.Pool
}

// NewPool returns a Pool of work areas for hashes with memory KiB and
// threads lanes. Hashes with other parameters still work through it; they
// allocate their own area.
func NewPool(memory uint32, threads uint8) *Pool {
	return &Pool{blocks: roundMemory(memory, uint32(threads))}
}

// IDKey is Argon2id, as golang.org/x/crypto/argon2.IDKey, computed in a work
// area from p. A nil p allocates one.
func (p *Pool) IDKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	return p.deriveKey(argon2id, password, salt, nil, nil, time, memory, threads, keyLen)
}

// Key is Argon2i, as golang.org/x/crypto/argon2.Key, computed in a work area
// from p. A nil p allocates one.
func (p *Pool) Key(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	return p.deriveKey(argon2i, password, salt, nil, nil, time, memory, threads, keyLen)
}

// IDKey is Argon2id with a work area of its own, as x/crypto computes it.
func IDKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	return (*Pool)(nil).IDKey(password, salt, time, memory, threads, keyLen)
}

// Key is Argon2i with a work area of its own, as x/crypto computes it.
func Key(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	return (*Pool)(nil).Key(password, salt, time, memory, threads, keyLen)
}

func roundMemory(memory, threads uint32) uint32 {
	memory = memory / (syncPoints * threads) * (syncPoints * threads)
	if memory < 2*syncPoints*threads {
		memory = 2 * syncPoints * threads
	}
	return memory
}

// area returns a work area of n blocks, from the pool when it has one of
// that size. Its contents are whatever an earlier hash left: every block is
// written before it is read.
func (p *Pool) area(n uint32) []block {
	if p != nil && n == p.blocks {
		if b, ok := p.pool.Get().(*[]block); ok {
			return *b
		}
	}
	return make([]block, n)
}

func (p *Pool) put(b []block) {
	if p != nil && uint32(len(b)) == p.blocks {
		p.pool.Put(&b)
	}
}

func (p *Pool) deriveKey(mode int, password, salt, secret, data []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if time < 1 {
		panic("argon2: number of rounds too small")
	}
	if threads < 1 {
		panic("argon2: parallelism degree too low")
	}
	h0 := initHash(password, salt, secret, data, time, memory, uint32(threads), keyLen, mode)

	memory = roundMemory(memory, uint32(threads))
	B := p.area(memory)
	defer p.put(B)
	initBlocks(B, &h0, memory, uint32(threads))
	processBlocks(B, time, memory, uint32(threads), mode)
	return extractKey(B, memory, uint32(threads), keyLen)
}

const (
	blockLength = 128
	syncPoints  = 4
)

type block [blockLength]uint64

func initHash(password, salt, key, data []byte, time, memory, threads, keyLen uint32, mode int) [blake2b.Size + 8]byte {
	var (
		h0     [blake2b.Size + 8]byte
		params [24]byte
		tmp    [4]byte
	)

	b2, _ := blake2b.New512(nil)
	binary.LittleEndian.PutUint32(params[0:4], threads)
	binary.LittleEndian.PutUint32(params[4:8], keyLen)
	binary.LittleEndian.PutUint32(params[8:12], memory)
	binary.LittleEndian.PutUint32(params[12:16], time)
	binary.LittleEndian.PutUint32(params[16:20], uint32(Version))
	binary.LittleEndian.PutUint32(params[20:24], uint32(mode))
	b2.Write(params[:])
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(password)))
	b2.Write(tmp[:])
	b2.Write(password)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(salt)))
	b2.Write(tmp[:])
	b2.Write(salt)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(key)))
	b2.Write(tmp[:])
	b2.Write(key)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(data)))
	b2.Write(tmp[:])
	b2.Write(data)
	b2.Sum(h0[:0])
	return h0
}

// initBlocks writes the first two blocks of each lane into B.
func initBlocks(B []block, h0 *[blake2b.Size + 8]byte, memory, threads uint32) {
	var block0 [1024]byte
	for lane := uint32(0); lane < threads; lane++ {
		j := lane * (memory / threads)
		binary.LittleEndian.PutUint32(h0[blake2b.Size+4:], lane)

		binary.LittleEndian.PutUint32(h0[blake2b.Size:], 0)
		blake2bHash(block0[:], h0[:])
		for i := range B[j+0] {
			B[j+0][i] = binary.LittleEndian.Uint64(block0[i*8:])
		}

		binary.LittleEndian.PutUint32(h0[blake2b.Size:], 1)
		blake2bHash(block0[:], h0[:])
		for i := range B[j+1] {
			B[j+1][i] = binary.LittleEndian.Uint64(block0[i*8:])
		}
	}
}

func processBlocks(B []block, time, memory, threads uint32, mode int) {
	lanes := memory / threads
	segments := lanes / syncPoints

	processSegment := func(n, slice, lane uint32, wg *sync.WaitGroup) {
		var addresses, in, zero block
		if mode == argon2i || (mode == argon2id && n == 0 && slice < syncPoints/2) {
			in[0] = uint64(n)
			in[1] = uint64(lane)
			in[2] = uint64(slice)
			in[3] = uint64(memory)
			in[4] = uint64(time)
			in[5] = uint64(mode)
		}

		index := uint32(0)
		if n == 0 && slice == 0 {
			index = 2 // we have already generated the first two blocks
			if mode == argon2i || mode == argon2id {
				in[6]++
				processBlock(&addresses, &in, &zero)
				processBlock(&addresses, &addresses, &zero)
			}
		}

		offset := lane*lanes + slice*segments + index
		var random uint64
		for index < segments {
			prev := offset - 1
			if index == 0 && slice == 0 {
				prev += lanes // last block in lane
			}
			if mode == argon2i || (mode == argon2id && n == 0 && slice < syncPoints/2) {
				if index%blockLength == 0 {
					in[6]++
					processBlock(&addresses, &in, &zero)
					processBlock(&addresses, &addresses, &zero)
				}
				random = addresses[index%blockLength]
			} else {
				random = B[prev][0]
			}
			newOffset := indexAlpha(random, lanes, segments, threads, n, slice, lane, index)
			if n == 0 {
				// The first pass writes the block: the area may hold an
				// earlier hash's blocks, not zeros.
				processBlock(&B[offset], &B[prev], &B[newOffset])
			} else {
				processBlockXOR(&B[offset], &B[prev], &B[newOffset])
			}
			index, offset = index+1, offset+1
		}
		wg.Done()
	}

	for n := uint32(0); n < time; n++ {
		for slice := uint32(0); slice < syncPoints; slice++ {
			var wg sync.WaitGroup
			for lane := uint32(0); lane < threads; lane++ {
				wg.Add(1)
				go processSegment(n, slice, lane, &wg)
			}
			wg.Wait()
		}
	}

}

func extractKey(B []block, memory, threads, keyLen uint32) []byte {
	lanes := memory / threads
	for lane := uint32(0); lane < threads-1; lane++ {
		for i, v := range B[(lane*lanes)+lanes-1] {
			B[memory-1][i] ^= v
		}
	}

	var block [1024]byte
	for i, v := range B[memory-1] {
		binary.LittleEndian.PutUint64(block[i*8:], v)
	}
	key := make([]byte, keyLen)
	blake2bHash(key, block[:])
	return key
}

func indexAlpha(rand uint64, lanes, segments, threads, n, slice, lane, index uint32) uint32 {
	refLane := uint32(rand>>32) % threads
	if n == 0 && slice == 0 {
		refLane = lane
	}
	m, s := 3*segments, ((slice+1)%syncPoints)*segments
	if lane == refLane {
		m += index
	}
	if n == 0 {
		m, s = slice*segments, 0
		if slice == 0 || lane == refLane {
			m += index
		}
	}
	if index == 0 || lane == refLane {
		m--
	}
	return phi(rand, uint64(m), uint64(s), refLane, lanes)
}

func phi(rand, m, s uint64, lane, lanes uint32) uint32 {
	p := rand & 0xFFFFFFFF
	p = (p * p) >> 32
	p = (p * m) >> 32
	return lane*lanes + uint32((s+m-(p+1))%uint64(lanes))
}
