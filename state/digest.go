package state

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"sync"

	"github.com/cairn-chain/cairn/core"
)

// The state digest is an LtHash (Bellare-Micciancio lattice hash, as in
// Facebook's LtHash16): each state record (key, value) maps to a vector
// of 1024 uint16 lanes, and the digest vector is their lane-wise sum mod
// 2^16. Adding and removing a record are O(1) in the number of records, the sum is independent of order, and finding two
// different account sets with the same sum is a hard lattice problem
// (~200-bit security at these sizes). The element expansion is AES-256-CTR
// keyed by SHA-256 of the record entry: AES-NI makes the 2 KiB keystream
// far cheaper than a SHA-256 or SHAKE expansion.

// DigestLanes is the number of uint16 lanes of the digest vector.
const DigestLanes = 1024

// DigestSize is the encoded size of a digest vector.
const DigestSize = 2 * DigestLanes

var digestDomain = []byte("cairn/state/v1")

// Digest is the multiset hash of all state records. The zero value is the empty
// state.
type Digest struct {
	v [DigestLanes / 4]uint64 // four little-endian uint16 lanes per word
}

// laneHigh has the top bit of each 16-bit lane set; SWAR arithmetic masks
// it so carries and borrows never cross lanes.
const laneHigh = 0x8000800080008000

// expand writes the lattice element of one record into out. An account
// keeps its version-1 element (domain "cairn/state/v1" || address ||
// balance || nonce), so digests of account-only states are unchanged;
// every other record's is keyed by domain "cairn/state/v2" || uvarint key
// length || key || value.
func expand(key string, val []byte, out *[DigestSize]byte) {
	var buf [512]byte
	var entry []byte
	if _, ok := addressOfAccountKey(key); ok {
		entry = append(append(append(buf[:0], digestDomain...), key[1:]...), val...)
	} else {
		entry = append(buf[:0], digestDomainV2...)
		entry = binary.AppendUvarint(entry, uint64(len(key)))
		entry = append(append(entry, key...), val...)
	}
	k := sha256.Sum256(entry)
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic("state: AES-256 with a 32-byte key: " + err.Error()) // cannot happen
	}
	var iv [aes.BlockSize]byte
	clear(out[:])
	cipher.NewCTR(block, iv[:]).XORKeyStream(out[:], out[:])
}

var digestDomainV2 = []byte("cairn/state/v2")

// addVec adds (or subtracts) the element e lane-wise into v.
func addVec(v *[DigestLanes / 4]uint64, e *[DigestSize]byte, sub bool) {
	for i := range v {
		x, y := v[i], binary.LittleEndian.Uint64(e[8*i:])
		if sub {
			v[i] = ((x | laneHigh) - (y &^ laneHigh)) ^ ((x ^ ^y) & laneHigh)
		} else {
			v[i] = ((x &^ laneHigh) + (y &^ laneHigh)) ^ ((x ^ y) & laneHigh)
		}
	}
}

// Add adds a record (nil values are absent records: nothing to add).
func (d *Digest) Add(key string, val []byte) {
	if val != nil {
		var e [DigestSize]byte
		expand(key, val, &e)
		addVec(&d.v, &e, false)
	}
}

// Remove removes a record previously added.
func (d *Digest) Remove(key string, val []byte) {
	if val != nil {
		var e [DigestSize]byte
		expand(key, val, &e)
		addVec(&d.v, &e, true)
	}
}

// Apply updates the digest with a block's changes. Large change sets are
// split over the cores: lane sums commute, so the result is the same.
func (d *Digest) Apply(cs []Change) {
	workers := min(runtime.GOMAXPROCS(0), len(cs)/64)
	if workers <= 1 {
		var e [DigestSize]byte
		for _, c := range cs {
			applyChange(&d.v, c, &e)
		}
		return
	}
	parts := make([]Digest, workers)
	var wg sync.WaitGroup
	for w := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var e [DigestSize]byte
			for i := w; i < len(cs); i += workers {
				applyChange(&parts[w].v, cs[i], &e)
			}
		}()
	}
	wg.Wait()
	for w := range parts {
		for i := range d.v {
			x, y := d.v[i], parts[w].v[i]
			d.v[i] = ((x &^ laneHigh) + (y &^ laneHigh)) ^ ((x ^ y) & laneHigh)
		}
	}
}

// applyChange removes c.Old and adds c.New, using e as scratch space.
func applyChange(v *[DigestLanes / 4]uint64, c Change, e *[DigestSize]byte) {
	if c.Old != nil {
		expand(c.Key, c.Old, e)
		addVec(v, e, true)
	}
	if c.New != nil {
		expand(c.Key, c.New, e)
		addVec(v, e, false)
	}
}

// Sum returns the 32-byte digest shown to users: SHA-256 of the vector.
func (d Digest) Sum() core.Hash { return sha256.Sum256(d.Encode()) }

// Encode returns the vector as 1024 little-endian uint16 lanes.
func (d Digest) Encode() []byte {
	b := make([]byte, DigestSize)
	for i, x := range d.v {
		binary.LittleEndian.PutUint64(b[8*i:], x)
	}
	return b
}

// DecodeDigest decodes a stored vector.
func DecodeDigest(b []byte) (Digest, error) {
	var d Digest
	if len(b) != DigestSize {
		return d, core.Errorf(core.CodeMalformed, "state digest: %d bytes, want %d", len(b), DigestSize)
	}
	for i := range d.v {
		d.v[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return d, nil
}
