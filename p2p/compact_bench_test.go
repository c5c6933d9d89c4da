package p2p

import (
	"crypto/sha256"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// BenchmarkShortTxIDs: one keyed SHA-256 short ID (what a receiver
// computes per remembered tx for each compact block), next to a plain
// SHA-256 of the same 64 bytes in the same run.
func BenchmarkShortTxIDs(b *testing.B) {
	salt := sha256.Sum256([]byte("salt"))
	var id core.Hash
	b.Run("short_id", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			id[0] = byte(i)
			_ = ShortTxID(&salt, id)
		}
	})
	b.Run("sha256_64B", func(b *testing.B) {
		var buf [64]byte
		for i := 0; b.Loop(); i++ {
			buf[0] = byte(i)
			_ = sha256.Sum256(buf[:])
		}
	})
}

// BenchmarkCompactMatch: matching the 500 short IDs of a compact block
// against a full index of remembered txs (recentTxsCap, on all cores):
// the receiver's cost per compact block besides the missing txs.
func BenchmarkCompactMatch(b *testing.B) {
	x := newTxIndex()
	txs := make([]*core.Tx, recentTxsCap)
	proto := testTxs(1)[0]
	for i := range txs {
		tx := *proto
		tx.Nonce = uint64(i) // a distinct ID (the signature is not checked here)
		txs[i] = &tx
	}
	x.add(txs)
	salt := sha256.Sum256([]byte("salt"))
	want := map[ShortID]int{}
	for i := range 500 {
		want[ShortTxID(&salt, txs[i*100].ID())] = i
	}
	out := make([]*core.Tx, 500)
	for b.Loop() {
		clear(out)
		x.match(&salt, want, out)
	}
	for i, tx := range out {
		if tx != txs[i*100] {
			b.Fatalf("position %d not matched", i)
		}
	}
}
