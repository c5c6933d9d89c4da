package mempool

import (
	"github.com/cairn-chain/cairn/core"
)

// Update follows the chain tip after it moved: connected are the blocks
// now on the main chain that were not before (a new block, or a reorg's
// new branch), disconnected the blocks that left it (a reorg's old
// branch); the state reader must already answer at the new tip.
//
// Txs included in connected blocks leave the pool. Txs of disconnected
// blocks that are not in connected ones come back (nothing is lost), with
// their signatures trusted (the blocks were valid) and without the
// per-sender and nonce-window limits, which only apply to new
// submissions. Then every account the blocks touched (senders, recipients,
// miners) is rechecked against its new state: txs whose nonce is below
// the account nonce are dropped, and so are a sender's txs from the first
// one its balance no longer covers; the rest is kept. Last, if the pool
// is over MaxBytes, the cheapest queue ends are evicted.
//
// If an account cannot be read, its txs are kept unchecked and rechecked
// on the next Add or Update that reads it.
func (p *Pool) Update(disconnected, connected []*core.Block) {
	p.UpdateKnown(disconnected, connected, nil, nil)
}

// Known are a block's tx IDs and sender addresses in tx order, as the
// chain derived them (chain.BlockTxs); what is missing is derived here.
type Known struct {
	IDs     []core.Hash
	Senders []core.Address
}

// at returns tx i's ID and sender from k, deriving what k lacks.
func (k *Known) at(i int, tx *core.Tx) (core.Hash, core.Address) {
	var id core.Hash
	var from core.Address
	if k != nil && len(k.IDs) > i {
		id = k.IDs[i]
	} else {
		id = tx.ID()
	}
	if k != nil && len(k.Senders) > i {
		from = k.Senders[i]
	} else {
		from = tx.Sender()
	}
	return id, from
}

func knownAt(ks []Known, i int) *Known {
	if i < len(ks) {
		return &ks[i]
	}
	return nil
}

// UpdateKnown is Update with the blocks' tx IDs and senders as the chain
// derived them (dk for disconnected, ck for connected, block for block;
// either may be nil), so that they are not hashed again.
func (p *Pool) UpdateKnown(disconnected, connected []*core.Block, dk, ck []Known) {
	// IDs and addresses cost hashing: work them out before locking.
	included := make(map[core.Hash]struct{})
	touched := make(map[core.Address]struct{})
	for bi, b := range connected {
		if b == nil {
			continue
		}
		k := knownAt(ck, bi)
		touched[b.Header.Miner] = struct{}{}
		for i, tx := range b.Txs {
			if tx == nil {
				continue
			}
			id, from := k.at(i, tx)
			included[id] = struct{}{}
			touched[from] = struct{}{}
			touched[tx.To] = struct{}{}
		}
	}
	// A version-2 tx may change records other senders' pending txs read
	// (an asset's supply, roles, frozen holders): re-execute every sender
	// with a version-2 tx pending. A perm_grant or perm_revoke may change
	// whether any sender may send at all: re-execute every sender.
	v2, perm := false, false
	for _, bs := range [][]*core.Block{connected, disconnected} {
		for _, b := range bs {
			for _, tx := range b.Txs {
				v2 = v2 || tx.Version == core.TxVersion2
				perm = perm || tx.Kind == core.KindPermGrant || tx.Kind == core.KindPermRevoke
			}
		}
	}
	back := make(map[core.Address][]*entry)
	seen := make(map[core.Hash]struct{})
	for bi, b := range disconnected {
		if b == nil {
			continue
		}
		k := knownAt(dk, bi)
		touched[b.Header.Miner] = struct{}{}
		for i, tx := range b.Txs {
			if tx == nil {
				continue
			}
			id, from := k.at(i, tx)
			touched[from] = struct{}{}
			touched[tx.To] = struct{}{}
			e, err := p.prepareKnown(tx, id, from)
			if err != nil {
				continue // cannot be valid on this chain any more
			}
			if _, ok := included[e.id]; ok {
				continue
			}
			if _, ok := seen[e.id]; ok {
				continue
			}
			seen[e.id] = struct{}{}
			back[e.sender] = append(back[e.sender], e)
		}
	}

	p.mu.Lock()
	p.epoch++ // every sender's view read the old state
	if v2 {
		for a, s := range p.senders {
			for _, e := range s.txs {
				if perm || e.tx.Version == core.TxVersion2 {
					touched[a] = struct{}{}
					break
				}
			}
		}
	}
	var removed, added []*entry
	for id := range included {
		if e, ok := p.byID[id]; ok {
			p.remove(e)
			removed = append(removed, e)
		}
	}
	for _, a := range sortedAddrs(touched) {
		var extra []*entry
		for _, e := range back[a] {
			if _, ok := p.byID[e.id]; !ok {
				p.seq++
				e.seq = p.seq
				extra = append(extra, e)
			}
		}
		if p.senders[a] == nil && len(extra) == 0 {
			continue
		}
		added = append(added, p.restoreLocked(a, extra, &removed)...)
	}
	removed = append(removed, p.trimLocked()...)
	// Written by the next Flush: a block's path does not wait for the
	// disk (the txs are in the blocks that were disconnected, and a
	// record left behind is rechecked by Load).
	p.queueSaveLocked(added)
	p.queueDeleteLocked(removed)
	p.mu.Unlock()

	if p.cfg.SigCache != nil {
		for _, e := range added {
			p.cfg.SigCache.Add(e.id)
		}
	}
}

// trimLocked evicts the cheapest queue ends until the pool fits MaxBytes.
func (p *Pool) trimLocked() []*entry {
	var out []*entry
	for p.bytes > p.cfg.MaxBytes && len(p.tails) > 0 {
		out = append(out, p.removeTail(p.tails[0]))
	}
	return out
}
