// Package index owns the secondary indexes of the chain: tx locations,
// address histories, the assets each account holds, item histories, topic
// anchors, and the return of a disconnected block's txs to the persisted
// mempool. Each
// is an Indexer that chain calls inside the one batch that connects or
// disconnects a block, so an index moves atomically with the main chain;
// chain knows none of their records (store's typed methods write them).
//
// It is pure: no goroutines, no clock, no I/O but the batch it is given.
package index

import (
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// Block is what an indexer sees of a block joining or leaving the main
// chain.
type Block struct {
	Block   *core.Block
	Hash    core.Hash
	IDs     []core.Hash    // tx IDs, in block order
	Senders []core.Address // tx senders, in block order
	// Changes are the block's state changes as it was connected (also
	// when it is disconnected: an indexer reverses them itself).
	Changes []state.Change
	// Receipts are the txs' receipts, in block order (on connect only).
	Receipts []state.Receipt
}

// Indexer maintains one index.
type Indexer interface {
	Connect(b *store.Batch, blk *Block)
	Disconnect(b *store.Batch, blk *Block)
}

// All returns every index a node keeps.
func All() []Indexer {
	return []Indexer{TxLocations{}, Receipts{}, AddressHistory{}, AccountAssets{}, ItemHistory{}, ContractEvents{}, TopicAnchors{}, ReturnToMempool{}}
}

// TxLocations maps a confirmed tx ID to its block and position.
type TxLocations struct{}

// Connect implements Indexer.
func (TxLocations) Connect(b *store.Batch, blk *Block) {
	h := blk.Block.Header.Height
	for i := range blk.Block.Txs {
		b.PutTxLoc(blk.IDs[i], store.TxLoc{BlockHash: blk.Hash, Height: h, Index: uint32(i)})
	}
}

// Disconnect implements Indexer.
func (TxLocations) Disconnect(b *store.Batch, blk *Block) {
	for _, id := range blk.IDs {
		b.DeleteTxLoc(id)
	}
}

// Receipts keeps each main-chain block's tx receipts.
type Receipts struct{}

// Connect implements Indexer.
func (Receipts) Connect(b *store.Batch, blk *Block) {
	b.PutReceipts(blk.Hash, state.EncodeReceipts(blk.Receipts))
}

// Disconnect implements Indexer.
func (Receipts) Disconnect(b *store.Batch, blk *Block) { b.DeleteReceipts(blk.Hash) }

// AddressHistory lists each address's txs: the ones it sent and the ones
// naming it (a transfer's recipient, an asset or item recipient, a frozen
// or clawed-back holder).
type AddressHistory struct{}

// parties returns the addresses of tx i, sender first, without repeats.
func parties(blk *Block, i int) []core.Address {
	tx := blk.Block.Txs[i]
	out := []core.Address{blk.Senders[i]}
	var others []core.Address
	if tx.Body != nil {
		others = core.Parties(tx.Body)
		if tx.Kind == core.KindContractDeploy { // the new contract's history starts with its deploy
			others = append(others, core.ContractAddress(blk.Senders[i], tx.Nonce))
		}
	} else {
		others = []core.Address{tx.To}
	}
	for _, a := range others {
		dup := false
		for _, o := range out {
			dup = dup || o == a
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out
}

// Connect implements Indexer.
func (AddressHistory) Connect(b *store.Batch, blk *Block) {
	h := blk.Block.Header.Height
	for i := range blk.Block.Txs {
		at := store.AddrTx{Height: h, Index: uint32(i), ID: blk.IDs[i]}
		for _, a := range parties(blk, i) {
			b.PutAddressTx(a, at)
		}
	}
}

// Disconnect implements Indexer.
func (AddressHistory) Disconnect(b *store.Batch, blk *Block) {
	h := blk.Block.Header.Height
	for i := range blk.Block.Txs {
		at := store.AddrTx{Height: h, Index: uint32(i), ID: blk.IDs[i]}
		for _, a := range parties(blk, i) {
			b.DeleteAddressTx(a, at)
		}
	}
}

// AccountAssets lists the assets each account has a holding record of,
// following the holding records the block created or removed.
type AccountAssets struct{}

// holding splits a holding change's key; ok is false for other records.
func holding(c state.Change) (id core.AssetID, a core.Address, ok bool) {
	if len(c.Key) != 1+core.AssetIDSize+core.AddressSize || c.Key[0] != state.PrefixHolding {
		return id, a, false
	}
	return core.AssetID([]byte(c.Key[1 : 1+core.AssetIDSize])), core.Address([]byte(c.Key[1+core.AssetIDSize:])), true
}

func (AccountAssets) apply(b *store.Batch, blk *Block, connect bool) {
	for _, c := range blk.Changes {
		id, a, ok := holding(c)
		if !ok {
			continue
		}
		old, nw := c.Old, c.New
		if !connect {
			old, nw = nw, old
		}
		switch {
		case old == nil && nw != nil:
			b.PutAccountAsset(a, id)
		case old != nil && nw == nil:
			b.DeleteAccountAsset(a, id)
		}
	}
}

// Connect implements Indexer.
func (x AccountAssets) Connect(b *store.Batch, blk *Block) { x.apply(b, blk, true) }

// Disconnect implements Indexer.
func (x AccountAssets) Disconnect(b *store.Batch, blk *Block) { x.apply(b, blk, false) }

// ItemHistory lists each item's txs: mint, transfers, attestations, burn.
type ItemHistory struct{}

// itemOf returns the collection and item id a tx is about.
func itemOf(tx *core.Tx) (core.AssetID, []byte, bool) {
	switch b := tx.Body.(type) {
	case *core.ItemMint:
		return b.Collection, b.ItemID, true
	case *core.ItemTransfer:
		return b.Collection, b.ItemID, true
	case *core.ItemAttest:
		return b.Collection, b.ItemID, true
	case *core.ItemBurn:
		return b.Collection, b.ItemID, true
	}
	return core.AssetID{}, nil, false
}

// Connect implements Indexer.
func (ItemHistory) Connect(b *store.Batch, blk *Block) {
	for i, tx := range blk.Block.Txs {
		if coll, id, ok := itemOf(tx); ok {
			b.PutItemEvent(coll, id, store.ItemEvent{Height: blk.Block.Header.Height, Index: uint32(i), ID: blk.IDs[i]})
		}
	}
}

// Disconnect implements Indexer.
func (ItemHistory) Disconnect(b *store.Batch, blk *Block) {
	for i, tx := range blk.Block.Txs {
		if coll, id, ok := itemOf(tx); ok {
			b.DeleteItemEvent(coll, id, store.ItemEvent{Height: blk.Block.Header.Height, Index: uint32(i), ID: blk.IDs[i]})
		}
	}
}

// ContractEvents lists, for each contract, the txs whose receipts carry
// its events (a deploy's init or a call), oldest first; the events are
// read from the receipts.
type ContractEvents struct{}

// contractOf returns the contract a tx runs (a deploy's new one).
func contractOf(tx *core.Tx, sender core.Address) (core.Address, bool) {
	switch b := tx.Body.(type) {
	case *core.ContractCall:
		return b.Contract, true
	case *core.ContractDeploy:
		return core.ContractAddress(sender, tx.Nonce), true
	}
	return core.Address{}, false
}

// Connect implements Indexer.
func (ContractEvents) Connect(b *store.Batch, blk *Block) {
	for i, tx := range blk.Block.Txs {
		if c, ok := contractOf(tx, blk.Senders[i]); ok && i < len(blk.Receipts) && len(blk.Receipts[i].Events) > 0 {
			b.PutContractTx(c, store.ItemEvent{Height: blk.Block.Header.Height, Index: uint32(i), ID: blk.IDs[i]})
		}
	}
}

// Disconnect implements Indexer (receipts are not at hand: every
// contract tx's entry goes, present or not).
func (ContractEvents) Disconnect(b *store.Batch, blk *Block) {
	for i, tx := range blk.Block.Txs {
		if c, ok := contractOf(tx, blk.Senders[i]); ok {
			b.DeleteContractTx(c, store.ItemEvent{Height: blk.Block.Header.Height, Index: uint32(i), ID: blk.IDs[i]})
		}
	}
}

// ReturnToMempool writes a disconnected block's txs back to the persisted
// mempool in the disconnecting batch, so a crash before the node's
// mempool update loses none of them (the mempool rechecks every stored tx
// when it loads, and drops those confirmed again or no longer valid).
type ReturnToMempool struct{}

// Connect implements Indexer: the connected block's txs leave the mempool
// through the mempool's own update.
func (ReturnToMempool) Connect(*store.Batch, *Block) {}

// Disconnect implements Indexer.
func (ReturnToMempool) Disconnect(b *store.Batch, blk *Block) {
	for _, tx := range blk.Block.Txs {
		b.PutMempoolTx(tx)
	}
}
