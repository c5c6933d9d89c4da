package bench

import (
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
)

// txIndex finds a bench transfer by its tx ID. It is keyed by the ID's
// first 8 bytes, which takes a third of the memory of a map keyed by the
// whole 32-byte ID (about 30 MiB less for a million txs, all of it in the
// heap that --devnet's nodes share); the rare IDs whose prefix is already
// taken by another transfer go to a second map keyed by the whole ID.
type txIndex struct {
	byPrefix map[uint64]*btx
	byID     map[core.Hash]*btx // prefix collisions
}

func newTxIndex() *txIndex {
	return &txIndex{byPrefix: map[uint64]*btx{}, byID: map[core.Hash]*btx{}}
}

func idPrefix(id core.Hash) uint64 { return binary.LittleEndian.Uint64(id[:8]) }

// put registers b under b.id.
func (x *txIndex) put(b *btx) {
	p := idPrefix(b.id)
	if old, ok := x.byPrefix[p]; ok && old.id != b.id {
		x.byID[b.id] = b
		return
	}
	x.byPrefix[p] = b
}

// get returns the transfer with ID id, or nil if it is not a bench one.
func (x *txIndex) get(id core.Hash) *btx {
	if b := x.byPrefix[idPrefix(id)]; b != nil && b.id == id {
		return b
	}
	return x.byID[id]
}

// each calls fn for every registered transfer.
func (x *txIndex) each(fn func(*btx)) {
	for _, b := range x.byPrefix {
		fn(b)
	}
	for _, b := range x.byID {
		fn(b)
	}
}
