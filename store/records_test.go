package store

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

func TestSchemaPrefixesDistinct(t *testing.T) {
	ps := schemaPrefixes()
	for i, p := range ps {
		for j, q := range ps {
			if i != j && bytes.HasPrefix(q, p) {
				t.Errorf("key prefix %q is a prefix of %q", p, q)
			}
		}
	}
}

// rawDB returns a DB over a memory KV and a function writing raw records.
func rawDB(t *testing.T) (*DB, func(key, value []byte)) {
	t.Helper()
	kv := NewMemory()
	t.Cleanup(func() { _ = kv.Close() })
	db, err := New(kv)
	if err != nil {
		t.Fatal(err)
	}
	return db, func(key, value []byte) {
		b := kv.NewBatch()
		b.Set(key, value)
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCorruptRecords(t *testing.T) {
	h := core.Sum([]byte("h"))
	a := core.Address{1, 2, 3}
	tx := &core.Tx{Version: 1, ChainID: "c", Amount: 1}
	other := &core.Block{Header: core.Header{Height: 9}}
	tests := []struct {
		name  string
		key   []byte
		value []byte
		kind  string
		read  func(*DB) error
	}{
		{"tip too short", []byte(keyTip), make([]byte, tipMinLen-1), kindTip,
			func(db *DB) error { _, _, err := db.Tip(); return err }},
		{"block garbage", blockKey(h), []byte("garbage"), kindBlock,
			func(db *DB) error { _, err := db.Block(h); return err }},
		{"block under another hash", blockKey(h), other.Encode(), kindBlock,
			func(db *DB) error { _, err := db.Block(h); return err }},
		{"block trailing byte", blockKey(other.Hash()), append(other.Encode(), 0), kindBlock,
			func(db *DB) error { _, err := db.Block(other.Hash()); return err }},
		{"hash at height short", heightKey(5), make([]byte, 31), kindHeight,
			func(db *DB) error { _, err := db.HashAt(5); return err }},
		{"tx location long", txLocKey(h), make([]byte, txLocLen+1), kindTxLoc,
			func(db *DB) error { _, err := db.TxLoc(h); return err }},
		{"account short", accountKey(a), make([]byte, 15), kindAccount,
			func(db *DB) error { _, err := db.Account(a); return err }},
		{"address tx value short", addrTxKey(a, 1, 2), make([]byte, 31), kindAddrTx,
			func(db *DB) error { _, err := db.AddressTxs(a, nil, 10); return err }},
		{"address tx key long", append(addrTxKey(a, 1, 2), 0), h[:], kindAddrTx,
			func(db *DB) error { _, err := db.AddressTxs(a, nil, 10); return err }},
		{"index key short", []byte{prefixIndex, 1, 2}, []byte("v"), kindIndex,
			func(db *DB) error { return db.IndexEntries(func(core.Hash, []byte) error { return nil }) }},
		{"mempool tx under another ID", mempoolKey(h), tx.Encode(), kindMempool,
			func(db *DB) error { return db.MempoolTxs(func([]byte) error { return nil }) }},
		{"mempool key long", append(mempoolKey(tx.ID()), 0), tx.Encode(), kindMempool,
			func(db *DB) error { return db.MempoolTxs(func([]byte) error { return nil }) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, put := rawDB(t)
			put(tc.key, tc.value)
			err := tc.read(db)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), tc.kind) {
				t.Errorf("error %q does not name %q", err, tc.kind)
			}
			if core.IsRuleError(err) {
				t.Errorf("error %q is a rule error: our disk is not a peer", err)
			}
		})
	}
}

func TestSchemaVersionMismatch(t *testing.T) {
	tests := []struct {
		name  string
		value []byte
		is    error
		want  string
	}{
		{"newer", encodeVersion(SchemaVersion + 1), ErrSchemaVersion, "newer than this build's"},
		{"much newer", encodeVersion(math.MaxUint64), ErrSchemaVersion, "newer"},
		{"older", encodeVersion(0), ErrSchemaVersion, "older"},
		{"corrupt", []byte{0, 1}, ErrCorrupt, kindVersion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv := NewMemory()
			defer kv.Close()
			b := kv.NewBatch()
			b.Set([]byte(keySchemaVersion), tc.value)
			if err := b.Commit(); err != nil {
				t.Fatal(err)
			}
			_, err := New(kv)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want %v naming %q", err, tc.is, tc.want)
			}
		})
	}
	if _, err := New(nil); err == nil {
		t.Error("New(nil): no error")
	}
}

// Seeds of the round-trip tests and fuzzers.
func tipSeeds() []Tip {
	return []Tip{
		{},
		{Hash: core.Sum([]byte("x")), Height: 7, State: []byte("digest")},
		{Hash: core.Sum([]byte("y")), Height: math.MaxUint64, State: bytes.Repeat([]byte{0xab}, 2048)},
	}
}

func txLocSeeds() []TxLoc {
	return []TxLoc{
		{},
		{BlockHash: core.Sum([]byte("b")), Height: 1, Index: 2},
		{BlockHash: core.Sum([]byte("c")), Height: math.MaxUint64, Index: math.MaxUint32},
	}
}

func TestRecordRoundTrip(t *testing.T) {
	for _, want := range tipSeeds() {
		got, err := decodeTip(encodeTip(want))
		if err != nil || got.Hash != want.Hash || got.Height != want.Height || !bytes.Equal(got.State, want.State) {
			t.Errorf("tip %+v round-trips to %+v, %v", want, got, err)
		}
	}
	for _, want := range txLocSeeds() {
		if got, err := decodeTxLoc(encodeTxLoc(want)); err != nil || got != want {
			t.Errorf("tx location %+v round-trips to %+v, %v", want, got, err)
		}
	}
	for _, v := range []uint64{0, 1, math.MaxUint64} {
		if got, err := decodeVersion(encodeVersion(v)); err != nil || got != v {
			t.Errorf("version %d round-trips to %d, %v", v, got, err)
		}
	}
	a := core.Address{9}
	e := AddrTx{Height: 1 << 40, Index: 3, ID: core.Sum([]byte("id"))}
	if got, err := decodeAddrTx(a, addrTxKey(a, e.Height, e.Index), e.ID[:]); err != nil || got != e {
		t.Errorf("address tx %+v round-trips to %+v, %v", e, got, err)
	}
	if _, err := decodeAddrTx(core.Address{8}, addrTxKey(a, 1, 2), e.ID[:]); err == nil {
		t.Error("an address tx key of another address decoded")
	}
}
