package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

func testAddressTxs(t *testing.T, _ store.KV, db *store.DB) {
	a := Addr(7)
	neighbour := a // the next address up: its entries must not leak into a's
	neighbour[19]++
	below := a
	below[19]--
	var all []store.AddrTx // a's entries, in insertion order
	b := db.NewBatch()
	for h := uint64(0); h < 10; h++ {
		for i := uint32(0); i < uint32(h%3)+1; i++ {
			e := store.AddrTx{Height: h * 1000, Index: i * 7, ID: core.Sum(fmt.Appendf(nil, "%d/%d", h, i))}
			all = append(all, e)
			b.PutAddressTx(a, e)
		}
		b.PutAddressTx(neighbour, store.AddrTx{Height: h * 1000, Index: 1, ID: core.Sum([]byte("n"))})
		b.PutAddressTx(below, store.AddrTx{Height: h * 1000, Index: 1, ID: core.Sum([]byte("b"))})
	}
	commit(t, b)
	newest := slices.Clone(all)
	slices.Reverse(newest) // all was inserted in ascending (height, index) order

	t.Run("one page", func(t *testing.T) {
		got, err := db.AddressTxs(a, nil, 1000)
		if err != nil || !slices.Equal(got, newest) {
			t.Fatalf("AddressTxs = %v, %v\nwant %v", got, err, newest)
		}
	})
	for _, limit := range []int{1, 3, 7} {
		t.Run(fmt.Sprintf("pages of %d", limit), func(t *testing.T) {
			var got []store.AddrTx
			var cursor *store.AddrTx
			for pages := 0; ; pages++ {
				page, err := db.AddressTxs(a, cursor, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit || pages > len(all) {
					t.Fatalf("page of %d entries, limit %d, after %d pages", len(page), limit, pages)
				}
				if len(page) == 0 {
					break
				}
				got = append(got, page...)
				cursor = &page[len(page)-1]
			}
			if !slices.Equal(got, newest) {
				t.Fatalf("paged %v\nwant %v", got, newest)
			}
		})
	}
	t.Run("cursor not an entry", func(t *testing.T) {
		got, err := db.AddressTxs(a, &store.AddrTx{Height: 5500}, 2)
		want := []store.AddrTx{newest[slices.IndexFunc(newest, func(e store.AddrTx) bool { return e.Height == 5000 })]}
		want = append(want, newest[slices.Index(newest, want[0])+1])
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("AddressTxs before 5500 = %v, %v; want %v", got, err, want)
		}
		if got, err := db.AddressTxs(a, &store.AddrTx{Height: 0, Index: 0}, 5); err != nil || len(got) != 0 {
			t.Fatalf("before the first entry: %v, %v", got, err)
		}
	})
	t.Run("unknown address", func(t *testing.T) {
		if got, err := db.AddressTxs(Addr(99), nil, 10); err != nil || len(got) != 0 {
			t.Fatalf("AddressTxs(unknown) = %v, %v", got, err)
		}
	})
	t.Run("bad limit", func(t *testing.T) {
		for _, limit := range []int{0, -1} {
			if _, err := db.AddressTxs(a, nil, limit); err == nil {
				t.Errorf("limit %d: no error", limit)
			}
		}
	})
	t.Run("delete", func(t *testing.T) {
		b := db.NewBatch()
		b.DeleteAddressTx(a, store.AddrTx{Height: newest[0].Height, Index: newest[0].Index})
		commit(t, b)
		got, err := db.AddressTxs(a, nil, 2)
		if err != nil || !slices.Equal(got, newest[1:3]) {
			t.Fatalf("after delete: %v, %v; want %v", got, err, newest[1:3])
		}
	})
}

// connect writes everything block blk changes, as the chain package would.
func connect(t *testing.T, db *store.DB, blk *core.Block, balances map[core.Address]uint64) {
	t.Helper()
	h := blk.Hash()
	b := db.NewBatch()
	b.PutBlock(blk)
	b.PutIndexEntry(h, []byte("connected"))
	b.SetHashAt(blk.Header.Height, h)
	for i, tx := range blk.Txs {
		id := tx.ID()
		b.PutTxLoc(id, store.TxLoc{BlockHash: h, Height: blk.Header.Height, Index: uint32(i)})
		e := store.AddrTx{Height: blk.Header.Height, Index: uint32(i), ID: id}
		b.PutAddressTx(tx.Sender(), e)
		b.PutAddressTx(tx.To, e)
		b.DeleteMempoolTx(id)
		balances[tx.To] += tx.Amount
		b.SetAccount(tx.To, core.Account{Balance: balances[tx.To]})
	}
	b.PutUndo(h, fmt.Appendf(nil, "undo %d", blk.Header.Height))
	b.SetTip(store.Tip{Hash: h, Height: blk.Header.Height, State: []byte("digest")})
	commit(t, b)
}

