package storetest

import (
	"crypto/ed25519"
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// testChainID is the chain of the fixture txs.
const testChainID = "storetest"

// Tx returns a deterministic signed tx: sender seed, nonce n, to address
// to. Distinct arguments give distinct IDs.
func Tx(seed byte, n uint64, to core.Address) *core.Tx {
	key := testkit.KeyFromSeed(append(make([]byte, ed25519.SeedSize-1), seed))
	return key.Sign(&core.Tx{
		Version: core.TxVersion,
		ChainID: testChainID,
		To:      to,
		Amount:  1000 + n,
		Fee:     10,
		Nonce:   n,
		Memo:    []byte("storetest"),
	})
}

// Addr returns a deterministic address derived from i.
func Addr(i uint64) core.Address {
	var a core.Address
	binary.BigEndian.PutUint64(a[:], i)
	a[19] = 0xa5
	return a
}

// Block returns a deterministic block at height with ntx txs and the given
// parent (no valid proof of work: the store does not check it).
func Block(height uint64, parent core.Hash, ntx int) *core.Block {
	blk := &core.Block{Header: core.Header{
		Version:   core.BlockVersion,
		Height:    height,
		PrevHash:  parent,
		Timestamp: 1_700_000_000_000 + height*1000,
		Miner:     Addr(height),
		Bits:      0x207fffff,
		Nonce:     height * 7,
	}}
	for i := range ntx {
		blk.Txs = append(blk.Txs, Tx(byte(i), height, Addr(height+uint64(i))))
	}
	blk.Header.TxRoot = core.MerkleRoot(blk.TxIDs())
	return blk
}
