package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

func runDB(t *testing.T, open opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.KV, *store.DB)
	}{
		{"FreshTip", testFreshTip},
		{"Tip", testTip},
		{"Blocks", testBlocks},
		{"IndexEntries", testIndexEntries},
		{"HashAt", testHashAt},
		{"TxLoc", testTxLoc},
		{"AddressTxs", testAddressTxs},
		{"Accounts", testAccounts},
		{"Undo", testUndo},
		{"Mempool", testMempool},
		{"BatchAtomicity", testDBBatchAtomicity},
		{"ConnectDisconnect", testConnectDisconnect},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv := open(t)
			db, err := store.New(kv)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			tc.fn(t, kv, db)
		})
	}
	t.Run("SchemaVersion", func(t *testing.T) { testSchemaVersion(t, open) })
}

// commit commits b, failing the test on error.
func commit(t *testing.T, b *store.Batch) {
	t.Helper()
	if err := b.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

// wantNotFound fails unless err is a store.ErrNotFound naming kind, and not
// a rule error.
func wantNotFound(t *testing.T, err error, kind string) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), kind) {
		t.Errorf("error %q does not name %q", err, kind)
	}
	if core.IsRuleError(err) {
		t.Errorf("error %q is a rule error", err)
	}
}

// countKeys returns the number of keys in kv.
func countKeys(t *testing.T, kv store.KV) int {
	t.Helper()
	n := 0
	if err := kv.Iterate(nil, nil, false, func(_, _ []byte) (bool, error) { n++; return true, nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func testFreshTip(t *testing.T, _ store.KV, db *store.DB) {
	tip, ok, err := db.Tip()
	if err != nil || ok || tip.Height != 0 || !tip.Hash.IsZero() || tip.State != nil {
		t.Fatalf("Tip() on a fresh db = %+v, %v, %v", tip, ok, err)
	}
}

func testTip(t *testing.T, _ store.KV, db *store.DB) {
	tests := []struct {
		name string
		tip  store.Tip
	}{
		{"genesis, empty state", store.Tip{Hash: core.Sum([]byte("g")), Height: 0}},
		{"2 KiB state", store.Tip{Hash: core.Sum([]byte("a")), Height: 12345, State: bytes.Repeat([]byte{1, 2, 3, 4}, 512)}},
		{"max height", store.Tip{Hash: core.Sum([]byte("b")), Height: math.MaxUint64, State: []byte{0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := db.NewBatch()
			b.SetTip(tc.tip)
			commit(t, b)
			got, ok, err := db.Tip()
			if err != nil || !ok {
				t.Fatalf("Tip() = %v, %v", ok, err)
			}
			if got.Hash != tc.tip.Hash || got.Height != tc.tip.Height || !bytes.Equal(got.State, tc.tip.State) {
				t.Fatalf("Tip() = %+v, want %+v", got, tc.tip)
			}
		})
	}
}

func testBlocks(t *testing.T, _ store.KV, db *store.DB) {
	blocks := []*core.Block{Block(0, core.Hash{}, 0), Block(1, core.Sum([]byte("p")), 1), Block(2, core.Sum([]byte("q")), 5)}
	b := db.NewBatch()
	for _, blk := range blocks {
		b.PutBlock(blk)
	}
	commit(t, b)
	for _, blk := range blocks {
		t.Run(fmt.Sprintf("height %d", blk.Header.Height), func(t *testing.T) {
			h := blk.Hash()
			got, err := db.Block(h)
			if err != nil {
				t.Fatalf("Block(%s): %v", h, err)
			}
			if !bytes.Equal(got.Encode(), blk.Encode()) {
				t.Fatalf("Block(%s) differs from the stored block", h)
			}
			if ok, err := db.HasBlock(h); err != nil || !ok {
				t.Fatalf("HasBlock = %v, %v", ok, err)
			}
		})
	}
	missing := core.Sum([]byte("missing"))
	_, err := db.Block(missing)
	wantNotFound(t, err, "block")
	if ok, err := db.HasBlock(missing); err != nil || ok {
		t.Fatalf("HasBlock(missing) = %v, %v", ok, err)
	}
}

func testIndexEntries(t *testing.T, _ store.KV, db *store.DB) {
	if err := db.IndexEntries(func(core.Hash, []byte) error { return errors.New("called on an empty db") }); err != nil {
		t.Fatal(err)
	}
	want := map[core.Hash]string{}
	b := db.NewBatch()
	for i := range 5 {
		h := core.Sum([]byte{byte(i)})
		want[h] = fmt.Sprintf("entry %d", i)
		b.PutIndexEntry(h, []byte(want[h]))
	}
	b.PutBlock(Block(9, core.Hash{}, 0)) // other kinds are not index entries
	b.SetHashAt(9, core.Sum([]byte("x")))
	commit(t, b)
	got := map[core.Hash]string{}
	var kept [][]byte
	err := db.IndexEntries(func(h core.Hash, v []byte) error {
		got[h] = string(v)
		kept = append(kept, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for h, v := range want {
		if got[h] != v {
			t.Errorf("entry %s = %q, want %q", h, got[h], v)
		}
	}
	for _, v := range kept {
		if !strings.HasPrefix(string(v), "entry ") {
			t.Errorf("a value kept after its callback changed to %q", v)
		}
	}
	errStop := errors.New("stop")
	calls := 0
	if err := db.IndexEntries(func(core.Hash, []byte) error { calls++; return errStop }); !errors.Is(err, errStop) || calls != 1 {
		t.Errorf("IndexEntries with a failing fn: %v after %d calls", err, calls)
	}
}

func testHashAt(t *testing.T, _ store.KV, db *store.DB) {
	heights := []uint64{0, 1, 255, 256, 65536, 1 << 40, math.MaxUint64}
	b := db.NewBatch()
	for _, h := range heights {
		b.SetHashAt(h, core.Sum(fmt.Appendf(nil, "%d", h)))
	}
	commit(t, b)
	for _, h := range heights {
		got, err := db.HashAt(h)
		if want := core.Sum(fmt.Appendf(nil, "%d", h)); err != nil || got != want {
			t.Errorf("HashAt(%d) = %s, %v; want %s", h, got, err, want)
		}
	}
	_, err := db.HashAt(2)
	wantNotFound(t, err, "main-chain hash")
	b = db.NewBatch()
	b.DeleteHashAt(256)
	b.SetHashAt(1, core.Sum([]byte("reorged")))
	commit(t, b)
	_, err = db.HashAt(256)
	wantNotFound(t, err, "height 256")
	if got, err := db.HashAt(1); err != nil || got != core.Sum([]byte("reorged")) {
		t.Errorf("HashAt(1) after overwrite = %s, %v", got, err)
	}
}

func testTxLoc(t *testing.T, _ store.KV, db *store.DB) {
	locs := map[core.Hash]store.TxLoc{
		core.Sum([]byte("t1")): {BlockHash: core.Sum([]byte("b1")), Height: 1, Index: 0},
		core.Sum([]byte("t2")): {BlockHash: core.Sum([]byte("b2")), Height: math.MaxUint64, Index: math.MaxUint32},
	}
	b := db.NewBatch()
	for id, l := range locs {
		b.PutTxLoc(id, l)
	}
	commit(t, b)
	for id, want := range locs {
		if got, err := db.TxLoc(id); err != nil || got != want {
			t.Errorf("TxLoc(%s) = %+v, %v; want %+v", id, got, err, want)
		}
	}
	b = db.NewBatch()
	b.DeleteTxLoc(core.Sum([]byte("t1")))
	commit(t, b)
	_, err := db.TxLoc(core.Sum([]byte("t1")))
	wantNotFound(t, err, "tx location")
}

func testAccounts(t *testing.T, kv store.KV, db *store.DB) {
	a := Addr(1)
	if acct, err := db.Account(a); err != nil || !acct.IsZero() {
		t.Fatalf("absent account = %+v, %v", acct, err)
	}
	before := countKeys(t, kv)
	tests := []core.Account{
		{Balance: 100, Nonce: 0},
		{Balance: 0, Nonce: 3},
		{Balance: core.MaxMoney, Nonce: math.MaxUint64},
	}
	for _, want := range tests {
		b := db.NewBatch()
		b.SetAccount(a, want)
		commit(t, b)
		if got, err := db.Account(a); err != nil || got != want {
			t.Fatalf("Account = %+v, %v; want %+v", got, err, want)
		}
	}
	if n := countKeys(t, kv); n != before+1 {
		t.Errorf("%d keys with one account, want %d", n, before+1)
	}
	b := db.NewBatch()
	b.SetAccount(a, core.Account{})
	b.SetAccount(Addr(2), core.Account{}) // never stored: still nothing
	commit(t, b)
	if got, err := db.Account(a); err != nil || !got.IsZero() {
		t.Fatalf("after zeroing: %+v, %v", got, err)
	}
	if n := countKeys(t, kv); n != before {
		t.Errorf("the zero account left a key: %d keys, want %d", n, before)
	}
}

func testUndo(t *testing.T, _ store.KV, db *store.DB) {
	h := core.Sum([]byte("blk"))
	_, err := db.Undo(h)
	wantNotFound(t, err, "undo")
	for _, undo := range [][]byte{[]byte("undo data"), {}, bytes.Repeat([]byte{9}, 100_000)} {
		b := db.NewBatch()
		b.PutUndo(h, undo)
		commit(t, b)
		if got, err := db.Undo(h); err != nil || !bytes.Equal(got, undo) {
			t.Fatalf("Undo = %d bytes, %v; want %d", len(got), err, len(undo))
		}
	}
	b := db.NewBatch()
	b.DeleteUndo(h)
	commit(t, b)
	_, err = db.Undo(h)
	wantNotFound(t, err, "undo")
}

// mempool returns the persisted mempool as a sorted list of encodings.
func mempool(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	if err := db.MempoolTxs(func(raw []byte) error { out = append(out, string(raw)); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func encodings(txs ...*core.Tx) []string {
	var out []string
	for _, tx := range txs {
		out = append(out, string(tx.Encode()))
	}
	slices.Sort(out)
	return out
}

func testMempool(t *testing.T, _ store.KV, db *store.DB) {
	if got := mempool(t, db); len(got) != 0 {
		t.Fatalf("fresh mempool has %d txs", len(got))
	}
	txs := []*core.Tx{Tx(1, 0, Addr(1)), Tx(1, 1, Addr(1)), Tx(2, 0, Addr(3)), Tx(3, 0, Addr(4))}
	if err := db.SaveMempoolTxs(txs); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveMempoolTxs(nil); err != nil {
		t.Fatal(err)
	}
	if got, want := mempool(t, db), encodings(txs...); !slices.Equal(got, want) {
		t.Fatalf("mempool has %d txs, want %d", len(got), len(want))
	}
	for _, raw := range mempool(t, db) {
		if _, err := core.DecodeTx([]byte(raw)); err != nil {
			t.Fatalf("stored mempool tx does not decode: %v", err)
		}
	}
	if err := db.DeleteMempoolTxs([]core.Hash{txs[0].ID(), core.Sum([]byte("absent"))}); err != nil {
		t.Fatal(err)
	}
	if got, want := mempool(t, db), encodings(txs[1:]...); !slices.Equal(got, want) {
		t.Fatalf("after delete: %d txs, want %d", len(got), len(want))
	}
	b := db.NewBatch()
	b.DeleteMempoolTx(txs[1].ID())
	b.PutMempoolTx(txs[0])
	commit(t, b)
	if got, want := mempool(t, db), encodings(txs[0], txs[2], txs[3]); !slices.Equal(got, want) {
		t.Fatalf("after batch: %d txs, want %d", len(got), len(want))
	}
	errStop := errors.New("stop")
	if err := db.MempoolTxs(func([]byte) error { return errStop }); !errors.Is(err, errStop) {
		t.Errorf("MempoolTxs with a failing fn: %v", err)
	}
}

func testDBBatchAtomicity(t *testing.T, _ store.KV, db *store.DB) {
	blk := Block(1, core.Hash{}, 2)
	h := blk.Hash()
	b := db.NewBatch()
	b.PutBlock(blk)
	b.SetHashAt(1, h)
	b.SetAccount(Addr(1), core.Account{Balance: 5})
	b.SetTip(store.Tip{Hash: h, Height: 1})
	if b.Len() != 4 {
		t.Errorf("Len = %d, want 4", b.Len())
	}
	if ok, _ := db.HasBlock(h); ok {
		t.Error("block visible before Commit")
	}
	if _, ok, _ := db.Tip(); ok {
		t.Error("tip visible before Commit")
	}
	if acct, _ := db.Account(Addr(1)); !acct.IsZero() {
		t.Error("account visible before Commit")
	}
	commit(t, b)
	if tip, ok, err := db.Tip(); err != nil || !ok || tip.Hash != h {
		t.Errorf("tip after Commit = %+v, %v, %v", tip, ok, err)
	}
	if err := b.Commit(); !errors.Is(err, store.ErrBatchCommitted) {
		t.Errorf("second Commit: %v", err)
	}
}
