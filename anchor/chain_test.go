package anchor

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// testChain is a hand-built chain holding an anchoring tx: what a node
// would serve to `cairn anchor` after confirmation.
type testChain struct {
	g       *core.Genesis
	headers []core.Header // heights 1..n
	tx      *core.Tx
	proof   wire.Proof
}

// anchored returns what Receipts needs, with the headers a PoW receipt
// carries (from the block's parent) or, for PoA, from height 1.
func (c *testChain) anchored(t testing.TB) *Anchored {
	t.Helper()
	gj, err := json.Marshal(c.g)
	if err != nil {
		t.Fatal(err)
	}
	from := c.proof.Height - 1
	if c.g.IsPoA() || from == 0 {
		from = 1
	}
	return &Anchored{Genesis: gj, Tx: c.tx, From: c.tx.Sender().Encode(c.g.AddressPrefix), Proof: c.proof,
		Headers: c.headers[from-1:], Node: "http://127.0.0.1:1"}
}

// anchorTx returns a data tx with memo, signed by test key 1.
func anchorTx(chainID string, memo []byte) *core.Tx {
	k := testkit.NewKey(1)
	tx := &core.Tx{Version: core.TxVersion, ChainID: chainID, From: k.Pub, To: k.Addr, Fee: 1000, Nonce: 0, Memo: memo}
	tx.Sign(k.Priv)
	return tx
}

// blockTxs returns the tx IDs of the anchor block (the tx is the second
// of three) and the tx's proof.
func blockTxs(t testing.TB, tx *core.Tx) ([]core.Hash, []core.Hash) {
	ids := []core.Hash{sha256.Sum256([]byte("coinbase")), tx.ID(), sha256.Sum256([]byte("other"))}
	branch, err := core.MerkleProof(ids, 1)
	if err != nil {
		t.Fatal(err)
	}
	return ids, branch
}

func (c *testChain) setProof(blk *core.Header, tx *core.Tx, branch []core.Hash) {
	c.tx = tx
	c.proof = wire.Proof{TxID: tx.ID().String(), BlockHash: blk.Hash().String(), Height: blk.Height, TxRoot: blk.TxRoot.String(), Index: 1, Size: 3}
	for _, b := range branch {
		c.proof.Branch = append(c.proof.Branch, b.String())
	}
}

// powGenesis is a PoW genesis with the easiest target, dated start.
func powGenesis(start time.Time) *core.Genesis {
	g := core.NewGenesis("anchor-test", uint64(start.UnixMilli()))
	g.InitialBits = testkit.TrivialBits
	return g
}

// mineNext returns the header after parent with the ASERT bits and a
// nonce that meets them, dt ms later.
func mineNext(t testing.TB, e *pow.Engine, parent *core.Header, txRoot core.Hash, dt uint64) core.Header {
	h := core.Header{Version: core.BlockVersion, Height: parent.Height + 1, PrevHash: parent.Hash(), Timestamp: parent.Timestamp + dt,
		TxRoot: txRoot, Miner: testkit.NewKey(2).Addr}
	h.Bits = e.NextBits(parent)
	for e.VerifySeal(&h) != nil {
		h.Nonce++
	}
	return h
}

// powChain builds n PoW blocks at the target block time, the tx with memo
// in block at.
func powChain(t testing.TB, n int, at uint64, memo []byte) *testChain {
	t.Helper()
	g := powGenesis(time.Now().Add(-time.Duration(n+1) * 5 * time.Second))
	e, err := pow.New(g)
	if err != nil {
		t.Fatal(err)
	}
	c := &testChain{g: g}
	tx := anchorTx(g.ChainID, memo)
	ids, branch := blockTxs(t, tx)
	parent := g.Block().Header
	for i := 1; i <= n; i++ {
		root := sha256.Sum256(fmt.Appendf(nil, "block %d", i))
		if uint64(i) == at {
			root = core.MerkleRoot(ids)
		}
		h := mineNext(t, e, &parent, root, g.TargetBlockTimeMs)
		c.headers = append(c.headers, h)
		parent = h
	}
	c.setProof(&c.headers[at-1], tx, branch)
	return c
}

// poaChain builds n PoA blocks sealed in turn by 3 signers, the tx in
// block at.
func poaChain(t testing.TB, n int, at uint64, memo []byte) *testChain {
	t.Helper()
	keys := poatest.Keys(10, 3)
	g := poatest.Genesis(keys, 0)
	e, err := poa.New(g)
	if err != nil {
		t.Fatal(err)
	}
	ch := poatest.NewChain(g)
	c := &testChain{g: g}
	tx := anchorTx(g.ChainID, memo)
	ids, branch := blockTxs(t, tx)
	parent := g.Block().Header
	for i := 1; i <= n; i++ {
		k := keys[i%len(keys)]
		h := poatest.Next(t, e, ch, &parent, k)
		h.TxRoot = sha256.Sum256(fmt.Appendf(nil, "block %d", i))
		if uint64(i) == at {
			h.TxRoot = core.MerkleRoot(ids)
		}
		poatest.Sign(&h, k)
		if err := poatest.Check(e, ch, &h); err != nil {
			t.Fatal(err)
		}
		ch.Add(h)
		c.headers = append(c.headers, h)
		parent = h
	}
	c.setProof(&c.headers[at-1], tx, branch)
	return c
}
