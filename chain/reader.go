package chain

import (
	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
)

// indexReader is the block index as a consensus.ChainReader: the chain
// passes (*indexReader)(c) to its engine while it holds c.mu (a
// conversion, no allocation).
type indexReader Chain

var _ consensus.ChainReader = (*indexReader)(nil)

// HeaderByHash returns a copy of an indexed header (any branch, including
// invalid ones: the engine sees what the chain knows).
func (r *indexReader) HeaderByHash(h core.Hash) (*core.Header, bool) {
	n, ok := r.index[h]
	if !ok {
		return nil, false
	}
	hdr := n.header
	return &hdr, true
}

// batchReader is the index plus the headers of a batch being checked that
// are not indexed yet: transient nodes linked from tip by parent, down to
// the first indexed one.
type batchReader struct {
	c   *Chain
	tip *node
}

func (r *batchReader) HeaderByHash(h core.Hash) (*core.Header, bool) {
	for n := r.tip; n != nil; n = n.parent {
		if n.hash == h {
			hdr := n.header
			return &hdr, true
		}
		if _, indexed := r.c.index[n.hash]; indexed {
			break
		}
	}
	return (*indexReader)(r.c).HeaderByHash(h)
}

// engineReader returns the chain reader for checks of a header whose parent is
// parent (nil or indexed: the index alone). Must be called with c.mu held;
// the reader is valid while it is.
func (c *Chain) engineReader(parent *node) consensus.ChainReader {
	if parent != nil {
		if _, indexed := c.index[parent.hash]; !indexed {
			return &batchReader{c: c, tip: parent}
		}
	}
	return (*indexReader)(c)
}

// heavier reports whether the branch ending at n should replace the one
// ending at than: more work, or equal work and the engine prefers n (PoW
// never does: the first seen is kept). Must be called with c.mu held.
func (c *Chain) heavier(n, than *node) bool {
	switch cmp := n.work.Cmp(than.work); {
	case cmp != 0:
		return cmp > 0
	case n == than:
		return false
	default:
		return c.cfg.Engine.PreferTie((*indexReader)(c), &than.header, &n.header)
	}
}

// ReadHeaders calls fn with the block index as a consensus.ChainReader and
// the main chain's tip, under the chain's read lock (for views an engine
// derives from history, e.g. a signer set for the API). The reader is
// valid only during fn, and fn must not call c's methods.
func (c *Chain) ReadHeaders(fn func(r consensus.ChainReader, tip core.Hash)) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	fn((*indexReader)(c), c.tip().hash)
}
