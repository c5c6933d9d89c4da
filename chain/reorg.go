package chain

import (
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/index"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// reorganize moves the main chain to target, which has more work than the
// tip: it disconnects the current branch back to the fork point through
// undo data and connects target's branch. If a block of the new branch
// fails, it is marked invalid (with its descendants), the old branch is
// restored, and the next-best valid candidate (if heavier than the tip) is
// tried. Each block connects or disconnects in one atomic store batch, so
// a crash leaves a consistent (if lower) tip. Must be called with c.mu held.
func (c *Chain) reorganize(target *node, res *Result) error {
	var firstErr error
	for target != nil && c.heavier(target, c.tip()) {
		oldTip := c.tip()
		fork := findFork(oldTip, target)
		if c.tooDeep(oldTip, fork) {
			// Kept as a side branch: a lighter candidate within the
			// limit may still beat the tip.
			if res != nil {
				res.RefusedReorg = &RefusedReorg{Branch: target.hash, BranchHeight: target.header.Height, Fork: fork.hash,
					ForkHeight: fork.header.Height, Depth: int(oldTip.header.Height - fork.header.Height), Limit: c.cfg.MaxReorgDepth}
			}
			target = c.bestCandidate()
			continue
		}
		var attach []*node
		for n := target; n != fork; n = n.parent {
			attach = append(attach, n)
		}
		for c.tip() != fork {
			if err := c.disconnectTip(); err != nil {
				return err
			}
		}
		var failed error
		for i := len(attach) - 1; i >= 0; i-- {
			err := c.connectHash(attach[i])
			if err == nil {
				continue
			}
			if !core.IsRuleError(err) {
				return err // storage failure: stop; the store is consistent at the current tip
			}
			c.markInvalid(attach[i], statusInvalid)
			failed = err
			break
		}
		if failed == nil {
			return firstErr
		}
		if firstErr == nil {
			firstErr = failed
		}
		// Roll back to the old branch, then look for another candidate.
		for c.tip() != fork {
			if err := c.disconnectTip(); err != nil {
				return err
			}
		}
		var restore []*node
		for n := oldTip; n != fork; n = n.parent {
			restore = append(restore, n)
		}
		for i := len(restore) - 1; i >= 0; i-- {
			if err := c.connectHash(restore[i]); err != nil {
				return fmt.Errorf("chain: restoring block %s after a failed reorg: %w", restore[i].hash, err)
			}
		}
		target = c.bestCandidate()
	}
	return firstErr
}

// resumeReorg finishes a reorg that a crash interrupted. Each block
// connects or disconnects in its own batch, so the stored tip can be on
// the way from the old branch to a heavier stored one (even below both):
// move on to the heaviest valid branch, as the interrupted call would have.
// A rule violation on that branch marks it invalid and the best valid
// branch is kept (not an error); a storage failure is.
func (c *Chain) resumeReorg() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	target := c.bestCandidate()
	if target == nil {
		return nil
	}
	c.inCall = map[core.Hash]*callBlock{}
	defer func() { c.inCall = nil }()
	if err := c.reorganize(target, nil); err != nil && !core.IsRuleError(err) {
		return fmt.Errorf("chain: resume the interrupted reorg to %s: %w", target.hash, err)
	}
	return nil
}

// tooDeep reports whether moving from tip to a branch forking at fork
// would disconnect more main-chain blocks than Config.MaxReorgDepth.
func (c *Chain) tooDeep(tip, fork *node) bool {
	return c.cfg.MaxReorgDepth > 0 && tip.header.Height-fork.header.Height > uint64(c.cfg.MaxReorgDepth)
}

// bestCandidate returns the valid-so-far block with the most work (ties
// broken by the engine, PoW: first seen), or nil if none beats the tip. Branches that fork deeper
// than Config.MaxReorgDepth are not candidates.
func (c *Chain) bestCandidate() *node {
	var best *node
	tip := c.tip()
	for _, n := range c.index {
		if n.invalid() || !c.heavier(n, tip) || c.tooDeep(tip, findFork(tip, n)) {
			continue
		}
		if best == nil {
			best = n
			continue
		}
		switch cmp := n.work.Cmp(best.work); {
		case cmp > 0:
			best = n
		case cmp == 0:
			// The engine breaks the tie; the first seen is "current".
			first, second := best, n
			if n.seq < best.seq {
				first, second = n, best
			}
			best = first
			if c.cfg.Engine.PreferTie((*indexReader)(c), &first.header, &second.header) {
				best = second
			}
		}
	}
	if best == nil || !c.heavier(best, c.tip()) {
		return nil
	}
	return best
}

