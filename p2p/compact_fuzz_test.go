package p2p

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

func testCompact() *CompactBlock {
	txs := testTxs(5)
	blk := &core.Block{Header: testHeaders(1)[0], Txs: txs}
	return NewCompactBlock(blk, 42, func(i int, _ *core.Tx) bool { return i == 0 || i == 3 })
}

// TestCompactBlockRoundTrip: encode/decode keeps every field, and the
// decoder refuses a prefilled index outside the block.
func TestCompactBlockRoundTrip(t *testing.T) {
	cb := testCompact()
	enc := cb.Encode()
	got, err := DecodeCompactBlock(enc, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Hash() != cb.Header.Hash() || got.Nonce != 42 || len(got.ShortIDs) != 3 || len(got.Prefilled) != 2 ||
		got.Prefilled[0].Index != 0 || got.Prefilled[1].Index != 3 || got.Prefilled[1].Tx.ID() != cb.Prefilled[1].Tx.ID() ||
		got.ShortIDs[2] != cb.ShortIDs[2] {
		t.Fatalf("round trip changed the compact block: %+v", got)
	}
	if _, err := DecodeCompactBlock(enc, 4); err == nil {
		t.Fatal("a compact block of 5 txs decoded under a cap of 4")
	}
	bad := &CompactBlock{Header: cb.Header, Prefilled: []PrefilledTx{{Index: 1, Tx: cb.Prefilled[0].Tx}}}
	if _, err := DecodeCompactBlock(bad.Encode(), 100); err == nil || !core.IsRuleError(err) {
		t.Fatalf("prefilled index 1 in a block of 1 tx: %v, want a rule error", err)
	}
	req := (&GetBlockTxn{Block: core.Hash{7}, Indexes: []int{0, 5, 6, 300}}).Encode()
	m, err := decodeGetBlockTxn(req[1:])
	if err != nil || m.Block != (core.Hash{7}) || len(m.Indexes) != 4 || m.Indexes[3] != 300 {
		t.Fatalf("get_block_txn round trip: %+v %v", m, err)
	}
	// The short ID is SHA-256(salt || tx ID) truncated.
	salt := CompactSalt(&cb.Header, 42)
	id := testTxs(1)[0].ID()
	sum := sha256.Sum256(append(salt[:], id[:]...))
	if s := ShortTxID(&salt, id); !bytes.Equal(s[:], sum[:ShortIDSize]) {
		t.Fatal("short ID is not the truncated keyed SHA-256")
	}
}

func FuzzDecodeCompactBlock(f *testing.F) {
	f.Add(testCompact().Encode())
	f.Add((&CompactBlock{Header: signedHeaders()[1]}).Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		cb, err := DecodeCompactBlock(b, 1000)
		if err != nil {
			if !core.IsRuleError(err) {
				t.Fatalf("decode error is not a rule error: %v", err)
			}
			return
		}
		if !bytes.Equal(cb.Encode(), b) {
			t.Fatal("round trip changed the encoding")
		}
		for i, p := range cb.Prefilled {
			if p.Index >= cb.TxCount() || i > 0 && p.Index <= cb.Prefilled[i-1].Index {
				t.Fatalf("prefilled index %d out of order or outside a block of %d", p.Index, cb.TxCount())
			}
		}
	})
}

func FuzzDecodeGetBlockTxn(f *testing.F) {
	f.Add((&GetBlockTxn{Block: core.Hash{1}, Indexes: []int{0, 2, 9}}).Encode()[1:])
	f.Add((&GetBlockTxn{}).Encode()[1:])
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeGetBlockTxn(b)
		if err != nil {
			return
		}
		if !bytes.Equal(m.Encode()[1:], b) {
			t.Fatal("round trip changed the encoding")
		}
	})
}

func FuzzDecodeBlockTxn(f *testing.F) {
	f.Add(encodeBlockTxn(testTxs(3), true), 3)
	f.Add(encodeBlockTxn(nil, false), 0)
	f.Fuzz(func(t *testing.T, b []byte, want int) {
		want = max(0, min(want, MaxBlockTxnIndexes))
		txs, found, err := decodeBlockTxn(b, want)
		if err != nil {
			return
		}
		if !bytes.Equal(encodeBlockTxn(txs, found), b) {
			t.Fatal("round trip changed the encoding")
		}
		if found && len(txs) != want {
			t.Fatalf("%d txs for a request of %d", len(txs), want)
		}
	})
}
