package mempool

import (
	"errors"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// assetState is a state.Memory funding keys, the executor's own records.
func assetState(ks ...key) state.Memory {
	st := state.Memory{}
	for _, k := range ks {
		st.Apply([]state.Change{{Key: string(state.AccountKey(k.Addr)), New: core.Account{Balance: 1e12}.Encode()}})
	}
	return st
}

// apply connects txs as a block would, returning the block.
func applyBlock(t *testing.T, st state.Memory, txs ...*core.Tx) *core.Block {
	t.Helper()
	blk := &core.Block{Header: core.Header{Height: 1, Miner: core.Address{0xaa}}, Txs: txs}
	res, err := state.ApplyBlock(st, state.Rules{Genesis: &core.Genesis{ChainID: testChain, MinFee: testMinFee, HalvingInterval: 1}}, blk)
	if err != nil {
		t.Fatal(err)
	}
	st.Apply(res.Changes)
	return blk
}

// TestAssetAdmission: the pool runs the executor on each sender's pending
// view, so a tx may use what the sender's earlier pending txs created;
// what it admits, a block built by the template's Builder holds, in the
// order Select gives.
func TestAssetAdmission(t *testing.T) {
	issuer, bob := newKey(1), newKey(2)
	st := assetState(issuer, bob)
	p := newTestPool(t, st, nil)
	id := core.NewAssetID(issuer.Addr, 0)
	txs := []*core.Tx{
		issuer.Tx2(testChain, &core.AssetCreate{Symbol: "ACME", MaxSupply: 1000, InitialSupply: 600, Flags: core.FlagFreezable, Freezer: issuer.Addr}, 1000, 0),
		issuer.Tx2(testChain, &core.AssetTransfer{Asset: id, To: bob.Addr, Amount: 500}, 1000, 1),
		issuer.tx(bob.Addr, 5, 1000, 2),
	}
	mustAdd(t, p, txs...)

	// Refusals by the executor, with their codes; nothing changes.
	for _, c := range []struct {
		tx   *core.Tx
		code core.Code
	}{
		{issuer.Tx2(testChain, &core.AssetTransfer{Asset: id, To: bob.Addr, Amount: 101}, 1000, 3), core.CodeInsufficientFunds},
		{issuer.Tx2(testChain, &core.AssetTransfer{Asset: core.AssetID{7}, To: bob.Addr, Amount: 1}, 1000, 3), core.CodeAssetNotFound},
		{bob.Tx2(testChain, &core.AssetMint{Asset: id, To: bob.Addr, Amount: 1}, 1000, 0), core.CodeAssetNotFound}, // not confirmed yet: bob's view has no such asset
	} {
		n := p.Count()
		if err := p.Add(c.tx); !errors.Is(err, c.code) {
			t.Fatalf("%s: %v, want %s", c.tx.Kind, err, c.code)
		}
		if p.Count() != n {
			t.Fatal("a refused tx changed the pool")
		}
	}

	sel := p.Select(1<<20, 100)
	b := state.NewBuilder(st, state.Rules{Genesis: &core.Genesis{ChainID: testChain, MinFee: testMinFee, HalvingInterval: 1}}, &core.Header{Height: 1})
	for _, tx := range sel {
		if err := b.Add(tx); err != nil {
			t.Fatalf("the template refuses a tx the pool admitted: %s: %v", tx.Kind, err)
		}
	}
	if len(sel) != 3 {
		t.Fatalf("selected %d txs, want 3", len(sel))
	}
}

// TestAssetGapCloses: a tx behind a nonce gap is held unexecuted; when the
// gap closes it is executed, and one that fails is dropped with the rest.
func TestAssetGapCloses(t *testing.T) {
	issuer, bob := newKey(1), newKey(2)
	st := assetState(issuer, bob)
	p := newTestPool(t, st, nil)
	id := core.NewAssetID(issuer.Addr, 0)
	mustAdd(t, p, issuer.Tx2(testChain, &core.AssetCreate{Symbol: "ACME", MaxSupply: 100, InitialSupply: 100}, 1000, 0))
	over := issuer.Tx2(testChain, &core.AssetTransfer{Asset: id, To: bob.Addr, Amount: 80}, 1000, 2) // needs what nonce 1 will leave: 40
	after := issuer.tx(bob.Addr, 1, 1000, 3)
	mustAdd(t, p, over, after)
	if p.Count() != 3 {
		t.Fatalf("%d pooled, want the gapped txs held", p.Count())
	}
	mustAdd(t, p, issuer.Tx2(testChain, &core.AssetTransfer{Asset: id, To: bob.Addr, Amount: 60}, 1000, 1))
	if p.Has(over.ID()) || p.Has(after.ID()) || p.Count() != 2 {
		t.Fatalf("after the gap closed: %d pooled; the failing tx and the one after it must be dropped", p.Count())
	}
}

// TestAssetUpdateReexecutes: a block that freezes a holder makes the
// holder's pending asset transfer invalid: Update drops it, though the
// holder's own account did not change.
func TestAssetUpdateReexecutes(t *testing.T) {
	issuer, bob := newKey(1), newKey(2)
	st := assetState(issuer, bob)
	id := core.NewAssetID(issuer.Addr, 0)
	applyBlock(t, st,
		issuer.Tx2(testChain, &core.AssetCreate{Symbol: "ACME", MaxSupply: 100, InitialSupply: 100, Flags: core.FlagFreezable, Freezer: issuer.Addr}, 1000, 0),
		issuer.Tx2(testChain, &core.AssetTransfer{Asset: id, To: bob.Addr, Amount: 50}, 1000, 1))
	p := newTestPool(t, st, nil)
	pending := bob.Tx2(testChain, &core.AssetTransfer{Asset: id, To: issuer.Addr, Amount: 10}, 1000, 0)
	mustAdd(t, p, pending)
	blk := applyBlock(t, st, issuer.Tx2(testChain, &core.AssetFreeze{Asset: id, Holder: bob.Addr, Frozen: true}, 1000, 2))
	p.Update(nil, []*core.Block{blk})
	if p.Has(pending.ID()) {
		t.Fatal("a frozen holder's pending transfer survived the block that froze it")
	}
	if err := p.Add(pending); !errors.Is(err, core.CodeFrozen) {
		t.Fatalf("re-adding it: %v, want frozen", err)
	}
}