// connect validates n's block against the tip's state (n's parent must be
// the tip) and writes it to the main chain in one atomic batch. blk may be
// nil (it is then loaded); with storeBody the batch also stores the block
// and its index entry (a block extending the tip: one write in all).
func (c *Chain) connect(n *node, cb *callBlock, storeBody bool) error {
	blk, ids := cb.blk, cb.ids
	if err := c.verifySignatures(blk, ids); err != nil {
		return err
	}
	st := c.state()
	if err := st.prefetch(blk, cb.senders); err != nil {
		return fmt.Errorf("chain: read accounts: %w", err)
	}
	res, err := state.ApplyBlockFrom(st, c.rules(), blk, cb.senders)
	if err != nil {
		return err
	}
	digest := c.digest
	digest.Apply(res.Changes)
	h := n.header.Height
	b := c.cfg.DB.NewBatch()
	if storeBody {
		b.PutBlock(blk)
	}
	for _, ch := range res.Changes {
		b.SetState([]byte(ch.Key), ch.New)
	}
	b.SetHashAt(h, n.hash)
	ib := &index.Block{Block: blk, Hash: n.hash, IDs: ids, Senders: cb.senders, Changes: res.Changes, Receipts: res.Receipts}
	for _, x := range c.cfg.Indexers {
		x.Connect(b, ib)
	}
	b.PutUndo(n.hash, state.EncodeUndo(res.Changes))
	if n.status&statusValid == 0 || storeBody {
		n.status |= statusValid
		b.PutIndexEntry(n.hash, encodeNode(n))
	}
	b.SetTip(store.Tip{Hash: n.hash, Height: h, State: digest.Encode()})
	if err := b.Commit(); err != nil {
		n.status &^= statusValid
		return fmt.Errorf("chain: commit block %s: %w", n.hash, err)
	}
	c.main = append(c.main, n)
	c.setDigest(digest)
	c.applyChanges(res.Changes)
	return nil
}

// connectHash connects a stored block (see connect).
func (c *Chain) connectHash(n *node) error {
	cb, err := c.callBlock(n.hash)
	if err != nil {
		return fmt.Errorf("chain: load block %s: %w", n.hash, err)
	}
	return c.connect(n, cb, false)
}

// disconnectTip reverts the tip block through its undo data in one atomic
// batch.
func (c *Chain) disconnectTip() error {
	n := c.tip()
	if n.parent == nil {
		return fmt.Errorf("chain: cannot disconnect the genesis block")
	}
	cb, err := c.callBlock(n.hash)
	if err != nil {
		return fmt.Errorf("chain: load block %s: %w", n.hash, err)
	}
	blk := cb.blk
	raw, err := c.cfg.DB.Undo(n.hash)
	if err != nil {
		return fmt.Errorf("chain: load undo data of %s: %w", n.hash, err)
	}
	changes, err := state.DecodeUndo(raw)
	if err != nil {
		return fmt.Errorf("chain: undo data of %s: %w", n.hash, err)
	}
	back := state.Reverse(changes)
	digest := c.digest
	digest.Apply(back)
	h := n.header.Height
	b := c.cfg.DB.NewBatch()
	for _, ch := range back {
		b.SetState([]byte(ch.Key), ch.New)
	}
	b.DeleteHashAt(h)
	ib := &index.Block{Block: blk, Hash: n.hash, IDs: cb.ids, Senders: cb.senders, Changes: changes}
	for _, x := range c.cfg.Indexers {
		x.Disconnect(b, ib)
	}
	b.DeleteUndo(n.hash)
	b.SetTip(store.Tip{Hash: n.parent.hash, Height: h - 1, State: digest.Encode()})
	if err := b.Commit(); err != nil {
		return fmt.Errorf("chain: commit disconnect of %s: %w", n.hash, err)
	}
	c.main = c.main[:h]
	c.setDigest(digest)
	c.applyChanges(back)
	return nil
}