// testConnectDisconnect connects three blocks and disconnects the last,
// then checks every record is as after two.
func testConnectDisconnect(t *testing.T, kv store.KV, db *store.DB) {
	balances := map[core.Address]uint64{}
	blocks := []*core.Block{Block(0, core.Hash{}, 1)}
	blocks = append(blocks, Block(1, blocks[0].Hash(), 2))
	connect(t, db, blocks[0], balances)
	connect(t, db, blocks[1], balances)
	snapshot := dump(t, kv)

	last := Block(2, blocks[1].Hash(), 3)
	if err := db.SaveMempoolTxs(last.Txs); err != nil {
		t.Fatal(err)
	}
	withMempool := dump(t, kv)
	connect(t, db, last, balances)
	for _, tx := range last.Txs {
		if _, err := db.TxLoc(tx.ID()); err != nil {
			t.Fatalf("TxLoc after connect: %v", err)
		}
	}
	// Disconnect: undo everything but the block and its index entry, and
	// return the txs to the mempool, in one batch.
	h := last.Hash()
	b := db.NewBatch()
	b.DeleteHashAt(2)
	for i, tx := range last.Txs {
		b.DeleteTxLoc(tx.ID())
		e := store.AddrTx{Height: 2, Index: uint32(i)}
		b.DeleteAddressTx(tx.Sender(), e)
		b.DeleteAddressTx(tx.To, e)
		balances[tx.To] -= tx.Amount
		b.SetAccount(tx.To, core.Account{Balance: balances[tx.To]})
		b.PutMempoolTx(tx)
	}
	b.DeleteUndo(h)
	b.SetTip(store.Tip{Hash: blocks[1].Hash(), Height: 1, State: []byte("digest")})
	commit(t, b)

	after := dump(t, kv)
	// Only the disconnected block's body and index entry remain.
	var extra []string
	for k, v := range after {
		if w, ok := withMempool[k]; !ok {
			extra = append(extra, v)
		} else if w != v {
			t.Errorf("key %x: value %q, want %q as before connecting", k, v, w)
		}
	}
	slices.Sort(extra)
	if want := []string{string(last.Encode()), "connected"}; !slices.Equal(extra, want) {
		t.Errorf("after disconnect, %d new records; want the block body and its index entry", len(extra))
	}
	if len(after) != len(withMempool)+2 {
		t.Errorf("after disconnect: %d keys, want %d", len(after), len(withMempool)+2)
	}
	if len(withMempool) != len(snapshot)+len(last.Txs) {
		t.Errorf("mempool records: %d keys, want %d", len(withMempool), len(snapshot)+len(last.Txs))
	}
	if _, err := db.Block(h); err != nil {
		t.Errorf("disconnected block: %v", err)
	}
}

func dump(t *testing.T, kv store.KV) map[string]string {
	t.Helper()
	m := map[string]string{}
	if err := kv.Iterate(nil, nil, false, func(k, v []byte) (bool, error) {
		m[string(k)] = string(v)
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	return m
}

func testSchemaVersion(t *testing.T, open opener) {
	t.Run("written on first open", func(t *testing.T) {
		kv := open(t)
		if _, err := store.New(kv); err != nil {
			t.Fatal(err)
		}
		if n := countKeys(t, kv); n != 1 {
			t.Fatalf("a new db has %d keys, want 1 (the version)", n)
		}
		db, err := store.New(kv)
		if err != nil {
			t.Fatalf("second New: %v", err)
		}
		if _, ok, err := db.Tip(); ok || err != nil {
			t.Fatalf("Tip = %v, %v", ok, err)
		}
	})
	t.Run("foreign data refused", func(t *testing.T) {
		kv := open(t)
		put(t, kv, "not cairn", "x")
		_, err := store.New(kv)
		if !errors.Is(err, store.ErrSchemaVersion) || !strings.Contains(err.Error(), "not cairn") {
			t.Fatalf("New on foreign data: %v", err)
		}
	})
}
