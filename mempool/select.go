package mempool

import (
	"math"
	"slices"

	"github.com/cairn-chain/cairn/core"
)

// Select returns what a miner should put in a block: at most maxTxs txs
// of at most maxBytes encoded bytes in all, highest fee per byte first,
// each sender's txs in nonce order and only those whose nonces follow the
// account nonce without a gap, so that applying them in the returned order
// is valid. A sender whose next tx does not fit is skipped from there on.
// Non-positive limits select nothing.
func (p *Pool) Select(maxBytes, maxTxs int) []*core.Tx {
	if maxBytes <= 0 || maxTxs <= 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	es := p.selectLocked(maxBytes, maxTxs)
	out := make([]*core.Tx, len(es))
	for i, e := range es {
		out[i] = e.tx
	}
	return out
}

func (p *Pool) selectLocked(maxBytes, maxTxs int) []*entry {
	var out []*entry
	used := 0
	walk := heapWalk{}
	walk.start(p.ready, func(*sender) int { return 0 })
	for len(out) < maxTxs && maxBytes-used >= p.minSize {
		c, ok := walk.next()
		if !ok {
			break
		}
		if c.e.size > maxBytes-used {
			continue // the sender's later txs need this one first
		}
		out = append(out, c.e)
		used += c.e.size
		if n := c.idx + 1; n < len(c.s.txs) && c.s.txs[n].tx.Nonce == c.e.tx.Nonce+1 {
			walk.push(c.s, n)
		}
	}
	return out
}

// Txs returns up to limit pooled txs (all if limit <= 0) for display: the
// txs Select would take, in its order, then those waiting for a missing
// nonce, highest fee per byte first.
func (p *Pool) Txs(limit int) []*core.Tx {
	if limit <= 0 {
		limit = math.MaxInt
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	es := p.selectLocked(math.MaxInt, limit)
	if len(es) < limit && len(es) < len(p.byID) {
		taken := make(map[*entry]bool, len(es))
		for _, e := range es {
			taken[e] = true
		}
		rest := make([]*entry, 0, len(p.byID)-len(es))
		for _, e := range p.byID {
			if !taken[e] {
				rest = append(rest, e)
			}
		}
		slices.SortFunc(rest, func(a, b *entry) int {
			if better(a, b) {
				return -1
			}
			return 1
		})
		es = append(es, rest[:min(len(rest), limit-len(es))]...)
	}
	out := make([]*core.Tx, len(es))
	for i, e := range es {
		out[i] = e.tx
	}
	return out
}
