package index

import (
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// TestIndexersRoundTrip connects a block of a transfer, an asset creation
// and an item mint through every indexer, reads each index back, then
// disconnects it and finds every index empty again.
func TestIndexersRoundTrip(t *testing.T) {
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	k := testkit.NewKey(1)
	from := k.Addr
	bob := core.Address{9}
	g := testkit.Genesis("test", map[core.Address]uint64{from: 1e9})
	asset := core.NewAssetID(from, 1)
	txs := []*core.Tx{
		k.Transfer("test", bob, 5, 1000, 0),
		k.Tx2("test", &core.AssetCreate{Symbol: "LOT", MaxSupply: 5, Flags: core.FlagUnique, Minter: from}, 1000, 1),
		k.Tx2("test", &core.ItemMint{Collection: asset, ItemID: []byte("L-1"), To: bob}, 1000, 2),
	}
	blk := &core.Block{Header: core.Header{Height: 1, Miner: core.Address{7}}, Txs: txs}
	st := state.Memory{}
	st.Apply(state.GenesisChanges(g))
	res, err := state.ApplyBlock(st, state.Rules{Genesis: g}, blk)
	if err != nil {
		t.Fatal(err)
	}
	senders := []core.Address{from, from, from}
	ib := &Block{Block: blk, Hash: core.Hash{1}, IDs: blk.TxIDs(), Senders: senders, Changes: res.Changes, Receipts: res.Receipts}

	b := db.NewBatch()
	for _, x := range All() {
		x.Connect(b, ib)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if loc, err := db.TxLoc(ib.IDs[2]); err != nil || loc.Index != 2 || loc.Height != 1 {
		t.Fatalf("tx location %+v %v", loc, err)
	}
	if h, _ := db.AddressTxs(bob, nil, 10); len(h) != 2 || h[0].ID != ib.IDs[2] || h[1].ID != ib.IDs[0] {
		t.Fatalf("bob's history %+v: want the item mint and the transfer, newest first", h)
	}
	if ids, _ := db.AccountAssets(bob, nil, 10); len(ids) != 1 || ids[0] != asset {
		t.Fatalf("bob's assets %v", ids)
	}
	if ev, _ := db.ItemHistory(asset, []byte("L-1"), nil, 10); len(ev) != 1 || ev[0].ID != ib.IDs[2] {
		t.Fatalf("item history %+v", ev)
	}
	if raw, err := db.Receipts(ib.Hash); err != nil || raw == nil {
		t.Fatalf("receipts %x (%v)", raw, err)
	} else if rs, err := state.DecodeReceipts(raw); err != nil || len(rs) != 3 || len(rs[1].Events) != 1 || rs[1].Events[0].Topic != "asset_created" {
		t.Fatalf("receipts %+v (%v)", rs, err)
	}

	b = db.NewBatch()
	for _, x := range All() {
		x.Disconnect(b, ib)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TxLoc(ib.IDs[0]); err == nil {
		t.Fatal("tx location kept after disconnect")
	}
	h1, _ := db.AddressTxs(bob, nil, 10)
	h2, _ := db.AddressTxs(from, nil, 10)
	ids, _ := db.AccountAssets(bob, nil, 10)
	ev, _ := db.ItemHistory(asset, []byte("L-1"), nil, 10)
	if raw, _ := db.Receipts(ib.Hash); raw != nil {
		t.Fatal("receipts kept after disconnect")
	}
	if len(h1)+len(h2)+len(ids)+len(ev) != 0 {
		t.Fatalf("indexes kept entries after disconnect: %v %v %v %v", h1, h2, ids, ev)
	}
	n := 0
	_ = db.MempoolTxs(func([]byte) error { n++; return nil })
	if n != 3 {
		t.Fatalf("%d txs returned to the mempool, want 3", n)
	}
}
