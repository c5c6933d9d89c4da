package chain

import (
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// ErrNotFound is returned for unknown blocks, txs and heights.
var ErrNotFound = core.Errorf(core.CodeNotFound, "not found")

func notFound(format string, args ...any) error {
	return core.Wrap(core.CodeNotFound, ErrNotFound, format, args...)
}

// BlockInfo is a block with where it stands.
type BlockInfo struct {
	Block     *core.Block
	Hash      core.Hash
	MainChain bool
	// Confirmations is 1 for the tip, 0 off the main chain.
	Confirmations uint64
	Reward, Fees  uint64
	Size          int
}

func (c *Chain) info(n *node, blk *core.Block) *BlockInfo {
	bi := &BlockInfo{Block: blk, Hash: n.hash, Size: blk.Size(), Reward: c.cfg.Genesis.Reward(n.header.Height)}
	for _, tx := range blk.Txs {
		bi.Fees += tx.Fee
	}
	h := n.header.Height
	if h < uint64(len(c.main)) && c.main[h] == n {
		bi.MainChain = true
		bi.Confirmations = uint64(len(c.main)) - h
	}
	return bi
}

// BlockByHash returns a stored block.
func (c *Chain) BlockByHash(h core.Hash) (*BlockInfo, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n, ok := c.index[h]
	if !ok || n.invalid() {
		return nil, notFound("block %s", h)
	}
	blk, err := c.cfg.DB.Block(h)
	if err != nil {
		return nil, fmt.Errorf("chain: load block %s: %w", h, err)
	}
	return c.info(n, blk), nil
}

// BlockByHeight returns the main chain's block at height.
func (c *Chain) BlockByHeight(height uint64) (*BlockInfo, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if height >= uint64(len(c.main)) {
		return nil, notFound("block at height %d (the tip is at %d)", height, len(c.main)-1)
	}
	n := c.main[height]
	blk, err := c.cfg.DB.Block(n.hash)
	if err != nil {
		return nil, fmt.Errorf("chain: load block %s: %w", n.hash, err)
	}
	return c.info(n, blk), nil
}

// SummaryByHeight returns the main chain's header, hash and tx count at
// height, without loading the block's txs.
func (c *Chain) SummaryByHeight(height uint64) (core.Header, core.Hash, int, error) {
	c.mu.RLock()
	if height >= uint64(len(c.main)) {
		tip := len(c.main) - 1
		c.mu.RUnlock()
		return core.Header{}, core.Hash{}, 0, notFound("block at height %d (the tip is at %d)", height, tip)
	}
	n := c.main[height]
	c.mu.RUnlock()
	_, count, err := c.cfg.DB.BlockSummary(n.hash)
	if err != nil {
		return core.Header{}, core.Hash{}, 0, fmt.Errorf("chain: load block %s: %w", n.hash, err)
	}
	return n.header, n.hash, count, nil
}

// HeaderByHeight returns the main chain's header at height.
func (c *Chain) HeaderByHeight(height uint64) (core.Header, core.Hash, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if height >= uint64(len(c.main)) {
		return core.Header{}, core.Hash{}, notFound("block at height %d", height)
	}
	n := c.main[height]
	return n.header, n.hash, nil
}

// HasBlock reports whether the block is in the tree (valid so far) or
// pooled as an orphan or held block.
func (c *Chain) HasBlock(h core.Hash) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n, ok := c.index[h]
	return ok && !n.invalid() || c.orphans.has(h) || c.held.has(h)
}

// IsInvalid reports whether the block is known to be invalid.
func (c *Chain) IsInvalid(h core.Hash) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n, ok := c.index[h]
	return ok && n.invalid()
}

// IsMainChain reports whether the block is on the main chain.
func (c *Chain) IsMainChain(h core.Hash) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n, ok := c.index[h]
	return ok && n.header.Height < uint64(len(c.main)) && c.main[n.header.Height] == n
}

// TxInfo is a confirmed tx and where it is.
type TxInfo struct {
	Tx            *core.Tx
	ID            core.Hash
	BlockHash     core.Hash
	Height        uint64
	Index         uint32
	Confirmations uint64
	Receipt       state.Receipt
}

// Tx returns a confirmed tx by ID.
func (c *Chain) Tx(id core.Hash) (*TxInfo, error) {
	loc, err := c.cfg.DB.TxLoc(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("tx %s", id)
	}
	if err != nil {
		return nil, err
	}
	bi, err := c.BlockByHash(loc.BlockHash)
	if err != nil {
		return nil, err
	}
	if int(loc.Index) >= len(bi.Block.Txs) {
		return nil, fmt.Errorf("chain: tx index of %s points past block %s", id, loc.BlockHash)
	}
	rc, err := c.receipt(loc.BlockHash, int(loc.Index), len(bi.Block.Txs))
	if err != nil {
		return nil, err
	}
	return &TxInfo{Tx: bi.Block.Txs[loc.Index], ID: id, BlockHash: loc.BlockHash, Height: loc.Height, Index: loc.Index,
		Confirmations: bi.Confirmations, Receipt: rc}, nil
}

// receipt returns the receipt of tx i of the n in main-chain block h. A
// block connected before receipts were kept has none stored: its txs (no
// contract calls then) all succeeded without events.
func (c *Chain) receipt(h core.Hash, i, n int) (state.Receipt, error) {
	raw, err := c.cfg.DB.Receipts(h)
	if err != nil || raw == nil {
		return state.Receipt{Status: state.ReceiptSuccess}, err
	}
	rs, err := state.DecodeReceipts(raw)
	if err != nil || len(rs) != n {
		return state.Receipt{}, fmt.Errorf("chain: receipts of block %s: %d for %d txs (%v)", h, len(rs), n, err)
	}
	return rs[i], nil
}

// Proof is a Merkle inclusion proof of a confirmed tx.
type Proof struct {
	TxID      core.Hash
	BlockHash core.Hash
	Height    uint64
	TxRoot    core.Hash
	Index     uint32
	Size      uint32 // txs in the block
	Branch    []core.Hash
}

// Verify checks the proof against its own tx_root.
func (p *Proof) Verify() error {
	return core.VerifyMerkleProof(p.TxRoot, p.TxID, uint64(p.Index), uint64(p.Size), p.Branch)
}

// TxProof returns the inclusion proof of a confirmed tx.
func (c *Chain) TxProof(id core.Hash) (*Proof, error) {
	ti, err := c.Tx(id)
	if err != nil {
		return nil, err
	}
	bi, err := c.BlockByHash(ti.BlockHash)
	if err != nil {
		return nil, err
	}
	ids := bi.Block.TxIDs()
	branch, err := core.MerkleProof(ids, int(ti.Index))
	if err != nil {
		return nil, err
	}
	return &Proof{TxID: id, BlockHash: ti.BlockHash, Height: ti.Height, TxRoot: bi.Block.Header.TxRoot, Index: ti.Index, Size: uint32(len(ids)), Branch: branch}, nil
}

// AddressTxs lists an address's confirmed txs, newest first, strictly
// before the cursor if given.
func (c *Chain) AddressTxs(a core.Address, before *store.AddrTx, limit int) ([]store.AddrTx, error) {
	return c.cfg.DB.AddressTxs(a, before, limit)
}

// MedianTimePast returns the median time past at the tip.
func (c *Chain) MedianTimePast() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return medianTimePast(c.tip())
}

// PoolSizes returns the number of orphan and held blocks.
func (c *Chain) PoolSizes() (orphans, held int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.orphans.len(), c.held.len()
}
