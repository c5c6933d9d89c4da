package chain

import (
	"sort"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/par"
)

// checkSanity runs the checks that need nothing but the block, cheapest
// and most decisive first: version and size, then PoW (before anything
// expensive), tx_root, duplicate txs, each tx's stateless rules.
// Timestamps from the future are the caller's (held, not invalid).
func (c *Chain) checkSanity(blk *core.Block) ([]core.Hash, error) {
	g := c.cfg.Genesis
	h := &blk.Header
	if want := c.headerVersion(); h.Version != want {
		return nil, core.Errorf(core.CodeBadVersion, "block version %d, want %d", h.Version, want)
	}
	if n := uint64(len(blk.Txs)); n > g.MaxBlockTxs {
		return nil, core.Errorf(core.CodeTooLarge, "block has %d txs, the limit is %d", n, g.MaxBlockTxs)
	}
	if size := uint64(blk.Size()); size > g.MaxBlockBytes {
		return nil, core.Errorf(core.CodeTooLarge, "block is %d bytes, the limit is %d", size, g.MaxBlockBytes)
	}
	if err := c.cfg.Engine.VerifySeal(h); err != nil {
		return nil, err
	}
	ids := blk.TxIDs()
	if root := core.MerkleRoot(ids); root != h.TxRoot {
		return nil, core.Errorf(core.CodeBadTxRoot, "tx_root %s does not match the txs (computed %s)", h.TxRoot, root)
	}
	seen := make(map[core.Hash]struct{}, len(ids))
	for i, id := range ids {
		if _, dup := seen[id]; dup {
			return nil, core.Errorf(core.CodeDuplicateTx, "tx %s appears twice (again at index %d)", id, i)
		}
		seen[id] = struct{}{}
	}
	for i, tx := range blk.Txs {
		if err := tx.CheckSanity(g.ChainID, g.MinFee, false); err != nil {
			return nil, core.Wrap(core.CodeInvalidTx, err, "tx %d (%s)", i, ids[i])
		}
	}
	return ids, nil
}

// tooNew reports whether the block's timestamp is beyond the allowed drift.
func (c *Chain) tooNew(h *core.Header) bool {
	limit := c.cfg.Now().Add(MaxFutureDrift).UnixMilli()
	return limit < 0 || h.Timestamp > uint64(limit)
}

// checkContext checks a header against its parent: height, median time
// past, and the consensus engine's rules (PoW: bits).
func (c *Chain) checkContext(h *core.Header, parent *node) error {
	if h.Height != parent.header.Height+1 {
		return core.Errorf(core.CodeBadHeight, "height %d, parent is at %d", h.Height, parent.header.Height)
	}
	if mtp := medianTimePast(parent); h.Timestamp <= mtp {
		return core.Errorf(core.CodeBadTimestamp, "timestamp %d is not after the median time past %d of the last %d blocks", h.Timestamp, mtp, MedianTimeBlocks)
	}
	ph := parent.header
	return c.cfg.Engine.CheckHeader(c.engineReader(parent), h, &ph)
}

// medianTimePast is the median timestamp of n and up to 10 ancestors.
func medianTimePast(n *node) uint64 {
	ts := make([]uint64, 0, MedianTimeBlocks)
	for ; n != nil && len(ts) < MedianTimeBlocks; n = n.parent {
		ts = append(ts, n.header.Timestamp)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return ts[len(ts)/2]
}

// verifySignatures checks every tx signature not already in the SigCache,
// spread over the cores; it returns the first failure in block order.
func (c *Chain) verifySignatures(blk *core.Block, ids []core.Hash) error {
	var todo []*core.Tx
	var at []int
	for i, tx := range blk.Txs {
		if c.cfg.SigCache == nil || !c.cfg.SigCache.Has(ids[i]) {
			todo = append(todo, tx)
			at = append(at, i)
		}
	}
	for k, ok := range verifyTxs(todo) {
		if !ok {
			i := at[k]
			return core.Wrap(core.CodeInvalidTx, core.Errorf(core.CodeBadSignature, "signature does not verify for sender %s", blk.Txs[i].From), "tx %d (%s)", i, ids[i])
		}
	}
	if c.cfg.SigCache != nil {
		for _, i := range at {
			c.cfg.SigCache.Add(ids[i])
		}
	}
	return nil
}

// sigsPerWorker is the least work worth a goroutine: a few signatures
// (~50 µs each) dwarf starting one (~1 µs), so a block of 50 txs is
// verified on every core.
const sigsPerWorker = 8

// verifyTxs checks the signatures of txs on all cores and reports which
// verify.
func verifyTxs(txs []*core.Tx) []bool {
	ok := make([]bool, len(txs))
	par.Each(len(txs), sigsPerWorker, func(k int) { ok[k] = txs[k].VerifySignature() })
	return ok
}

// headerVersion is the header version of this chain's engine: 1 for proof
// of work, 2 (signed) for proof of authority.
func (c *Chain) headerVersion() uint16 {
	if c.cfg.Genesis.IsPoA() {
		return core.BlockVersionSigned
	}
	return core.BlockVersion
}
