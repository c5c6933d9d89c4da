package chain

import (
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// Status says what ProcessBlock did with a block.
type Status int

// Statuses of a processed block.
const (
	StatusMainChain Status = iota + 1 // connected: the block is on the main chain now
	StatusSideChain                   // valid so far and stored, on a branch with no more work than the tip
	StatusOrphan                      // parent unknown: pooled until the parent arrives
	StatusHeld                        // timestamp too far in the future: pooled until the clock catches up
	StatusDuplicate                   // already known
)

func (s Status) String() string {
	switch s {
	case StatusMainChain:
		return "main-chain"
	case StatusSideChain:
		return "side-chain"
	case StatusOrphan:
		return "orphan"
	case StatusHeld:
		return "held"
	case StatusDuplicate:
		return "duplicate"
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Result reports what processing a block changed.
type Result struct {
	Hash   core.Hash
	Status Status
	// OldTip and NewTip are the main chain's tip before and after.
	OldTip, NewTip core.Hash
	// Disconnected are the blocks that left the main chain (tip first) and
	// Connected those that joined it (in height order), net of any
	// rollback. Their txs are what the mempool must re-admit and remove.
	Disconnected, Connected []*core.Block
	// DisconnectedTxs and ConnectedTxs hold, block for block, the tx IDs
	// and sender addresses the chain derived (a SHA-256 each), so that the
	// mempool does not derive them again.
	DisconnectedTxs, ConnectedTxs []BlockTxs
	// Orphans and held blocks that this call connected are included in
	// Connected; Accepted counts every block newly stored.
	Accepted int
	// RefusedReorg is set when a heavier branch was not adopted because
	// switching to it would disconnect more than Config.MaxReorgDepth
	// main-chain blocks.
	RefusedReorg *RefusedReorg
}

// BlockTxs are a block's tx IDs and sender addresses, in tx order.
type BlockTxs struct {
	IDs     []core.Hash
	Senders []core.Address
}

// RefusedReorg describes a heavier branch kept as a side branch by the
// maximum reorg depth.
type RefusedReorg struct {
	Branch       core.Hash // the refused branch's tip
	BranchHeight uint64
	Fork         core.Hash // the last block the branch shares with the main chain
	ForkHeight   uint64
	Depth        int // main-chain blocks the reorg would have disconnected
	Limit        int // Config.MaxReorgDepth
}

// Reorg reports whether blocks left the main chain.
func (r *Result) Reorg() bool { return len(r.Disconnected) > 0 }

// ProcessBlock validates a block and adds it to the tree, moving the main
// chain to the branch with the most work. A rule violation returns a
// *core.RuleError and changes nothing (except remembering an invalid
// block, so it is not processed again). Blocks waiting on this one (its
// orphan children) are processed too.
func (c *Chain) ProcessBlock(blk *core.Block) (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inCall = map[core.Hash]*callBlock{}
	defer func() { c.inCall = nil }()
	oldTip := c.tip()
	res := &Result{Hash: blk.Hash(), OldTip: oldTip.hash}
	status, err := c.process(blk, res.Hash, res)
	res.Status = status
	if err != nil {
		c.finish(oldTip, res) // a failed reorg may still have moved the tip
		return res, err
	}
	// Connect orphans that were waiting for this block (and theirs).
	queue := []core.Hash{res.Hash}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for _, child := range c.orphans.children(parent) {
			h := child.Hash()
			if _, err := c.process(child, h, res); err == nil {
				queue = append(queue, h)
			}
		}
	}
	return res, c.finish(oldTip, res)
}

// RetryHeld processes held blocks whose timestamps are now acceptable.
func (c *Chain) RetryHeld() (*Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inCall = map[core.Hash]*callBlock{}
	defer func() { c.inCall = nil }()
	oldTip := c.tip()
	res := &Result{OldTip: oldTip.hash}
	var firstErr error
	// A held block waits for its held parent: rounds until none is ready.
	for {
		ready := c.held.take(func(b *core.Block) bool { return !c.tooNew(&b.Header) && !c.held.has(b.Header.PrevHash) })
		if len(ready) == 0 {
			break
		}
		for _, blk := range ready {
			h := blk.Hash()
			st, err := c.process(blk, h, res)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if err == nil && st != StatusOrphan {
				for _, child := range c.orphans.children(h) {
					_, _ = c.process(child, child.Hash(), res)
				}
			}
		}
	}
	if err := c.finish(oldTip, res); err != nil {
		return res, err
	}
	return res, firstErr
}

// finish fills the net Connected/Disconnected lists from the old tip to
// the current one.
func (c *Chain) finish(oldTip *node, res *Result) error {
	newTip := c.tip()
	res.NewTip = newTip.hash
	if newTip == oldTip {
		return nil
	}
	fork := findFork(oldTip, newTip)
	for n := oldTip; n != fork; n = n.parent {
		cb, err := c.callBlock(n.hash)
		if err != nil {
			return fmt.Errorf("chain: load disconnected block %s: %w", n.hash, err)
		}
		res.Disconnected = append(res.Disconnected, cb.blk)
		res.DisconnectedTxs = append(res.DisconnectedTxs, BlockTxs{IDs: cb.ids, Senders: cb.senders})
	}
	var conn []*callBlock
	for n := newTip; n != fork; n = n.parent {
		cb, err := c.callBlock(n.hash)
		if err != nil {
			return fmt.Errorf("chain: load connected block %s: %w", n.hash, err)
		}
		conn = append(conn, cb)
	}
	for i := len(conn) - 1; i >= 0; i-- {
		res.Connected = append(res.Connected, conn[i].blk)
		res.ConnectedTxs = append(res.ConnectedTxs, BlockTxs{IDs: conn[i].ids, Senders: conn[i].senders})
	}
	if len(res.Disconnected) > 0 {
		c.reorgs++
	}
	return nil
}

// process runs one block through the pipeline. Must be called with c.mu held.
func (c *Chain) process(blk *core.Block, hash core.Hash, res *Result) (Status, error) {
	if n, ok := c.index[hash]; ok {
		if n.invalid() {
			return 0, core.Errorf(core.CodeInvalidAncestor, "block %s is known to be invalid", hash)
		}
		return StatusDuplicate, nil
	}
	if c.orphans.has(hash) || c.held.has(hash) {
		return StatusDuplicate, nil
	}
	// 1. Sanity: the block alone, PoW first. Failures are not remembered:
	// a bad body (tx_root mismatch) must not poison a valid header.
	ids, err := c.checkSanity(blk)
	if err != nil {
		return 0, err
	}
	if c.tooNew(&blk.Header) {
		c.hold(hash, blk)
		return StatusHeld, nil
	}
	// 2. Context: against the parent.
	parent, ok := c.index[blk.Header.PrevHash]
	if !ok {
		// A child of a held block waits for the same clock: it is held
		// too, not an orphan (its sender is not at fault).
		if c.held.has(blk.Header.PrevHash) {
			c.hold(hash, blk)
			return StatusHeld, nil
		}
		c.orphans.add(hash, blk)
		return StatusOrphan, nil
	}
	if parent.invalid() {
		c.markInvalid(&node{hash: hash, header: blk.Header, parent: parent, work: parent.work}, statusInvalidAncestor)
		return 0, core.Errorf(core.CodeInvalidAncestor, "block %s descends from invalid block %s", hash, parent.hash)
	}
	if err := c.checkContext(&blk.Header, parent); err != nil {
		if core.IsRuleError(err) {
			c.markInvalid(&node{hash: hash, header: blk.Header, parent: parent, work: parent.work}, statusInvalid)
		}
		return 0, err
	}
	c.seq++
	n := &node{hash: hash, header: blk.Header, parent: parent, seq: c.seq}
	n.work = c.cfg.Engine.Work(&blk.Header)
	n.work.Add(n.work, parent.work)
	cb := newCallBlock(blk, ids)
	c.inCall[hash] = cb
	// The common case: the block extends the tip. Validate its state and
	// store the body, the index entry and the connection in one batch.
	if parent == c.tip() && n.work.Cmp(parent.work) > 0 {
		if err := c.connect(n, cb, true); err != nil {
			if core.IsRuleError(err) {
				c.markInvalid(n, statusInvalid)
			}
			return 0, err
		}
		c.index[hash] = n
		res.Accepted++
		return StatusMainChain, nil
	}
	// Otherwise store the block and its index entry: it is part of the tree.
	b := c.cfg.DB.NewBatch()
	b.PutBlock(blk)
	b.PutIndexEntry(hash, encodeNode(n))
	if err := b.Commit(); err != nil {
		return 0, fmt.Errorf("chain: store block %s: %w", hash, err)
	}
	c.index[hash] = n
	res.Accepted++
	// 3. State, for blocks that would become the main chain.
	if !c.heavier(n, c.tip()) { // ties: the engine's (PoW keeps the first seen)
		return StatusSideChain, nil
	}
	if err := c.reorganize(n, res); err != nil {
		return 0, err
	}
	if c.tip() == n {
		return StatusMainChain, nil
	}
	return StatusSideChain, nil
}

// block returns a block seen in this call or stored.
func (c *Chain) block(h core.Hash) (*core.Block, error) {
	cb, err := c.callBlock(h)
	if err != nil {
		return nil, err
	}
	return cb.blk, nil
}

// callBlock returns a block with its derived values, loading it if it was
// not seen in this call.
func (c *Chain) callBlock(h core.Hash) (*callBlock, error) {
	if cb, ok := c.inCall[h]; ok {
		return cb, nil
	}
	blk, err := c.cfg.DB.Block(h)
	if err != nil {
		return nil, err
	}
	cb := newCallBlock(blk, nil)
	if c.inCall != nil {
		c.inCall[h] = cb
	}
	return cb, nil
}

// markInvalid records n (and every known descendant) as invalid, in memory
// and in the store, so it is never processed or adopted again.
func (c *Chain) markInvalid(n *node, flag uint8) {
	n.status |= flag
	c.index[n.hash] = n
	changed := []*node{n}
	for _, d := range c.index {
		if d == n || d.invalid() {
			continue
		}
		for a := d.parent; a != nil && a.header.Height >= n.header.Height; a = a.parent {
			if a == n {
				d.status |= statusInvalidAncestor
				changed = append(changed, d)
				break
			}
		}
	}
	b := c.cfg.DB.NewBatch()
	for _, d := range changed {
		b.PutIndexEntry(d.hash, encodeNode(d))
	}
	_ = b.Commit() // best effort: losing it only means re-validating the block after a restart
}

// findFork returns the last common ancestor of a and b.
func findFork(a, b *node) *node {
	for a.header.Height > b.header.Height {
		a = a.parent
	}
	for b.header.Height > a.header.Height {
		b = b.parent
	}
	for a != b {
		a, b = a.parent, b.parent
	}
	return a
}
