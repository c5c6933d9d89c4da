package chain

import (
	"errors"
	"fmt"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// ErrFutureTip is returned by Template when a block on the tip would need a
// timestamp further ahead of the local clock than MaxFutureDrift.
var ErrFutureTip = errors.New("chain: no block can be built on the tip now")

// Template returns a block extending the tip, paying miner, holding the
// candidate txs (in the given order) that are valid in sequence against
// the tip's state and fit the block limits. The header has its height,
// prev_hash, timestamp (now, but after the median time past), bits and
// tx_root set, the consensus fields set by the engine's Prepare (PoW:
// bits), and nonce 0: ready for the engine's sealer.
func (c *Chain) Template(miner core.Address, candidates []*core.Tx) (*core.Block, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	g := c.cfg.Genesis
	tip := c.tip()
	now := c.cfg.Now()
	ts := uint64(max(now.UnixMilli(), 0))
	mtp := medianTimePast(tip)
	if ts <= mtp {
		ts = mtp + 1
	}
	if c.tooNew(&core.Header{Timestamp: ts}) {
		// Such a block would be held, by this node too: the tip comes
		// from a clock running ahead (this node's before it was fixed, or
		// a peer's). Mining resumes when the clock catches up or a
		// heavier chain arrives.
		return nil, fmt.Errorf("%w: the median time past of tip %s (height %d) is %s ahead of the local clock, more than the %s a block may be",
			ErrFutureTip, tip.hash, tip.header.Height, time.UnixMilli(int64(mtp)).Sub(now).Round(time.Second), MaxFutureDrift)
	}
	blk := &core.Block{Header: core.Header{
		Version:   c.headerVersion(),
		Height:    tip.header.Height + 1,
		PrevHash:  tip.hash,
		Timestamp: ts,
		Miner:     miner,
	}}
	if err := c.cfg.Engine.Prepare((*indexReader)(c), &blk.Header); err != nil {
		return nil, fmt.Errorf("chain: prepare block %d: %w", blk.Header.Height, err)
	}
	size := uint64(core.MaxHeaderSize + 4) // header (any version) + a generous tx-count varint
	b := state.NewBuilder(c.state(), c.rules(), &blk.Header)
	for _, tx := range candidates {
		if uint64(len(blk.Txs)) >= g.MaxBlockTxs {
			break
		}
		txSize := uint64(tx.Size() + 2)
		if size+txSize > g.MaxBlockBytes {
			continue // a smaller tx may still fit
		}
		if err := b.Add(tx); err != nil {
			if !core.IsRuleError(err) {
				return nil, err
			}
			continue
		}
		size += txSize
		blk.Txs = append(blk.Txs, tx)
	}
	if _, err := b.Finish(blk.Header.Miner); err != nil { // Prepare may name the author (PoA: the signer)
		return nil, err
	}
	blk.Header.TxRoot = core.MerkleRoot(blk.TxIDs())
	return blk, nil
}
