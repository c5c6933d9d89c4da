package chain

import "github.com/cairn-chain/cairn/core"

// VoteHeaders returns the main chain's headers that carry a vote (proof of
// authority), with their hashes, ascending, from height from up to below
// (exclusive, at most the tip + 1): at most limit of them, looking at no
// more than scan heights. next is the height after the last one looked at
// (the from of the next call; below when the range is done). The headers
// are in memory: no block is read.
func (c *Chain) VoteHeaders(from, below uint64, limit, scan int) (hs []core.Header, hashes []core.Hash, next uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	below = min(below, uint64(len(c.main)))
	end := below
	if from < below && below-from > uint64(scan) {
		end = from + uint64(scan)
	}
	h := from
	for ; h < end && len(hs) < limit; h++ {
		if n := c.main[h]; n.header.Vote.Kind != core.VoteNone {
			hs = append(hs, n.header)
			hashes = append(hashes, n.hash)
		}
	}
	return hs, hashes, min(h, below)
}
