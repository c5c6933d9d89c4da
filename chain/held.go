package chain

import "github.com/cairn-chain/cairn/core"

// hold pools blk as held (its timestamp, or its parent's, is too far
// ahead of the clock), with its pooled orphan descendants: they wait for
// the same clock. Must be called with c.mu held.
func (c *Chain) hold(hash core.Hash, blk *core.Block) {
	c.held.add(hash, blk)
	queue := []core.Hash{hash}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		for _, child := range c.orphans.children(h) {
			ch := child.Hash()
			c.held.add(ch, child)
			queue = append(queue, ch)
		}
	}
}

// IsHeld reports whether the block is held: from the future, or a
// descendant of such a block, waiting for the clock. A peer that relays
// one is not at fault (its clock, or its peer's, runs ahead).
func (c *Chain) IsHeld(h core.Hash) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.held.has(h)
}
