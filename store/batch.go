package store

import (
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// Batch groups the writes of one state change (typically everything one
// connected or disconnected block changes: block, index entry, main-chain
// hash, tx locations, address txs, accounts, undo data, mempool, tip) so
// that Commit applies them as one atomic, synced write. Nothing is visible
// before Commit. A Batch is not safe for concurrent use and is single-use.
type Batch struct {
	b KVBatch
}

// NewBatch returns an empty Batch.
func (db *DB) NewBatch() *Batch { return &Batch{b: db.kv.NewBatch()} }

// Len returns the number of writes in the batch.
func (b *Batch) Len() int { return b.b.Len() }

// Commit applies the batch atomically and durably.
func (b *Batch) Commit() error {
	if err := b.b.Commit(); err != nil {
		return fmt.Errorf("store: commit batch of %d writes: %w", b.b.Len(), err)
	}
	return nil
}

// PutBlock stores blk's canonical encoding under its hash.
func (b *Batch) PutBlock(blk *core.Block) { b.b.Set(blockKey(blk.Hash()), blk.Encode()) }

// PutIndexEntry stores the chain's index entry v for block h.
func (b *Batch) PutIndexEntry(h core.Hash, v []byte) { b.b.Set(indexKey(h), v) }

// SetHashAt records h as the main-chain block at height.
func (b *Batch) SetHashAt(height uint64, h core.Hash) { b.b.Set(heightKey(height), h[:]) }

// DeleteHashAt removes the main-chain entry at height.
func (b *Batch) DeleteHashAt(height uint64) { b.b.Delete(heightKey(height)) }

// PutTxLoc records where the confirmed tx id is.
func (b *Batch) PutTxLoc(id core.Hash, loc TxLoc) { b.b.Set(txLocKey(id), encodeTxLoc(loc)) }

// DeleteTxLoc removes the location of tx id.
func (b *Batch) DeleteTxLoc(id core.Hash) { b.b.Delete(txLocKey(id)) }

// PutAddressTx adds t to a's tx history.
func (b *Batch) PutAddressTx(a core.Address, t AddrTx) {
	b.b.Set(addrTxKey(a, t.Height, t.Index), t.ID[:])
}

// DeleteAddressTx removes the entry at (t.Height, t.Index) from a's tx
// history; t.ID is not needed.
func (b *Batch) DeleteAddressTx(a core.Address, t AddrTx) {
	b.b.Delete(addrTxKey(a, t.Height, t.Index))
}

// SetAccount stores acct at a; the zero Account deletes the record.
func (b *Batch) SetAccount(a core.Address, acct core.Account) {
	if acct.IsZero() {
		b.b.Delete(accountKey(a))
		return
	}
	b.b.Set(accountKey(a), acct.Encode())
}

// PutUndo stores the state's undo data for block h.
func (b *Batch) PutUndo(h core.Hash, undo []byte) { b.b.Set(undoKey(h), undo) }

// DeleteUndo removes the undo data of block h.
func (b *Batch) DeleteUndo(h core.Hash) { b.b.Delete(undoKey(h)) }

// SetTip records the main chain's head.
func (b *Batch) SetTip(t Tip) { b.b.Set([]byte(keyTip), encodeTip(t)) }

// PutMempoolTx persists a mempool tx (e.g. one returned to the mempool by
// a disconnected block, in the same batch as the disconnection).
func (b *Batch) PutMempoolTx(tx *core.Tx) { b.b.Set(mempoolKey(tx.ID()), tx.Encode()) }

// DeleteMempoolTx removes a persisted mempool tx (e.g. one confirmed by the
// block this batch connects).
func (b *Batch) DeleteMempoolTx(id core.Hash) { b.b.Delete(mempoolKey(id)) }
